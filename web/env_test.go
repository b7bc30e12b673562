package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/notify"
	"github.com/cxmhq/cxm/password"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
	cxmtext "github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/web"
)

// fastHash keeps password hashing cheap in tests; production uses password.Default.
var fastHash = password.Params{Time: 1, Memory: 1024, Threads: 1}

// testAnalyzer is the text analyzer of every test server, built once.
var testAnalyzer = sync.OnceValues(func() (*cxmtext.Analyzer, error) { return cxmtext.NewAnalyzer(cxmtext.Options{}) })

// testSigner signs the invitation and unsubscribe links of every test server.
var testSigner = cxm.NewTokenSigner([]byte("test signing key of at least 32 bytes!"))

// tenant is one workspace of the test environment with its credentials.
type tenant struct {
	ws         *cxm.Workspace
	writeKey   string
	readKey    string
	adminEmail string
}

// env is a real server on a random port over a real database, with two
// workspaces A and B.
type env struct {
	t    *testing.T
	db   *store.DB
	srv  *httptest.Server
	web  *web.Server
	a, b tenant
}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// forEachEnv runs fn on a fresh environment over SQLite and, when
// CXM_TEST_DATABASE_URL is set, over PostgreSQL.
func forEachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, newEnv(t, storetest.SQLite(t)))
	})
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t)
		if db == nil {
			t.Skip("CXM_TEST_DATABASE_URL is not set")
		}
		fn(t, newEnv(t, db))
	})
}

// newEnv starts a server over db; opts may change its configuration.
func newEnv(t *testing.T, db *store.DB, opts ...func(*web.Config)) *env {
	t.Helper()
	analyzer, err := testAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{
		TextAnalyzer: analyzer,
		Services: web.Services{Workspaces: db, Users: db, APIKeys: db, Journeys: db, Touchpoints: db,
			Customers: db, Interactions: db, Surveys: db, Responses: db, Invitations: db, Texts: db, TextCorrections: db, TextModels: db, TextPrivacy: db, TextTopics: db, JourneyAnalysis: db, Drivers: db, Rollups: db, Loyalty: db, TopicMetrics: db, Teams: db, Cases: db, CaseReplies: db, CaseSettings: db, CaseMetrics: db, Webhooks: db, Notifications: db, AlertRules: db, AlertFacts: db},
		Signer:                 testSigner,
		Ready:                  db.Ping,
		MaxBodyBytes:           1 << 20,
		MaxBatch:               500,
		LoginAttemptsPerMinute: 5,
		HashPassword:           func(pw string) string { return password.Hash(pw, fastHash) },
		VerifyPassword:         password.Verify,
		DummyPasswordHash:      password.Hash("dummy password", fastHash),
	}
	// Webhooks and the live stream; tests that deliver replace the
	// notifier with one that allowlists loopback (webhook_test.go).
	hub := notify.NewHub(0)
	notifier, err := notify.New(notify.Config{Notifications: db, Webhooks: db, Workspaces: db, Jobs: db, Hub: hub})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hub, cfg.Notifier = hub, notifier
	for _, opt := range opts {
		opt(&cfg)
	}
	s := web.New(cfg)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(hub.Close) // runs first: open streams end, so srv.Close need not wait for them
	e := &env{t: t, db: db, srv: srv, web: s}
	e.a = e.newTenant("acme")
	e.b = e.newTenant("globex")
	return e
}

// newTenant creates a workspace with an admin and a write and a read key.
func (e *env) newTenant(slug string) tenant {
	e.t.Helper()
	ctx := context.Background()
	ws := &cxm.Workspace{Slug: slug, Name: strings.ToUpper(slug)}
	if err := e.db.CreateWorkspace(ctx, ws); err != nil {
		e.t.Fatal(err)
	}
	email := "admin@" + slug + ".example"
	e.newUser(ws, email, cxm.RoleAdmin)
	tn := tenant{ws: ws, adminEmail: email}
	tn.writeKey = e.newKey(ws, cxm.ScopeWrite)
	tn.readKey = e.newKey(ws, cxm.ScopeRead)
	return tn
}

func (e *env) newUser(ws *cxm.Workspace, email string, role cxm.Role) *cxm.User {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.db.FindUserByEmail(ctx, email)
	if err != nil {
		u = &cxm.User{Email: email, Name: "Test " + string(role), PasswordHash: password.Hash(testPassword, fastHash)}
		if err := u.Validate(); err != nil {
			e.t.Fatal(err)
		}
		if err := e.db.CreateUser(ctx, u); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.db.SetMember(ctx, ws.ID, u.ID, role); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) newKey(ws *cxm.Workspace, scope cxm.Scope) string {
	e.t.Helper()
	tok, err := e.db.CreateAPIKey(context.Background(), &cxm.APIKey{WorkspaceID: ws.ID, Name: string(scope) + " key", Scope: scope})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v or fails the test.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns the error code of an error body.
func (r response) errorCode() string {
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(r.body, &b)
	return b.Error.Code
}

// errorFields returns "field: reason" for each field of an error body.
func (r response) errorFields() []string {
	var b struct {
		Error struct {
			Fields []cxm.FieldError `json:"fields"`
		} `json:"error"`
	}
	json.Unmarshal(r.body, &b)
	var out []string
	for _, f := range b.Error.Fields {
		out = append(out, f.Field+": "+f.Reason)
	}
	return out
}

// request is one call to make: body may be a string (sent as is), []byte,
// or any value (sent as JSON).
type request struct {
	method, path string
	token        string
	body         any
	contentType  string
	client       *http.Client
	header       map[string]string
}

func (e *env) do(rq request) response {
	e.t.Helper()
	var body io.Reader
	ct := rq.contentType
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(j)
		if ct == "" {
			ct = "application/json"
		}
	}
	req, err := http.NewRequest(rq.method, e.srv.URL+rq.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	c := rq.client
	if c == nil {
		c = e.srv.Client()
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// call makes a request with token and wants status; it returns the response.
func (e *env) call(method, path, token string, body any, want int) response {
	e.t.Helper()
	r := e.do(request{method: method, path: path, token: token, body: body})
	if r.status != want {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// signIn returns a client with a session cookie for email in workspace slug.
func (e *env) signIn(email, slug string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	r := e.do(request{method: "POST", path: "/api/v1/auth/login", client: c,
		body: map[string]string{"email": email, "password": testPassword, "workspace": slug}})
	if r.status != http.StatusOK {
		e.t.Fatalf("sign in %s: %d %s", email, r.status, r.body)
	}
	return c
}
