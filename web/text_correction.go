package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// registerTextCorrectionRoutes registers the sentiment correction of a
// response; see routes.go.
func (s *Server) registerTextCorrectionRoutes() {
	s.handle("PUT", "/api/v1/responses/{id}/sentiment", permWriteData, s.correctSentiment)
}

// sentimentRequest is the body of a sentiment correction.
type sentimentRequest struct {
	Label string `json:"label"`
}

// correctSentiment sets the sentiment label of a response's free text by
// hand, keeping who did it, when, and the label before. It answers with
// the response's text analysis as it now reads.
func (s *Server) correctSentiment(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.TextCorrections == nil || s.svc.Texts == nil {
		return cxm.Errorf(cxm.EUnsupported, "text analysis is not configured on this server")
	}
	var req sentimentRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Label == "" {
		return cxm.Invalid(cxm.FieldError{Field: "label", Reason: "is required: negative, neutral or positive"})
	}
	if !cxm.ValidSentimentLabel(req.Label) {
		return cxm.Invalid(cxm.FieldError{Field: "label", Reason: "must be negative, neutral or positive"})
	}
	c := &cxm.SentimentCorrection{WorkspaceID: p.WorkspaceID, ResponseID: r.PathValue("id"), Label: req.Label,
		UserID: p.UserID, APIKeyID: p.APIKeyID}
	if err := s.svc.TextCorrections.CorrectSentiment(r.Context(), c); err != nil {
		return err
	}
	a, err := s.svc.Texts.FindTextAnalysis(r.Context(), p.WorkspaceID, c.ResponseID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}
