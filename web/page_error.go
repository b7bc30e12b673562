package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// pageFiles are the templates and the style sheet of the pages for people.
//
//go:embed templates/survey/*.html static/survey.css
var pageFiles embed.FS

// pageTemplates are the parsed page templates: "survey" and "message".
var pageTemplates = template.Must(template.ParseFS(pageFiles, "templates/survey/*.html"))

// pageCSS is the style sheet, inlined in every page so that a page is one
// request; pageCSP allows exactly it by its hash and nothing else.
var pageCSS = mustRead(pageFiles, "static/survey.css")

var pageCSP = "default-src 'none'; style-src 'sha256-" + sha256Base64(pageCSS) +
	"'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func mustRead(fs embed.FS, name string) string {
	b, err := fs.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sha256Base64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// pageView is what every page template needs.
type pageView struct {
	Lang     string
	DocTitle string
	CSS      template.CSS
	T        texts
	// LangLinks switch the page to the other languages.
	LangLinks []langLink
}

// langLink is a link to the same page in another language.
type langLink struct {
	Href, Lang, Label string
}

// newPageView returns the common part of a page in locale titled title.
func newPageView(locale, title string) pageView {
	return pageView{Lang: locale, DocTitle: title, CSS: template.CSS(pageCSS), T: textsIn(locale)}
}

// messageView is a page that tells one thing: thanks, a closed survey,
// an expired link, an error.
type messageView struct {
	pageView
	Heading, Body, Detail string
}

// fail writes err as a page for people on page routes, and in the API's
// JSON form everywhere else.
func (s *Server) fail(rt route, w http.ResponseWriter, r *http.Request, err error) {
	if rt.page {
		s.writePageError(w, r, err)
		return
	}
	s.writeError(w, r, err)
}

// writePageError writes err as a friendly page: the status of its code, a
// title and a message in the language the request asks for (?lang=, then
// Accept-Language), and never a stack or the internal detail.
func (s *Server) writePageError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = cxm.Errorf(cxm.ETooLarge, "request body exceeds %d bytes", mbe.Limit)
	}
	code := cxm.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = cxm.EInternal, http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		s.log.Error("page request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	locale := firstLocale(explicitLocale(r), acceptLanguage(r.Header.Get("Accept-Language")))
	t := textsIn(locale)
	v := messageView{Heading: t.f("err." + code + ".title"), Body: t.f("err." + code + ".body")}
	if code == cxm.ERateLimited {
		secs, _ := strconv.Atoi(w.Header().Get("Retry-After"))
		v.Body = t.f("err.rate_limited.body", max(secs, 1))
	}
	if fields := cxm.ErrorFields(err); code == cxm.EInvalid && len(fields) > 0 {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.Field
		}
		v.Detail = t.f("fields", strings.Join(names, ", "))
	}
	v.pageView = newPageView(locale, v.Heading)
	s.renderPage(w, status, "message", v)
}

// setPageHeaders sets the headers of every page for people: HTML, never
// cached (it may show a customer's answers), no referrer (the link may
// carry a token), and a content security policy that allows nothing but
// the inlined style sheet and posting forms to this server.
func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

// renderPage executes the page template name with v and writes it with
// status. A template that fails is a fault of ours: it is logged and
// answered with a plain 500.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.Error("render page", "template", name, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("internal error\n"))
		return
	}
	setPageHeaders(w.Header())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
