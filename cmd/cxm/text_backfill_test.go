package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// TestTextBackfillOnTheDemo seeds the demo, analyses its free text with
// cxm text backfill, and checks that the demo's unhappy delivery answers
// come out as negative delivery mentions, and that a second backfill has
// nothing left to do.
func TestTextBackfillOnTheDemo(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	if code, _, errs := run(t, env, "", "demo", "--seed-only", "--customers", "600"); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	code, out, errs := run(t, env, "", "text", "backfill", "--workspace", "demo")
	if code != 0 || !strings.Contains(out, "analysed") {
		t.Fatalf("backfill: %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, env, "", "text", "backfill", "--workspace", "demo"); code != 0 || !strings.Contains(out, "0 responses marked for analysis, 0 analysed") {
		t.Errorf("second backfill: %d %q; want nothing left", code, out)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.FindWorkspaceBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	surveys, _, err := db.ListSurveys(ctx, ws.ID, cxm.SurveyFilter{Touchpoint: "delivery", Page: cxm.Page{Limit: 10}})
	if err != nil || len(surveys) == 0 {
		t.Fatalf("delivery surveys: %v, %v", surveys, err)
	}
	done := true
	var negative, other int
	for cursor := ""; ; {
		rs, next, err := db.ListResponses(ctx, ws.ID, cxm.ResponseFilter{SurveyID: surveys[0].ID, Completed: &done, Page: cxm.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.CSAT == nil || *r.CSAT > 2 {
				continue
			}
			a, err := db.FindTextAnalysis(ctx, ws.ID, r.ID)
			if cxm.ErrorCode(err) == cxm.ENotFound {
				continue // no comment
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range a.Mentions {
				if m.Topic != "delivery" {
					continue
				}
				if m.SentimentLabel == "negative" {
					negative++
				} else {
					other++
				}
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if negative < 10 || float64(negative) < 0.8*float64(negative+other) {
		t.Errorf("delivery mentions in unhappy delivery answers: %d negative, %d not; want at least 80%% negative", negative, other)
	}
	t.Logf("delivery mentions in unhappy delivery answers: %d negative, %d other", negative, other)
}
