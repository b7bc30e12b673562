package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm/metric"
)

// TestReportLoyaltyAndCohorts prints the behavioural metrics and the
// purchase cohorts of the demo company, as tables and as JSON.
func TestReportLoyaltyAndCohorts(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data")
	}
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	if code, _, errs := run(t, env, "", "demo", "--seed-only", "--customers", "300"); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	year := time.Now().AddDate(-1, 0, 0).Format("2006")
	code, out, errs := run(t, env, "", "report", "loyalty", "--workspace", demoSlug, "--period", year)
	if code != 0 {
		t.Fatalf("report loyalty: %d %q", code, errs)
	}
	for _, want := range []string{"Loyalty, " + year + "-01-01 to " + year + "-12-31", "METRIC", "95% CI", "repeat purchase rate %",
		"referral rate %", "complaint rate %", "review rating (1-5)", "churn rate % (180 days)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = run(t, env, "", "report", "loyalty", "--workspace", demoSlug, "--min-n", "1", "--json")
	var rep loyaltyReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("report loyalty --json: %d %q %q", code, out, errs)
	}
	for name, e := range map[string]metric.Estimate{"repeat": rep.RepeatPurchase, "referral": rep.Referral, "complaint": rep.Complaint, "churn": rep.Churn.Rate} {
		if !e.Sufficient() || e.N == 0 || e.Value < 0 || e.Value > 100 || e.Lower > e.Value || e.Upper < e.Value {
			t.Errorf("%s: %v, want a percentage with its interval", name, e)
		}
	}
	if rep.Complaint.Value >= 50 || rep.Referral.Value >= 50 || rep.Reviews.Count == 0 || rep.ChurnDays != 180 {
		t.Errorf("implausible demo figures: %+v", rep)
	}

	code, out, errs = run(t, env, "", "report", "cohorts", "--workspace", demoSlug)
	if code != 0 || !strings.Contains(out, "Purchase cohorts") || !strings.Contains(out, "COHORT") || !strings.Contains(out, "M0") {
		t.Fatalf("report cohorts: %d %q\n%s", code, errs, out)
	}
	code, out, errs = run(t, env, "", "report", "cohorts", "--workspace", demoSlug, "--min-n", "1", "--json")
	var table metric.CohortTable
	if code != 0 || json.Unmarshal([]byte(out), &table) != nil || len(table.Cohorts) == 0 {
		t.Fatalf("report cohorts --json: %d %q %q", code, out, errs)
	}
	for _, c := range table.Cohorts {
		if c.Size == 0 || c.Active[0] != c.Size || !c.Retention[0].Sufficient() || c.Retention[0].Value != 100 {
			t.Errorf("cohort %s: size %d, active %v", c.Month, c.Size, c.Active)
		}
		for _, a := range c.Active {
			if a > c.Size {
				t.Errorf("cohort %s: %d active of %d", c.Month, a, c.Size)
			}
		}
	}

	for _, bad := range [][]string{{"--attribute", "tier"}, {"--period", "2026-13"}, {"--min-n", "0"}} {
		args := append([]string{"report", "loyalty", "--workspace", demoSlug}, bad...)
		if code, _, errs := run(t, env, "", args...); code == 0 || !strings.Contains(errs, bad[0]) {
			t.Errorf("%v: %d %q, want an error naming %s", bad, code, errs, bad[0])
		}
	}
}
