package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// registerTeamRoutes registers the teams API: everyone of the workspace
// reads the teams (to assign cases); admins and write keys configure
// them. See routes.go.
func (s *Server) registerTeamRoutes() {
	s.handle("GET", "/api/v1/teams", permRead, s.listTeams)
	s.handle("POST", "/api/v1/teams", permConfigure, s.createTeam)
	s.handle("GET", "/api/v1/teams/{id}", permRead, s.getTeam)
	s.handle("PATCH", "/api/v1/teams/{id}", permConfigure, s.updateTeam)
	s.handle("DELETE", "/api/v1/teams/{id}", permConfigure, s.deleteTeam)
}

// teams returns the team service, or EUnsupported when none is configured.
func (s *Server) teams() (cxm.TeamService, error) {
	if s.svc.Teams == nil {
		return nil, cxm.Errorf(cxm.EUnsupported, "teams are not configured on this server")
	}
	return s.svc.Teams, nil
}

// listTeams lists the workspace's teams with their members.
func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ts, err := s.teams()
	if err != nil {
		return err
	}
	list, err := ts.ListTeams(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, list, "")
}

// teamRequest is the writable part of a team; on PATCH, absent fields stay.
type teamRequest struct {
	Key       string   `json:"key"`
	Name      *string  `json:"name"`
	MemberIDs *[]int64 `json:"member_ids"`
}

// applyTo sets the name and members given in req on t.
func (req *teamRequest) applyTo(t *cxm.Team) {
	if req.Name != nil {
		t.Name = *req.Name
	}
	if req.MemberIDs != nil {
		t.MemberIDs = *req.MemberIDs
	}
}

// createTeam adds a team with its members.
func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ts, err := s.teams()
	if err != nil {
		return err
	}
	var req teamRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t := &cxm.Team{WorkspaceID: p.WorkspaceID, Key: req.Key}
	req.applyTo(t)
	if err := ts.CreateTeam(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, t)
}

// getTeam returns one team.
func (s *Server) getTeam(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ts, err := s.teams()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := ts.FindTeam(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// updateTeam renames a team or replaces its members; the key stays.
func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ts, err := s.teams()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req teamRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Key != "" {
		return cxm.Invalid(cxm.FieldError{Field: "key", Reason: "cannot be changed"})
	}
	t, err := ts.FindTeam(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	req.applyTo(t)
	if err := ts.UpdateTeam(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// deleteTeam removes a team that owns no open case.
func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ts, err := s.teams()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := ts.DeleteTeam(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
