package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// TestRollupCommand verifies healthy rollups, fails on a damaged row with
// exit code 1 and a hint, and repairs it with rebuild.
func TestRollupCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	w := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	sv := &cxm.Survey{WorkspaceID: w.ID, Slug: "nps", Name: "NPS", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title:     cxm.LocalizedText{"de": "Wie war es?"},
		Questions: []cxm.Question{{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Weiterempfehlen?"}}}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		r := &cxm.Response{ID: fmt.Sprint("r", i), WorkspaceID: w.ID, SurveyID: sv.ID, Source: cxm.SourceAPI, Locale: "de",
			Answers: cxm.Answers{"nps": float64(6 + i)}, Completed: true}
		r.Derive(sv)
		if _, err := db.SubmitResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	code, out, errs := run(t, env, "", "rollup", "verify", "--workspace", "acme")
	if code != 0 || !strings.Contains(out, "5 completed responses") || !strings.Contains(out, "0 rows differed") {
		t.Fatalf("verify healthy: %d %q %q", code, out, errs)
	}
	raw, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE response_rollups SET responses = responses + 2 WHERE grain = 0"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, out, errs = run(t, env, "", "rollup", "verify", "--workspace", "acme")
	if code != 1 || !strings.Contains(out, "1 rows differed") || !strings.Contains(out, "day from ") || !strings.Contains(errs, "cxm rollup rebuild") {
		t.Fatalf("verify damaged: %d %q %q", code, out, errs)
	}
	if code, out, errs = run(t, env, "", "rollup", "rebuild", "--workspace", "acme"); code != 0 || !strings.Contains(out, "rebuilt") {
		t.Fatalf("rebuild: %d %q %q", code, out, errs)
	}
	if code, out, errs = run(t, env, "", "rollup", "verify", "--workspace", "acme", "--json"); code != 0 || !strings.Contains(out, `"mismatch_count":0`) {
		t.Fatalf("verify after rebuild: %d %q %q", code, out, errs)
	}
	if code, _, errs = run(t, env, "", "rollup", "verify"); code != 1 || !strings.Contains(errs, "--workspace") {
		t.Errorf("missing workspace: %d %q", code, errs)
	}
	if code, _, _ = run(t, env, "", "rollup", "count"); code != 2 {
		t.Errorf("unknown verb: exit %d, want 2", code)
	}
}
