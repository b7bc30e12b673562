package main

import (
	"context"
	"fmt"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/store"
)

// printDemoFindings shows what cxm finds in the demo data, the weak spot
// of the last 90 days first, and where the figures and analyses are.
func printDemoFindings(ctx context.Context, m *Main, db *store.DB, url string, ws *cxm.Workspace) error {
	loc := ws.Location()
	from, to, err := reportPeriod(m, "", loc, defaultReportDays)
	if err != nil {
		return err
	}
	tps, err := db.ListTouchpoints(ctx, ws.ID)
	if err != nil {
		return fmt.Errorf("demo findings: %w", err)
	}
	rep, err := analysis.WeakSpots(ctx, db, ws.ID, analysis.WeakSpotRequest{Metric: analysis.CSAT, From: from, To: to, Loc: loc, Touchpoints: tps})
	if err != nil {
		return fmt.Errorf("demo findings: %w", err)
	}
	fmt.Fprintln(m.Stdout, "  What cxm finds in the last 90 days:")
	if len(rep.Spots) == 0 {
		fmt.Fprintln(m.Stdout, "    no weak spot in CSAT")
	}
	for _, s := range rep.Spots {
		fmt.Fprintf(m.Stdout, "    weak spot %d in CSAT: %s\n", s.Rank, s.Explanation)
	}
	fmt.Fprintf(m.Stdout, "\n  Figures and analyses at %s (or as tables: cxm report … --workspace demo):\n", url)
	for _, l := range [][2]string{
		{"/api/v1/metrics/feedback?metric=nps&by=touchpoint&compare=previous", "cxm report nps --by touchpoint --compare previous"},
		{"/api/v1/analysis/weak-spots?metric=csat", "cxm report weak-spots --metric csat"},
		{"/api/v1/analysis/drivers", "cxm report drivers"},
		{"/api/v1/metrics/loyalty", "cxm report loyalty"},
		{"/api/v1/metrics/cohorts", "cxm report cohorts"},
		{"/api/v1/metrics/topics?by=touchpoint", "cxm report topics --by touchpoint"},
		{"/api/v1/analysis/journey/funnel", ""},
		{"/api/v1/analysis/journey/transitions", ""},
	} {
		fmt.Fprintf(m.Stdout, "    GET %-66s %s\n", l[0], l[1])
	}
	fmt.Fprintln(m.Stdout)
	return nil
}
