package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// registerCaseRoutes registers the cases API. Who may do what:
//   - agents see and work the cases of their teams, the cases of no team
//     (the shared queue) and the cases assigned to them; any other case
//     is not found for them;
//   - analysts and read keys see every case and change none (403);
//   - admins and write keys see and work every case.
//
// See routes.go; notes and replies are in case_note.go.
func (s *Server) registerCaseRoutes() {
	s.handle("GET", "/api/v1/cases", permRead, s.listCases)
	s.handle("POST", "/api/v1/cases", permWriteData, s.createCase)
	s.handle("GET", "/api/v1/cases/{id}", permRead, s.getCase)
	s.handle("PATCH", "/api/v1/cases/{id}", permWriteData, s.updateCase)
	s.registerCaseNoteRoutes()
}

// cases returns the case service, or EUnsupported when none is configured.
func (s *Server) cases() (cxm.CaseService, error) {
	if s.svc.Cases == nil {
		return nil, cxm.Errorf(cxm.EUnsupported, "cases are not configured on this server")
	}
	return s.svc.Cases, nil
}

// caseScope is which cases a principal may see: all, or those of its
// teams, of no team and assigned to its user.
type caseScope struct {
	all   bool
	user  int64
	teams []int64
}

// caseScopeOf returns the case scope of p: agents are limited to their
// teams, everyone else sees all.
func (s *Server) caseScopeOf(r *http.Request, p *cxm.Principal) (caseScope, error) {
	if p.APIKeyID != 0 || p.Role != cxm.RoleAgent {
		return caseScope{all: true}, nil
	}
	ts, err := s.teams()
	if err != nil {
		return caseScope{}, err
	}
	teams, err := ts.TeamsOfUser(r.Context(), p.WorkspaceID, p.UserID)
	if err != nil {
		return caseScope{}, err
	}
	return caseScope{user: p.UserID, teams: teams}, nil
}

// sees reports whether the scope includes case c.
func (sc caseScope) sees(c *cxm.Case) bool {
	return sc.all || c.TeamID == 0 || c.AssigneeID == sc.user || slices.Contains(sc.teams, c.TeamID)
}

// findCase returns the case of the {id} path value that p may see; a case
// outside p's scope is not found.
func (s *Server) findCase(r *http.Request, p *cxm.Principal) (*cxm.Case, error) {
	cs, err := s.cases()
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	scope, err := s.caseScopeOf(r, p)
	if err != nil {
		return nil, err
	}
	c, err := cs.FindCase(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	if !scope.sees(c) {
		return nil, cxm.NotFound("case")
	}
	return c, nil
}

// idParam reads the query parameter name as a positive id; zero when absent.
func idParam(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, cxm.Invalid(cxm.FieldError{Field: name, Reason: "must be a positive integer id"})
	}
	return id, nil
}

// caseFilter reads the list filters: status and priority (comma-separated
// lists), team, assignee (me or a user id), breached (true or false),
// customer, cursor and limit.
func caseFilter(r *http.Request, p *cxm.Principal) (cxm.CaseFilter, error) {
	var f cxm.CaseFilter
	var errs cxm.FieldErrors
	q := r.URL.Query()
	page, err := pageOf(r)
	errs = append(errs, cxm.ErrorFields(err)...)
	f.Page = page
	if v := q.Get("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if st := cxm.CaseStatus(strings.TrimSpace(st)); st.Valid() {
				f.Statuses = append(f.Statuses, st)
			} else {
				errs.Add("status", "must be new, in_progress, waiting, resolved or closed, comma-separated")
				break
			}
		}
	}
	if v := q.Get("priority"); v != "" {
		for _, pr := range strings.Split(v, ",") {
			if pr := cxm.CasePriority(strings.TrimSpace(pr)); pr.Valid() {
				f.Priorities = append(f.Priorities, pr)
			} else {
				errs.Add("priority", "must be low, normal, high or urgent, comma-separated")
				break
			}
		}
	}
	team, err := idParam(r, "team")
	errs = append(errs, cxm.ErrorFields(err)...)
	if team != 0 {
		f.TeamIDs = []int64{team}
	}
	switch v := q.Get("assignee"); {
	case v == "me" && p.UserID == 0:
		errs.Add("assignee", "me needs a signed-in user, not an API key")
	case v == "me":
		f.AssigneeID = p.UserID
	default:
		f.AssigneeID, err = idParam(r, "assignee")
		if err != nil {
			errs.Add("assignee", "must be me or a positive integer user id")
		}
	}
	switch q.Get("breached") {
	case "", "false":
	case "true":
		f.Breached = true
	default:
		errs.Add("breached", "must be true or false")
	}
	f.CustomerID, err = idParam(r, "customer")
	errs = append(errs, cxm.ErrorFields(err)...)
	return f, errs.Err()
}

