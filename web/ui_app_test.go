package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// appClient returns a cookie-keeping client that does not follow redirects.
func appClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// appForm posts form values with client c.
func (e *env) appForm(c *http.Client, path string, form url.Values) response {
	e.t.Helper()
	return e.do(request{method: "POST", path: path, client: c, body: form.Encode(), contentType: "application/x-www-form-urlencoded"})
}

// appSignIn signs in through the sign-in form and returns the client.
func (e *env) appSignIn(email string) *http.Client {
	e.t.Helper()
	c := appClient()
	page := e.do(request{method: "GET", path: "/app/sign-in", client: c})
	m := csrfField.FindSubmatch(page.body)
	if page.status != 200 || m == nil {
		e.t.Fatalf("sign-in form: %d %s", page.status, page.body)
	}
	r := e.appForm(c, "/app/sign-in", url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {testPassword}, "next": {"/app/"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/" {
		e.t.Fatalf("sign in: %d %s %s", r.status, r.header.Get("Location"), r.body)
	}
	return c
}

// TestAppSignInFlow proves the redirect to the sign-in page, the CSRF
// checks of the sign-in and sign-out forms, a wrong password, and that a
// signed-out session no longer opens the app.
func TestAppSignInFlow(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		c := appClient()
		r := e.do(request{method: "GET", path: "/app/journey", client: c})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/sign-in?next=%2Fapp%2Fjourney" {
			t.Fatalf("not signed in: %d %q", r.status, r.header.Get("Location"))
		}
		// An API key does not open the browser workspace.
		r = e.do(request{method: "GET", path: "/app/", token: e.a.writeKey, client: appClient()})
		if r.status != http.StatusSeeOther {
			t.Errorf("API key on /app/: %d, want a redirect to sign in", r.status)
		}
		// The sign-in form without its CSRF token (cookie and field) is refused.
		r = e.appForm(appClient(), "/app/sign-in", url.Values{"email": {e.a.adminEmail}, "password": {testPassword}})
		if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "Formular abgelaufen") || r.header.Get("Set-Cookie") != "" && strings.Contains(r.header.Get("Set-Cookie"), "cxm_session") {
			t.Errorf("sign-in without CSRF: %d %s", r.status, r.body)
		}
		// A wrong password shows the form again with a message, in English when asked.
		page := e.do(request{method: "GET", path: "/app/sign-in?lang=en", client: c})
		tok := csrfField.FindSubmatch(page.body)[1]
		r = e.appForm(c, "/app/sign-in?lang=en", url.Values{"csrf": {string(tok)}, "email": {e.a.adminEmail}, "password": {"wrong password"}})
		if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Email address or password is wrong.") {
			t.Errorf("wrong password: %d %s", r.status, r.body)
		}
		// next may not lead off the app.
		page = e.do(request{method: "GET", path: "/app/sign-in", client: c})
		tok = csrfField.FindSubmatch(page.body)[1]
		r = e.appForm(c, "/app/sign-in", url.Values{"csrf": {string(tok)}, "email": {e.a.adminEmail}, "password": {testPassword}, "next": {"//evil.example/app/"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/" {
			t.Errorf("foreign next: %d %q", r.status, r.header.Get("Location"))
		}
		home := e.do(request{method: "GET", path: "/app/", client: c})
		if home.status != 200 || !strings.Contains(string(home.body), e.a.ws.Name) {
			t.Fatalf("home after sign-in: %d %s", home.status, home.body)
		}
		// Sign-out with a wrong token is refused and the session lives on.
		r = e.appForm(c, "/app/sign-out", url.Values{"csrf": {"forged"}})
		if r.status != http.StatusForbidden {
			t.Errorf("sign-out with forged token: %d", r.status)
		}
		if r := e.do(request{method: "GET", path: "/app/", client: c}); r.status != 200 {
			t.Fatalf("session ended by a forged form: %d", r.status)
		}
		tok = csrfField.FindSubmatch(home.body)[1]
		r = e.appForm(c, "/app/sign-out", url.Values{"csrf": {string(tok)}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/sign-in" {
			t.Errorf("sign-out: %d %q", r.status, r.header.Get("Location"))
		}
		if r := e.do(request{method: "GET", path: "/app/", client: c}); r.status != http.StatusSeeOther {
			t.Errorf("after sign-out /app/ = %d, want a redirect", r.status)
		}
	})
}

