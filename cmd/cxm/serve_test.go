package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve ended with %v", err)
	}
}
