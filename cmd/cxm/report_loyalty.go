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
	"github.com/cxmhq/cxm/metric"
)

// loyaltyFlags are the flags shared by `cxm report loyalty` and
// `cxm report cohorts`.
type loyaltyFlags struct {
	cfg       config
	slug      string
	period    string
	attribute string
	minN      int64
	asJSON    bool
}

// parse reads args into f; defaultMonths chooses the period without
// --period: the last 90 days when zero, else that many calendar months up
// to the current one.
func (f *loyaltyFlags) parse(ctx context.Context, m *Main, name string, args []string, defaultMonths int) (*loyaltyRun, error) {
	fs := newFlags("report "+name, m, &f.cfg)
	fs.StringVar(&f.slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&f.period, "period", "", "a year, month, ISO week or day in the workspace's time zone")
	fs.StringVar(&f.attribute, "attribute", "", "only customers with this attribute, as key:value (loyalty_tier:gold)")
	fs.Int64Var(&f.minN, "min-n", metric.DefaultMinN, "smallest n at which a figure is shown")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	if err := parseFlags(fs, m, args); err != nil {
		return nil, err
	}
	var errs cxm.FieldErrors
	run := &loyaltyRun{opts: metric.Options{MinN: f.minN}, asJSON: f.asJSON}
	if f.minN < 1 {
		errs.Add("--min-n", "must be at least 1")
	}
	if f.attribute != "" {
		var err error
		if run.attr, err = cxm.ParseAttributeFilter("--attribute", f.attribute); err != nil {
			errs.Add("--attribute", cxm.ErrorFields(err)[0].Reason)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	db, ws, err := f.cfg.openWorkspace(ctx, m, f.slug)
	if err != nil {
		return nil, err
	}
	run.db, run.ws = db, ws
	run.now = m.Now()
	loc := ws.Location()
	if run.from, run.to, err = reportPeriod(m, f.period, loc, defaultReportDays); err != nil {
		db.Close()
		return nil, err
	}
	if f.period == "" && defaultMonths > 0 {
		y, mo, _ := run.to.AddDate(0, 0, -1).Date()
		run.from = time.Date(y, mo-time.Month(defaultMonths)+1, 1, 0, 0, 0, 0, loc)
	}
	return run, nil
}

// loyaltyRun is one behavioural report's workspace, period and options.
type loyaltyRun struct {
	db interface {
		cxm.LoyaltyService
		Close() error
	}
	ws       *cxm.Workspace
	from, to time.Time
	now      time.Time
	attr     *cxm.AttributeFilter
	opts     metric.Options
	asJSON   bool
}

// query returns the loyalty query of the run.
func (r *loyaltyRun) query() cxm.LoyaltyQuery {
	return cxm.LoyaltyQuery{WorkspaceID: r.ws.ID, From: r.from, To: r.to, Attribute: r.attr}
}

// asOf returns the end of the period, or now when that comes first.
func (r *loyaltyRun) asOf() time.Time {
	if r.now.Before(r.to) {
		return r.now
	}
	return r.to
}

// header writes the report's title line.
func (r *loyaltyRun) header(w io.Writer, title string) {
	last := r.to.AddDate(0, 0, -1).Format(time.DateOnly)
	fmt.Fprintf(w, "%s, %s to %s (%s), minimum n %d", title, r.from.Format(time.DateOnly), last, r.ws.TimeZone, r.opts.MinN)
	if r.attr != nil {
		fmt.Fprintf(w, ", customers with %s = %s", r.attr.Key, r.attr.Value)
	}
	fmt.Fprint(w, "\n\n")
}

// loyaltyReport is what `cxm report loyalty --json` prints.
type loyaltyReport struct {
	ActiveCustomers int64              `json:"active_customers"`
	RepeatPurchase  metric.Estimate    `json:"repeat_purchase_rate"`
	Referral        metric.Estimate    `json:"referral_rate"`
	Complaint       metric.Estimate    `json:"complaint_rate"`
	Reviews         metric.Reviews     `json:"reviews"`
	Churn           metric.ChurnResult `json:"churn"`
	ChurnDays       int                `json:"churn_days"`
}

// runReportLoyalty prints the behavioural metrics of a period:
// `cxm report loyalty --workspace S [--period 2026-10] [--attribute k:v]`.
// It computes the same figures as GET /api/v1/metrics/loyalty.
func runReportLoyalty(ctx context.Context, m *Main, args []string) error {
	var f loyaltyFlags
	run, err := f.parse(ctx, m, "loyalty", args, 0)
	if err != nil {
		return err
	}
	defer run.db.Close()
	facts, err := run.db.LoyaltyFacts(ctx, run.query())
	if err != nil {
		return err
	}
	o := run.opts
	rep := loyaltyReport{
		ActiveCustomers: facts.ActiveCustomers,
		RepeatPurchase:  metric.RepeatPurchaseRate(facts.PurchasesPerCustomer, o),
		Referral:        metric.ReferralRate(facts.Referrers, facts.ActiveCustomers, o),
		Complaint:       metric.ComplaintRate(facts.Complainers, facts.ActiveCustomers, o),
		Reviews:         metric.ReviewSummary(metric.Moments{N: facts.Reviews.N, Sum: facts.Reviews.Sum, SumSq: facts.Reviews.SumSq}, o),
		Churn:           metric.Churn(facts.LastPurchases, run.asOf(), run.ws.ChurnDays, o),
		ChurnDays:       run.ws.ChurnDays,
	}
	if run.asJSON {
		return writeJSONReport(m.Stdout, rep)
	}
	run.header(m.Stdout, "Loyalty")
	tw := tabwriter.NewWriter(m.Stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVALUE\t95% CI\tN\tBASE")
	row := func(name string, e metric.Estimate, base string) {
		fmt.Fprintln(tw, strings.Join(append(append([]string{name}, estimateCells(e)...), base), "\t"))
	}
	row("repeat purchase rate %", rep.RepeatPurchase, "customers with a purchase")
	row("referral rate %", rep.Referral, "active customers")
	row("complaint rate %", rep.Complaint, "active customers")
	row("review rating (1-5)", rep.Reviews.Mean, fmt.Sprintf("%d reviews", rep.Reviews.Count))
	row(fmt.Sprintf("churn rate %% (%d days)", rep.ChurnDays), rep.Churn.Rate,
		fmt.Sprintf("%d of %d buyers as of %s", rep.Churn.Churned, rep.Churn.Customers, run.asOf().In(run.ws.Location()).Format(time.DateOnly)))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// runReportCohorts prints monthly first-purchase cohorts with their
// retention: `cxm report cohorts --workspace S [--period 2026]`, by default
// the cohorts of the last 12 months. It computes the same table as GET
// /api/v1/metrics/cohorts.
func runReportCohorts(ctx context.Context, m *Main, args []string) error {
	var f loyaltyFlags
	run, err := f.parse(ctx, m, "cohorts", args, 12)
	if err != nil {
		return err
	}
	defer run.db.Close()
	hist, err := run.db.PurchaseHistories(ctx, run.query())
	if err != nil {
		return err
	}
	through := run.to.Add(-time.Microsecond)
	if run.now.Before(through) {
		through = run.now
	}
	table := metric.Cohorts(hist, run.ws.Location(), through, run.opts)
	if run.asJSON {
		return writeJSONReport(m.Stdout, table)
	}
	run.header(m.Stdout, "Purchase cohorts")
	if len(table.Cohorts) == 0 {
		fmt.Fprintln(m.Stdout, "no customers made a first purchase in the period")
		return nil
	}
	months := 0
	for _, c := range table.Cohorts {
		months = max(months, len(c.Retention))
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	head := []string{"COHORT", "SIZE"}
	for k := range months {
		head = append(head, fmt.Sprintf("M%d", k))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, c := range table.Cohorts {
		row := []string{c.Month, fmt.Sprint(c.Size)}
		for k := range months {
			switch {
			case k >= len(c.Retention):
				row = append(row, "")
			case c.Retention[k].Sufficient():
				row = append(row, fmt.Sprintf("%.1f%%", c.Retention[k].Value))
			default:
				row = append(row, fmt.Sprintf("(%d)", c.Active[k]))
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(m.Stdout, "\nMk: share of the cohort buying in month k after its first; (n): active customers, shown when the cohort is smaller than %d.\n", run.opts.MinN)
	return nil
}

// writeJSONReport prints v as one line of JSON.
func writeJSONReport(w io.Writer, v any) error {
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
