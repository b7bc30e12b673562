package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// getWorkspace returns the caller's workspace.
func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return s.writeWorkspace(r.Context(), w, ws, nil) // response_original.go: with its text privacy
}

// updateWorkspace changes the caller's workspace's name, time zone or locale.
func (s *Server) updateWorkspace(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var u struct {
		cxm.WorkspaceUpdate
		cxm.TextPrivacyUpdate
	}
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	ws, err := s.svc.Workspaces.UpdateWorkspace(r.Context(), p.WorkspaceID, u.WorkspaceUpdate)
	if err != nil {
		return err
	}
	return s.writeWorkspace(r.Context(), w, ws, &u.TextPrivacyUpdate)
}
