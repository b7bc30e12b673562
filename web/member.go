package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// listMembers lists the workspace's users with their roles.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ms, err := s.svc.Users.ListMembers(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, ms, "")
}

// addMemberRequest adds a user to the workspace, creating the user if the
// email is new (then a password is required).
type addMemberRequest struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Locale   string   `json:"locale"`
	Role     cxm.Role `json:"role"`
	Password string   `json:"password"`
}

// addMember adds a user to the workspace with a role.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req addMemberRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !req.Role.Valid() {
		return cxm.Invalid(cxm.FieldError{Field: "role", Reason: "must be admin, analyst or agent"})
	}
	u, err := s.svc.Users.FindUserByEmail(r.Context(), req.Email)
	switch {
	case cxm.ErrorCode(err) == cxm.ENotFound:
		if err := cxm.ValidatePassword(req.Password); err != nil {
			return err
		}
		u = &cxm.User{Email: req.Email, Name: req.Name, Locale: req.Locale, PasswordHash: s.cfg.HashPassword(req.Password)}
		if err := u.Validate(); err != nil {
			return err
		}
		if err := s.svc.Users.CreateUser(r.Context(), u); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	if err := s.svc.Users.SetMember(r.Context(), p.WorkspaceID, u.ID, req.Role); err != nil {
		return err
	}
	m, err := s.svc.Users.FindMember(r.Context(), p.WorkspaceID, u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}

// updateMember changes a member's role.
func (s *Server) updateMember(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Role cxm.Role `json:"role"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !req.Role.Valid() {
		return cxm.Invalid(cxm.FieldError{Field: "role", Reason: "must be admin, analyst or agent"})
	}
	if _, err := s.svc.Users.FindMember(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	if id == p.UserID && req.Role != cxm.RoleAdmin {
		return cxm.Errorf(cxm.EConflict, "you cannot take away your own admin role")
	}
	if err := s.svc.Users.SetMember(r.Context(), p.WorkspaceID, id, req.Role); err != nil {
		return err
	}
	m, err := s.svc.Users.FindMember(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// removeMember takes a user out of the workspace.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if id == p.UserID {
		return cxm.Errorf(cxm.EConflict, "you cannot remove yourself")
	}
	if err := s.svc.Users.RemoveMember(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
