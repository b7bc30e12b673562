package web

import (
	"net/http"
	"strconv"

	"github.com/cxmhq/cxm"
)

// registerTextModelRoutes registers the listing and activation of the
// workspace's trained sentiment models; see routes.go.
func (s *Server) registerTextModelRoutes() {
	s.handle("GET", "/api/v1/text/models", permRead, s.listTextModels)
	s.handle("POST", "/api/v1/text/models/{version}/activate", permAdmin, s.activateTextModel)
}

// textModels returns the model service or an error when there is none.
func (s *Server) textModels() (cxm.TextModelService, error) {
	if s.svc.TextModels == nil {
		return nil, cxm.Errorf(cxm.EUnsupported, "trained text models are not configured on this server")
	}
	return s.svc.TextModels, nil
}

// listTextModels lists the versions of the workspace's trained sentiment
// model, newest first; the active one blends with the lexicon.
func (s *Server) listTextModels(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, err := s.textModels()
	if err != nil {
		return err
	}
	models, err := svc.ListTextModels(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, models, "")
}

// activateTextModel makes a version of the workspace's model the active
// one, such as an earlier one to restore it.
func (s *Server) activateTextModel(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, err := s.textModels()
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return cxm.Invalid(cxm.FieldError{Field: "version", Reason: "must be a positive whole number"})
	}
	m, err := svc.ActivateTextModel(r.Context(), p.WorkspaceID, v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}
