package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// overviewParams lists the query parameters of the overview page and
// whether each may repeat; lang is the language link's.
var overviewParams = map[string]bool{
	"period": false, "min_n": false, "lang": false, "touchpoint": true, "channel": true, "locale": true,
}

// overviewPeriods are the rolling periods of the period picker, in days.
var overviewPeriods = []int{30, 90, 365}

// overviewMonth matches a month of the period picker, such as 2026-03.
var overviewMonth = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// overviewTopTopics is how many positive and negative topics the page lists.
const overviewTopTopics = 5

// overviewView is the overview page of a workspace with data.
type overviewView struct {
	appView
	Home struct{ HasData bool }
	// Form is the period picker and filters as the URL gave them.
	Form overviewForm
	// Errors names each bad parameter; the figures are left out then.
	Errors       []cxm.FieldError
	From, To     string
	MinN         int64
	Tiles        []overviewTile
	Trend        []overviewPoint
	TrendJSON    string
	Distribution []overviewShare
	// HasTopics says that topic figures are available on this server.
	HasTopics      bool
	TopicsPositive []overviewTopic
	TopicsNegative []overviewTopic
}

// overviewForm holds the picker's and filters' values and choices.
type overviewForm struct {
	Period      string
	MinN        string
	Periods     []overviewOption
	Touchpoints []overviewOption
	Channels    []overviewOption
	Locale      string
}

// overviewOption is one choice of a select field.
type overviewOption struct {
	Value, Label string
	Selected     bool
}

// overviewTile is one headline figure with its interval, n and change.
type overviewTile struct {
	Label string
	// Sufficient says the figure rests on at least the minimum n.
	Sufficient bool
	Value      string
	Interval   string
	N          int64
	// Change is the signed difference to the previous period, empty
	// when it cannot be told; Significant and Direction mark a real move.
	Change      string
	ChangeNote  string
	Significant bool
	Direction   string
}

// overviewPoint is one week of the NPS trend; Value, Lower and Upper are
// nil for a week below the minimum n, so the chart leaves a gap.
type overviewPoint struct {
	Week  string   `json:"week"`
	N     int64    `json:"n"`
	Value *float64 `json:"value"`
	Lower *float64 `json:"lower"`
	Upper *float64 `json:"upper"`
	// Text is the formatted value for the table.
	Text string `json:"-"`
}

// overviewShare is one class of the NPS distribution.
type overviewShare struct {
	Label string
	Count int64
	Share string
}

// overviewTopic is one topic with its mentions.
type overviewTopic struct {
	Topic    string
	Mentions int64
	Count    int64
	Share    string
}

