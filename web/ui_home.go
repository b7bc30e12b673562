package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cxmhq/cxm"
)

// homeView is the landing page of the browser workspace, the future
// overview: for now links to the JSON figures, or a first step when the
// workspace has no data.
type homeView struct {
	appView
	Home struct {
		HasData bool
		Curl    string
		Links   []appLink
	}
}

// appHome shows the landing page of the signed-in user's workspace.
func (s *Server) appHome(w http.ResponseWriter, r *http.Request, ar *appRequest) error {
	t := appTexts[ar.lang]
	v := homeView{appView: newAppView(r, ar.lang, t["title_overview"], ar)}
	is, _, err := s.svc.Interactions.ListInteractions(r.Context(), ar.p.WorkspaceID, cxm.InteractionFilter{Page: cxm.Page{Limit: 1}})
	if err != nil {
		return fmt.Errorf("look for interactions: %w", err)
	}
	rs, _, err := s.svc.Responses.ListResponses(r.Context(), ar.p.WorkspaceID, cxm.ResponseFilter{Page: cxm.Page{Limit: 1}})
	if err != nil {
		return fmt.Errorf("look for responses: %w", err)
	}
	v.Home.HasData = len(is) > 0 || len(rs) > 0
	if v.Home.HasData {
		return s.appOverview(w, r, ar)
	}
	v.Home.Curl = "curl -X POST " + s.appBaseURL(r) + "/api/v1/interactions \\\n" +
		"  -H 'Authorization: Bearer " + appKeyPlaceholder[ar.lang] + "' \\\n" +
		"  -H 'Content-Type: application/json' \\\n" +
		`  -d '{"id":"order-1001","customer":"customer-42","touchpoint":"checkout","type":"order","occurred_at":"2026-01-02T10:00:00Z"}'`
	s.renderApp(w, http.StatusOK, "home", v)
	return nil
}

// appKeyPlaceholder stands for the API key in the curl line, per locale.
var appKeyPlaceholder = map[string]string{"de": "<API-Schlüssel>", "en": "<API key>"}

// appBaseURL is the address clients reach this server at: PublicURL when
// set, else the scheme and host of the request.
func (s *Server) appBaseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
