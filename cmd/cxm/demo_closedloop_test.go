package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm/store"
)

// demoCases finds the number of new cases in the demo's summary line.
var demoCases = regexp.MustCompile(`(\d+) new cases \((\d+) rules, (\d+) agents\)`)

// TestDemoSeedsTheClosedLoop seeds the demo twice: the first run stores
// cases, rules and agents, the second nothing new; the findings then
// show the closed-loop figures of the last twelve months.
func TestDemoSeedsTheClosedLoop(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	counts := func(errs string) []int { return summaryCounts(t, demoCases, errs) }
	code, _, errs := run(t, env, "", "demo", "--seed-only", "--customers", "600")
	if code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	if first := counts(errs); first[0] < 5 || first[1] == 0 || first[2] == 0 {
		t.Errorf("first run: %d cases, %d rules, %d agents; want some of each", first[0], first[1], first[2])
	}
	code, _, errs = run(t, env, "", "demo", "--seed-only", "--customers", "600")
	if code != 0 {
		t.Fatalf("second demo: %d %q", code, errs)
	}
	if second := counts(errs); !slices.Equal(second, []int{0, 0, 0}) {
		t.Errorf("second run stored %v, want nothing new", second)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.FindWorkspaceBySlug(ctx, demoSlug)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Now: time.Now}
	if err := printClosedLoop(ctx, m, db, ws); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if s := out.String(); !strings.Contains(s, "closed loop in the last 12 months") || !strings.Contains(s, "SLA hit rate") ||
		!strings.Contains(s, "recovery rate") || strings.Contains(s, " 0 cases") {
		t.Errorf("closed-loop findings: %q", s)
	}
}