// appOverview shows the overview of a workspace with data: the headline
// figures with their intervals and changes, the weekly NPS trend, the
// promoter distribution and the top topics, for the period and filters
// of the URL.
func (s *Server) appOverview(w http.ResponseWriter, r *http.Request, ar *appRequest) error {
	ctx := r.Context()
	t := appTexts[ar.lang]
	v := overviewView{appView: newAppView(r, ar.lang, t["title_overview"], ar)}
	v.Home.HasData = true
	ws, err := s.svc.Workspaces.FindWorkspaceByID(ctx, ar.p.WorkspaceID)
	if err != nil {
		return fmt.Errorf("overview: load the workspace: %w", err)
	}
	tps, err := s.svc.Touchpoints.ListTouchpoints(ctx, ar.p.WorkspaceID)
	if err != nil {
		return fmt.Errorf("overview: list touchpoints: %w", err)
	}
	loc := ws.Location()
	q := r.URL.Query()
	v.Form = overviewFormOf(q, tps, t)
	api, errs := s.overviewQuery(q, loc)
	var req *analysis.FeedbackRequest
	if errs.Err() == nil {
		rq := r.Clone(ctx)
		rq.URL.RawQuery = api.Encode()
		req, err = s.parseFeedbackRequest(rq, ar.p, loc, tps, feedbackParams)
		if err != nil && cxm.ErrorCode(err) != cxm.EInvalid {
			return fmt.Errorf("overview: parse the filters: %w", err)
		}
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if len(errs) > 0 {
		v.Errors = errs
		s.renderApp(w, http.StatusBadRequest, "overview", v)
		return nil
	}
	if err := s.overviewFigures(r, ar, req, &v); err != nil {
		return err
	}
	s.renderApp(w, http.StatusOK, "overview", v)
	return nil
}

// overviewQuery checks the page's parameters and turns them into the
// query of the feedback API: NPS by week against the previous period.
func (s *Server) overviewQuery(q url.Values, loc *time.Location) (url.Values, cxm.FieldErrors) {
	var errs cxm.FieldErrors
	for name, vals := range q {
		repeatable, known := overviewParams[name]
		switch {
		case !known:
			errs.Add(name, "is not a filter of the overview")
		case !repeatable && len(vals) > 1:
			errs.Add(name, "may be given only once")
		}
	}
	api := url.Values{"metric": {"nps"}, "granularity": {"week"}, "compare": {analysis.ComparePrevious}}
	y, m, d := s.now().In(loc).Date()
	to := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -defaultFeedbackDays)
	switch p := q.Get("period"); {
	case p == "":
	case overviewMonth.MatchString(p):
		start, err := time.ParseInLocation("2006-01", p, loc)
		if err != nil {
			errs.Add("period", "must be 30, 90, 365 or a month such as 2026-03")
			break
		}
		from, to = start, start.AddDate(0, 1, 0)
	default:
		days, err := strconv.Atoi(p)
		if err != nil || !slices.Contains(overviewPeriods, days) {
			errs.Add("period", "must be 30, 90, 365 or a month such as 2026-03")
			break
		}
		from = to.AddDate(0, 0, -days)
	}
	api.Set("from", from.Format(time.DateOnly))
	api.Set("to", to.Format(time.DateOnly))
	if raw := q.Get("min_n"); raw != "" {
		api.Set("min_n", raw)
	}
	for _, name := range []string{"touchpoint", "channel", "locale"} {
		for _, val := range q[name] {
			if val != "" {
				api.Add(name, val)
			}
		}
	}
	return api, errs
}

// overviewFormOf fills the picker and the filter choices from the URL.
func overviewFormOf(q url.Values, tps []*cxm.Touchpoint, t map[string]string) overviewForm {
	f := overviewForm{Period: q.Get("period"), MinN: q.Get("min_n"), Locale: q.Get("locale")}
	if f.Period == "" {
		f.Period = strconv.Itoa(defaultFeedbackDays)
	}
	for _, d := range overviewPeriods {
		p := strconv.Itoa(d)
		f.Periods = append(f.Periods, overviewOption{Value: p, Label: fmt.Sprintf(t["ov_last_days"], d), Selected: p == f.Period})
	}
	if overviewMonth.MatchString(f.Period) {
		f.Periods = append(f.Periods, overviewOption{Value: f.Period, Label: f.Period, Selected: true})
	}
	f.Touchpoints = []overviewOption{{Value: "", Label: t["ov_all"]}}
	for _, tp := range tps {
		f.Touchpoints = append(f.Touchpoints, overviewOption{Value: tp.Key, Label: tp.Name, Selected: q.Get("touchpoint") == tp.Key})
	}
	f.Channels = []overviewOption{{Value: "", Label: t["ov_all"]}}
	for _, c := range cxm.Channels {
		f.Channels = append(f.Channels, overviewOption{Value: string(c), Label: string(c), Selected: q.Get("channel") == string(c)})
	}
	return f
}

