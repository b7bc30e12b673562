package main

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/demo"
	"github.com/cxmhq/cxm/store"
)

// demoSummary finds the survey and response counts in the demo's summary line.
var demoSummary = regexp.MustCompile(`(\d+) surveys \((\d+) new\), (\d+) responses \((\d+) already there\)`)

// summaryCounts returns the numbers that re's groups find in the demo's
// summary line.
func summaryCounts(t *testing.T, re *regexp.Regexp, errs string) []int {
	t.Helper()
	m := re.FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("%s not found in %q", re, errs)
	}
	out := make([]int, len(m)-1)
	for i := range out {
		out[i], _ = strconv.Atoi(m[i+1])
	}
	return out
}

func TestDemoSeedsSurveysAndResponses(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	counts := func(errs string) []int { return summaryCounts(t, demoSummary, errs) }
	code, _, errs := run(t, env, "", "demo", "--seed-only", "--customers", "300")
	if code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	first := counts(errs)
	if first[0] < 4 || first[1] != first[0] || first[2] < 50 || first[3] != 0 {
		t.Errorf("first run: %d surveys (%d new), %d responses (%d already there); want new surveys and responses", first[0], first[1], first[2], first[3])
	}
	code, _, errs = run(t, env, "", "demo", "--seed-only", "--customers", "300")
	if code != 0 {
		t.Fatalf("second demo: %d %q", code, errs)
	}
	if second := counts(errs); !slices.Equal(second, []int{first[0], 0, first[2], first[2]}) {
		t.Errorf("second run: %v, want the same surveys and responses, all already there", second)
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
	if ws.ContactFrequencyDays != demo.ContactFrequencyDays {
		t.Errorf("demo workspace asks at most once in %d days, want %d", ws.ContactFrequencyDays, demo.ContactFrequencyDays)
	}
	n := 0
	for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
		list, next, err := db.ListResponses(ctx, ws.ID, cxm.ResponseFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		n += len(list)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if n != first[2] {
		t.Errorf("%d responses stored, the summary says %d", n, first[2])
	}
	if _, err := db.FindSurveyBySlug(ctx, demoSlug+"-kauf"); err != nil {
		t.Errorf("purchase survey: %v", err)
	}
}
