package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
	"github.com/cxmhq/cxm/store"
)

// TestReportWeakSpotsFindsTheDemoDelivery seeds the demo, whose late
// deliveries pile up in the last months, and checks that the weak-spot
// report puts the delivery touchpoint first in CSAT, with a significant
// deterioration, in the table and in JSON.
func TestReportWeakSpotsFindsTheDemoDelivery(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	if code, _, errs := run(t, env, "", "demo", "--seed-only"); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	code, out, errs := run(t, env, "", "report", "weak-spots", "--workspace", "demo", "--metric", "csat", "--json")
	if code != 0 {
		t.Fatalf("report: %d %q", code, errs)
	}
	var rep analysis.WeakSpotReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if len(rep.Spots) == 0 || rep.Spots[0].Key != "delivery" {
		t.Fatalf("weak spots = %+v; want delivery first", rep.Spots)
	}
	if d := rep.Spots[0]; d.Change.Direction != metric.Deteriorated || d.Change.P >= 0.05 || d.Score.N < 30 {
		t.Errorf("delivery = %+v", d)
	}
	code, out, errs = run(t, env, "", "report", "weak-spots", "--workspace", "demo", "--metric", "csat")
	if code != 0 || !strings.Contains(out, "1     delivery") || !strings.Contains(out, "significant_deterioration") || !strings.Contains(out, "1. delivery: fell by") {
		t.Errorf("table: %d %q %q", code, out, errs)
	}
	if code, _, errs = run(t, env, "", "report", "weak-spots", "--workspace", "demo", "--metric", "promoters"); code != 1 || !strings.Contains(errs, "--metric") {
		t.Errorf("bad metric: %d %q", code, errs)
	}

	// cxm demo prints the same finding when it starts serving.
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
	var buf bytes.Buffer
	if err := printDemoFindings(ctx, &Main{Stdout: &buf, Now: time.Now}, db, "http://demo", ws); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "weak spot 1 in CSAT: delivery: fell by") || !strings.Contains(got, "/api/v1/analysis/weak-spots") {
		t.Errorf("demo findings: %q", got)
	}
}
