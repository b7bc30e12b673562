package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/cxmhq/cxm"
)

// unsubscribeTexts are the texts of the unsubscribe pages per locale; %s
// is the company's name.
var unsubscribeTexts = map[string]map[string]string{
	"de": {
		"title":      "Keine Umfragen mehr per E-Mail?",
		"body":       "Möchten Sie keine Einladungen zu Umfragen von %s mehr per E-Mail erhalten?",
		"button":     "Abmelden",
		"done.title": "Sie sind abgemeldet",
		"done.body":  "Sie erhalten keine Umfrage-E-Mails mehr von %s.",
	},
	"en": {
		"title":      "No more survey emails?",
		"body":       "Do you want to stop receiving survey invitations from %s by email?",
		"button":     "Unsubscribe",
		"done.title": "You are unsubscribed",
		"done.body":  "You will get no more survey emails from %s.",
	},
}

// unsubscribeTemplate is the confirmation page: one question and a button
// that posts to the same address. It needs no JavaScript.
var unsubscribeTemplate = template.Must(template.Must(pageTemplates.Clone()).Parse(`{{define "unsubscribe"}}{{template "top" .}}
<h1>{{.Heading}}</h1>
<p>{{.Body}}</p>
<form method="post">
<button type="submit" class="primary">{{.Button}}</button>
</form>
{{template "bottom" .}}{{end}}`))

// unsubscribeView is the data of the unsubscribe pages.
type unsubscribeView struct {
	pageView
	Heading, Body, Button string
}

// unsubscribeTarget checks the signed unsubscribe token of the request
// and returns its invitation, the workspace, and the locale of the page:
// ?lang=, else the invitation's, else Accept-Language.
func (s *Server) unsubscribeTarget(r *http.Request) (*cxm.Invitation, *cxm.Workspace, string, error) {
	if s.cfg.Signer == nil || s.svc.Invitations == nil {
		return nil, nil, "", cxm.Errorf(cxm.EUnauthorized, "this link is not valid")
	}
	ref, err := s.cfg.Signer.Verify(r.PathValue("token"), cxm.PurposeUnsubscribe, s.now())
	if err != nil {
		return nil, nil, "", err
	}
	inv, err := s.svc.Invitations.FindInvitation(r.Context(), ref.WorkspaceID, ref.ID)
	if err != nil {
		return nil, nil, "", err
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), ref.WorkspaceID)
	if err != nil {
		return nil, nil, "", err
	}
	locale := firstLocale(explicitLocale(r), inv.Locale, acceptLanguage(r.Header.Get("Accept-Language")))
	return inv, ws, locale, nil
}

// unsubscribePage asks, from the link in a survey email, whether the
// customer wants no more survey emails. It changes nothing, since mail
// programs and scanners open links on their own; the button posts.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	_, ws, locale, err := s.unsubscribeTarget(r)
	if err != nil {
		return err
	}
	t := unsubscribeTexts[locale]
	v := unsubscribeView{pageView: newPageView(locale, t["title"]), Heading: t["title"],
		Body: fmt.Sprintf(t["body"], ws.Name), Button: t["button"]}
	var buf bytes.Buffer
	if err := unsubscribeTemplate.ExecuteTemplate(&buf, "unsubscribe", v); err != nil {
		return err
	}
	setPageHeaders(w.Header())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}

// unsubscribe withdraws the email consent of the customer the signed
// link names and confirms it. It is also the target of one-click
// unsubscribing from the List-Unsubscribe-Post header (RFC 8058).
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	inv, ws, locale, err := s.unsubscribeTarget(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Invitations.Unsubscribe(r.Context(), inv.WorkspaceID, inv.ID); err != nil {
		return err
	}
	s.log.Info("customer unsubscribed from survey emails", "workspace", inv.WorkspaceID, "invitation", inv.ID)
	t := unsubscribeTexts[locale]
	v := messageView{pageView: newPageView(locale, t["done.title"]), Heading: t["done.title"], Body: fmt.Sprintf(t["done.body"], ws.Name)}
	s.renderPage(w, http.StatusOK, "message", v)
	return nil
}