// overviewFigures computes the page's figures from the rollups, the case
// facts and the topic counts.
func (s *Server) overviewFigures(r *http.Request, ar *appRequest, req *analysis.FeedbackRequest, v *overviewView) error {
	ctx := r.Context()
	t := appTexts[ar.lang]
	o := req.Options
	v.From, v.To, v.MinN = req.From.Format(time.DateOnly), req.To.AddDate(0, 0, -1).Format(time.DateOnly), o.MinN
	for _, m := range []struct {
		metric analysis.Metric
		label  string
		pct    bool
	}{{analysis.NPS, t["ov_nps"], false}, {analysis.CSAT, t["ov_csat"], true}, {analysis.CES, t["ov_ces"], false}} {
		mr := *req
		mr.Metric = m.metric
		if m.metric != analysis.NPS {
			mr.Granularity = ""
		}
		rep, err := analysis.Feedback(ctx, s.svc.Rollups, ar.p.WorkspaceID, mr)
		if err != nil {
			return fmt.Errorf("overview: %s: %w", m.metric, err)
		}
		var g analysis.FeedbackGroup
		if len(rep.Groups) > 0 {
			g = rep.Groups[0]
		} else {
			g.Total = analysis.Estimate(m.metric, cxm.FeedbackSums{}, o)
		}
		v.Tiles = append(v.Tiles, estimateTile(m.label, g.Total, g.Comparison, ar.lang, t))
		if m.metric == analysis.NPS {
			v.Trend = trendPoints(g.Series, ar.lang, t)
		}
	}
	b, err := json.Marshal(v.Trend)
	if err != nil {
		return fmt.Errorf("overview: encode the trend: %w", err)
	}
	v.TrendJSON = string(b)
	cur, prev, err := s.overviewSums(r, ar, req)
	if err != nil {
		return err
	}
	vol := overviewTile{Label: t["ov_volume"], Sufficient: true, Value: strconv.FormatInt(cur.Responses, 10), N: cur.Responses,
		Change: signedInt(cur.Responses - prev.Responses), ChangeNote: t["ov_change_counts"]}
	v.Tiles = append(v.Tiles, vol)
	if s.svc.CaseMetrics != nil {
		ct, err := s.overviewCases(r, ar, req, t)
		if err != nil {
			return err
		}
		v.Tiles = append(v.Tiles, ct)
	}
	nps := cur.Promoters + cur.Passives + cur.Detractors
	for _, c := range []struct {
		key string
		n   int64
	}{{"ov_promoters", cur.Promoters}, {"ov_passives", cur.Passives}, {"ov_detractors", cur.Detractors}} {
		sh := overviewShare{Label: t[c.key], Count: c.n, Share: "–"}
		if nps > 0 {
			sh.Share = formatNumber(100*float64(c.n)/float64(nps), ar.lang) + " %"
		}
		v.Distribution = append(v.Distribution, sh)
	}
	if s.svc.TopicMetrics != nil {
		v.HasTopics = true
		if err := s.overviewTopics(r, ar, req, v); err != nil {
			return err
		}
	}
	return nil
}

// overviewSums returns the response counts and NPS classes of the period
// and of the previous period, from the rollups.
func (s *Server) overviewSums(r *http.Request, ar *appRequest, req *analysis.FeedbackRequest) (cur, prev cxm.FeedbackSums, err error) {
	if req.MatchNothing {
		return cur, prev, nil
	}
	pp := metric.PreviousPeriod(metric.Period{From: req.From, To: req.To}, req.Loc)
	for _, p := range []struct {
		period metric.Period
		into   *cxm.FeedbackSums
	}{{metric.Period{From: req.From, To: req.To}, &cur}, {pp, &prev}} {
		q := req.Filter
		q.FromDay, q.ToDay, q.Only = cxm.LocalDay(p.period.From, req.Loc), cxm.LocalDay(p.period.To, req.Loc), string(analysis.NPS)
		fs, err := s.svc.Rollups.FeedbackSlices(r.Context(), ar.p.WorkspaceID, q)
		if err != nil {
			return cur, prev, fmt.Errorf("overview: response counts: %w", err)
		}
		for _, f := range fs {
			p.into.Add(f.FeedbackSums)
		}
	}
	return cur, prev, nil
}

// overviewCases returns the open-cases tile: the cases open now, and the
// cases opened in the period against the previous period.
func (s *Server) overviewCases(r *http.Request, ar *appRequest, req *analysis.FeedbackRequest, t map[string]string) (overviewTile, error) {
	now := s.now()
	pp := metric.PreviousPeriod(metric.Period{From: req.From, To: req.To}, req.Loc)
	var opened [2]int64
	var open int64
	for i, p := range []metric.Period{{From: req.From, To: req.To}, pp} {
		rep, err := analysis.Cases(r.Context(), s.svc.CaseMetrics, ar.p.WorkspaceID,
			analysis.CaseRequest{From: p.From, To: p.To, Loc: req.Loc, Now: now, Options: req.Options}, nil, nil)
		if err != nil {
			return overviewTile{}, fmt.Errorf("overview: cases: %w", err)
		}
		for _, g := range rep.Groups {
			opened[i] += g.Opened
		}
		if i == 0 {
			for _, b := range rep.Backlog {
				open += b.Cases
			}
		}
	}
	return overviewTile{Label: t["ov_open_cases"], Sufficient: true, Value: strconv.FormatInt(open, 10), N: open,
		Change: signedInt(opened[0] - opened[1]), ChangeNote: t["ov_change_opened"]}, nil
}

