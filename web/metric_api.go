package web

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// registerMetricRoutes registers the feedback-figure routes; see routes.go.
func (s *Server) registerMetricRoutes() {
	s.handle("GET", "/api/v1/metrics/feedback", permRead, s.feedbackMetrics)
}

// feedbackParams lists the query parameters of /api/v1/metrics/feedback
// and whether each may repeat.
var feedbackParams = map[string]bool{
	"metric": false, "from": false, "to": false, "granularity": false, "by": false, "compare": false, "min_n": false,
	"adjust": false, "touchpoint": true, "stage": true, "survey": true, "channel": true, "locale": true,
}

// localeParam matches a locale filter such as "de" or "pt-BR".
var localeParam = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// Bounds of the feedback-metric parameters.
const (
	// maxFeedbackDays bounds the period of a feedback query.
	maxFeedbackDays = 3660
	// defaultFeedbackDays is the period without from and to.
	defaultFeedbackDays = 90
	// maxFilterValues bounds the values of one filter.
	maxFilterValues = 200
)

// feedbackMetrics answers one feedback metric from the rollups, grouped,
// bucketed, compared and set against targets as the query asks.
func (s *Server) feedbackMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ctx := r.Context()
	ws, err := s.svc.Workspaces.FindWorkspaceByID(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	tps, err := s.svc.Touchpoints.ListTouchpoints(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	req, err := s.parseFeedbackRequest(r, p, ws.Location(), tps, feedbackParams)
	if err != nil {
		return err
	}
	rep, err := analysis.Feedback(ctx, s.svc.Rollups, p.WorkspaceID, *req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// parseFeedbackRequest reads and checks every query parameter, naming each
// bad one; params lists the parameters the endpoint takes and whether
// each may repeat.
func (s *Server) parseFeedbackRequest(r *http.Request, p *cxm.Principal, loc *time.Location, tps []*cxm.Touchpoint, params map[string]bool) (*analysis.FeedbackRequest, error) {
	v := r.URL.Query()
	var errs cxm.FieldErrors
	for name, vals := range v {
		repeatable, known := params[name]
		switch {
		case !known:
			errs.Add(name, "is not a parameter of this endpoint")
		case !repeatable && len(vals) > 1:
			errs.Add(name, "may be given only once")
		}
	}
	req := &analysis.FeedbackRequest{Loc: loc, Touchpoints: tps}
	var err error
	if raw := v.Get("metric"); raw == "" {
		errs.Add("metric", "is required: nps, csat, ces or rating")
	} else if req.Metric, err = analysis.ParseMetric(raw); err != nil {
		errs.Add("metric", "must be one of nps, csat, ces, rating")
	}
	if raw := v.Get("granularity"); raw != "" && raw != "none" {
		if req.Granularity, err = metric.ParseGranularity(raw); err != nil {
			errs.Add("granularity", "must be one of day, week, month, none")
		}
	}
	if req.By, err = analysis.ParseDimension(v.Get("by")); err != nil {
		errs.Add("by", fieldReason(err, "must be one of touchpoint, survey, channel, locale, stage"))
	}
	switch a := v.Get("adjust"); a {
	case "", "none":
	case "bh":
		req.Adjust = true
	default:
		errs.Add("adjust", "must be bh (Benjamini–Hochberg) or none")
	}
	switch c := v.Get("compare"); c {
	case "", analysis.ComparePrevious, analysis.CompareLastYear:
		req.Compare = c
	default:
		errs.Add("compare", "must be previous or last_year")
	}
	if raw := v.Get("min_n"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 || n > maxMinN {
			errs.Add("min_n", "must be an integer from 1 to "+strconv.Itoa(maxMinN))
		}
		req.Options.MinN = n
	}
	if req.Options.MinN <= 0 {
		req.Options.MinN = metric.DefaultMinN
	}
	s.parseFeedbackPeriod(v.Get("from"), v.Get("to"), loc, req, &errs)
	if err := s.parseFeedbackFilters(r, p, tps, req, &errs); err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return req, nil
}

// fieldReason returns the reason of the first field error in err, or def.
func fieldReason(err error, def string) string {
	if f := cxm.ErrorFields(err); len(f) > 0 {
		return f[0].Reason
	}
	return def
}

// quoteParam quotes a parameter value for an error message, cut to 64 bytes.
func quoteParam(raw string) string {
	if len(raw) > 64 {
		raw = strings.ToValidUTF8(raw[:64], "") + "…"
	}
	return strconv.Quote(raw)
}

// parseFeedbackPeriod sets req.From and req.To from the dates from and to
// (to excluded) in loc; without them the period is the last 90 days,
// today included.
func (s *Server) parseFeedbackPeriod(fromRaw, toRaw string, loc *time.Location, req *analysis.FeedbackRequest, errs *cxm.FieldErrors) {
	date := func(name, raw string) (time.Time, bool) {
		d, err := time.ParseInLocation(time.DateOnly, raw, loc)
		if err != nil || d.Year() < 1900 || d.Year() > 9999 {
			errs.Add(name, "must be a date such as 2026-11-01")
			return time.Time{}, false
		}
		return d, true
	}
	y, m, d := s.now().In(loc).Date()
	req.To = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	okTo, okFrom := true, true
	if toRaw != "" {
		req.To, okTo = date("to", toRaw)
	}
	if fromRaw != "" {
		req.From, okFrom = date("from", fromRaw)
	} else if okTo {
		ty, tm, td := req.To.Date()
		req.From = time.Date(ty, tm, td-defaultFeedbackDays, 0, 0, 0, 0, loc)
	}
	if !okTo || !okFrom {
		return
	}
	switch {
	case !req.To.After(req.From):
		errs.Add("to", "must be after from (to is excluded)")
	case req.To.Sub(req.From) > maxFeedbackDays*24*time.Hour:
		errs.Add("from", "the period may span at most "+strconv.Itoa(maxFeedbackDays)+" days")
	}
}

// filterValues returns the values of a repeatable parameter, each value
// also split at commas, without empty ones.
func filterValues(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// parseFeedbackFilters resolves the touchpoint, stage, survey, channel and
// locale filters into req.Filter.
func (s *Server) parseFeedbackFilters(r *http.Request, p *cxm.Principal, tps []*cxm.Touchpoint, req *analysis.FeedbackRequest, errs *cxm.FieldErrors) error {
	v := r.URL.Query()
	for _, name := range []string{"touchpoint", "stage", "survey", "channel", "locale"} {
		if len(filterValues(v[name])) > maxFilterValues {
			errs.Add(name, "may list at most "+strconv.Itoa(maxFilterValues)+" values")
			return nil
		}
	}
	byKey := map[string]*cxm.Touchpoint{}
	stages := map[string][]int64{}
	for _, t := range tps {
		byKey[t.Key] = t
		stages[t.StageKey] = append(stages[t.StageKey], t.ID)
	}
	var tpIDs []int64
	tpFilter := false
	for _, k := range filterValues(v["touchpoint"]) {
		t := byKey[k]
		if t == nil {
			errs.Add("touchpoint", "no touchpoint has the key "+quoteParam(k))
			continue
		}
		tpIDs, tpFilter = append(tpIDs, t.ID), true
	}
	if keys := filterValues(v["stage"]); len(keys) > 0 {
		known, err := s.stageKeys(r, p)
		if err != nil {
			return err
		}
		var inStages []int64
		for _, k := range keys {
			if !known[k] && stages[k] == nil {
				errs.Add("stage", "no stage has the key "+quoteParam(k))
				continue
			}
			inStages = append(inStages, stages[k]...)
		}
		if tpFilter {
			tpIDs = slices.DeleteFunc(tpIDs, func(id int64) bool { return !slices.Contains(inStages, id) })
		} else {
			tpIDs, tpFilter = inStages, true
		}
	}
	if tpFilter && len(tpIDs) == 0 {
		req.MatchNothing = true
	}
	req.Filter.TouchpointIDs = tpIDs
	for _, raw := range filterValues(v["survey"]) {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			errs.Add("survey", quoteParam(raw)+" is not a survey id")
			continue
		}
		if _, err := s.svc.Surveys.FindSurvey(r.Context(), p.WorkspaceID, id); err != nil {
			if cxm.ErrorCode(err) != cxm.ENotFound {
				return err
			}
			errs.Add("survey", "no survey has the id "+raw)
			continue
		}
		req.Filter.SurveyIDs = append(req.Filter.SurveyIDs, id)
	}
	for _, raw := range filterValues(v["channel"]) {
		if c := cxm.Channel(raw); c.Valid() {
			req.Filter.Channels = append(req.Filter.Channels, c)
		} else {
			errs.Add("channel", quoteParam(raw)+" is not a channel")
		}
	}
	for _, raw := range filterValues(v["locale"]) {
		if localeParam.MatchString(raw) && len(raw) <= 35 {
			req.Filter.Locales = append(req.Filter.Locales, raw)
		} else {
			errs.Add("locale", quoteParam(raw)+" is not a locale")
		}
	}
	return nil
}

// stageKeys returns the keys of every stage of the workspace's journeys.
func (s *Server) stageKeys(r *http.Request, p *cxm.Principal) (map[string]bool, error) {
	out := map[string]bool{}
	js, err := s.svc.Journeys.ListJourneys(r.Context(), p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	for _, j := range js {
		for _, st := range j.Stages {
			out[st.Key] = true
		}
	}
	return out, nil
}
