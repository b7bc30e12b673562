package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// registerJourneyRoutes registers the journey-analysis routes; see routes.go.
func (s *Server) registerJourneyRoutes() {
	s.handle("GET", "/api/v1/analysis/journey/funnel", permRead, s.journeyFunnel)
	s.handle("GET", "/api/v1/analysis/journey/transitions", permRead, s.journeyTransitions)
	s.handle("GET", "/api/v1/analysis/journey/stage-times", permRead, s.journeyStageTimes)
	s.handle("GET", "/api/v1/analysis/journey/attribution", permRead, s.journeyAttribution)
}

// journeyParams are the parsed query parameters of a journey analysis.
type journeyParams struct {
	query  cxm.JourneyQuery
	opts   metric.Options
	locale string
	period period
}

// period is the analysed time range as the answer shows it: the dates
// asked for, to excluded, in the workspace's time zone.
type period struct {
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	TimeZone string `json:"time_zone"`
}

// maxMinN bounds the min_n parameter.
const maxMinN = 1_000_000

// parseJourneyParams reads journey, from, to and min_n, and, when extra
// is set, limit and max_gap_days. Dates are days in the workspace's time
// zone; to is excluded, as in every metric and analysis. Every bad
// parameter is named.
func (s *Server) parseJourneyParams(r *http.Request, p *cxm.Principal, extra bool) (*journeyParams, error) {
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	loc := ws.Location()
	v := r.URL.Query()
	jp := &journeyParams{query: cxm.JourneyQuery{WorkspaceID: p.WorkspaceID}, locale: ws.DefaultLocale,
		period: period{From: v.Get("from"), To: v.Get("to"), TimeZone: loc.String()}}
	var errs cxm.FieldErrors
	positive := func(name string, max int64) int64 {
		raw := v.Get(name)
		if raw == "" {
			return 0
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 || n > max {
			errs.Add(name, "must be an integer from 1 to "+strconv.FormatInt(max, 10))
			return 0
		}
		return n
	}
	jp.query.JourneyID = positive("journey", 1<<62)
	jp.opts.MinN = positive("min_n", maxMinN)
	for name, dst := range map[string]*time.Time{"from": &jp.query.From, "to": &jp.query.To} {
		if raw := v.Get(name); raw != "" {
			d, err := time.ParseInLocation(time.DateOnly, raw, loc)
			if err != nil {
				errs.Add(name, "must be a date such as 2026-11-01")
				continue
			}
			*dst = d
		}
	}
	if !jp.query.To.IsZero() && !jp.query.From.IsZero() && !jp.query.To.After(jp.query.From) {
		errs.Add("to", "must be after from (to is excluded)")
	}
	if extra {
		jp.query.Limit = int(positive("limit", 1000))
		jp.query.MaxGap = time.Duration(positive("max_gap_days", 3650)) * 24 * time.Hour
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return jp, nil
}

// funnelStage is one stage of the funnel as the API shows it.
type funnelStage struct {
	Key       string            `json:"key"`
	Name      string            `json:"name"`
	Names     cxm.LocalizedText `json:"names"`
	Position  int               `json:"position"`
	Customers int64             `json:"customers"`
	// Reach is the share of all customers in the funnel who reached the stage.
	Reach metric.Estimate `json:"reach"`
	// Conversion is the share of the previous stage's customers who also
	// reached this one, DropOff the share who did not; nil for the first stage.
	Conversion *metric.Estimate `json:"conversion,omitempty"`
	DropOff    *metric.Estimate `json:"drop_off,omitempty"`
}

// journeyFunnel answers the funnel of the journey's stages.
func (s *Server) journeyFunnel(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	jp, err := s.parseJourneyParams(r, p, false)
	if err != nil {
		return err
	}
	f, err := s.svc.JourneyAnalysis.JourneyFunnel(r.Context(), jp.query)
	if err != nil {
		return err
	}
	stages := make([]funnelStage, len(f.Stages))
	for i, st := range f.Stages {
		out := funnelStage{Key: st.Key, Name: st.Names.In(jp.locale, "en"), Names: st.Names, Position: st.Position,
			Customers: st.Customers, Reach: metric.Rate(metric.Proportion{Hits: st.Customers, N: f.Customers}, jp.opts)}
		if i > 0 {
			prev := f.Stages[i-1].Customers
			conv := metric.Rate(metric.Proportion{Hits: st.FromPrevious, N: prev}, jp.opts)
			drop := metric.Rate(metric.Proportion{Hits: prev - st.FromPrevious, N: prev}, jp.opts)
			out.Conversion, out.DropOff = &conv, &drop
		}
		stages[i] = out
	}
	return writeJSON(w, http.StatusOK, map[string]any{"journey": f.Journey, "period": jp.period,
		"customers": f.Customers, "stages": stages})
}

// journeyTransitions answers the most frequent touchpoint-to-touchpoint
// steps as nodes and links for a Sankey chart.
func (s *Server) journeyTransitions(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	jp, err := s.parseJourneyParams(r, p, true)
	if err != nil {
		return err
	}
	t, err := s.svc.JourneyAnalysis.JourneyTransitions(r.Context(), jp.query)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"journey": t.Journey, "period": jp.period,
		"nodes": t.Nodes, "links": t.Links, "cyclic": t.Cyclic, "total": t.Total, "distinct": t.Distinct})
}

