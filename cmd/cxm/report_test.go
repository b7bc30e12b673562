package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/store"
)

// TestReportCommand prints NPS by touchpoint for October against
// September from the rollups, with the change flagged and the gap to the
// touchpoint's target.
func TestReportCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	ctx := context.Background()
	var now time.Time
	db, err := store.Open(ctx, store.Config{URL: dbPath, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	w := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	berlin := w.Location()
	tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "delivery", Name: "Delivery", StageKey: "receipt",
		Channel: cxm.ChannelDelivery, Targets: map[string]float64{"nps": 40}}
	if err := db.CreateTouchpoint(ctx, tp); err != nil {
		t.Fatal(err)
	}
	sv := &cxm.Survey{WorkspaceID: w.ID, Slug: "nps", Name: "NPS", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war es?"}, Touchpoints: []string{"delivery"},
		Questions: []cxm.Question{{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Weiterempfehlen?"}}}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	// September: 30 promoters, 10 detractors (NPS 50); October: 10
	// promoters, 30 detractors (NPS −50).
	submit := func(id string, at time.Time, nps int) {
		now = at
		r := &cxm.Response{ID: id, WorkspaceID: w.ID, SurveyID: sv.ID, Source: cxm.SourceAPI, Locale: "de", Touchpoint: "delivery",
			Answers: cxm.Answers{"nps": float64(nps)}, Completed: true}
		r.Derive(sv)
		if _, err := db.SubmitResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		sep, oct := 0, 10
		if i < 30 {
			sep, oct = 10, 0
		}
		submit(fmt.Sprint("s", i), time.Date(2026, 9, 1+i%30, 10, 0, 0, 0, berlin), sep)
		submit(fmt.Sprint("o", i), time.Date(2026, 10, 1+i%31, 10, 0, 0, 0, berlin), oct)
	}
	db.Close()

	code, out, errs := run(t, env, "", "report", "nps", "--workspace", "acme", "--by", "touchpoint", "--period", "2026-10", "--compare", "previous")
	if code != 0 {
		t.Fatalf("report: %d %q", code, errs)
	}
	for _, want := range []string{"NPS, 2026-10-01 to 2026-10-31 (Europe/Berlin)", "compared with 2026-09-01 to 2026-09-30",
		"SIGNIFICANCE", "delivery", "-50.0", "50.0", "-100.0", "<0.001", "deteriorated", "-90.0 (below)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = run(t, env, "", "report", "nps", "--workspace", "acme", "--by", "touchpoint", "--period", "2026-10", "--compare", "previous", "--json")
	var rep analysis.FeedbackReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Groups) != 1 {
		t.Fatalf("report --json: %d %q %q", code, out, errs)
	}
	if g := rep.Groups[0]; g.Total.N != 40 || g.Total.Value != -50 || !g.Comparison.Change.Significant || g.Comparison.Change.Previous.Value != 50 {
		t.Errorf("json group = %+v", g)
	}
	// Below the minimum n the table says so instead of a number.
	_, out, _ = run(t, env, "", "report", "nps", "--workspace", "acme", "--period", "2026-10-05")
	if !strings.Contains(out, "insufficient data") || strings.Contains(out, "-100.0") {
		t.Errorf("one day of data:\n%s", out)
	}
	if code, _, _ := run(t, env, "", "report", "happiness", "--workspace", "acme"); code != 2 {
		t.Errorf("unknown metric exits %d, want 2", code)
	}
	if code, _, errs := run(t, env, "", "report", "nps", "--workspace", "acme", "--period", "October"); code != 1 || !strings.Contains(errs, "--period") {
		t.Errorf("bad period: %d %q", code, errs)
	}
	if code, _, errs := run(t, env, "", "report", "nps", "--workspace", "acme", "--by", "attribute.plan"); code != 1 || !strings.Contains(errs, "--by") || !strings.Contains(errs, "attribute:KEY") {
		t.Errorf("misspelt attribute slicing: %d %q", code, errs)
	}
	// Responses of customers without the attribute form the group (none).
	if code, out, errs := run(t, env, "", "report", "nps", "--workspace", "acme", "--by", "attribute:plan", "--period", "2026-10"); code != 0 || !strings.Contains(out, "(none)") {
		t.Errorf("attribute slicing: %d %q %q", code, out, errs)
	}
}
