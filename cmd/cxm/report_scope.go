package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
	"github.com/cxmhq/cxm/store"
)

// reportScopeFlags are the flags of every report over a period and a
// touchpoint filter: the database, the workspace, the period, the
// touchpoints and stages kept, and the minimum n.
type reportScopeFlags struct {
	cfg                               config
	slug, period, touchpoints, stages string
	minN                              int64
}

// newReportFlags returns the flag set of the report called name with the
// scope flags bound to f; the caller adds its own.
func newReportFlags(name string, m *Main, f *reportScopeFlags) *flag.FlagSet {
	fs := newFlags(name, m, &f.cfg)
	fs.StringVar(&f.slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&f.period, "period", "", "a year, month, ISO week or day in the workspace's time zone (default: the last 90 days)")
	fs.StringVar(&f.touchpoints, "touchpoint", "", "only these touchpoint keys, comma-separated")
	fs.StringVar(&f.stages, "stage", "", "only the touchpoints of these stage keys, comma-separated")
	fs.Int64Var(&f.minN, "min-n", metric.DefaultMinN, "smallest n at which a figure is shown")
	return fs
}

// checkMinN adds an error to errs unless --min-n is at least 1.
func (f *reportScopeFlags) checkMinN(errs *cxm.FieldErrors) {
	if f.minN < 1 {
		errs.Add("--min-n", "must be at least 1")
	}
}

// reportScope is what a report reads before its figures: the open store
// (the caller closes it), the workspace, the period [from, to) in its
// time zone, its touchpoints and those the filter keeps.
type reportScope struct {
	db          *store.DB
	ws          *cxm.Workspace
	loc         *time.Location
	from, to    time.Time
	touchpoints []*cxm.Touchpoint
	// touchpointIDs are the touchpoints kept, empty without a filter;
	// matchNothing says that a filter keeps none.
	touchpointIDs []int64
	matchNothing  bool
}

// open opens the workspace and reads the scope, with a period of the
// last days days when --period is not given.
func (f *reportScopeFlags) open(ctx context.Context, m *Main, days int) (*reportScope, error) {
	db, ws, err := f.cfg.openWorkspace(ctx, m, f.slug)
	if err != nil {
		return nil, err
	}
	s := &reportScope{db: db, ws: ws, loc: ws.Location()}
	if s.from, s.to, err = reportPeriod(m, f.period, s.loc, days); err == nil {
		if s.touchpoints, err = db.ListTouchpoints(ctx, ws.ID); err == nil {
			s.touchpointIDs, s.matchNothing, err = reportFilter(s.touchpoints, f.touchpoints, f.stages)
		}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// defaultReportDays is the period of a report without --period.
const defaultReportDays = 90

// reportPeriod returns the local midnights [from, to) of a named period,
// or of the last days days, today included, when period is empty.
func reportPeriod(m *Main, period string, loc *time.Location, days int) (time.Time, time.Time, error) {
	if period != "" {
		from, to, err := analysis.ParsePeriod(period, loc)
		if err != nil {
			return from, to, cxm.Invalid(cxm.FieldError{Field: "--period", Reason: cxm.ErrorFields(err)[0].Reason})
		}
		return from, to, nil
	}
	y, mo, d := m.Now().In(loc).Date()
	return time.Date(y, mo, d+1-days, 0, 0, 0, 0, loc), time.Date(y, mo, d+1, 0, 0, 0, 0, loc), nil
}

// reportFilter returns the ids of the touchpoints named by keys and of
// those in the stages named by stageKeys (both comma-separated), and
// whether a filter was given that keeps none.
func reportFilter(tps []*cxm.Touchpoint, keys, stageKeys string) ([]int64, bool, error) {
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
			i := slices.IndexFunc(tps, func(t *cxm.Touchpoint) bool { return t.Key == k })
			if i < 0 {
				return nil, false, cxm.Invalid(cxm.FieldError{Field: "--touchpoint", Reason: fmt.Sprintf("no touchpoint has the key %q", k)})
			}
			ids = append(ids, tps[i].ID)
		}
	}
	if ss := split(stageKeys); len(ss) > 0 {
		var inStages []int64
		for _, t := range tps {
			if slices.Contains(ss, t.StageKey) && (!filtered || slices.Contains(ids, t.ID)) {
				inStages = append(inStages, t.ID)
			}
		}
		ids, filtered = inStages, true
	}
	return ids, filtered && len(ids) == 0, nil
}
