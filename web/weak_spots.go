package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
)

// registerWeakSpotRoutes registers the weak-spot analysis; see routes.go.
func (s *Server) registerWeakSpotRoutes() {
	s.handle("GET", "/api/v1/analysis/weak-spots", permRead, s.weakSpots)
}

// weakSpotParams lists the query parameters of
// /api/v1/analysis/weak-spots and whether each may repeat.
var weakSpotParams = map[string]bool{
	"metric": false, "from": false, "to": false, "compare": false, "min_n": false, "adjust": false,
	"touchpoint": true, "stage": true, "survey": true, "channel": true, "locale": true,
}

// weakSpots answers the ranked weak touchpoints of one feedback metric
// over a period against the previous one or the same period last year.
// Unlike the feedback metrics, its tests of change are adjusted unless
// adjust=none.
func (s *Server) weakSpots(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ctx := r.Context()
	ws, err := s.svc.Workspaces.FindWorkspaceByID(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	tps, err := s.svc.Touchpoints.ListTouchpoints(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	fr, err := s.parseFeedbackRequest(r, p, ws.Location(), tps, weakSpotParams)
	if err != nil {
		return err
	}
	rep, err := analysis.WeakSpots(ctx, s.svc.Rollups, p.WorkspaceID, analysis.WeakSpotRequest{
		Metric: fr.Metric, From: fr.From, To: fr.To, Loc: fr.Loc, Compare: fr.Compare, Filter: fr.Filter,
		MatchNothing: fr.MatchNothing, Touchpoints: tps, Unadjusted: r.URL.Query().Get("adjust") == "none", Options: fr.Options})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}
