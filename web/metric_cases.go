package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
)

// registerCaseMetricRoutes registers the closed-loop figures; see routes.go.
func (s *Server) registerCaseMetricRoutes() {
	s.handle("GET", "/api/v1/metrics/cases", permRead, s.caseMetrics)
}

// caseMetricParams lists the query parameters of /api/v1/metrics/cases.
var caseMetricParams = map[string]bool{"from": false, "to": false, "min_n": false, "by": false}

// caseMetrics answers the closed-loop figures of the cases created in a
// period: times to first response and resolution, SLA hit rate,
// resolutions by type with their amounts and the recovery rate, grouped
// by team, touchpoint or month, and the backlog of open cases by age.
func (s *Server) caseMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.CaseMetrics == nil {
		return cxm.Errorf(cxm.ENotFound, "case figures are not available on this server")
	}
	var errs cxm.FieldErrors
	lp, err := s.parseLoyaltyPeriod(r, p, caseMetricParams, &errs)
	if err != nil {
		return err
	}
	by := r.URL.Query().Get("by")
	switch by {
	case "", analysis.CasesByTeam, analysis.CasesByTouchpoint, analysis.CasesByMonth:
	default:
		errs.Add("by", "must be team, touchpoint or month")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	teams, touchpoints := map[int64]string{}, map[int64]string{}
	if s.svc.Teams != nil {
		ts, err := s.svc.Teams.ListTeams(ctx, p.WorkspaceID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			teams[t.ID] = t.Key
		}
	}
	tps, err := s.svc.Touchpoints.ListTouchpoints(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	for _, t := range tps {
		touchpoints[t.ID] = t.Key
	}
	rep, err := analysis.Cases(ctx, s.svc.CaseMetrics, p.WorkspaceID, analysis.CaseRequest{From: lp.from, To: lp.to,
		Loc: lp.ws.Location(), By: by, Now: s.now(), Options: lp.opts}, teams, touchpoints)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}
