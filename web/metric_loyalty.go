package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// registerLoyaltyRoutes registers the behavioural-metric routes; see
// routes.go.
func (s *Server) registerLoyaltyRoutes() {
	s.handle("GET", "/api/v1/metrics/loyalty", permRead, s.loyaltyMetrics)
	s.handle("GET", "/api/v1/metrics/cohorts", permRead, s.cohortMetrics)
	s.handle("GET", "/api/v1/metrics/response-rate", permRead, s.responseRateMetrics)
}

// Query parameters of the behavioural-metric routes, and whether each may
// repeat.
var (
	loyaltyParams      = map[string]bool{"from": false, "to": false, "attribute": false, "min_n": false, "touchpoint": true, "stage": true}
	cohortParams       = map[string]bool{"from": false, "to": false, "attribute": false, "min_n": false}
	responseRateParams = map[string]bool{"from": false, "to": false, "min_n": false, "survey": true}
)

// defaultCohortMonths is how many calendar months of first purchases the
// cohort table shows without a from parameter.
const defaultCohortMonths = 12

// loyaltyPeriod is the period, options and filters shared by the
// behavioural-metric routes.
type loyaltyPeriod struct {
	ws       *cxm.Workspace
	from, to time.Time
	opts     metric.Options
	attr     *cxm.AttributeFilter
}

// wire returns the period's common fields for an answer.
func (lp *loyaltyPeriod) wire() map[string]any {
	out := map[string]any{"from": lp.from.Format(time.DateOnly), "to": lp.to.Format(time.DateOnly),
		"time_zone": lp.ws.TimeZone, "min_n": lp.opts.MinN}
	if lp.attr != nil {
		out["attribute"] = lp.attr
	}
	return out
}

// parseLoyaltyPeriod checks the parameter names against known, and reads
// from, to (as the feedback metrics do), min_n and attribute.
func (s *Server) parseLoyaltyPeriod(r *http.Request, p *cxm.Principal, known map[string]bool, errs *cxm.FieldErrors) (*loyaltyPeriod, error) {
	v := r.URL.Query()
	for name, vals := range v {
		repeatable, ok := known[name]
		switch {
		case !ok:
			errs.Add(name, "is not a parameter of this endpoint")
		case !repeatable && len(vals) > 1:
			errs.Add(name, "may be given only once")
		}
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	lp := &loyaltyPeriod{ws: ws, opts: metric.Options{MinN: metric.DefaultMinN}}
	var req analysis.FeedbackRequest
	s.parseFeedbackPeriod(v.Get("from"), v.Get("to"), ws.Location(), &req, errs)
	lp.from, lp.to = req.From, req.To
	if raw := v.Get("min_n"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 || n > maxMinN {
			errs.Add("min_n", "must be an integer from 1 to "+strconv.Itoa(maxMinN))
		}
		lp.opts.MinN = n
	}
	if _, allowed := known["attribute"]; allowed && len(v["attribute"]) > 0 {
		if lp.attr, err = cxm.ParseAttributeFilter("attribute", v.Get("attribute")); err != nil {
			errs.Add("attribute", fieldReason(err, "must be key:value"))
		}
	}
	return lp, nil
}

// loyaltyMetrics answers the behavioural metrics of a period: repeat
// purchase, referral and complaint rates, reviews and churn.
func (s *Server) loyaltyMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var errs cxm.FieldErrors
	lp, err := s.parseLoyaltyPeriod(r, p, loyaltyParams, &errs)
	if err != nil {
		return err
	}
	q := cxm.LoyaltyQuery{WorkspaceID: p.WorkspaceID, From: lp.from, To: lp.to, Attribute: lp.attr}
	if err := s.loyaltyTouchpoints(r, p, &q, &errs); err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	f, err := s.svc.Loyalty.LoyaltyFacts(r.Context(), q)
	if err != nil {
		return err
	}
	asOf := lp.to
	if now := s.now(); now.Before(asOf) {
		asOf = now
	}
	repeat := metric.RepeatPurchases(f.PurchasesPerCustomer)
	reviews := metric.ReviewSummary(metric.Moments{N: f.Reviews.N, Sum: f.Reviews.Sum, SumSq: f.Reviews.SumSq}, lp.opts)
	churn := metric.Churn(f.LastPurchases, asOf, lp.ws.ChurnDays, lp.opts)
	out := lp.wire()
	out["active_customers"] = f.ActiveCustomers
	out["repeat_purchase"] = map[string]any{"rate": metric.Rate(repeat, lp.opts), "buyers": repeat.N, "repeat_buyers": repeat.Hits}
	out["referral"] = map[string]any{"rate": metric.ReferralRate(f.Referrers, f.ActiveCustomers, lp.opts),
		"referrers": f.Referrers, "active_customers": f.ActiveCustomers}
	out["complaint"] = map[string]any{"rate": metric.ComplaintRate(f.Complainers, f.ActiveCustomers, lp.opts),
		"complainers": f.Complainers, "active_customers": f.ActiveCustomers}
	out["reviews"] = reviews
	out["churn"] = map[string]any{"churn_days": lp.ws.ChurnDays, "as_of": asOf.UTC(), "customers": churn.Customers,
		"churned": churn.Churned, "rate": churn.Rate}
	return writeJSON(w, http.StatusOK, out)
}

