package analysis

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// Case groupings.
const (
	CasesByTeam       = "team"
	CasesByTouchpoint = "touchpoint"
	CasesByMonth      = "month"
)

// CaseRequest asks for the closed-loop figures of the cases created in a
// period, optionally grouped by team, touchpoint or month of creation.
type CaseRequest struct {
	// From and To are midnights in Loc; To is excluded.
	From, To time.Time
	Loc      *time.Location
	By       string
	// Now judges open deadlines and backlog ages.
	Now     time.Time
	Options metric.Options
}

// Durations summarises how long something took: median and 90th
// percentile in hours, over N cases; Status is insufficient_data below
// the minimum n, and the figures are then left out.
type Durations struct {
	N           int64         `json:"n"`
	Status      metric.Status `json:"status"`
	MedianHours float64       `json:"median_hours,omitempty"`
	P90Hours    float64       `json:"p90_hours,omitempty"`
}

// ResolutionTotal counts the resolutions of one type with their amounts
// by currency.
type ResolutionTotal struct {
	Type    cxm.ResolutionType `json:"type"`
	Count   int64              `json:"count"`
	Amounts map[string]float64 `json:"amounts,omitempty"`
}

// CaseGroup is the closed-loop figures of one group of cases.
type CaseGroup struct {
	Key    map[string]string `json:"key"`
	Opened int64             `json:"opened"`
	// FirstResponse and Resolution are the times from opening, in
	// calendar hours.
	FirstResponse Durations `json:"time_to_first_response"`
	Resolution    Durations `json:"time_to_resolution"`
	// SLAHitRate is the share of cases with a decided SLA outcome that
	// met every target, with a Wilson interval.
	SLAHitRate  metric.Estimate   `json:"sla_hit_rate"`
	Resolutions []ResolutionTotal `json:"resolutions"`
	// RecoveryRate is the share of detractors' resolved cases whose
	// customer answered passive or promoter next; cases without a later
	// answer are not counted.
	RecoveryRate metric.Estimate `json:"recovery_rate"`
}

// BacklogBucket counts the open cases of one age range.
type BacklogBucket struct {
	Age   string `json:"age"`
	Cases int64  `json:"cases"`
}

// CaseReport is the answer to a CaseRequest.
type CaseReport struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	TimeZone string          `json:"time_zone"`
	MinN     int64           `json:"min_n"`
	Groups   []CaseGroup     `json:"groups"`
	Backlog  []BacklogBucket `json:"backlog"`
}

// backlogAges are the upper bounds of the backlog's age buckets.
var backlogAges = []struct {
	label string
	upTo  time.Duration
}{{"under 1 day", 24 * time.Hour}, {"1–3 days", 72 * time.Hour}, {"3–7 days", 7 * 24 * time.Hour}, {"over 7 days", math.MaxInt64}}

// Cases computes the closed-loop figures of req's period, and the
// backlog of every open case by age.
func Cases(ctx context.Context, svc cxm.CaseMetricsService, workspaceID int64, req CaseRequest, teams map[int64]string, touchpoints map[int64]string) (*CaseReport, error) {
	loc := req.Loc
	if loc == nil {
		loc = time.UTC
	}
	o := req.Options
	if o.MinN <= 0 {
		o.MinN = metric.DefaultMinN
	}
	facts, err := svc.CaseFacts(ctx, workspaceID, req.From, req.To, req.Now)
	if err != nil {
		return nil, fmt.Errorf("analysis: cases: %w", err)
	}
	open, err := svc.OpenCaseFacts(ctx, workspaceID, req.Now)
	if err != nil {
		return nil, fmt.Errorf("analysis: cases: %w", err)
	}
	rep := &CaseReport{From: req.From.Format(time.DateOnly), To: req.To.Format(time.DateOnly), TimeZone: loc.String(), MinN: o.MinN,
		Groups: []CaseGroup{}}
	groups := map[string][]cxm.CaseFact{}
	if req.By == "" {
		groups[""] = nil
	}
	for _, f := range facts {
		k := caseGroupKey(f, req.By, loc)
		groups[k] = append(groups[k], f)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := caseFigures(groups[k], o)
		g.Key = map[string]string{}
		switch req.By {
		case CasesByTeam:
			g.Key["team"] = caseLabel(k, teams)
		case CasesByTouchpoint:
			g.Key["touchpoint"] = caseLabel(k, touchpoints)
		case CasesByMonth:
			g.Key["month"] = k
		}
		rep.Groups = append(rep.Groups, g)
	}
	rep.Backlog = make([]BacklogBucket, len(backlogAges))
	for i, b := range backlogAges {
		rep.Backlog[i].Age = b.label
	}
	for _, f := range open {
		age := req.Now.Sub(f.CreatedAt)
		i := slices.IndexFunc(backlogAges, func(b struct {
			label string
			upTo  time.Duration
		}) bool {
			return age < b.upTo
		})
		rep.Backlog[i].Cases++
	}
	return rep, nil
}

