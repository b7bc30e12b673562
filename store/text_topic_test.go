package store

import (
	"context"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestTextTopicsVersions stores a workspace's taxonomy twice and checks
// the versions, that another workspace keeps the default, and refusals.
func TestTextTopicsVersions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var ids []int64
		for _, slug := range []string{"acme", "globex"} {
			ws := &cxm.Workspace{Slug: slug, Name: slug}
			if err := db.CreateWorkspace(ctx, ws); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ws.ID)
		}
		a, b := ids[0], ids[1]
		if _, err := db.FindTextTopics(ctx, a); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("topics before any are stored: %v", err)
		}
		for i, tax := range []string{`{"topics":[]}`, `{"topics":[{"key":"x"}]}`} {
			tt := &cxm.TextTopics{WorkspaceID: a, Taxonomy: []byte(tax)}
			if err := db.SaveTextTopics(ctx, tt); err != nil {
				t.Fatal(err)
			}
			if tt.Version != i+1 {
				t.Errorf("save %d: version %d", i, tt.Version)
			}
		}
		got, err := db.FindTextTopics(ctx, a)
		if err != nil || got.Version != 2 || string(got.Taxonomy) != `{"topics":[{"key":"x"}]}` {
			t.Errorf("find = %+v %v", got, err)
		}
		if v, err := db.TextTopicsVersion(ctx, b); err != nil || v != 0 {
			t.Errorf("other workspace's version = %d %v", v, err)
		}
		if err := db.SaveTextTopics(ctx, &cxm.TextTopics{WorkspaceID: b}); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("empty taxonomy: %v", err)
		}
		if v, _ := db.TextTopicsVersion(ctx, b); v != 0 {
			t.Errorf("a refused taxonomy was stored: version %d", v)
		}
	})
}