// loyaltyTouchpoints resolves the touchpoint and stage filters, which
// limit complaints and reviews, into q.
func (s *Server) loyaltyTouchpoints(r *http.Request, p *cxm.Principal, q *cxm.LoyaltyQuery, errs *cxm.FieldErrors) error {
	v := r.URL.Query()
	if len(v["touchpoint"]) == 0 && len(v["stage"]) == 0 {
		return nil
	}
	tps, err := s.svc.Touchpoints.ListTouchpoints(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	// The feedback metrics' filter parsing resolves keys and names each
	// unknown one; only the touchpoint and stage parameters are given.
	only := &http.Request{URL: &url.URL{RawQuery: url.Values{"touchpoint": v["touchpoint"], "stage": v["stage"]}.Encode()}}
	only = only.WithContext(r.Context())
	req := &analysis.FeedbackRequest{}
	if err := s.parseFeedbackFilters(only, p, tps, req, errs); err != nil {
		return err
	}
	q.FilterTouchpoints, q.TouchpointIDs = true, req.Filter.TouchpointIDs
	return nil
}

// cohortMetrics answers the monthly first-purchase cohorts whose first
// purchase falls in the period, with their retention in each later month
// up to the end of the period (or today), in the workspace's time zone.
// Without from, the period starts defaultCohortMonths months back.
func (s *Server) cohortMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var errs cxm.FieldErrors
	lp, err := s.parseLoyaltyPeriod(r, p, cohortParams, &errs)
	if err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	loc := lp.ws.Location()
	if r.URL.Query().Get("from") == "" {
		last := lp.to.Add(-time.Microsecond).In(loc)
		lp.from = time.Date(last.Year(), last.Month()-defaultCohortMonths+1, 1, 0, 0, 0, 0, loc)
	}
	hist, err := s.svc.Loyalty.PurchaseHistories(r.Context(), cxm.LoyaltyQuery{WorkspaceID: p.WorkspaceID, From: lp.from, To: lp.to, Attribute: lp.attr})
	if err != nil {
		return err
	}
	through := lp.to.Add(-time.Microsecond)
	if now := s.now(); now.Before(through) {
		through = now
	}
	out := lp.wire()
	out["from"] = lp.from.Format(time.DateOnly)
	out["cohorts"] = metric.Cohorts(hist, loc, through, lp.opts)
	return writeJSON(w, http.StatusOK, out)
}

// responseRateMetrics answers, per survey and in total, the completed
// responses to invitations delivered in the period ÷ those invitations.
func (s *Server) responseRateMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var errs cxm.FieldErrors
	lp, err := s.parseLoyaltyPeriod(r, p, responseRateParams, &errs)
	if err != nil {
		return err
	}
	q := cxm.ResponseRateQuery{WorkspaceID: p.WorkspaceID, From: lp.from, To: lp.to}
	surveys := map[int64]*cxm.Survey{}
	ids := filterValues(r.URL.Query()["survey"])
	if len(ids) > maxFilterValues {
		errs.Add("survey", "may list at most "+strconv.Itoa(maxFilterValues)+" values")
		ids = nil
	}
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			errs.Add("survey", quoteParam(raw)+" is not a survey id")
			continue
		}
		sv, err := s.svc.Surveys.FindSurvey(r.Context(), p.WorkspaceID, id)
		if cxm.ErrorCode(err) == cxm.ENotFound {
			errs.Add("survey", "no survey has the id "+raw)
			continue
		}
		if err != nil {
			return err
		}
		surveys[id] = sv
		q.SurveyIDs = append(q.SurveyIDs, id)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	facts, err := s.svc.Loyalty.ResponseFacts(r.Context(), q)
	if err != nil {
		return err
	}
	type row struct {
		SurveyID  int64           `json:"survey_id"`
		Slug      string          `json:"slug"`
		Name      string          `json:"name"`
		Delivered int64           `json:"delivered"`
		Responded int64           `json:"responded"`
		Rate      metric.Estimate `json:"rate"`
	}
	rows := []row{}
	var delivered, responded int64
	for _, f := range facts {
		sv := surveys[f.SurveyID]
		if sv == nil {
			if sv, err = s.svc.Surveys.FindSurvey(r.Context(), p.WorkspaceID, f.SurveyID); cxm.ErrorCode(err) == cxm.ENotFound {
				sv = &cxm.Survey{ID: f.SurveyID}
			} else if err != nil {
				return err
			}
		}
		rows = append(rows, row{SurveyID: f.SurveyID, Slug: sv.Slug, Name: sv.Name, Delivered: f.Delivered, Responded: f.Responded,
			Rate: metric.ResponseRate(f.Responded, f.Delivered, lp.opts)})
		delivered += f.Delivered
		responded += f.Responded
	}
	out := lp.wire()
	out["total"] = map[string]any{"delivered": delivered, "responded": responded,
		"rate": metric.ResponseRate(responded, delivered, lp.opts)}
	out["surveys"] = rows
	return writeJSON(w, http.StatusOK, out)
}
