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

// runReport prints a feedback metric from the rollups as a table:
// `cxm report nps|csat|ces|rating --workspace S [--by touchpoint]
// [--period 2026-10] [--compare previous|last_year]`. It computes the
// same figures as GET /api/v1/metrics/feedback.
func runReport(ctx context.Context, m *Main, args []string) error {
	const usage = "cxm report nps|csat|ces|rating --workspace S [--by touchpoint|survey|channel|locale|stage] [--period 2026-10|2026-W14|2026-10-05|2026] [--compare previous|last_year] [--touchpoint K,…] [--stage K,…] [--min-n 30] [--json]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(m.Stderr, "Usage: "+usage)
		return errUsage
	}
	met, err := analysis.ParseMetric(args[0])
	if err != nil {
		fmt.Fprintln(m.Stderr, "Usage: "+usage)
		return errUsage
	}
	var cfg config
	var slug, by, period, compare, touchpoints, stages string
	var minN int64
	var asJSON bool
	fs := newFlags("report "+args[0], m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&by, "by", "", "split by touchpoint, survey, channel, locale or stage")
	fs.StringVar(&period, "period", "", "a year, month, ISO week or day in the workspace's time zone (default: the last 90 days)")
	fs.StringVar(&compare, "compare", "", "compare with the previous period or the same period last_year")
	fs.StringVar(&touchpoints, "touchpoint", "", "only these touchpoint keys, comma-separated")
	fs.StringVar(&stages, "stage", "", "only the touchpoints of these stage keys, comma-separated")
	fs.Int64Var(&minN, "min-n", metric.DefaultMinN, "smallest n at which a figure is shown")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON, as the API does")
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	req := analysis.FeedbackRequest{Metric: met, Options: metric.Options{MinN: minN}}
	var errs cxm.FieldErrors
	if req.By, err = analysis.ParseDimension(by); err != nil {
		errs.Add("--by", cxm.ErrorFields(err)[0].Reason)
	}
	if compare != "" && compare != analysis.ComparePrevious && compare != analysis.CompareLastYear {
		errs.Add("--compare", "must be previous or last_year")
	}
	req.Compare = compare
	if minN < 1 {
		errs.Add("--min-n", "must be at least 1")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	req.Loc = ws.Location()
	if period != "" {
		if req.From, req.To, err = analysis.ParsePeriod(period, req.Loc); err != nil {
			return cxm.Invalid(cxm.FieldError{Field: "--period", Reason: cxm.ErrorFields(err)[0].Reason})
		}
	} else {
		now := time.Now
		if m.Now != nil {
			now = m.Now
		}
		y, mo, d := now().In(req.Loc).Date()
		req.To = time.Date(y, mo, d+1, 0, 0, 0, 0, req.Loc)
		req.From = time.Date(y, mo, d+1-90, 0, 0, 0, 0, req.Loc)
	}
	if req.Touchpoints, err = db.ListTouchpoints(ctx, ws.ID); err != nil {
		return err
	}
	if err := reportFilter(&req, touchpoints, stages); err != nil {
		return err
	}
	rep, err := analysis.Feedback(ctx, db, ws.ID, req)
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

// reportFilter keeps the touchpoints named by keys and those of the
// stages named by stageKeys (both comma-separated).
func reportFilter(req *analysis.FeedbackRequest, keys, stageKeys string) error {
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	var ids []int64
	filtered := false
	if ks := split(keys); len(ks) > 0 {
		filtered = true
		for _, k := range ks {
			i := slices.IndexFunc(req.Touchpoints, func(t *cxm.Touchpoint) bool { return t.Key == k })
			if i < 0 {
				return cxm.Invalid(cxm.FieldError{Field: "--touchpoint", Reason: fmt.Sprintf("no touchpoint has the key %q", k)})
			}
			ids = append(ids, req.Touchpoints[i].ID)
		}
	}
	if ss := split(stageKeys); len(ss) > 0 {
		var inStages []int64
		for _, t := range req.Touchpoints {
			if slices.Contains(ss, t.StageKey) && (!filtered || slices.Contains(ids, t.ID)) {
				inStages = append(inStages, t.ID)
			}
		}
		ids, filtered = inStages, true
	}
	req.Filter.TouchpointIDs = ids
	req.MatchNothing = filtered && len(ids) == 0
	return nil
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
		head = append(head, "PREVIOUS", "CHANGE", "95% CI", "P", "SIGNIFICANCE")
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
					formatP(ch.P), string(ch.Direction))
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

// formatP formats a p-value, small ones as "<0.001".
func formatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}
