package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// TestMain lets a test run this binary as the cxm server in a child
// process: with CXM_TEST_MAIN set, it runs cxm with those arguments.
func TestMain(m *testing.M) {
	if args := os.Getenv("CXM_TEST_MAIN"); args != "" {
		mm := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
		os.Exit(mm.Run(context.Background(), strings.Fields(args)))
	}
	os.Exit(m.Run())
}

// TestAcknowledgedWritesSurviveKill9 runs the server in a child process,
// sends interactions and survey responses from several clients, kills the
// server with SIGKILL in the middle, and checks that every write it had
// acknowledged is in the database.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	ws := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateTouchpoint(ctx, &cxm.Touchpoint{WorkspaceID: ws.ID, Key: "delivery", Name: "Lieferung", StageKey: "receipt", Channel: cxm.ChannelDelivery}); err != nil {
		t.Fatal(err)
	}
	sv := benchSurvey(ws.ID)
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	token, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: "t", Scope: cxm.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CXM_TEST_MAIN=serve --addr "+addr+" --database-url "+dbPath+" --log-level error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	for i := 0; ; i++ {
		if res, err := http.Get(base + "/readyz"); err == nil && res.StatusCode == 200 {
			res.Body.Close()
			break
		}
		if i > 500 {
			t.Fatal("server did not become ready")
		}
		time.Sleep(20 * time.Millisecond)
	}

	var mu sync.Mutex
	var ackedEvents, ackedResponses []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 {
					var nd bytes.Buffer
					var ids []string
					for j := range 20 {
						id := fmt.Sprintf("e-%d-%d-%d", w, i, j)
						ids = append(ids, id)
						fmt.Fprintf(&nd, `{"id":%q,"customer":"K-%d","touchpoint":"delivery","type":"delivered","occurred_at":"2026-11-01T10:00:00Z"}`+"\n", id, j)
					}
					status, _, err := post(ctx, client, base+"/api/v1/interactions", token, "application/x-ndjson", nd.Bytes())
					if err == nil && status == 200 {
						mu.Lock()
						ackedEvents = append(ackedEvents, ids...)
						mu.Unlock()
					}
				} else {
					id := fmt.Sprintf("r-%d-%d", w, i)
					body := fmt.Sprintf(`{"id":%q,"customer":"K-%d","touchpoint":"delivery","completed":true,"answers":{"nps":%d}}`, id, i, i%11)
					status, _, err := post(ctx, client, base+fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), token, "application/json", []byte(body))
					if err == nil && status == 201 {
						mu.Lock()
						ackedResponses = append(ackedResponses, id)
						mu.Unlock()
					}
				}
			}
		}()
	}
	// Kill the server once it has acknowledged a fair amount of work.
	for {
		mu.Lock()
		n := len(ackedEvents) + len(ackedResponses)
		mu.Unlock()
		if n >= 3000 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()

	db, err = store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer db.Close()
	stored := map[string]bool{}
	page := cxm.Page{Limit: cxm.MaxPageLimit}
	for {
		is, next, err := db.ListInteractions(ctx, ws.ID, cxm.InteractionFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range is {
			stored[i.ID] = true
		}
		if page.Cursor = next; next == "" {
			break
		}
	}
	for _, id := range ackedEvents {
		if !stored[id] {
			t.Errorf("acknowledged interaction %s is lost", id)
		}
	}
	for _, id := range ackedResponses {
		if _, err := db.FindResponse(ctx, ws.ID, id); err != nil {
			t.Errorf("acknowledged response %s is lost: %v", id, err)
		}
	}
	if len(ackedEvents) == 0 || len(ackedResponses) == 0 {
		t.Errorf("acknowledged %d interactions and %d responses; want some of each", len(ackedEvents), len(ackedResponses))
	}
	b, _ := json.Marshal(map[string]int{"interactions": len(ackedEvents), "responses": len(ackedResponses)})
	t.Logf("acknowledged before kill -9 and found after: %s", b)
}