// stageTime is the time between two stages as the API shows it: below
// min_n the quantiles are left out and status says insufficient_data.
type stageTime struct {
	From   string             `json:"from"`
	To     string             `json:"to"`
	Status metric.Status      `json:"status"`
	N      int64              `json:"n"`
	P25    *float64           `json:"p25_hours,omitempty"`
	Median *float64           `json:"median_hours,omitempty"`
	P75    *float64           `json:"p75_hours,omitempty"`
	P90    *float64           `json:"p90_hours,omitempty"`
	Bins   []cxm.HistogramBin `json:"histogram"`
}

// journeyStageTimes answers the distribution of the time between
// consecutive stages.
func (s *Server) journeyStageTimes(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	jp, err := s.parseJourneyParams(r, p, false)
	if err != nil {
		return err
	}
	st, err := s.svc.JourneyAnalysis.JourneyStageTimes(r.Context(), jp.query)
	if err != nil {
		return err
	}
	minN := jp.opts.MinN
	if minN <= 0 {
		minN = metric.DefaultMinN
	}
	pairs := make([]stageTime, len(st.Pairs))
	for i, pr := range st.Pairs {
		out := stageTime{From: pr.From, To: pr.To, N: pr.N, Bins: pr.Histogram, Status: metric.StatusInsufficient}
		if pr.N >= minN && pr.N > 0 {
			out.Status = metric.StatusOK
			out.P25, out.Median, out.P75, out.P90 = &pr.P25, &pr.Median, &pr.P75, &pr.P90
		}
		pairs[i] = out
	}
	return writeJSON(w, http.StatusOK, map[string]any{"journey": st.Journey, "period": jp.period, "pairs": pairs})
}

// attributionGroup is one entry path as the API shows it.
type attributionGroup struct {
	Touchpoint string      `json:"touchpoint"`
	Name       string      `json:"name"`
	Stage      string      `json:"stage"`
	Channel    cxm.Channel `json:"channel"`
	Customers  int64       `json:"customers"`
	// Share is the group's share of all customers with a first touchpoint.
	Share metric.Estimate `json:"share"`
	// NPS is over the group's completed responses with an NPS answer.
	NPS metric.Estimate `json:"nps"`
	// RepeatPurchaseRate is the share of the group's customers with at
	// least two orders or purchases; Buyers have at least one.
	Buyers             int64           `json:"buyers"`
	RepeatPurchaseRate metric.Estimate `json:"repeat_purchase_rate"`
	// ValueTotal is the sum of the value of the group's interactions and
	// ValuePerCustomer its mean per customer with a t interval.
	ValueTotal       float64         `json:"value_total"`
	ValuePerCustomer metric.Estimate `json:"value_per_customer"`
}

// journeyAttribution answers how customers first met the company and how
// each entry path does afterwards.
func (s *Server) journeyAttribution(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	jp, err := s.parseJourneyParams(r, p, false)
	if err != nil {
		return err
	}
	a, err := s.svc.JourneyAnalysis.JourneyAttribution(r.Context(), jp.query)
	if err != nil {
		return err
	}
	groups := make([]attributionGroup, len(a.Groups))
	for i, g := range a.Groups {
		nps := metric.NPSCounts{Promoters: g.Promoters, Passives: g.Passives, Detractors: g.Detractors}
		groups[i] = attributionGroup{Touchpoint: g.Touchpoint, Name: g.Name, Stage: g.Stage, Channel: g.Channel,
			Customers:          g.Customers,
			Share:              metric.Rate(metric.Proportion{Hits: g.Customers, N: a.Customers}, jp.opts),
			NPS:                metric.NPS(nps, jp.opts),
			Buyers:             g.Buyers,
			RepeatPurchaseRate: metric.Rate(metric.Proportion{Hits: g.Repeaters, N: g.Customers}, jp.opts),
			ValueTotal:         g.ValueSum,
			ValuePerCustomer:   metric.Mean(metric.Moments{N: g.Customers, Sum: g.ValueSum, SumSq: g.ValueSumSq}, jp.opts),
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"period": jp.period, "customers": a.Customers,
		"purchase_types": cxm.PurchaseTypes, "groups": groups})
}
