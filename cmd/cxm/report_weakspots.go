package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// runReportWeakSpots prints the ranked weak touchpoints of a feedback
// metric: `cxm report weak-spots --workspace S [--metric nps]
// [--period 2026-10] [--compare previous|last_year] [--unadjusted]`. It
// computes the same list as GET /api/v1/analysis/weak-spots.
func runReportWeakSpots(ctx context.Context, m *Main, args []string) error {
	var sf reportScopeFlags
	var met, compare string
	var unadjusted, asJSON bool
	fs := newReportFlags("report weak-spots", m, &sf)
	fs.StringVar(&met, "metric", "nps", "nps, csat, ces or rating")
	fs.StringVar(&compare, "compare", analysis.ComparePrevious, "compare with the previous period or the same period last_year")
	fs.BoolVar(&unadjusted, "unadjusted", false, "test each touchpoint's change alone, without the Benjamini–Hochberg correction")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON, as the API does")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	req := analysis.WeakSpotRequest{Compare: compare, Unadjusted: unadjusted, Options: metric.Options{MinN: sf.minN}}
	var errs cxm.FieldErrors
	var err error
	if req.Metric, err = analysis.ParseMetric(met); err != nil {
		errs.Add("--metric", "must be one of nps, csat, ces, rating")
	}
	if compare != analysis.ComparePrevious && compare != analysis.CompareLastYear {
		errs.Add("--compare", "must be previous or last_year")
	}
	sf.checkMinN(&errs)
	if err := errs.Err(); err != nil {
		return err
	}
	sc, err := sf.open(ctx, m, defaultReportDays)
	if err != nil {
		return err
	}
	defer sc.db.Close()
	req.Loc, req.From, req.To, req.Touchpoints = sc.loc, sc.from, sc.to, sc.touchpoints
	req.Filter.TouchpointIDs, req.MatchNothing = sc.touchpointIDs, sc.matchNothing
	rep, err := analysis.WeakSpots(ctx, sc.db, sc.ws.ID, req)
	if err != nil {
		return err
	}
	if asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return printWeakSpots(m.Stdout, rep, req)
}

// printWeakSpots writes the weak spots as a table, worst first, with the
// reasons and a sentence for each.
func printWeakSpots(w io.Writer, rep *analysis.WeakSpotReport, req analysis.WeakSpotRequest) error {
	last := req.To.AddDate(0, 0, -1).Format(time.DateOnly)
	to, _ := time.Parse(time.DateOnly, rep.ComparedTo)
	fmt.Fprintf(w, "Weak spots in %s, %s to %s (%s), against %s to %s\n", strings.ToUpper(string(rep.Metric)), rep.From, last,
		rep.TimeZone, rep.ComparedFrom, to.AddDate(0, 0, -1).Format(time.DateOnly))
	correction := "Benjamini–Hochberg adjusted"
	if !rep.Adjusted {
		correction = "unadjusted"
	}
	overall := "insufficient data"
	if rep.Overall.Sufficient() {
		overall = fmt.Sprintf("%.1f [%.1f, %.1f]", rep.Overall.Value, rep.Overall.Lower, rep.Overall.Upper)
	}
	fmt.Fprintf(w, "overall %s, n %d; %d touchpoints judged, %d with fewer than %d answers; p-values %s\n\n",
		overall, rep.Overall.N, rep.Tested, len(rep.Insufficient), rep.MinN, correction)
	if len(rep.Spots) == 0 {
		fmt.Fprintln(w, "no weak spots: no touchpoint lies significantly below the overall score or its target, and none deteriorated significantly")
		return nil
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tTOUCHPOINT\tSTAGE\tSCORE\t95% CI\tN\tCHANGE\tP\tIMPACT\tREASONS")
	for _, s := range rep.Spots {
		change, p := "-", "-"
		if s.Change.Status == metric.StatusOK {
			change, p = fmt.Sprintf("%+.1f", s.Change.Difference), formatP(s.Change.P)
		}
		var reasons []string
		for _, r := range s.Reasons {
			reasons = append(reasons, string(r))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t[%.1f, %.1f]\t%d\t%s\t%s\t%.2f\t%s\n", s.Rank, s.Key, s.Stage, s.Score.Value,
			s.Score.Lower, s.Score.Upper, s.Score.N, change, p, s.Impact, strings.Join(reasons, ", "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintln(w)
	for _, s := range rep.Spots {
		fmt.Fprintf(w, "%d. %s\n", s.Rank, s.Explanation)
	}
	return nil
}
