package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// listAPIKeys lists the workspace's keys, without secrets.
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ks, err := s.svc.APIKeys.ListAPIKeys(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, ks, "")
}

// createdAPIKey is the answer to creating a key: the only time the token is shown.
type createdAPIKey struct {
	*cxm.APIKey
	Token string `json:"token"`
}

// createAPIKey makes a new key and returns its token once.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req struct {
		Name  string    `json:"name"`
		Scope cxm.Scope `json:"scope"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	k := &cxm.APIKey{WorkspaceID: p.WorkspaceID, Name: req.Name, Scope: req.Scope}
	token, err := s.svc.APIKeys.CreateAPIKey(r.Context(), k)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdAPIKey{APIKey: k, Token: token})
}

// revokeAPIKey revokes a key; it stops working at once.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.APIKeys.RevokeAPIKey(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
