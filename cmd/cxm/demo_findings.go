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
	if err := printClosedLoop(ctx, m, db, ws); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "\n  Figures and analyses at %s (or as tables: cxm report … --workspace demo):\n", url)
	for _, l := range [][2]string{
		{"/api/v1/metrics/feedback?metric=nps&by=touchpoint&compare=previous", "cxm report nps --by touchpoint --compare previous"},
		{"/api/v1/analysis/weak-spots?metric=csat", "cxm report weak-spots --metric csat"},
		{"/api/v1/analysis/drivers", "cxm report drivers"},
		{"/api/v1/metrics/loyalty", "cxm report loyalty"},
		{"/api/v1/metrics/cohorts", "cxm report cohorts"},
		{"/api/v1/metrics/topics?by=touchpoint", "cxm report topics --by touchpoint"},
		{"/api/v1/metrics/cases?by=team", ""},
		{"/api/v1/analysis/journey/funnel", ""},
		{"/api/v1/analysis/journey/transitions", ""},
	} {
		fmt.Fprintf(m.Stdout, "    GET %-66s %s\n", l[0], l[1])
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

// printClosedLoop shows the closed-loop figures of the demo's last twelve
// months: the cases opened and still open, the SLA hit rate and the
// recovery rate of detractors.
func printClosedLoop(ctx context.Context, m *Main, db *store.DB, ws *cxm.Workspace) error {
	loc := ws.Location()
	from, to, err := reportPeriod(m, "", loc, 366)
	if err != nil {
		return err
	}
	rep, err := analysis.Cases(ctx, db, ws.ID, analysis.CaseRequest{From: from, To: to, Loc: loc, Now: m.Now()}, nil, nil)
	if err != nil {
		return fmt.Errorf("demo findings: %w", err)
	}
	var open int64
	for _, b := range rep.Backlog {
		open += b.Cases
	}
	for _, g := range rep.Groups {
		fmt.Fprintf(m.Stdout, "    closed loop in the last 12 months: %d cases, %d open now; SLA hit rate %s; recovery rate %s\n",
			g.Opened, open, g.SLAHitRate, g.RecoveryRate)
	}
	return nil
}
