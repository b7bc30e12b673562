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

// driverReportDays is the period of `cxm report drivers` without
// --period: key drivers need many answers, so a year rather than the 90
// days of the other reports.
const driverReportDays = 365

// runReportDrivers prints the key drivers of the NPS answer as a table:
// `cxm report drivers --workspace S [--period 2026] [--method lmg]
// [--families touchpoints,attributes,topics] [--survey ID] [--min-n 30]
// [--window-days 90] [--json]`. It computes the same figures as
// GET /api/v1/analysis/drivers.
func runReportDrivers(ctx context.Context, m *Main, args []string) error {
	var cfg config
	var slug, period, method, families string
	var surveyID, minN, windowDays int64
	var asJSON bool
	fs := newFlags("report drivers", m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&period, "period", "", "a year, month, ISO week or day in the workspace's time zone (default: the last 365 days)")
	fs.StringVar(&method, "method", string(metric.RelativeWeights), "relative importance: relative_weights or lmg")
	fs.StringVar(&families, "families", "", "driver families, comma-separated: touchpoints, attributes, topics (default: all)")
	fs.Int64Var(&surveyID, "survey", 0, "only this survey's NPS answers (default: every NPS answer)")
	fs.Int64Var(&minN, "min-n", metric.DefaultMinN, "smallest n at which the figures are shown and a driver is used")
	fs.Int64Var(&windowDays, "window-days", int64(cxm.DefaultDriverWindow.Hours()/24), "how far before the answer touchpoint experiences count")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON, as the API does")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	q := cxm.DriverQuery{SurveyID: surveyID, MinN: int(minN), Window: time.Duration(windowDays) * 24 * time.Hour}
	var errs cxm.FieldErrors
	var err error
	if q.Method, err = analysis.ParseDriverMethod("--method", method); err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if q.Families, err = analysis.ParseDriverFamilies("--families", families); err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if minN < 1 {
		errs.Add("--min-n", "must be at least 1")
	}
	if surveyID < 0 {
		errs.Add("--survey", "must be a survey id")
	}
	if windowDays < 1 || windowDays > 3650 {
		errs.Add("--window-days", "must be from 1 to 3650")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	q.WorkspaceID = ws.ID
	loc := ws.Location()
	if q.From, q.To, err = reportPeriod(m, period, loc, driverReportDays); err != nil {
		return err
	}
	rep, err := analysis.AnalyzeDrivers(ctx, db, q)
	if err != nil {
		return err
	}
	rep.Period.From, rep.Period.To, rep.Period.TimeZone = q.From.In(loc).Format(time.DateOnly), q.To.In(loc).Format(time.DateOnly), loc.String()
	if asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return printDriverReport(m.Stdout, rep)
}

// printDriverReport writes the key drivers as a readable table, most
// important first, then the drivers left out and why.
func printDriverReport(w io.Writer, rep *analysis.DriverReport) error {
	to, _ := time.Parse(time.DateOnly, rep.Period.To)
	fmt.Fprintf(w, "Key drivers of the NPS answer, %s to %s (%s), method %s\n", rep.Period.From, to.AddDate(0, 0, -1).Format(time.DateOnly), rep.Period.TimeZone, rep.Method)
	fmt.Fprintf(w, "%d NPS answers, %d of known customers; n = %d complete, touchpoint window %d days", rep.Answers, rep.Identified, rep.N, rep.WindowDays)
	if rep.Capped {
		fmt.Fprintf(w, "; capped at the oldest %d answers", cxm.MaxDriverRows)
	}
	fmt.Fprintln(w)
	if rep.Status != metric.StatusOK {
		fmt.Fprintf(w, "insufficient data (n=%d): %s\n", rep.N, rep.Reason)
	} else {
		fmt.Fprintf(w, "R² = %.3f (n=%d)\n\n", rep.R2, rep.N)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "rank\tdriver\tshare of R²\timportance\tcorrelation\tperformance\tquadrant\tn\t")
		for _, d := range rep.Drivers {
			fmt.Fprintf(tw, "%d\t%s\t%.1f%%\t%.4f\t%+.2f\t%.1f%%\t%s\t%d\t\n", d.Rank, d.Name, d.Rescaled, d.Importance, d.Correlation,
				d.PerformancePct, d.Quadrant, rep.N)
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		for _, d := range rep.Drivers {
			line := "  " + d.Name + ": " + d.Label
			if len(d.Notes) > 0 {
				line += " — " + strings.Join(d.Notes, "; ")
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(rep.Excluded) > 0 {
		fmt.Fprintln(w, "\nLeft out:")
		for _, e := range rep.Excluded {
			fmt.Fprintf(w, "  %s: %s\n", e.Name, e.Reason)
		}
	}
	return nil
}
