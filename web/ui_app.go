package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// appFiles are the templates and static files of the browser workspace.
// The vendor folder holds htmx and ECharts once `npm run build` ran; on a
// clean clone it holds only its README, and the pages work without them.
//
//go:embed templates/app/*.html ui/static
var appFiles embed.FS

// appTemplates are the parsed templates of the browser workspace.
var appTemplates = template.Must(template.ParseFS(appFiles, "templates/app/*.html"))

// appCSP is the Content-Security-Policy of every /app page: scripts, styles
// and everything else from this server only, no inline script or style,
// no eval, no framing.
const appCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// appVendorScripts are the vendored scripts every page loads when built,
// in order; app.js comes after them.
var appVendorScripts = []string{"vendor/htmx.min.js", "vendor/echarts.min.js"}

// appLangCookie keeps the language a user picked with a language link.
const appLangCookie = "cxm_lang"

// appPages are the pages of the navigation bar, in order. Only the
// overview exists yet; the others show a "coming soon" page.
var appPages = []struct{ key, href string }{
	{"overview", "/app/"}, {"journey", "/app/journey"}, {"verbatims", "/app/verbatims"},
	{"cases", "/app/cases"}, {"surveys", "/app/surveys"}, {"settings", "/app/settings"},
}

// registerAppRoutes registers the browser workspace under /app. The pages
// authenticate by session cookie themselves (app), so that a visitor who
// is not signed in is sent to the sign-in page rather than shown an error.
func (s *Server) registerAppRoutes() {
	for _, name := range appVendorScripts {
		if _, err := fs.Stat(appFiles, "ui/static/"+name); err != nil {
			s.log.Warn("browser asset missing: run `make assets` (npm ci && npm run build); pages render without it", "file", "web/ui/static/"+name)
		}
	}
	s.page("GET", "/app/static/{file...}", permPublic, s.appStatic)
	s.page("GET", "/app/sign-in", permPublic, s.appSignInForm)
	s.page("POST", "/app/sign-in", permPublic, s.appSignIn)
	s.page("POST", "/app/sign-out", permPublic, s.app(s.appSignOut))
	s.page("POST", "/app/switch", permPublic, s.app(s.appSwitch))
	s.page("GET", "/app", permPublic, func(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
		http.Redirect(w, r, "/app/", http.StatusSeeOther)
		return nil
	})
	s.page("GET", "/app/{$}", permPublic, s.app(s.appHome))
	s.page("GET", "/app/{page}", permPublic, s.app(s.appSoon))
}

// appRequest is what an /app handler knows about the signed-in user.
type appRequest struct {
	p          *cxm.Principal
	user       *cxm.User
	workspace  *cxm.Workspace
	workspaces []*cxm.WorkspaceMembership
	lang       string
	csrf       string
}

// appView is what every /app template needs.
type appView struct {
	Lang, Title   string
	T             map[string]string
	Scripts       []string
	Signed        bool
	Nav           []appLink
	UserName      string
	WorkspaceName string
	Workspaces    []appWorkspace
	CSRF          string
	LangLinks     []langLink
}

// appLink is a link of the navigation bar.
type appLink struct {
	Href, Label string
	Current     bool
}

// appWorkspace is one entry of the workspace switcher.
type appWorkspace struct {
	Slug, Name string
	Current    bool
}

// app wraps an /app handler: it finds the signed-in user by the session
// cookie only (API keys do not open the browser workspace), sends a
// visitor without a valid session to the sign-in page, checks the CSRF
// token of every POST, and shows errors as /app pages.
func (s *Server) app(h func(http.ResponseWriter, *http.Request, *appRequest) error) func(http.ResponseWriter, *http.Request, *cxm.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
		cookieOnly := r.Clone(r.Context())
		cookieOnly.Header.Del("Authorization")
		p, err := s.principal(cookieOnly)
		if err != nil {
			if cxm.ErrorCode(err) == cxm.EUnauthorized {
				next := ""
				if r.Method == http.MethodGet {
					next = "?next=" + url.QueryEscape(r.URL.RequestURI())
				}
				http.Redirect(w, r, "/app/sign-in"+next, http.StatusSeeOther)
				return nil
			}
			s.appError(w, r, appLocale(r, ""), err)
			return nil
		}
		c, _ := r.Cookie(sessionCookie)
		ar := &appRequest{p: p, csrf: appCSRFToken(c.Value)}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := r.ParseForm(); err != nil || !validCSRF(r.PostForm.Get("csrf"), ar.csrf) {
				s.appCSRFRefused(w, r)
				return nil
			}
		}
		if ar.user, err = s.svc.Users.FindUserByID(r.Context(), p.UserID); err == nil {
			if ar.workspace, err = s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID); err == nil {
				ar.workspaces, err = s.svc.Users.ListUserWorkspaces(r.Context(), p.UserID)
			}
		}
		if err != nil {
			s.appError(w, r, appLocale(r, ""), fmt.Errorf("load the signed-in user: %w", err))
			return nil
		}
		ar.lang = appLocale(r, ar.user.Locale)
		if l := explicitLocale(r); l != "" {
			http.SetCookie(w, &http.Cookie{Name: appLangCookie, Value: l, Path: "/app", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies})
		}
		if err := h(w, r, ar); err != nil {
			s.appError(w, r, ar.lang, err)
		}
		return nil
	}
}

