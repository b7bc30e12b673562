package store

import (
	"bytes"
	"context"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestTextModelVersions saves versions in two workspaces and checks their
// numbering, the one active version, restoring, the blob and refusals.
func TestTextModelVersions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var wss []*cxm.Workspace
		for _, slug := range []string{"acme", "globex"} {
			ws := &cxm.Workspace{Slug: slug, Name: slug}
			if err := db.CreateWorkspace(ctx, ws); err != nil {
				t.Fatal(err)
			}
			wss = append(wss, ws)
		}
		a, b := wss[0].ID, wss[1].ID
		save := func(ws int64, blob string) *cxm.TextModel {
			t.Helper()
			m := &cxm.TextModel{WorkspaceID: ws, Examples: 40, Source: cxm.ModelSourceCorrections, LexiconWeight: 0.3, Blob: []byte(blob)}
			if err := db.SaveTextModel(ctx, m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		if m := save(a, "one"); m.Version != 1 || !m.Active {
			t.Errorf("first = %+v", m)
		}
		save(a, "two\x00\xff")
		if m := save(b, "b-one"); m.Version != 1 {
			t.Errorf("other workspace's first version = %d", m.Version)
		}
		if v, err := db.ActiveTextModelVersion(ctx, a); err != nil || v != 2 {
			t.Errorf("active = %d %v, want 2", v, err)
		}
		if _, err := db.ActivateTextModel(ctx, a, 1); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListTextModels(ctx, a)
		if err != nil || len(list) != 2 || list[0].Version != 2 || list[0].Active || !list[1].Active || list[1].Examples != 40 {
			t.Errorf("list after restoring 1: %+v %v", list, err)
		}
		m, err := db.FindTextModel(ctx, a, 2)
		if err != nil || !bytes.Equal(m.Blob, []byte("two\x00\xff")) {
			t.Errorf("blob of 2 = %q %v", m.Blob, err)
		}
		if _, err := db.ActivateTextModel(ctx, b, 2); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("activating A's version 2 in B: %v", err)
		}
		if v, _ := db.ActiveTextModelVersion(ctx, b); v != 1 {
			t.Errorf("B's active version = %d, want 1", v)
		}
		bad := &cxm.TextModel{WorkspaceID: a, Source: "guess", LexiconWeight: 2}
		err = db.SaveTextModel(ctx, bad)
		if got := cxm.ErrorFields(err); cxm.ErrorCode(err) != cxm.EInvalid || len(got) != 4 {
			t.Errorf("bad model: %v %v", err, got)
		}
		if list, _ := db.ListTextModels(ctx, a); len(list) != 2 {
			t.Errorf("a refused model was stored: %d versions", len(list))
		}
	})
}
