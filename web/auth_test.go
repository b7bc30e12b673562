package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store/storetest"
)

func TestSignIn(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		r := e.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": e.a.adminEmail, "password": testPassword}})
		if r.status != 200 {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		cookie := r.header.Get("Set-Cookie")
		for _, want := range []string{"cxm_session=", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %s", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("cookie %q is Secure over plain HTTP", cookie)
		}

		c := e.signIn(e.a.adminEmail, "acme")
		var me struct {
			Role      cxm.Role      `json:"role"`
			Workspace cxm.Workspace `json:"workspace"`
		}
		e.do(request{method: "GET", path: "/api/v1/auth/me", client: c}).decode(t, &me)
		if me.Role != cxm.RoleAdmin || me.Workspace.Slug != "acme" {
			t.Errorf("me = %+v", me)
		}
		// A cross-site form post with the cookie is refused.
		r = e.do(request{method: "POST", path: "/api/v1/customers", client: c, body: map[string]string{"external_id": "x"},
			header: map[string]string{"Origin": "https://evil.example"}})
		if r.status != http.StatusForbidden {
			t.Errorf("cross-origin post: %d %s", r.status, r.body)
		}
		// Logout ends the session.
		e.do(request{method: "POST", path: "/api/v1/auth/logout", client: c})
		if r := e.do(request{method: "GET", path: "/api/v1/auth/me", client: c}); r.status != http.StatusUnauthorized {
			t.Errorf("after logout: %d", r.status)
		}
		// A user of two workspaces switches between them.
		e.newUser(e.b.ws, e.a.adminEmail, cxm.RoleAnalyst)
		c = e.signIn(e.a.adminEmail, "acme")
		r = e.do(request{method: "POST", path: "/api/v1/auth/switch", client: c, body: map[string]string{"workspace": "globex"}})
		if r.status != 200 {
			t.Fatalf("switch: %d %s", r.status, r.body)
		}
		e.do(request{method: "GET", path: "/api/v1/auth/me", client: c}).decode(t, &me)
		if me.Role != cxm.RoleAnalyst || me.Workspace.Slug != "globex" {
			t.Errorf("after switch me = %+v", me)
		}
	})
}

func TestSignInIsRateLimited(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		var statuses []int
		for range 7 {
			r := e.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": e.a.adminEmail, "password": "wrong password"}})
			statuses = append(statuses, r.status)
		}
		if statuses[0] != 401 || statuses[6] != 429 {
			t.Errorf("statuses = %v, want 401 first and 429 after 5 attempts", statuses)
		}
		// The right password is refused too while the limit holds.
		r := e.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": e.a.adminEmail, "password": testPassword}})
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Errorf("right password during limit: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
	})
}

// TestRoles checks the permission of each role and scope on representative routes.
func TestRoles(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.newUser(e.a.ws, "analyst@acme.example", cxm.RoleAnalyst)
		e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		analyst := e.signIn("analyst@acme.example", "acme")
		agent := e.signIn("agent@acme.example", "acme")
		admin := e.signIn(e.a.adminEmail, "acme")
		customer := map[string]string{"external_id": "k-1"}
		touchpoint := map[string]string{"key": "tp", "name": "TP", "stage": "purchase", "channel": "web"}
		tests := []struct {
			who    string
			client *http.Client
			token  string
			method string
			path   string
			body   any
			want   int
		}{
			{"analyst reads", analyst, "", "GET", "/api/v1/customers", nil, 200},
			{"analyst cannot write customers", analyst, "", "POST", "/api/v1/customers", customer, 403},
			{"agent writes customers", agent, "", "POST", "/api/v1/customers", customer, 201},
			{"agent cannot configure", agent, "", "POST", "/api/v1/touchpoints", touchpoint, 403},
			{"agent cannot list keys", agent, "", "GET", "/api/v1/apikeys", nil, 403},
			{"admin configures", admin, "", "POST", "/api/v1/touchpoints", touchpoint, 201},
			{"admin lists keys", admin, "", "GET", "/api/v1/apikeys", nil, 200},
			{"read key reads", nil, e.a.readKey, "GET", "/api/v1/touchpoints", nil, 200},
			{"read key cannot write", nil, e.a.readKey, "POST", "/api/v1/customers", map[string]string{"external_id": "k-2"}, 403},
			{"write key cannot manage keys", nil, e.a.writeKey, "POST", "/api/v1/apikeys", map[string]string{"name": "x", "scope": "read"}, 403},
			{"key is not a signed-in user", nil, e.a.writeKey, "GET", "/api/v1/auth/me", nil, 403},
			{"nobody", nil, "", "GET", "/api/v1/customers", nil, 401},
		}
		for _, tt := range tests {
			r := e.do(request{method: tt.method, path: tt.path, client: tt.client, token: tt.token, body: tt.body})
			if r.status != tt.want {
				t.Errorf("%s: %s %s = %d %s, want %d", tt.who, tt.method, tt.path, r.status, r.body, tt.want)
			}
		}
		// A revoked key stops working at once.
		var created struct {
			ID    int64  `json:"id"`
			Token string `json:"token"`
		}
		e.do(request{method: "POST", path: "/api/v1/apikeys", client: admin, body: map[string]string{"name": "ci", "scope": "write"}}).decode(t, &created)
		e.call("GET", "/api/v1/touchpoints", created.Token, nil, 200)
		if r := e.do(request{method: "DELETE", path: "/api/v1/apikeys/" + itoa(created.ID), client: admin}); r.status != 204 {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		e.call("GET", "/api/v1/touchpoints", created.Token, nil, 401)
	})
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		r := e.do(request{method: "GET", path: "/api/v1/nothing"})
		if r.status != 404 || r.errorCode() != "not_found" {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
}

// TestSessionCookieIsSecureOverTLS signs in over HTTPS and wants the Secure flag.
func TestSessionCookieIsSecureOverTLS(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	tls := httptest.NewTLSServer(e.web.Handler())
	defer tls.Close()
	body := strings.NewReader(`{"email":"` + e.a.adminEmail + `","password":"` + testPassword + `"}`)
	res, err := tls.Client().Post(tls.URL+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if c := res.Header.Get("Set-Cookie"); res.StatusCode != 200 || !strings.Contains(c, "; Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("over TLS: %d, cookie %q", res.StatusCode, c)
	}
}

// TestTextWithNULIsRefused sends a NUL character, which PostgreSQL text
// cannot hold, and wants a 400 naming the field rather than a 500.
func TestTextWithNULIsRefused(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		r := e.do(request{method: "POST", path: "/api/v1/customers", token: e.a.writeKey,
			body: `{"external_id":"k-1","name":"Anna\u0000Schmidt"}`, contentType: "application/json"})
		if r.status != 400 || !strings.HasPrefix(strings.Join(r.errorFields(), ""), "name:") {
			t.Errorf("got %d %s", r.status, r.body)
		}
		r = e.do(request{method: "POST", path: "/api/v1/touchpoints", token: e.a.writeKey,
			body: `{"key":"tp","name":"Shop","stage":"purchase","channel":"web","description":"a\u0000b"}`, contentType: "application/json"})
		if r.status != 400 || !strings.HasPrefix(strings.Join(r.errorFields(), ""), "description:") {
			t.Errorf("touchpoint: got %d %s", r.status, r.body)
		}
	})
}
