package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// reportUsage lists every report.
const reportUsage = `cxm report nps|csat|ces|rating --workspace S [--by touchpoint|survey|channel|locale|stage|attribute:KEY] [--period 2026-10|2026-W14|2026-10-05|2026] [--compare previous|last_year] [--adjust] [--touchpoint K,…] [--stage K,…] [--min-n 30] [--json]
   or: cxm report weak-spots --workspace S [--metric nps|csat|ces|rating] [--period 2026-10] [--compare previous|last_year] [--unadjusted] [--json]
   or: cxm report drivers --workspace S [--period 2026] [--method relative_weights|lmg] [--families …] [--json]
   or: cxm report loyalty|cohorts --workspace S [--period 2026-10] [--attribute key:value] [--min-n 30] [--json]
   or: cxm report topics --workspace S [--period 2026-10] [--by touchpoint|week|month] [--touchpoint K,…] [--min-n 30]`

// runReport prints a report as a readable table, or as JSON with --json:
// a feedback metric from the rollups (`cxm report nps --by touchpoint
// --period 2026-10 --compare previous`, the same figures as GET
// /api/v1/metrics/feedback), or one of the analyses named in reportUsage.
func runReport(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(m.Stderr, "Usage: "+reportUsage)
		return errUsage
	}
	switch args[0] {
	case "weak-spots": // report_weakspots.go
		return runReportWeakSpots(ctx, m, args[1:])
	case "drivers": // report_drivers.go
		return runReportDrivers(ctx, m, args[1:])
	case "loyalty": // report_loyalty.go
		return runReportLoyalty(ctx, m, args[1:])
	case "cohorts": // report_loyalty.go
		return runReportCohorts(ctx, m, args[1:])
	case "topics": // report_topics.go
		return runReportTopics(ctx, m, args[1:])
	}
	met, err := analysis.ParseMetric(args[0])
	if err != nil {
		fmt.Fprintln(m.Stderr, "Usage: "+reportUsage)
		return errUsage
	}
	var sf reportScopeFlags
	var by, compare string
	var asJSON, adjust bool
	fs := newReportFlags("report "+args[0], m, &sf)
	fs.StringVar(&by, "by", "", "split by touchpoint, survey, channel, locale, stage or attribute:KEY (a customer attribute, from the raw responses)")
	fs.StringVar(&compare, "compare", "", "compare with the previous period or the same period last_year")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON, as the API does")
	fs.BoolVar(&adjust, "adjust", false, "with --compare: apply the Benjamini–Hochberg correction across the groups' tests (shows q instead of p)")
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	req := analysis.FeedbackRequest{Metric: met, Adjust: adjust, Compare: compare, Options: metric.Options{MinN: sf.minN}}
	var errs cxm.FieldErrors
	if req.By, err = analysis.ParseDimension(by); err != nil {
		errs.Add("--by", cxm.ErrorFields(err)[0].Reason)
	}
	if compare != "" && compare != analysis.ComparePrevious && compare != analysis.CompareLastYear {
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
	rep, err := analysis.Feedback(ctx, sc.db, sc.ws.ID, req)
	if err != nil {
		return err
	}
	if asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return printReport(m.Stdout, rep, req)
}

// printReport writes the report as a readable table: per group the
// figure with its interval and n, and, when asked, the change against the
// comparison period with its p-value and significance, and the gap to
// target.
func printReport(w io.Writer, rep *analysis.FeedbackReport, req analysis.FeedbackRequest) error {
	last := req.To.AddDate(0, 0, -1).Format(time.DateOnly)
	fmt.Fprintf(w, "%s, %s to %s (%s), minimum n %d\n", strings.ToUpper(string(rep.Metric)), rep.From, last, rep.TimeZone, rep.MinN)
	if len(rep.Groups) > 0 && rep.Groups[0].Comparison != nil {
		c := rep.Groups[0].Comparison
		to, _ := time.Parse(time.DateOnly, c.To)
		fmt.Fprintf(w, "compared with %s to %s\n", c.From, to.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	fmt.Fprintln(w)
	hasTarget := slices.ContainsFunc(rep.Groups, func(g analysis.FeedbackGroup) bool { return g.Target != nil })
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	head := []string{"GROUP", "VALUE", "95% CI", "N"}
	if req.Compare != "" {
		p := "P"
		if req.Adjust {
			p = "Q (BH)"
		}
		head = append(head, "PREVIOUS", "CHANGE", "95% CI", p, "SIGNIFICANCE")
	}
	if hasTarget {
		head = append(head, "TARGET", "GAP")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, g := range rep.Groups {
		name := g.Key[string(req.By)]
		switch {
		case req.By == "":
			name = "all"
		case name == "":
			name = "(none)"
		}
		row := append([]string{name}, estimateCells(g.Total)...)
		if c := g.Comparison; c != nil {
			ch := c.Change
			prev := "n=" + fmt.Sprint(ch.Previous.N)
			if ch.Previous.Sufficient() {
				prev = fmt.Sprintf("%.1f", ch.Previous.Value)
			}
			if ch.Status == metric.StatusOK {
				row = append(row, prev, fmt.Sprintf("%+.1f", ch.Difference), fmt.Sprintf("[%.1f, %.1f]", ch.Lower, ch.Upper),
					formatP(pValue(ch)), string(ch.Direction))
			} else {
				row = append(row, prev, "-", "-", "-", "insufficient data")
			}
		}
		if hasTarget {
			if g.Target == nil {
				row = append(row, "-", "-")
			} else if g.Gap.Status == metric.StatusOK {
				row = append(row, fmt.Sprintf("%g", *g.Target), fmt.Sprintf("%+.1f (%s)", g.Gap.Difference, g.Gap.Position))
			} else {
				row = append(row, fmt.Sprintf("%g", *g.Target), "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// estimateCells returns the value, interval and n columns of e.
func estimateCells(e metric.Estimate) []string {
	n := fmt.Sprint(e.N)
	if !e.Sufficient() {
		return []string{"insufficient data", "-", n}
	}
	return []string{fmt.Sprintf("%.1f", e.Value), fmt.Sprintf("[%.1f, %.1f]", e.Lower, e.Upper), n}
}

// pValue returns the change's Benjamini–Hochberg q-value when it was
// adjusted, else its p-value.
func pValue(ch metric.Change) float64 {
	if ch.Adjusted {
		return ch.Q
	}
	return ch.P
}

// formatP formats a p-value, small ones as "<0.001".
func formatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}
