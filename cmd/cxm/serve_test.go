package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/mail/mailtest"
	"github.com/cxmhq/cxm/store"
)

// TestServeSendsTriggeredInvitations runs serve with a mail server on
// loopback: an interaction posted to the API triggers a survey, the
// invitation job runs in the server and the customer's mail arrives with
// a signed link under the public URL that the server's own signer accepts.
func TestServeSendsTriggeredInvitations(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := store.Open(ctx, store.Config{URL: filepath.Join(t.TempDir(), "cxm.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws := &cxm.Workspace{Slug: "acme", Name: "ACME GmbH"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateTouchpoint(ctx, &cxm.Touchpoint{WorkspaceID: ws.ID, Key: "delivery", Name: "Lieferung", StageKey: "receipt", Channel: cxm.ChannelDelivery}); err != nil {
		t.Fatal(err)
	}
	sv := benchSurvey(ws.ID)
	sv.Trigger = &cxm.Trigger{InteractionType: "delivered", Touchpoint: "delivery", Channel: cxm.InviteEmail}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCustomer(ctx, &cxm.Customer{WorkspaceID: ws.ID, ExternalID: "K-1", Email: "k1@example.de",
		Consent: cxm.Consent{Email: true}}); err != nil {
		t.Fatal(err)
	}
	token, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: "t", Scope: cxm.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}

	smtp := mailtest.NewServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := &serveConfig{Addr: addr, MaxBodyBytes: 1 << 20, MaxBatch: 100, SMTPHost: smtp.Host, SMTPPort: smtp.Port,
		SMTPTLS: "none", MailFrom: "ACME Feedback <feedback@acme.example>"}
	cfg.PublicURL = "https://feedback.acme.example"
	m := &Main{Now: time.Now}
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, m, cfg, db, slog.New(slog.DiscardHandler), func(url string) { ready <- url })
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}

	body := fmt.Sprintf(`{"id":"d-1","customer":"K-1","touchpoint":"delivery","type":"delivered","occurred_at":%q}`,
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
	status, answer, err := post(ctx, &http.Client{Timeout: 30 * time.Second}, base+"/api/v1/interactions", token, "application/json", []byte(body))
	if err != nil || status != 200 {
		t.Fatalf("post interaction: %d %s %v", status, answer, err)
	}
	wait, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	msgs, err := smtp.Wait(wait, 1)
	if err != nil {
		t.Fatal(err)
	}
	m0 := msgs[0]
	link := regexp.MustCompile(`https://feedback\.acme\.example/s/` + sv.Slug + `\?t=([A-Za-z0-9_-]+)`).FindStringSubmatch(m0.Text)
	if m0.EnvelopeTo[0] != "k1@example.de" || m0.From.Address != "feedback@acme.example" || link == nil ||
		!strings.Contains(m0.Get("List-Unsubscribe"), "https://feedback.acme.example/u/") {
		t.Fatalf("mail to %v from %v:\n%s", m0.EnvelopeTo, m0.From, m0.Text)
	}
	key, err := db.Secret(ctx, "invitation-links")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := cxm.NewTokenSigner(key).Verify(link[1], cxm.PurposeSurvey, time.Now())
	if err != nil || ref.WorkspaceID != ws.ID {
		t.Fatalf("link token = %+v, %v; want one the server's signer made", ref, err)
	}
	inv, err := db.FindInvitation(ctx, ws.ID, ref.ID)
	if err != nil || inv.SurveyID != sv.ID {
		t.Fatalf("invitation = %+v, %v", inv, err)
	}

	// The customer follows the link and answers on the hosted page, as a
	// browser without JavaScript would: read the form, fill it, post it.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Timeout: 30 * time.Second, Jar: jar}
	surveyURL := strings.Replace(link[0], cfg.PublicURL, base, 1)
	page := getPage(t, browser, surveyURL, 200)
	if !strings.Contains(page, `lang="de"`) {
		t.Fatalf("survey page is not German for a German workspace:\n%s", page)
	}
	for step := 0; !strings.Contains(page, "Vielen Dank"); step++ {
		if step == 5 {
			t.Fatalf("no thank-you page after 5 pages; last page:\n%s", page)
		}
		page = answerPage(t, browser, base, page)
	}
	resp, err := db.FindResponse(ctx, ws.ID, fmt.Sprint("inv-", inv.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Completed || resp.InvitationID != inv.ID || resp.Customer != "K-1" || resp.Source != cxm.SourceEmail ||
		resp.NPS == nil || *resp.NPS != 9 || resp.Answers["why"] != "Alles pünktlich" {
		t.Errorf("response through the link = %+v", resp)
	}
	if inv, err = db.FindInvitation(ctx, ws.ID, inv.ID); err != nil || inv.Status != cxm.InvitationAnswered || inv.ResponseID != resp.ID {
		t.Errorf("invitation after the answer = %+v, %v; want answered by %s", inv, err, resp.ID)
	}
	// The link is single-use: opened again on another device it says so.
	again := getPage(t, &http.Client{Timeout: 30 * time.Second}, surveyURL, http.StatusConflict)
	if !strings.Contains(again, "bereits") {
		t.Errorf("reused link page does not say it was already answered:\n%s", again)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve ended with %v", err)
	}
}

// getPage fetches url and fails the test unless it answers want.
func getPage(t *testing.T, c *http.Client, url string, want int) string {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d:\n%s", url, res.StatusCode, want, b)
	}
	return string(b)
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	radioInput  = regexp.MustCompile(`type="radio" id="[^"]+" name="(a\.[a-z0-9_-]+)"`)
	textArea    = regexp.MustCompile(`<textarea id="[^"]+" name="(a\.[a-z0-9_-]+)"`)
)

// answerPage fills the survey page's form as a customer would (9 on the
// recommendation scale, the top of any other scale, a short text) and
// posts it, following the redirect to the next page.
func answerPage(t *testing.T, c *http.Client, base, page string) string {
	t.Helper()
	action := formAction.FindStringSubmatch(page)
	if action == nil {
		t.Fatalf("no form on the page:\n%s", page)
	}
	form := url.Values{"nav": {"next"}}
	for _, h := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	for _, r := range radioInput.FindAllStringSubmatch(page, -1) {
		switch r[1] {
		case "a.nps":
			form.Set(r[1], "9")
		default:
			form.Set(r[1], "5")
		}
	}
	for _, ta := range textArea.FindAllStringSubmatch(page, -1) {
		form.Set(ta[1], "Alles pünktlich")
	}
	res, err := c.PostForm(base+html.UnescapeString(action[1]), form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("POST %s = %d:\n%s", action[1], res.StatusCode, b)
	}
	return string(b)
}