// appLocale picks the language of an /app page: the ?lang= of a language
// link, then the language the user picked before (cookie), then the
// user's own setting, then the browser's Accept-Language.
func appLocale(r *http.Request, userLocale string) string {
	var picked string
	if c, err := r.Cookie(appLangCookie); err == nil {
		picked = c.Value
	}
	return firstLocale(explicitLocale(r), picked, userLocale, acceptLanguage(r.Header.Get("Accept-Language")))
}

// newAppView returns the common part of an /app page; ar is nil for a
// visitor who is not signed in.
func newAppView(r *http.Request, lang, title string, ar *appRequest) appView {
	v := appView{Lang: lang, Title: title, T: appTexts[lang]}
	for _, name := range appVendorScripts {
		if _, err := fs.Stat(appFiles, "ui/static/"+name); err == nil {
			v.Scripts = append(v.Scripts, "/app/static/"+name)
		}
	}
	v.Scripts = append(v.Scripts, "/app/static/app.js")
	for _, l := range cxm.Locales {
		if l != lang {
			q := r.URL.Query()
			q.Set("lang", l)
			v.LangLinks = append(v.LangLinks, langLink{Href: r.URL.Path + "?" + q.Encode(), Lang: l, Label: pageTexts[l]["language."+l]})
		}
	}
	if ar == nil {
		return v
	}
	v.Signed, v.CSRF = true, ar.csrf
	v.UserName = ar.user.Name
	if v.UserName == "" {
		v.UserName = ar.user.Email
	}
	v.WorkspaceName = ar.workspace.Name
	for _, pg := range appPages {
		v.Nav = append(v.Nav, appLink{Href: pg.href, Label: v.T["nav_"+pg.key], Current: pg.href == r.URL.Path})
	}
	for _, m := range ar.workspaces {
		v.Workspaces = append(v.Workspaces, appWorkspace{Slug: m.Workspace.Slug, Name: m.Workspace.Name, Current: m.Workspace.ID == ar.workspace.ID})
	}
	return v
}

// appMessage is a page that tells one thing.
type appMessage struct {
	appView
	Heading, Body, Back string
}

// appSoon shows a page of the navigation bar that is not built yet, and
// a not-found page for any other name.
func (s *Server) appSoon(w http.ResponseWriter, r *http.Request, ar *appRequest) error {
	name := r.PathValue("page")
	for _, pg := range appPages {
		if pg.href == "/app/"+name {
			t := appTexts[ar.lang]
			v := appMessage{appView: newAppView(r, ar.lang, t["nav_"+pg.key], ar), Heading: t["soon_title"],
				Body: fmt.Sprintf(t["soon_body"], t["nav_"+pg.key]), Back: "/app/"}
			s.renderApp(w, http.StatusOK, "message", v)
			return nil
		}
	}
	return cxm.Errorf(cxm.ENotFound, "no page %q", name)
}

// appError shows err as an /app page with the status of its code.
func (s *Server) appError(w http.ResponseWriter, r *http.Request, lang string, err error) {
	status, ok := statusOf[cxm.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	key := "error"
	switch status {
	case http.StatusForbidden:
		key = "forbidden"
	case http.StatusNotFound:
		key = "notfound"
	case http.StatusInternalServerError:
		s.log.Error("app page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	t := appTexts[lang]
	v := appMessage{appView: newAppView(r, lang, t[key+"_title"], nil), Heading: t[key+"_title"], Body: t[key+"_body"], Back: "/app/"}
	s.renderApp(w, status, "message", v)
}

// appCSRFRefused answers a form without a valid CSRF token: 403 and a
// page that says nothing was changed.
func (s *Server) appCSRFRefused(w http.ResponseWriter, r *http.Request) {
	lang := appLocale(r, "")
	t := appTexts[lang]
	v := appMessage{appView: newAppView(r, lang, t["csrf_title"], nil), Heading: t["csrf_title"], Body: t["csrf_body"], Back: "/app/"}
	s.renderApp(w, http.StatusForbidden, "message", v)
}

// renderApp executes the /app template name with v and writes it with
// status and the headers of every /app page.
func (s *Server) renderApp(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := appTemplates.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.Error("render app page", "template", name, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("internal error\n"))
		return
	}
	setAppHeaders(w.Header())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// setAppHeaders sets the headers of every /app page: HTML, the strict
// content security policy, never cached, never framed.
func setAppHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", appCSP)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

// appStatic serves the embedded style sheet, script and vendored assets.
func (s *Server) appStatic(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	name := r.PathValue("file")
	if name == "" || strings.Contains(name, "..") || strings.HasSuffix(name, ".md") {
		return cxm.Errorf(cxm.ENotFound, "no file %q", name)
	}
	b, err := appFiles.ReadFile("ui/static/" + path.Clean(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return cxm.Errorf(cxm.ENotFound, "no file %q", name)
		}
		return fmt.Errorf("read static file %s: %w", name, err)
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", appCSP)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	return nil
}
