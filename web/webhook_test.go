package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/notify"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/web"
)

// delivery is a test environment whose notifier may reach loopback, with
// a job runner that retries at once.
type delivery struct {
	*env
	notifier *notify.Notifier
	runner   *jobs.Runner
	admin    *http.Client
}

// newDeliveryEnv starts an environment over db whose webhooks may reach
// the allow ranges.
func newDeliveryEnv(t *testing.T, db *store.DB, allow ...string) *delivery {
	t.Helper()
	var prefixes []netip.Prefix
	for _, a := range allow {
		prefixes = append(prefixes, netip.MustParsePrefix(a))
	}
	hub := notify.NewHub(0)
	n, err := notify.New(notify.Config{Notifications: db, Webhooks: db, Workspaces: db, Jobs: db, Hub: hub,
		Allow: prefixes, PublicURL: "https://cxm.example", MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, db, func(c *web.Config) { c.Hub, c.Notifier = hub, n })
	t.Cleanup(hub.Close)
	runner := &jobs.Runner{Store: db, Backoff: func(int) time.Duration { return 0 }}
	n.Register(runner)
	return &delivery{env: e, notifier: n, runner: runner, admin: e.signIn(e.a.adminEmail, "acme")}
}

// forEachDeliveryEnv runs fn on SQLite and, when configured, PostgreSQL.
func forEachDeliveryEnv(t *testing.T, fn func(t *testing.T, d *delivery), allow ...string) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newDeliveryEnv(t, storetest.SQLite(t), allow...)) })
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t)
		if db == nil {
			t.Skip("CXM_TEST_DATABASE_URL is not set")
		}
		fn(t, newDeliveryEnv(t, db, allow...))
	})
}

// as makes a request as A's admin and wants status.
func (d *delivery) as(method, path string, body any, want int) response {
	d.t.Helper()
	r := d.do(request{method: method, path: path, client: d.admin, body: body})
	if r.status != want {
		d.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a loopback webhook receiver answering statuses in turn,
// then 200.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: b})
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// verify checks a delivery's signature with secret the way a receiver
// would, independently of package notify.
func verify(r received, secret string) bool {
	ts := r.header.Get("X-Cxm-Timestamp")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(r.body)))
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	return ts != "" && hmac.Equal([]byte(want), []byte(r.header.Get("X-Cxm-Signature")))
}

func createdHook(t *testing.T, r response) (cxm.Webhook, string) {
	t.Helper()
	var out struct {
		cxm.Webhook
		Secret string `json:"secret"`
	}
	r.decode(t, &out)
	if out.ID == 0 || !strings.HasPrefix(out.Secret, "whsec_") {
		t.Fatalf("created webhook = %s, want an id and a secret", r.body)
	}
	return out.Webhook, out.Secret
}

