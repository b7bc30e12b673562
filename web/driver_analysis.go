package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
)

// registerDriverRoutes registers the key-driver analysis; see routes.go.
func (s *Server) registerDriverRoutes() {
	s.handle("GET", "/api/v1/analysis/drivers", permRead, s.driverAnalysis)
}

// maxWindowDays bounds the window_days parameter of a driver analysis.
const maxWindowDays = 3650

// driverAnalysis answers the key drivers of the NPS answers in a period:
// GET /api/v1/analysis/drivers?from=&to=&survey=&method=&families=&min_n=&window_days=.
// Dates are days in the workspace's time zone; to is excluded.
func (s *Server) driverAnalysis(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	loc := ws.Location()
	v := r.URL.Query()
	q := cxm.DriverQuery{WorkspaceID: p.WorkspaceID}
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
	q.SurveyID = positive("survey", 1<<62)
	q.MinN = int(positive("min_n", maxMinN))
	q.Window = time.Duration(positive("window_days", maxWindowDays)) * 24 * time.Hour
	for _, name := range []string{"from", "to"} {
		raw := v.Get(name)
		if raw == "" {
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, raw, loc)
		if err != nil {
			errs.Add(name, "must be a date such as 2026-11-01")
			continue
		}
		if name == "from" {
			q.From = d
		} else {
			q.To = d
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		errs.Add("to", "must be after from (to is excluded)")
	}
	if q.Method, err = analysis.ParseDriverMethod("method", v.Get("method")); err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if q.Families, err = analysis.ParseDriverFamilies("families", v.Get("families")); err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if s.svc.Drivers == nil {
		return cxm.Errorf(cxm.ENotFound, "driver analysis is not available")
	}
	rep, err := analysis.AnalyzeDrivers(r.Context(), s.svc.Drivers, q)
	if err != nil {
		return err
	}
	rep.Period = analysis.ReportPeriod{From: v.Get("from"), To: v.Get("to"), TimeZone: loc.String()}
	return writeJSON(w, http.StatusOK, rep)
}