// caseGroupKey returns the group of f: its team or touchpoint id, or its
// month of creation.
func caseGroupKey(f cxm.CaseFact, by string, loc *time.Location) string {
	switch by {
	case CasesByTeam:
		return strconv.FormatInt(f.TeamID, 10)
	case CasesByTouchpoint:
		return strconv.FormatInt(f.TouchpointID, 10)
	case CasesByMonth:
		return f.CreatedAt.In(loc).Format("2006-01")
	}
	return ""
}

// caseLabel names the group of an id: the key from names, "" for none.
func caseLabel(id string, names map[int64]string) string {
	n, _ := strconv.ParseInt(id, 10, 64)
	if n == 0 {
		return ""
	}
	if name, ok := names[n]; ok {
		return name
	}
	return id
}

// caseFigures computes the figures of one group of cases.
func caseFigures(fs []cxm.CaseFact, o metric.Options) CaseGroup {
	g := CaseGroup{Opened: int64(len(fs)), Resolutions: []ResolutionTotal{}}
	var firsts, resolutions []float64
	var hit metric.Proportion
	var recovered metric.Proportion
	totals := map[cxm.ResolutionType]*ResolutionTotal{}
	for _, f := range fs {
		if f.FirstRespondedAt != nil {
			firsts = append(firsts, f.FirstRespondedAt.Sub(f.CreatedAt).Hours())
		}
		if f.ResolvedAt != nil && (f.Status == cxm.CaseResolved || f.Status == cxm.CaseClosed) {
			resolutions = append(resolutions, f.ResolvedAt.Sub(f.CreatedAt).Hours())
			if f.ResolutionType != "" {
				t := totals[f.ResolutionType]
				if t == nil {
					t = &ResolutionTotal{Type: f.ResolutionType}
					totals[f.ResolutionType] = t
				}
				t.Count++
				if f.Amount > 0 {
					if t.Amounts == nil {
						t.Amounts = map[string]float64{}
					}
					t.Amounts[f.Currency] += f.Amount
				}
			}
			if f.Detractor && f.NextNPS != nil {
				recovered.N++
				if *f.NextNPS >= 7 {
					recovered.Hits++
				}
			}
		}
		if f.SLADecided {
			hit.N++
			if !f.Breached {
				hit.Hits++
			}
		}
	}
	g.FirstResponse, g.Resolution = durations(firsts, o), durations(resolutions, o)
	g.SLAHitRate = metric.Rate(hit, o)
	g.RecoveryRate = metric.RecoveryRate(recovered.Hits, recovered.N, o)
	for _, t := range totals {
		g.Resolutions = append(g.Resolutions, *t)
	}
	sort.Slice(g.Resolutions, func(i, j int) bool { return g.Resolutions[i].Type < g.Resolutions[j].Type })
	return g
}

// durations summarises hours as median and 90th percentile.
func durations(hours []float64, o metric.Options) Durations {
	d := Durations{N: int64(len(hours)), Status: metric.StatusOK}
	if d.N < o.MinN || d.N == 0 {
		d.Status = metric.StatusInsufficient
		return d
	}
	sort.Float64s(hours)
	d.MedianHours, d.P90Hours = metric.Quantile(hours, 0.5), metric.Quantile(hours, 0.9)
	return d
}
