package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/mail/mailtest"
	"github.com/cxmhq/cxm/notify"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
)

func TestGuardAllowed(t *testing.T) {
	g := &notify.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}}
	tests := []struct {
		addr string
		want bool
	}{
		{"93.184.216.34", true},
		{"2606:4700::1111", true},
		{"127.0.0.1", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"10.0.0.1", false},
		{"10.1.2.3", true}, // allowlisted
		{"172.16.5.4", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"0.0.0.0", false},
		{"::", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
	}
	for _, tt := range tests {
		if got := g.Allowed(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Allowed(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestParseAllowlist(t *testing.T) {
	got, err := notify.ParseAllowlist(" 127.0.0.0/8, 10.1.2.3 ,::1")
	if err != nil || len(got) != 3 || got[0].String() != "127.0.0.0/8" || got[1].String() != "10.1.2.3/32" || got[2].String() != "::1/128" {
		t.Errorf("ParseAllowlist = %v, %v", got, err)
	}
	if _, err := notify.ParseAllowlist("10.0.0.0/33"); err == nil {
		t.Error("a bad range was accepted")
	}
	if got, err := notify.ParseAllowlist(""); err != nil || len(got) != 0 {
		t.Errorf("empty = %v, %v", got, err)
	}
}

func TestSignMatchesIndependentHMAC(t *testing.T) {
	body := []byte(`{"id":1,"title":"Grüße"}`)
	mac := hmac.New(sha256.New, []byte("whsec_test"))
	mac.Write([]byte("1700000000." + string(body)))
	if want, got := "v1="+hex.EncodeToString(mac.Sum(nil)), notify.Sign("whsec_test", "1700000000", body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestHubFansOutPerWorkspaceAndDropsLaggards(t *testing.T) {
	h := notify.NewHub(2)
	a1, stopA1 := h.Subscribe(1)
	a2, stopA2 := h.Subscribe(1)
	b, stopB := h.Subscribe(2)
	defer stopA1()
	defer stopB()
	h.Publish(&cxm.Notification{ID: 10, WorkspaceID: 1})
	if n := <-a1; n.ID != 10 {
		t.Errorf("a1 got %d", n.ID)
	}
	if n := <-a2; n.ID != 10 {
		t.Errorf("a2 got %d", n.ID)
	}
	select {
	case n := <-b:
		t.Errorf("workspace 2 got workspace 1's notification %d", n.ID)
	default:
	}
	stopA2()
	stopA2() // a second stop is harmless
	if _, ok := <-a2; ok {
		t.Error("a stopped subscription's channel is open")
	}
	// a1 falls behind: its buffer of 2 fills, the third publish drops it.
	for id := int64(11); id <= 13; id++ {
		h.Publish(&cxm.Notification{ID: id, WorkspaceID: 1})
	}
	var got []int64
	for n := range a1 {
		got = append(got, n.ID)
	}
	if len(got) != 2 || got[0] != 11 || got[1] != 12 || h.Subscribers(1) != 0 {
		t.Errorf("laggard got %v and the hub keeps %d subscribers", got, h.Subscribers(1))
	}
	h.Close()
	if _, ok := <-b; ok {
		t.Error("Close left a channel open")
	}
	late, _ := h.Subscribe(2)
	if _, ok := <-late; ok {
		t.Error("a subscription after Close is open")
	}
}

// setup returns a store with a workspace and a notifier over it.
func setup(t *testing.T, cfg notify.Config) (*store.DB, *cxm.Workspace, *notify.Notifier, *jobs.Runner) {
	t.Helper()
	db := storetest.SQLite(t)
	ws := &cxm.Workspace{Slug: "acme", Name: "ACME", DefaultLocale: "en"}
	if err := db.CreateWorkspace(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
	cfg.Notifications, cfg.Webhooks, cfg.Workspaces, cfg.Jobs = db, db, db, db
	n, err := notify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &jobs.Runner{Store: db, Backoff: func(int) time.Duration { return 0 }}
	n.Register(r)
	return db, ws, n, r
}

// TestDialTimeCheckStopsRebinding saves a host name that resolved to a
// public address, then lets it resolve to loopback when the delivery
// dials: the dial-time check refuses it and the delivery fails for good.
func TestDialTimeCheckStopsRebinding(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	hookURL := "http://localhost:" + u.Port() + "/hook"
	db, ws, n, r := setup(t, notify.Config{LookupIP: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil // what the attacker's DNS says at save time
	}})
	ctx := context.Background()
	if err := n.CheckWebhookURL(ctx, hookURL); err != nil {
		t.Fatalf("save-time check: %v", err)
	}
	hook := &cxm.Webhook{WorkspaceID: ws.ID, Name: "rebinding", URL: hookURL, Enabled: true}
	if _, err := db.CreateWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(ctx, &cxm.Notification{WorkspaceID: ws.ID, Kind: "alert", Title: "x"}, []cxm.NotifyTarget{{Kind: "webhook", WebhookID: hook.ID}}); err != nil {
		t.Fatal(err)
	}
	if ran, err := r.RunDue(ctx); err != nil || ran != 1 {
		t.Fatalf("ran %d (%v), want one attempt: a refused address is not retried", ran, err)
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback receiver was reached %d times", hits.Load())
	}
	ds, err := db.ListWebhookDeliveries(ctx, ws.ID, hook.ID, 0)
	if err != nil || len(ds) != 1 || ds[0].Status != cxm.DeliveryFailed || !strings.Contains(ds[0].Error, "allowlist") {
		t.Errorf("deliveries = %+v, %v; want one failed for the allowlist", ds, err)
	}
}

func TestEmailNotification(t *testing.T) {
	rec := &mailtest.Recorder{}
	db, ws, n, r := setup(t, notify.Config{Mailer: rec, PublicURL: "https://cxm.example"})
	ctx := context.Background()
	note := &cxm.Notification{WorkspaceID: ws.ID, Kind: "alert", Title: "Detractor at checkout", Body: "NPS 1\n\nToo slow.", CaseID: 5}
	if err := n.Notify(ctx, note, []cxm.NotifyTarget{{Kind: "email", Email: "team@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if ran, err := r.RunDue(ctx); err != nil || ran != 1 {
		t.Fatalf("ran %d (%v)", ran, err)
	}
	sent := rec.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d emails", len(sent))
	}
	m := sent[0]
	if m.To.Email != "team@acme.example" || !strings.Contains(m.Subject, "Detractor at checkout") ||
		!strings.Contains(m.Text, "Too slow.") || !strings.Contains(m.Text, "https://cxm.example/cases/5") || !strings.Contains(m.HTML, "Open in cxm") {
		t.Errorf("email = %+v", m)
	}
	if got, _ := db.NotificationsAfter(ctx, ws.ID, 0, 0); len(got) != 1 || got[0].ID != note.ID {
		t.Errorf("stored = %v", got)
	}
}