func TestWebhookDeliverySignedRetriedAndRotated(t *testing.T) {
	forEachDeliveryEnv(t, func(t *testing.T, d *delivery) {
		ctx := context.Background()
		rc := newReceiver(t, http.StatusInternalServerError) // the first attempt fails, the retry succeeds
		hook, secret := createdHook(t, d.as("POST", "/api/v1/webhooks", map[string]any{"name": "Ops", "url": rc.srv.URL + "/hook"}, 201))
		if !hook.Enabled || hook.Kind != cxm.WebhookJSON || hook.SecretPreview != secret[:10]+"…" {
			t.Errorf("created %+v", hook)
		}
		for _, path := range []string{"/api/v1/webhooks", fmt.Sprintf("/api/v1/webhooks/%d", hook.ID)} {
			if r := d.as("GET", path, nil, 200); strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), secret[10:]) {
				t.Errorf("GET %s shows the secret: %s", path, r.body)
			}
		}

		note := &cxm.Notification{WorkspaceID: d.a.ws.ID, Kind: "alert", Title: "Detractor at checkout", Body: "NPS 2: slow delivery",
			CaseID: 42, ResponseID: "r-7", Data: map[string]any{"nps": 2}}
		if err := d.notifier.Notify(ctx, note, []cxm.NotifyTarget{{Kind: "webhook", WebhookID: hook.ID}}); err != nil {
			t.Fatal(err)
		}
		if ran, err := d.runner.RunDue(ctx); err != nil || ran != 2 {
			t.Fatalf("ran %d jobs (%v), want the attempt and its retry", ran, err)
		}
		got := rc.requests()
		if len(got) != 2 {
			t.Fatalf("receiver got %d requests, want 2", len(got))
		}
		for i, r := range got {
			if !verify(r, secret) {
				t.Errorf("request %d: signature %q does not verify over %q", i, r.header.Get("X-Cxm-Signature"), r.body)
			}
		}
		var payload struct {
			ID    int64  `json:"id"`
			Kind  string `json:"kind"`
			Title string `json:"title"`
			Links struct {
				CaseID     int64  `json:"case_id"`
				ResponseID string `json:"response_id"`
				URL        string `json:"url"`
			} `json:"links"`
			Data map[string]any `json:"data"`
			At   time.Time      `json:"at"`
		}
		if err := json.Unmarshal(got[1].body, &payload); err != nil {
			t.Fatal(err)
		}
		if payload.ID != note.ID || payload.Kind != "alert" || payload.Title != note.Title || payload.Links.CaseID != 42 ||
			payload.Links.ResponseID != "r-7" || payload.Links.URL != "https://cxm.example/cases/42" || payload.Data["nps"] != float64(2) || payload.At.IsZero() {
			t.Errorf("payload = %+v", payload)
		}

		var ds struct{ Data []cxm.WebhookDelivery }
		d.as("GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook.ID), nil, 200).decode(t, &ds)
		if len(ds.Data) != 2 || ds.Data[0].Status != cxm.DeliveryDelivered || ds.Data[0].HTTPStatus != 200 || ds.Data[0].Attempt != 2 ||
			ds.Data[1].Status != cxm.DeliveryPending || ds.Data[1].HTTPStatus != 500 || ds.Data[1].Attempt != 1 || ds.Data[1].Error == "" ||
			ds.Data[0].NotificationID != note.ID {
			t.Errorf("deliveries = %+v, want the delivered retry after the pending 500", ds.Data)
		}

		// After a rotation, deliveries verify with the new secret only.
		rotated, newSecret := createdHook(t, d.as("POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hook.ID), nil, 200))
		if newSecret == secret || rotated.PreviousSecretPreview != hook.SecretPreview {
			t.Errorf("rotation = %+v, secret unchanged: %v", rotated, newSecret == secret)
		}
		if err := d.notifier.Notify(ctx, &cxm.Notification{WorkspaceID: d.a.ws.ID, Kind: "alert", Title: "Second"},
			[]cxm.NotifyTarget{{Kind: "webhook", WebhookID: hook.ID}}); err != nil {
			t.Fatal(err)
		}
		if ran, err := d.runner.RunDue(ctx); err != nil || ran != 1 {
			t.Fatalf("ran %d (%v)", ran, err)
		}
		got = rc.requests()
		last := got[len(got)-1]
		if !verify(last, newSecret) || verify(last, secret) {
			t.Errorf("after rotation: verifies with new %v (want true), with old %v (want false)", verify(last, newSecret), verify(last, secret))
		}

		// The test endpoint delivers at once, signed, and logs it.
		var td cxm.WebhookDelivery
		d.as("POST", fmt.Sprintf("/api/v1/webhooks/%d/test", hook.ID), nil, 200).decode(t, &td)
		got = rc.requests()
		last = got[len(got)-1]
		if td.Status != cxm.DeliveryDelivered || td.HTTPStatus != 200 || !verify(last, newSecret) || !strings.Contains(string(last.body), `"kind":"test"`) {
			t.Errorf("test delivery = %+v, request %s", td, last.body)
		}
	}, "127.0.0.0/8", "::1/128")
}

func TestWebhookPermanentFailureAndChat(t *testing.T) {
	forEachDeliveryEnv(t, func(t *testing.T, d *delivery) {
		ctx := context.Background()
		rc := newReceiver(t, http.StatusGone)
		hook, _ := createdHook(t, d.as("POST", "/api/v1/webhooks", map[string]any{"name": "Chat", "url": rc.srv.URL, "kind": "chat"}, 201))
		if err := d.notifier.Notify(ctx, &cxm.Notification{WorkspaceID: d.a.ws.ID, Kind: "alert", Title: "Angry <customer>", Body: "NPS 0", CustomerID: 9},
			[]cxm.NotifyTarget{{Kind: "chat", WebhookID: hook.ID}}); err != nil {
			t.Fatal(err)
		}
		if ran, err := d.runner.RunDue(ctx); err != nil || ran != 1 {
			t.Fatalf("ran %d jobs (%v), want one: a 410 is not retried", ran, err)
		}
		got := rc.requests()
		var msg map[string]string
		if len(got) != 1 || json.Unmarshal(got[0].body, &msg) != nil {
			t.Fatalf("receiver got %d requests", len(got))
		}
		if want := "*Angry &lt;customer&gt;*\nNPS 0\n<https://cxm.example/customers/9|Open in cxm>"; msg["text"] != want || len(msg) != 1 {
			t.Errorf("chat message = %q, want %q", msg, want)
		}
		var ds struct{ Data []cxm.WebhookDelivery }
		d.as("GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook.ID), nil, 200).decode(t, &ds)
		if len(ds.Data) != 1 || ds.Data[0].Status != cxm.DeliveryFailed || ds.Data[0].HTTPStatus != http.StatusGone {
			t.Errorf("deliveries = %+v, want one failed 410", ds.Data)
		}
		// A disabled webhook is not sent to.
		d.as("PATCH", fmt.Sprintf("/api/v1/webhooks/%d", hook.ID), map[string]any{"enabled": false}, 200)
		if err := d.notifier.Notify(ctx, &cxm.Notification{WorkspaceID: d.a.ws.ID, Kind: "alert", Title: "x"},
			[]cxm.NotifyTarget{{Kind: "chat", WebhookID: hook.ID}}); err != nil {
			t.Fatal(err)
		}
		if ran, _ := d.runner.RunDue(ctx); ran != 0 || len(rc.requests()) != 1 {
			t.Errorf("disabled webhook: ran %d jobs, receiver has %d requests", ran, len(rc.requests()))
		}
		// Bad targets are refused before anything is stored.
		before, _ := d.db.NotificationsAfter(ctx, d.a.ws.ID, 0, 0)
		err := d.notifier.Notify(ctx, &cxm.Notification{WorkspaceID: d.a.ws.ID, Kind: "alert", Title: "x"},
			[]cxm.NotifyTarget{{Kind: "webhook", WebhookID: 999999}, {Kind: "email", Email: "not an address"}, {Kind: "pager"}})
		fields := strings.Join(errFieldNames(cxm.ErrorFields(err)), ",")
		if fields != "targets[0].webhook_id,targets[1].email,targets[2].kind" {
			t.Errorf("bad targets: %v (fields %s)", err, fields)
		}
		if after, _ := d.db.NotificationsAfter(ctx, d.a.ws.ID, 0, 0); len(after) != len(before) {
			t.Errorf("a refused notification was stored")
		}
	}, "127.0.0.0/8", "::1/128")
}

// errFieldNames returns the fields of field errors.
func errFieldNames(fs []cxm.FieldError) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field)
	}
	return out
}