// listCases lists one page of the cases the caller may see, newest first.
func (s *Server) listCases(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	f, err := caseFilter(r, p)
	if err != nil {
		return err
	}
	scope, err := s.caseScopeOf(r, p)
	if err != nil {
		return err
	}
	if !scope.all {
		switch {
		case len(f.TeamIDs) == 1 && slices.Contains(scope.teams, f.TeamIDs[0]):
			// A team of the agent's: all its cases.
		case len(f.TeamIDs) == 1:
			// Another team: only what was assigned to the agent.
			if f.AssigneeID != 0 && f.AssigneeID != scope.user {
				return writeList(w, []*cxm.Case{}, "")
			}
			f.AssigneeID = scope.user
		default:
			f.TeamIDs, f.Unowned, f.OrAssignedTo = scope.teams, true, scope.user
		}
	}
	list, next, err := cs.ListCases(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	return writeList(w, list, next)
}

// caseRequest opens a case by hand, optionally for a response, whose
// customer and touchpoint the case then links.
type caseRequest struct {
	Title        string           `json:"title"`
	Priority     cxm.CasePriority `json:"priority"`
	TeamID       int64            `json:"team_id"`
	AssigneeID   int64            `json:"assignee_id"`
	ResponseID   string           `json:"response_id"`
	CustomerID   int64            `json:"customer_id"`
	TouchpointID int64            `json:"touchpoint_id"`
}

// createCase opens a case by hand; the caller is the actor of its created event.
func (s *Server) createCase(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	var req caseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c := &cxm.Case{WorkspaceID: p.WorkspaceID, Title: req.Title, Priority: req.Priority, TeamID: req.TeamID,
		AssigneeID: req.AssigneeID, ResponseID: req.ResponseID, CustomerID: req.CustomerID, TouchpointID: req.TouchpointID}
	if err := cs.CreateCase(r.Context(), c, p.UserID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// caseBody is a case with its timeline, oldest event first.
type caseBody struct {
	*cxm.Case
	Timeline []*cxm.CaseEvent `json:"timeline"`
}

// getCase returns a case with its whole timeline.
func (s *Server) getCase(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	c, err := s.findCase(r, p)
	if err != nil {
		return err
	}
	tl, err := s.svc.Cases.CaseTimeline(r.Context(), p.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, caseBody{Case: c, Timeline: tl})
}

// updateCase changes a case: status (by the lifecycle; resolving needs a
// resolution), priority, team, assignee or title. Each changed field is
// one timeline event with the caller as actor.
func (s *Server) updateCase(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	c, err := s.findCase(r, p)
	if err != nil {
		return err
	}
	var u cxm.CaseUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	if u.Status == nil && u.Priority == nil && u.TeamID == nil && u.AssigneeID == nil && u.Title == nil && u.Resolution == nil {
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "names no field to change: status, priority, team_id, assignee_id, title or resolution"})
	}
	got, err := s.svc.Cases.UpdateCase(r.Context(), p.WorkspaceID, c.ID, u, p.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, got)
}
