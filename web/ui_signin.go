package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// appSignInCookie carries the CSRF token of the sign-in form, which is
// shown before there is a session (double-submit: the form's hidden field
// must match it).
const appSignInCookie = "cxm_signin"

// appCSRFToken is the CSRF token of the session whose cookie value is
// token: a hash that only a holder of the secret session token can know,
// so no storage is needed and it ends with the session.
func appCSRFToken(sessionToken string) string {
	return cxm.HashSecret("cxm app csrf\x00" + sessionToken)
}

// validCSRF reports whether a form's token equals the expected one.
func validCSRF(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// appNext returns where to go after signing in: a path of the browser
// workspace from the form, never another site.
func appNext(next string) string {
	if strings.HasPrefix(next, "/app/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		if u, err := url.Parse(next); err == nil && u.Host == "" && u.Scheme == "" {
			return next
		}
	}
	return "/app/"
}

// signInView is the sign-in page.
type signInView struct {
	appView
	Error, Email, WorkspaceSlug, Next string
}

// appSignInForm shows the sign-in form with a fresh CSRF token.
func (s *Server) appSignInForm(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	s.renderSignIn(w, r, http.StatusOK, signInView{Next: appNext(r.URL.Query().Get("next"))})
	return nil
}

// renderSignIn writes the sign-in page with a new CSRF cookie and field.
func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, v signInView) {
	token, _ := cxm.NewSessionToken()
	http.SetCookie(w, &http.Cookie{Name: appSignInCookie, Value: token, Path: "/app/sign-in", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.cfg.SecureCookies})
	lang := appLocale(r, "")
	v.appView = newAppView(r, lang, appTexts[lang]["signin_title"], nil)
	v.CSRF = token
	s.renderApp(w, status, "signin", v)
}

// appSignIn checks the form's CSRF token, then signs in through the same
// checks and session machinery as POST /api/v1/auth/login, and goes on to
// the page asked for.
func (s *Server) appSignIn(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	lang := appLocale(r, "")
	t := appTexts[lang]
	c, _ := r.Cookie(appSignInCookie)
	if err := r.ParseForm(); err != nil || checkSameOrigin(r) != nil || c == nil || !validCSRF(r.PostForm.Get("csrf"), c.Value) {
		s.appCSRFRefused(w, r)
		return nil
	}
	v := signInView{Email: r.PostForm.Get("email"), WorkspaceSlug: strings.TrimSpace(r.PostForm.Get("workspace")), Next: appNext(r.PostForm.Get("next"))}
	email, pw := cxm.NormalizeEmail(v.Email), r.PostForm.Get("password")
	if email == "" || pw == "" {
		v.Error = t["signin_missing"]
		s.renderSignIn(w, r, http.StatusBadRequest, v)
		return nil
	}
	now := s.now()
	for _, key := range []string{"ip:" + s.clientIP(r), "email:" + email} {
		if ok, wait := s.limiter.allow(key, now); !ok {
			secs := int(wait.Seconds()) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			v.Error = strings.Replace(t["signin_rate"], "%d", strconv.Itoa(secs), 1)
			s.renderSignIn(w, r, http.StatusTooManyRequests, v)
			return nil
		}
	}
	u, err := s.svc.Users.FindUserByEmail(r.Context(), email)
	if err != nil && cxm.ErrorCode(err) != cxm.ENotFound {
		return err
	}
	if err != nil {
		s.cfg.VerifyPassword(pw, s.cfg.DummyPasswordHash)
	}
	if err != nil || !s.cfg.VerifyPassword(pw, u.PasswordHash) {
		v.Error = t["signin_bad"]
		s.renderSignIn(w, r, http.StatusUnauthorized, v)
		return nil
	}
	all, err := s.svc.Users.ListUserWorkspaces(r.Context(), u.ID)
	if err != nil {
		return err
	}
	for _, m := range all {
		if v.WorkspaceSlug == "" || m.Workspace.Slug == v.WorkspaceSlug {
			if err := s.startSession(headerOnly{w}, r, u, m, all); err != nil {
				return err
			}
			w.Header().Del("Content-Type")
			http.SetCookie(w, &http.Cookie{Name: appSignInCookie, Value: "", Path: "/app/sign-in", MaxAge: -1})
			http.Redirect(w, r, v.Next, http.StatusSeeOther)
			return nil
		}
	}
	v.Error = t["signin_no_ws"]
	s.renderSignIn(w, r, http.StatusForbidden, v)
	return nil
}

// appSignOut ends the session through the same code as the API's logout
// and shows the sign-in page.
func (s *Server) appSignOut(w http.ResponseWriter, r *http.Request, _ *appRequest) error {
	if err := s.logout(headerOnly{w}, r, nil); err != nil {
		return err
	}
	http.Redirect(w, r, "/app/sign-in", http.StatusSeeOther)
	return nil
}

// appSwitch moves the signed-in user to another of their workspaces,
// with a new session, like POST /api/v1/auth/switch.
func (s *Server) appSwitch(w http.ResponseWriter, r *http.Request, ar *appRequest) error {
	slug := r.PostForm.Get("workspace")
	if slug == "" {
		return cxm.Invalid(cxm.FieldError{Field: "workspace", Reason: "is required"})
	}
	for _, m := range ar.workspaces {
		if m.Workspace.Slug == slug {
			if c, err := r.Cookie(sessionCookie); err == nil {
				if err := s.svc.Users.DeleteSession(r.Context(), cxm.HashSecret(c.Value)); err != nil && cxm.ErrorCode(err) != cxm.ENotFound {
					return err
				}
			}
			if err := s.startSession(headerOnly{w}, r, ar.user, m, ar.workspaces); err != nil {
				return err
			}
			w.Header().Del("Content-Type")
			http.Redirect(w, r, "/app/", http.StatusSeeOther)
			return nil
		}
	}
	return cxm.Errorf(cxm.EForbidden, "you are not a member of workspace %q", slug)
}

// headerOnly lets the API's session code set its cookies on an /app
// response while its JSON body and status are dropped.
type headerOnly struct{ w http.ResponseWriter }

func (h headerOnly) Header() http.Header         { return h.w.Header() }
func (h headerOnly) Write(b []byte) (int, error) { return len(b), nil }
func (h headerOnly) WriteHeader(int)             {}
