package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/mail/mailtest"
	"github.com/cxmhq/cxm/store"
)

// closedLoopWait bounds every wait of the closed-loop test for something
// that happens in the background: a webhook, an email, an event, a figure.
const closedLoopWait = time.Minute

// TestServeClosesTheLoop runs serve end to end, as issue 6 describes: a
// detractor's answer fires an alert rule, which opens a case for the team
// and notifies a signed webhook, an email address and the open event
// stream; an agent replies to the customer by email and resolves the case
// with a refund; the customer answers again as a promoter; and the
// closed-loop figures and the NPS move.
// It runs on SQLite, and on PostgreSQL in a schema of its own when
// CXM_TEST_DATABASE_URL is set.
func TestServeClosesTheLoop(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { closeTheLoop(t, filepath.Join(t.TempDir(), "cxm.db")) })
	pg := os.Getenv("CXM_TEST_DATABASE_URL")
	if pg == "" {
		t.Log("PostgreSQL run skipped: CXM_TEST_DATABASE_URL is not set")
		return
	}
	t.Run("postgres", func(t *testing.T) { closeTheLoop(t, loopSchema(t, pg)) })
}

// loopSchema creates a schema of its own on the PostgreSQL server at url,
// drops it after the test and returns a URL that works in it, so that the
// cxm commands and the server share it.
func loopSchema(t *testing.T, url string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "e2e_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer a.Close()
		if _, err := a.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// closeTheLoop runs the closed-loop story on the database at dbURL.
func closeTheLoop(t *testing.T, dbURL string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"CXM_DATABASE_URL": dbURL}
	const pw = "a long enough password"
	for _, args := range [][]string{
		{"workspace", "create", "--slug", "acme", "--name", "ACME GmbH"},
		{"user", "create", "--workspace", "acme", "--email", "admin@acme.example", "--name", "Ada Admin", "--role", "admin"},
		{"user", "create", "--workspace", "acme", "--email", "agent@acme.example", "--name", "Alex Agent", "--role", "agent"},
	} {
		if code, _, errs := run(t, env, pw+"\n", args...); code != 0 {
			t.Fatalf("cxm %s: %d %s", strings.Join(args, " "), code, errs)
		}
	}
	db, err := store.Open(ctx, store.Config{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	smtp := mailtest.NewServer(t)
	type delivery struct {
		header http.Header
		body   []byte
	}
	hooks := make(chan delivery, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooks <- delivery{r.Header.Clone(), b}
	}))
	defer receiver.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := &serveConfig{Addr: addr, MaxBodyBytes: 1 << 20, MaxBatch: 100, SMTPHost: smtp.Host, SMTPPort: smtp.Port,
		SMTPTLS: "none", MailFrom: "ACME Service <service@acme.example>", WebhookAllow: "127.0.0.0/8,::1/128"}
	cfg.PublicURL = "https://cx.acme.example"
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, &Main{Now: time.Now}, cfg, db, slog.New(slog.DiscardHandler), func(url string) { ready <- url })
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}

	// The admin and the agent sign in; the admin configures the workspace.
	admin := loopSignIn(t, base, "admin@acme.example", pw)
	agent := loopSignIn(t, base, "agent@acme.example", pw)
	var me struct {
		User cxm.User `json:"user"`
		Role cxm.Role `json:"role"`
	}
	agent.call("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.example", "password": pw, "workspace": "acme"}, 200, &me)
	if me.Role != cxm.RoleAgent || me.User.ID == 0 {
		t.Fatalf("agent signed in as %+v", me)
	}
	var key struct {
		Token string `json:"token"`
	}
	admin.call("POST", "/api/v1/apikeys", map[string]string{"name": "shop", "scope": "write"}, 201, &key)
	shop := &loopClient{t: t, base: base, c: &http.Client{Timeout: 30 * time.Second}, token: key.Token}

	var tp cxm.Touchpoint
	admin.call("POST", "/api/v1/touchpoints", map[string]any{"key": "delivery", "name": "Lieferung", "stage": "receipt", "channel": "delivery"}, 201, &tp)
	var team cxm.Team
	admin.call("POST", "/api/v1/teams", map[string]any{"key": "care", "name": "Kundenservice", "member_ids": []int64{me.User.ID}}, 201, &team)
	de := func(s string) map[string]string { return map[string]string{"de": s} }
	var sv cxm.Survey
	admin.call("POST", "/api/v1/surveys", map[string]any{
		"slug": "nach-lieferung", "name": "Nach der Lieferung", "status": cxm.SurveyActive, "default_locale": "de",
		"title": de("Wie war Ihre Lieferung?"),
		"questions": []map[string]any{
			{"key": "nps", "kind": "nps", "required": true, "text": de("Wie wahrscheinlich empfehlen Sie uns weiter?")},
			{"key": "why", "kind": "text", "text": de("Warum?")},
		},
		"touchpoints": []string{"delivery"},
	}, 201, &sv)
	var hook struct {
		cxm.Webhook
		Secret string `json:"secret"`
	}
	admin.call("POST", "/api/v1/webhooks", map[string]any{"name": "ops", "url": receiver.URL}, 201, &hook)
	if hook.ID == 0 || hook.Secret == "" {
		t.Fatalf("webhook %+v has no id or secret", hook)
	}
	const ruleName = "Detraktor nach Lieferung"
	var rule cxm.AlertRule
	admin.call("POST", "/api/v1/alert-rules", map[string]any{"name": ruleName, "condition": "nps <= 6",
		"actions": map[string]any{
			"open_case": map[string]any{"priority": "high", "team_id": team.ID},
			"notify":    []map[string]any{{"kind": "webhook", "webhook_id": hook.ID}, {"kind": "email", "email": "ops@acme.example"}},
		}}, 201, &rule)
	var settings cxm.CaseSettings
	admin.call("GET", "/api/v1/case-settings", nil, 200, &settings)
	if len(settings.RootCauses) == 0 {
		t.Fatalf("the default case settings have no root causes: %+v", settings)
	}
	rootCause := settings.RootCauses[0].Key

	// A dashboard is open before the customer answers.
	events := loopSubscribe(t, ctx, admin)

	var cust cxm.Customer
	shop.call("POST", "/api/v1/customers", map[string]any{"external_id": "K-1", "email": "klara@example.de", "name": "Klara",
		"locale": "de", "consent": map[string]any{"email": true}}, 201, &cust)
	answer := func(id string, nps int, why string) *cxm.Response {
		var res cxm.SubmitResult
		shop.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), map[string]any{"id": id, "customer": "K-1",
			"touchpoint": "delivery", "completed": true, "answers": map[string]any{"nps": nps, "why": why}}, 201, &res)
		if res.Response == nil || res.Response.ID != id || res.Response.CustomerID != cust.ID {
			t.Fatalf("response %s = %+v, want one of customer %d", id, res.Response, cust.ID)
		}
		return res.Response
	}
	first := answer("r-1", 2, "Das Paket kam drei Tage zu spät und war beschädigt.")

	// The webhook arrives, signed, and names the response and its case.
	var payload struct {
		Kind  string `json:"kind"`
		Title string `json:"title"`
		Body  string `json:"body"`
		Links struct {
			RuleID     int64  `json:"rule_id"`
			CaseID     int64  `json:"case_id"`
			ResponseID string `json:"response_id"`
			CustomerID int64  `json:"customer_id"`
		} `json:"links"`
		Data map[string]any `json:"data"`
	}
	select {
	case d := <-hooks:
		ts, sig := d.header.Get("X-Cxm-Timestamp"), d.header.Get("X-Cxm-Signature")
		mac := hmac.New(sha256.New, []byte(hook.Secret))
		mac.Write([]byte(ts + "." + string(d.body)))
		want := "v1=" + hex.EncodeToString(mac.Sum(nil))
		if ts == "" || !hmac.Equal([]byte(sig), []byte(want)) {
			t.Errorf("webhook signature %q over timestamp %q does not verify with the secret; want %q", sig, ts, want)
		}
		if err := json.Unmarshal(d.body, &payload); err != nil {
			t.Fatalf("webhook body %s: %v", d.body, err)
		}
		if payload.Kind != "alert" || payload.Title != ruleName || payload.Links.ResponseID != first.ID ||
			payload.Links.RuleID != rule.ID || payload.Links.CustomerID != cust.ID || payload.Links.CaseID == 0 ||
			payload.Data["nps"] != float64(2) {
			t.Errorf("webhook payload %s does not name the alert on %s", d.body, first.ID)
		}
	case <-time.After(closedLoopWait):
		t.Fatal("no webhook delivery within a minute")
	}

	// The open dashboard hears the alert.
	deadline := time.After(closedLoopWait)
	for found := false; !found; {
		select {
		case n, ok := <-events:
			if !ok {
				t.Fatal("the event stream ended before the alert")
			}
			found = n.Kind == "alert" && n.ResponseID == first.ID
			if found && (n.Title != ruleName || n.RuleID != rule.ID || n.CaseID != payload.Links.CaseID) {
				t.Errorf("alert event %+v, want rule %d and case %d", n, rule.ID, payload.Links.CaseID)
			}
		case <-deadline:
			t.Fatal("no alert event on the open stream within a minute")
		}
	}

	// The notification email reaches the address the rule names.
	alertMail := loopWaitMail(t, ctx, smtp, "ops@acme.example")
	if !strings.Contains(alertMail.Subject, ruleName) || !strings.Contains(alertMail.Text, ruleName) ||
		!strings.Contains(alertMail.Text, "NPS 2") || !strings.Contains(alertMail.Text, cfg.PublicURL) {
		t.Errorf("alert email %q does not describe the alert:\n%s", alertMail.Subject, alertMail.Text)
	}

	// The case is the team's, new and high, linked to the response, the
	// customer and the touchpoint; the agent sees it in their list.
	var list struct {
		Data []cxm.Case `json:"data"`
	}
	agent.call("GET", "/api/v1/cases?status=new", nil, 200, &list)
	if len(list.Data) != 1 {
		t.Fatalf("the agent sees %d new cases, want 1: %+v", len(list.Data), list.Data)
	}
	c := list.Data[0]
	if c.ID != payload.Links.CaseID || c.ResponseID != first.ID || c.Status != cxm.CaseNew || c.Priority != cxm.PriorityHigh ||
		c.TeamID != team.ID || c.CustomerID != cust.ID || c.TouchpointID != tp.ID || c.RuleID != rule.ID {
		t.Fatalf("case %+v; want new, high, team %d, response %s, customer %d, touchpoint %d, rule %d, id %d",
			c, team.ID, first.ID, cust.ID, tp.ID, rule.ID, payload.Links.CaseID)
	}
	casePath := fmt.Sprintf("/api/v1/cases/%d", c.ID)

	// The agent replies; the customer's mail arrives with the reply.
	const reply = "Es tut uns sehr leid. Wir erstatten Ihnen die Versandkosten und den Warenwert."
	agent.call("POST", casePath+"/replies", map[string]any{"body": reply}, 201, nil)
	replyMail := loopWaitMail(t, ctx, smtp, "klara@example.de")
	if !strings.Contains(replyMail.Text, reply) || !strings.Contains(replyMail.Text, "Klara") ||
		replyMail.From == nil || replyMail.From.Address != "service@acme.example" {
		t.Errorf("reply email from %v, %q:\n%s", replyMail.From, replyMail.Subject, replyMail.Text)
	}

	// The agent resolves the case with a root cause and a refund.
	var resolved cxm.Case
	agent.call("PATCH", casePath, map[string]any{"status": "resolved", "resolution": map[string]any{
		"root_cause": rootCause, "type": "refund", "amount": 49.9, "currency": "EUR", "note": "Warenwert erstattet"}}, 200, &resolved)
	if resolved.Status != cxm.CaseResolved || resolved.Resolution == nil || resolved.Resolution.Type != cxm.ResolutionRefund ||
		resolved.Resolution.RootCause != rootCause || resolved.ResolvedAt == nil {
		t.Errorf("resolved case %+v", resolved)
	}
	var timeline struct {
		Timeline []cxm.CaseEvent `json:"timeline"`
	}
	admin.call("GET", casePath, nil, 200, &timeline)
	kinds := map[string]int64{}
	for _, e := range timeline.Timeline {
		kinds[e.Kind] = e.ActorUserID
	}
	for _, k := range []string{"reply", "resolution"} {
		if actor, ok := kinds[k]; !ok || actor != me.User.ID {
			t.Errorf("timeline %+v has no %s by the agent %d", timeline.Timeline, k, me.User.ID)
		}
	}

	// Before the customer answers again, the NPS is −100 over one answer.
	nps := func() (float64, int64) {
		var rep struct {
			Groups []struct {
				Total struct {
					Status string   `json:"status"`
					Value  *float64 `json:"value"`
					N      int64    `json:"n"`
				} `json:"total"`
			} `json:"groups"`
		}
		admin.call("GET", "/api/v1/metrics/feedback?metric=nps&min_n=1", nil, 200, &rep)
		if len(rep.Groups) != 1 || rep.Groups[0].Total.Status != "ok" || rep.Groups[0].Total.Value == nil {
			t.Fatalf("NPS answer %+v has no figure", rep)
		}
		return *rep.Groups[0].Total.Value, rep.Groups[0].Total.N
	}
	if v, n := nps(); v != -100 || n != 1 {
		t.Errorf("NPS after the detractor = %v over %d answers, want -100 over 1", v, n)
	}

	// The customer comes back as a promoter; no new case opens.
	answer("r-2", 10, "Super Service, die Erstattung kam sofort.")
	if v, n := nps(); v != 0 || n != 2 {
		t.Errorf("NPS after the promoter = %v over %d answers, want 0 over 2", v, n)
	}

	// The closed-loop figures: one case opened and resolved with the
	// refund, and the detractor recovered.
	type estimate struct {
		Status string   `json:"status"`
		Value  *float64 `json:"value"`
		N      int64    `json:"n"`
	}
	var figures struct {
		MinN   int64 `json:"min_n"`
		Groups []struct {
			Opened      int64 `json:"opened"`
			Resolutions []struct {
				Type    cxm.ResolutionType `json:"type"`
				Count   int64              `json:"count"`
				Amounts map[string]float64 `json:"amounts"`
			} `json:"resolutions"`
			Resolution struct {
				N      int64  `json:"n"`
				Status string `json:"status"`
			} `json:"time_to_resolution"`
			RecoveryRate estimate `json:"recovery_rate"`
		} `json:"groups"`
		Backlog []struct {
			Age   string `json:"age"`
			Cases int64  `json:"cases"`
		} `json:"backlog"`
	}
	admin.call("GET", "/api/v1/metrics/cases?min_n=1", nil, 200, &figures)
	if len(figures.Groups) != 1 {
		t.Fatalf("case figures have %d groups, want 1: %+v", len(figures.Groups), figures)
	}
	g := figures.Groups[0]
	if g.Opened != 1 || g.Resolution.N != 1 || g.Resolution.Status != "ok" {
		t.Errorf("case figures: %d opened, %d resolved (%s); want 1 and 1", g.Opened, g.Resolution.N, g.Resolution.Status)
	}
	if len(g.Resolutions) != 1 || g.Resolutions[0].Type != cxm.ResolutionRefund || g.Resolutions[0].Count != 1 ||
		g.Resolutions[0].Amounts["EUR"] != 49.9 {
		t.Errorf("resolutions %+v, want one refund of 49.9 EUR", g.Resolutions)
	}
	if r := g.RecoveryRate; r.Status != "ok" || r.N != 1 || r.Value == nil || *r.Value != 100 {
		t.Errorf("recovery rate %+v, want 1 of 1 (100%%)", r)
	}
	for _, b := range figures.Backlog {
		if b.Cases != 0 {
			t.Errorf("backlog %+v after the only case was resolved", figures.Backlog)
		}
	}
	if others := smtp.Messages(); len(others) != 2 {
		t.Errorf("%d emails sent, want the alert and the reply only", len(others))
	}

	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve ended with %v", err)
	}
}

