package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// TestServeDeliversNotifications runs serve with loopback allowlisted: a
// notification reaches an open event stream and, through the server's
// job runner, a signed webhook; shutdown ends the open stream.
func TestServeDeliversNotifications(t *testing.T) {
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
	token, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: "t", Scope: cxm.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	type delivery struct {
		header http.Header
		body   []byte
	}
	got := make(chan delivery, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Clone(), b}
	}))
	defer receiver.Close()
	hook := &cxm.Webhook{WorkspaceID: ws.ID, Name: "ops", URL: receiver.URL, Enabled: true}
	secret, err := db.CreateWebhook(ctx, hook)
	if err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := &serveConfig{Addr: addr, MaxBodyBytes: 1 << 20, MaxBatch: 100, WebhookAllow: "127.0.0.0/8,::1/128"}
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

	req, _ := http.NewRequest("GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("events: %v %v", res, err)
	}
	defer res.Body.Close()
	stream := bufio.NewReader(res.Body)
	if line, _ := stream.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
		t.Fatalf("stream starts with %q", line)
	}

	note := &cxm.Notification{WorkspaceID: ws.ID, Kind: "alert", Title: "Detractor"}
	if err := cfg.notifier.Notify(ctx, note, []cxm.NotifyTarget{{Kind: "webhook", WebhookID: hook.ID}}); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for len(lines) < 3 {
		line, err := stream.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, ":") {
			lines = append(lines, line)
		}
	}
	if lines[0] != "id: "+strconv.FormatInt(note.ID, 10) || lines[1] != "event: alert" || !strings.Contains(lines[2], `"title":"Detractor"`) {
		t.Errorf("event = %q", lines)
	}
	select {
	case d := <-got:
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(d.header.Get("X-Cxm-Timestamp") + "." + string(d.body)))
		if d.header.Get("X-Cxm-Signature") != "v1="+hex.EncodeToString(mac.Sum(nil)) || !strings.Contains(string(d.body), `"title":"Detractor"`) {
			t.Errorf("webhook delivery %s with headers %v does not verify", d.body, d.header)
		}
	case <-time.After(time.Minute):
		t.Fatal("no webhook delivery within a minute")
	}

	cancel() // shutdown must end the open stream instead of waiting for it
	if err := <-served; err != nil {
		t.Errorf("serve returned %v", err)
	}
}
