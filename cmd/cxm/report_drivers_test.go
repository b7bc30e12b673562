package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// TestReportDriversOnDemo seeds the demo company and prints its key
// drivers: the table names the late-delivery flag as the most important
// driver, the JSON has the same figures with n, and LMG agrees on the
// first driver. Bad flags are named.
func TestReportDriversOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo data")
	}
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	if code, _, errs := run(t, env, "", "demo", "--seed-only", "--customers", "1500"); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	var rep analysis.DriverReport
	code, out, errs := run(t, env, "", "report", "drivers", "--workspace", demoSlug, "--json")
	if code != 0 {
		t.Fatalf("report drivers --json: %d %q", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Status != metric.StatusOK || rep.N < metric.DefaultMinN || len(rep.Drivers) == 0 || rep.R2 <= 0 {
		t.Fatalf("report: %s", out)
	}
	top := rep.Drivers[0]
	if top.Name != "flag:delivery:late" || top.Correlation >= 0 || top.Quadrant == "" {
		t.Errorf("first driver %+v; want the late-delivery flag, negatively related", top)
	}

	code, out, errs = run(t, env, "", "report", "drivers", "--workspace", demoSlug, "--method", "lmg")
	if code != 0 {
		t.Fatalf("report drivers: %d %q", code, errs)
	}
	t.Log("\n" + out)
	lines := strings.Split(out, "\n")
	var first string
	for i, l := range lines {
		if strings.Contains(l, "rank") && strings.Contains(l, "share of R²") && i+1 < len(lines) {
			first = lines[i+1]
		}
	}
	if !strings.Contains(out, "method lmg") || !strings.Contains(out, "R² = ") || !strings.Contains(first, "flag:delivery:late") {
		t.Errorf("table does not show lmg with the late-delivery flag first:\n%s", out)
	}
	if !strings.Contains(out, "Left out:") || !strings.Contains(out, "touchpoint:delivery: known for") {
		t.Errorf("table does not list the delivery score as left out, with its coverage:\n%s", out)
	}

	for _, c := range []struct{ flag, value string }{{"--method", "ols"}, {"--families", "moods"}, {"--min-n", "0"}, {"--period", "soon"}} {
		code, _, errs := run(t, env, "", "report", "drivers", "--workspace", demoSlug, c.flag, c.value)
		if code == 0 || !strings.Contains(errs, c.flag) {
			t.Errorf("%s %s: code %d, %q; want an error naming the flag", c.flag, c.value, code, errs)
		}
	}
}
