package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/text"
)

// registerTextTopicRoutes registers the reading and editing of the
// workspace's topic taxonomy; see routes.go.
func (s *Server) registerTextTopicRoutes() {
	s.handle("GET", "/api/v1/text/topics", permRead, s.getTextTopics)
	s.handle("PUT", "/api/v1/text/topics", permConfigure, s.putTextTopics)
}

// textTopicsBody is the workspace's taxonomy as the API shows it.
type textTopicsBody struct {
	// Version is 0 while the workspace uses the default taxonomy.
	Version int  `json:"version"`
	Default bool `json:"default"`
	text.Taxonomy
}

// getTextTopics returns the workspace's topics with their German and
// English names and terms: its own once stored, else the default.
func (s *Server) getTextTopics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.TextTopics == nil {
		return writeJSON(w, http.StatusOK, textTopicsBody{Default: true, Taxonomy: text.DefaultTaxonomy()})
	}
	t, err := s.svc.TextTopics.FindTextTopics(r.Context(), p.WorkspaceID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return writeJSON(w, http.StatusOK, textTopicsBody{Default: true, Taxonomy: text.DefaultTaxonomy()})
	}
	if err != nil {
		return err
	}
	out := textTopicsBody{Version: t.Version}
	if err := json.Unmarshal(t.Taxonomy, &out.Taxonomy); err != nil {
		return fmt.Errorf("web: text topics of workspace %d: %w", p.WorkspaceID, err)
	}
	return writeJSON(w, http.StatusOK, out)
}

// putTextTopics replaces the workspace's topics: add, rename, edit or
// remove topics and their terms in one go. Every fault is named, such as
// "topics[2].terms.de[5]"; a faulty taxonomy changes nothing. Responses
// analysed afterwards use the new topics; cxm text backfill --again
// analyses older ones again.
func (s *Server) putTextTopics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.TextTopics == nil {
		return cxm.Errorf(cxm.EUnsupported, "workspace topics are not configured on this server")
	}
	var tax text.Taxonomy
	if err := decodeJSON(r, &tax); err != nil {
		return err
	}
	if tax.Topics == nil {
		return cxm.Invalid(cxm.FieldError{Field: "topics", Reason: "is required: the whole list of topics"})
	}
	if err := tax.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(tax)
	if err != nil {
		return fmt.Errorf("web: encode text topics: %w", err)
	}
	t := &cxm.TextTopics{WorkspaceID: p.WorkspaceID, Taxonomy: b}
	if err := s.svc.TextTopics.SaveTextTopics(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, textTopicsBody{Version: t.Version, Taxonomy: tax})
}