// overviewTopics lists the topics with the most positive and the most
// negative mentions in the period.
func (s *Server) overviewTopics(r *http.Request, ar *appRequest, req *analysis.FeedbackRequest, v *overviewView) error {
	if req.MatchNothing {
		return nil
	}
	q := cxm.TopicQuery{From: req.From, To: req.To, Loc: req.Loc, SurveyIDs: req.Filter.SurveyIDs,
		TouchpointIDs: req.Filter.TouchpointIDs, Channels: req.Filter.Channels, Locales: req.Filter.Locales}
	counts, err := s.svc.TopicMetrics.TopicCounts(r.Context(), ar.p.WorkspaceID, q)
	if err != nil {
		return fmt.Errorf("overview: topics: %w", err)
	}
	top := func(count func(*cxm.TopicSlice) int64) []overviewTopic {
		ts := slices.Clone(counts.Topics)
		ts = slices.DeleteFunc(ts, func(x *cxm.TopicSlice) bool { return count(x) == 0 })
		slices.SortFunc(ts, func(a, b *cxm.TopicSlice) int {
			return cmp.Or(cmp.Compare(count(b), count(a)), cmp.Compare(a.Topic, b.Topic))
		})
		var out []overviewTopic
		for _, x := range ts[:min(len(ts), overviewTopTopics)] {
			out = append(out, overviewTopic{Topic: x.Topic, Mentions: x.Mentions, Count: count(x),
				Share: formatNumber(100*float64(count(x))/float64(x.Mentions), ar.lang) + " %"})
		}
		return out
	}
	v.TopicsPositive = top(func(x *cxm.TopicSlice) int64 { return x.Positive })
	v.TopicsNegative = top(func(x *cxm.TopicSlice) int64 { return x.Negative })
	return nil
}

// estimateTile returns the tile of an estimate and its comparison.
func estimateTile(label string, e metric.Estimate, c *analysis.Comparison, lang string, t map[string]string) overviewTile {
	tile := overviewTile{Label: label, N: e.N, Sufficient: e.Sufficient()}
	if tile.Sufficient {
		tile.Value = formatNumber(e.Value, lang)
		tile.Interval = "[" + formatNumber(e.Lower, lang) + "; " + formatNumber(e.Upper, lang) + "]"
	}
	if c == nil || c.Change.Status != metric.StatusOK {
		tile.ChangeNote = t["ov_change_none"]
		return tile
	}
	tile.Change = signedNumber(c.Change.Difference, lang)
	tile.Significant = c.Change.Significant
	tile.Direction = string(c.Change.Direction)
	switch {
	case c.Change.Significant && c.Change.Direction == metric.Improved:
		tile.ChangeNote = t["ov_sig_up"]
	case c.Change.Significant && c.Change.Direction == metric.Deteriorated:
		tile.ChangeNote = t["ov_sig_down"]
	default:
		tile.ChangeNote = t["ov_not_sig"]
	}
	return tile
}

// trendPoints returns the weekly NPS points; weeks below the minimum n
// carry only their n.
func trendPoints(series []analysis.SeriesPoint, lang string, t map[string]string) []overviewPoint {
	out := make([]overviewPoint, 0, len(series))
	for _, p := range series {
		pt := overviewPoint{Week: p.Period, N: p.Estimate.N, Text: t["ov_not_enough"]}
		if e := p.Estimate; e.Sufficient() {
			val, lo, up := e.Value, e.Lower, e.Upper
			pt.Value, pt.Lower, pt.Upper = &val, &lo, &up
			pt.Text = formatNumber(val, lang) + " [" + formatNumber(lo, lang) + "; " + formatNumber(up, lang) + "]"
		}
		out = append(out, pt)
	}
	return out
}

// formatNumber formats x with one decimal, with a decimal comma in German.
func formatNumber(x float64, lang string) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if lang == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// signedNumber formats a difference with its sign.
func signedNumber(x float64, lang string) string {
	s := formatNumber(x, lang)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// signedInt formats a difference of counts with its sign.
func signedInt(n int64) string {
	if n >= 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