func TestWebhookSSRFRefused(t *testing.T) {
	forEachDeliveryEnv(t, func(t *testing.T, d *delivery) {
		for _, url := range []string{
			"http://127.0.0.1:9/hook",                  // loopback, not allowlisted here
			"http://169.254.169.254/latest/meta-data/", // cloud metadata, link-local
			"http://localhost:9/hook",                  // a host name resolving to loopback
			"http://10.0.0.1/",                         // private
			"http://100.64.0.1/",                       // carrier-grade NAT
			"http://[::1]:9/",                          // IPv6 loopback
			"http://[::ffff:127.0.0.1]:9/",             // IPv4-mapped loopback
			"http://0.0.0.0:9/",                        // unspecified
			"ftp://93.184.216.34/",                     // not http
			"https://user:pw@93.184.216.34/",           // credentials
		} {
			r := d.do(request{method: "POST", path: "/api/v1/webhooks", client: d.admin, body: map[string]any{"name": "x", "url": url}})
			if r.status != 400 || len(r.errorFields()) != 1 || !strings.HasPrefix(r.errorFields()[0], "url: ") {
				t.Errorf("%s: %d %s, want 400 on url", url, r.status, r.body)
			}
		}
		ok, _ := createdHook(t, d.as("POST", "/api/v1/webhooks", map[string]any{"name": "public", "url": "https://93.184.216.34/hook"}, 201))
		// Changing the URL is checked as well, and a refusal changes nothing.
		r := d.do(request{method: "PATCH", path: fmt.Sprintf("/api/v1/webhooks/%d", ok.ID), client: d.admin, body: map[string]any{"url": "http://169.254.169.254/"}})
		if r.status != 400 {
			t.Errorf("PATCH to metadata address: %d %s", r.status, r.body)
		}
		var list struct{ Data []cxm.Webhook }
		d.as("GET", "/api/v1/webhooks", nil, 200).decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].URL != "https://93.184.216.34/hook" {
			t.Errorf("webhooks = %+v, want only the public one, unchanged", list.Data)
		}
		d.as("DELETE", fmt.Sprintf("/api/v1/webhooks/%d", ok.ID), nil, 204)
		d.as("GET", fmt.Sprintf("/api/v1/webhooks/%d", ok.ID), nil, 404)
	})
}

func TestWebhookRoutesAreForAdmins(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		e.newUser(e.a.ws, "analyst@acme.example", cxm.RoleAnalyst)
		agent := e.signIn("agent@acme.example", "acme")
		analyst := e.signIn("analyst@acme.example", "acme")
		for _, rq := range []request{
			{method: "GET", path: "/api/v1/webhooks", client: agent},
			{method: "GET", path: "/api/v1/webhooks", client: analyst},
			{method: "POST", path: "/api/v1/webhooks", client: agent, body: map[string]any{"name": "x", "url": "https://93.184.216.34/"}},
			{method: "GET", path: "/api/v1/webhooks", token: e.a.writeKey},
			{method: "POST", path: "/api/v1/webhooks", token: e.a.writeKey, body: map[string]any{"name": "x", "url": "https://93.184.216.34/"}},
			{method: "GET", path: "/api/v1/webhooks", token: e.a.readKey},
		} {
			if r := e.do(rq); r.status != http.StatusForbidden {
				t.Errorf("%s %s by %s%v: %d, want 403", rq.method, rq.path, rq.token, rq.client != nil, r.status)
			}
		}
		if hooks, _ := e.db.ListWebhooks(context.Background(), e.a.ws.ID); len(hooks) != 0 {
			t.Errorf("a refused caller created %d webhooks", len(hooks))
		}
	})
}