// TestAppShell proves the headers, texts in both languages, the
// navigation for every role, the empty state and the list of figures,
// and the workspace switcher with its CSRF check.
func TestAppShell(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		agent := e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		e.newUser(e.b.ws, agent.Email, cxm.RoleAnalyst)
		for _, email := range []string{e.a.adminEmail, agent.Email} {
			c := e.appSignIn(email)
			for _, tc := range []struct{ lang, nav, soon string }{
				{"de", "Einstellungen", "Diese Seite kommt bald"}, {"en", "Settings", "This page is coming soon"}} {
				r := e.do(request{method: "GET", path: "/app/settings?lang=" + tc.lang, client: c})
				csp := r.header.Get("Content-Security-Policy")
				if r.status != 200 || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("%s %s: %d CSP %q", email, tc.lang, r.status, csp)
				}
				body := string(r.body)
				for _, want := range []string{`<html lang="` + tc.lang + `">`, tc.nav, tc.soon, `aria-current="page"`} {
					if !strings.Contains(body, want) {
						t.Errorf("%s %s: page lacks %q", email, tc.lang, want)
					}
				}
				if strings.Contains(body, "<script>") || strings.Contains(body, " onclick=") || strings.Contains(body, "style=") {
					t.Errorf("%s %s: inline script or style in %s", email, tc.lang, body)
				}
			}
			// The language picked last sticks (cookie).
			if r := e.do(request{method: "GET", path: "/app/", client: c}); !strings.Contains(string(r.body), "Skip to content") {
				t.Errorf("%s: picked language English did not stick", email)
			}
		}
		c := e.appSignIn(agent.Email)
		home := e.do(request{method: "GET", path: "/app/?lang=en", client: c})
		body := string(home.body)
		if !strings.Contains(body, "No data yet") || !strings.Contains(body, e.srv.URL+"/api/v1/interactions") || !strings.Contains(body, "&lt;API key&gt;") {
			t.Errorf("empty state: %s", body)
		}
		if !strings.Contains(body, `<option value="globex"`) {
			t.Errorf("switcher lacks the second workspace: %s", body)
		}
		if r := e.appForm(c, "/app/switch", url.Values{"workspace": {"globex"}}); r.status != http.StatusForbidden {
			t.Errorf("switch without CSRF: %d", r.status)
		}
		tok := csrfField.FindSubmatch(home.body)[1]
		if r := e.appForm(c, "/app/switch", url.Values{"workspace": {"globex"}, "csrf": {string(tok)}}); r.status != http.StatusSeeOther {
			t.Fatalf("switch: %d %s", r.status, r.body)
		}
		e.call("POST", "/api/v1/touchpoints", e.b.writeKey, map[string]any{"key": "shop", "name": "Shop", "stage": "purchase", "channel": "web"}, 201)
		e.call("POST", "/api/v1/interactions", e.b.writeKey, map[string]any{"id": "i1", "customer": "c1", "touchpoint": "shop", "type": "order", "occurred_at": "2026-01-02T10:00:00Z"}, 200)
		home = e.do(request{method: "GET", path: "/app/?lang=de", client: c})
		body = string(home.body)
		if !strings.Contains(body, "<h1>"+e.b.ws.Name+"</h1>") || !strings.Contains(body, `href="/api/v1/metrics/feedback"`) || strings.Contains(body, "Noch keine Daten") {
			t.Errorf("after switch with data: %s", body)
		}
		if r := e.do(request{method: "GET", path: "/app/nope", client: c}); r.status != http.StatusNotFound || !strings.Contains(string(r.body), "Seite nicht gefunden") {
			t.Errorf("unknown page: %d", r.status)
		}
		if r := e.do(request{method: "GET", path: "/app/static/app.js"}); r.status != 200 || !strings.Contains(string(r.body), "allowEval = false") {
			t.Errorf("app.js: %d", r.status)
		}
		if r := e.do(request{method: "GET", path: "/app/static/vendor/README.md"}); r.status != http.StatusNotFound {
			t.Errorf("README served: %d", r.status)
		}
	})
}