// loopClient calls the API of a running server as one caller: a signed-in
// user with a cookie jar, or an API key.
type loopClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
}

// loopSignIn signs a user in to the acme workspace and returns their client.
func loopSignIn(t *testing.T, base, email, password string) *loopClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &loopClient{t: t, base: base, c: &http.Client{Timeout: 30 * time.Second, Jar: jar}}
	c.call("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password, "workspace": "acme"}, 200, nil)
	return c
}

// call sends body as JSON, fails the test unless the answer is want, and
// decodes the answer into out unless out is nil.
func (c *loopClient) call(method, path string, body any, want int, out any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if res.StatusCode != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// loopSubscribe opens the event stream as c and returns the notifications
// it carries; the channel closes when the stream ends.
func loopSubscribe(t *testing.T, ctx context.Context, c *loopClient) <-chan cxm.Notification {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	stream := &http.Client{Jar: c.c.Jar} // no timeout: the stream stays open
	res, err := stream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		t.Fatalf("GET /api/v1/events = %d", res.StatusCode)
	}
	out := make(chan cxm.Notification, 16)
	go func() {
		defer close(out)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var n cxm.Notification
			if json.Unmarshal([]byte(data), &n) != nil {
				continue
			}
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// loopWaitMail waits up to closedLoopWait for a message to to arrive at
// the loopback mail server and returns it.
func loopWaitMail(t *testing.T, ctx context.Context, smtp *mailtest.Server, to string) *mailtest.Message {
	t.Helper()
	wait, stop := context.WithTimeout(ctx, closedLoopWait)
	defer stop()
	for n := 1; ; n++ {
		msgs, err := smtp.Wait(wait, n)
		if err != nil {
			t.Fatalf("no email to %s: %v", to, err)
		}
		for _, m := range msgs {
			for _, rcpt := range m.EnvelopeTo {
				if rcpt == to {
					return m
				}
			}
		}
	}
}
