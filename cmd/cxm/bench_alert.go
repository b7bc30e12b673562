package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// alertBenchPrefix starts the id of every response the alert benchmark
// submits; the number after it is the response's index.
const alertBenchPrefix = "alert-bench-"

// alertBenchSurvey is the survey the alert benchmark answers: one NPS question.
func alertBenchSurvey(ws int64) *cxm.Survey {
	return &cxm.Survey{
		WorkspaceID: ws, Slug: "bench-alert", Name: "Alert benchmark", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war Ihre Lieferung?", "en": "How was your delivery?"},
		Questions: []cxm.Question{
			{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Wie wahrscheinlich empfehlen Sie uns weiter?"}},
		},
		Touchpoints: []string{"delivery"},
	}
}

// alertBenchScore returns the NPS of response i: 0–3 for every third
// response, which the benchmark's rule `nps <= 3` matches, and 4–10 for
// the others, which it does not.
func alertBenchScore(i int) (score int, matches bool) {
	if i%3 == 0 {
		return (i / 3) % 4, true
	}
	return 4 + i%7, false
}

// runBenchAlert measures how soon an alert reaches a webhook receiver and
// a live SSE subscriber after the response that fired it was
// acknowledged: it serves a temporary SQLite database with the full serve
// wiring (alert engine, notifier, job runner), submits responses at a
// fixed rate and times every arrival.
func runBenchAlert(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("bench alert", m, &cfg)
	fs.Lookup("log-level").Value.Set("error") // the server's own warnings about a missing mail server and public URL are noise here
	n := fs.Int("responses", 5000, "number of complete responses")
	rate := fs.Float64("rate", 1000, "responses submitted per second")
	workers := fs.Int("workers", 32, "concurrent HTTP requests that carry the paced submissions")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the alerts after the last submission")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	switch {
	case *n <= 0:
		return fmt.Errorf("--responses must be positive, not %d", *n)
	case *rate <= 0:
		return fmt.Errorf("--rate must be positive, not %g", *rate)
	case *workers <= 0:
		return fmt.Errorf("--workers must be positive, not %d", *workers)
	}
	log, err := cfg.logger(m.Stderr)
	if err != nil {
		return err
	}
	db, ws, cleanup, err := benchDB(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	sv := alertBenchSurvey(ws.ID)
	if err := db.CreateSurvey(ctx, sv); err != nil {
		return err
	}
	expected := make([]bool, *n)
	want := 0
	for i := range expected {
		_, expected[i] = alertBenchScore(i)
		if expected[i] {
			want++
		}
	}
	hooks, sse := newArrivals(expected, want), newArrivals(expected, want)

	// The receiver of the webhook, on loopback in this process.
	recv, err := newAlertReceiver(hooks)
	if err != nil {
		return err
	}
	defer recv.close()
	hook := &cxm.Webhook{WorkspaceID: ws.ID, Name: "bench receiver", URL: recv.url, Kind: cxm.WebhookJSON, Enabled: true}
	// Creating webhooks over HTTP needs a signed-in admin; the store call
	// is what that route does after its checks, and returns the secret.
	if recv.secret, err = db.CreateWebhook(ctx, hook); err != nil {
		return err
	}

	// The server, wired as serve wires it, allowing webhooks to loopback.
	scfg := &serveConfig{config: cfg, Addr: "127.0.0.1:0", MaxBodyBytes: 16 << 20, MaxBatch: 10000,
		WebhookAllow: "127.0.0.0/8,::1/128"}
	url, stopServer, err := startAlertBenchServer(ctx, m, scfg, db, log)
	if err != nil {
		return err
	}
	defer stopServer()
	writeKey, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: "bench write", Scope: cxm.ScopeWrite})
	if err != nil {
		return err
	}
	readKey, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: "bench read", Scope: cxm.ScopeRead})
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}}
	defer client.CloseIdleConnections()
	rule := fmt.Sprintf(`{"name":"Detractor alert","condition":"nps <= 3","actions":{"open_case":{"priority":"high"},`+
		`"notify":[{"kind":"webhook","webhook_id":%d}]}}`, hook.ID)
	if status, body, err := post(ctx, client, url+"/api/v1/alert-rules", writeKey, "application/json", []byte(rule)); err != nil {
		return fmt.Errorf("create alert rule: %w", err)
	} else if status != http.StatusCreated {
		return fmt.Errorf("create alert rule: status %d: %.300s", status, body)
	}

	// One live subscriber, connected before the first submission.
	sseCtx, stopSSE := context.WithCancel(ctx)
	defer stopSSE()
	sub, err := subscribeAlerts(sseCtx, url+"/api/v1/events", readKey, sse)
	if err != nil {
		return err
	}

	acks, took, err := sendPaced(ctx, client, url+"/api/v1/surveys/"+strconv.FormatInt(sv.ID, 10)+"/responses", writeKey, *n, *rate, *workers)
	if err != nil {
		return err
	}
	waitArrivals(ctx, *wait, hooks, sse)
	stopSSE()
	<-sub.done

	whLat, whEarly := hooks.latencies(acks)
	sseLat, sseEarly := sse.latencies(acks)
	hc, sc := hooks.snapshot(), sse.snapshot()
	lost := (want - hc.got) + (want - sc.got)
	fmt.Fprintf(m.Stderr, "bench alert: sent %d responses in %.2fs (%.0f/s, asked %.0f/s); %d should alert\n",
		*n, took.Seconds(), float64(*n)/took.Seconds(), *rate, want)
	fmt.Fprintf(m.Stderr, "bench alert: webhooks received %d of %d, %d duplicates, %d unexpected, %d bad signatures, %d before the ack\n",
		hc.got, want, hc.dups, hc.unexpected, recv.badSignatures(), whEarly)
	fmt.Fprintf(m.Stderr, "bench alert: SSE events received %d of %d, %d duplicates, %d unexpected, %d reconnects, %d before the ack\n",
		sc.got, want, sc.dups, sc.unexpected, sub.reconnects(), sseEarly)
	return printResult(m, *asJSON, []benchField{
		{"responses", *n},
		{"rate", *rate},
		{"webhook_p50_ms", round2(whLat.percentileMS(50))},
		{"webhook_p99_ms", round2(whLat.percentileMS(99))},
		{"sse_p99_ms", round2(sseLat.percentileMS(99))},
		{"lost", lost},
	})
}

// startAlertBenchServer runs serve on cfg and db until the returned stop,
// which waits for the server and its job runner to end.
func startAlertBenchServer(ctx context.Context, m *Main, cfg *serveConfig, db *store.DB, log *slog.Logger) (url string, stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	ended := make(chan error, 1)
	go func() { ended <- serve(ctx, m, cfg, db, log, func(url string) { ready <- url }) }()
	select {
	case url = <-ready:
	case err := <-ended:
		cancel()
		if err == nil {
			err = errors.New("server ended before it listened")
		}
		return "", nil, fmt.Errorf("bench alert: %w", err)
	}
	return url, func() {
		cancel()
		if err := <-ended; err != nil {
			log.Error("bench alert: server", "err", err)
		}
	}, nil
}

// sendPaced submits n complete responses to url at rate per second: a
// ticker releases every response whose time has come to a pool of
// workers, so that the overall rate holds even when one request is slow.
// It returns when each response was acknowledged and how long sending
// took; any answer but 201 fails the benchmark.
func sendPaced(ctx context.Context, client *http.Client, url, token string, n int, rate float64, workers int) ([]time.Time, time.Duration, error) {
	bodies := make([][]byte, n)
	for i := range bodies {
		score, _ := alertBenchScore(i)
		bodies[i] = fmt.Appendf(nil, `{"id":"%s%d","customer":"K-%d","touchpoint":"delivery","locale":"de","completed":true,"answers":{"nps":%d}}`,
			alertBenchPrefix, i, 100000+(i*7919)%5000, score)
	}
	acks := make([]time.Time, n)
	work := make(chan int, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				status, answer, err := post(ctx, client, url, token, "application/json", bodies[i])
				at := time.Now()
				if err == nil && status != http.StatusCreated {
					err = fmt.Errorf("response %d: status %d: %.300s", i, status, answer)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				acks[i] = at
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	sent := 0
	for sent < n && ctx.Err() == nil {
		due := min(n, int(time.Since(start).Seconds()*rate)+1)
		for ; sent < due; sent++ {
			work <- sent
		}
		if sent < n {
			<-tick.C
		}
	}
	tick.Stop()
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return acks, time.Since(start), firstErr
}

// waitArrivals waits until every expected alert arrived at both, or for
// at most wait.
func waitArrivals(ctx context.Context, wait time.Duration, all ...*arrivals) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for _, a := range all {
		select {
		case <-a.full:
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// arrivals records when the alert of each response arrived at one
// receiver. It is safe for concurrent use.
type arrivals struct {
	expected []bool
	want     int
	full     chan struct{} // closed once every expected alert arrived

	mu     sync.Mutex
	at     []time.Time
	counts arrivalCounts
}

// arrivalCounts are the tallies of one receiver.
type arrivalCounts struct {
	got        int // distinct expected responses
	dups       int // alerts of a response that had arrived before
	unexpected int // alerts of responses the rule should not match, or unknown ids
}

func newArrivals(expected []bool, want int) *arrivals {
	a := &arrivals{expected: expected, want: want, full: make(chan struct{}), at: make([]time.Time, len(expected))}
	if want == 0 {
		close(a.full)
	}
	return a
}

// record notes that the alert of the response with id arrived at t.
func (a *arrivals) record(id string, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, err := strconv.Atoi(strings.TrimPrefix(id, alertBenchPrefix))
	switch {
	case !strings.HasPrefix(id, alertBenchPrefix) || err != nil || i < 0 || i >= len(a.at) || !a.expected[i]:
		a.counts.unexpected++
	case !a.at[i].IsZero():
		a.counts.dups++
	default:
		a.at[i] = t
		if a.counts.got++; a.counts.got == a.want {
			close(a.full)
		}
	}
}

func (a *arrivals) snapshot() arrivalCounts {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts
}

// latencies returns, sorted, how long after its acknowledgement each
// arrived alert arrived, and how many arrived before the sender had
// read the acknowledgement (counted as zero).
func (a *arrivals) latencies(acks []time.Time) (loadResult, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var r loadResult
	early := 0
	for i, t := range a.at {
		if t.IsZero() || acks[i].IsZero() {
			continue
		}
		d := t.Sub(acks[i])
		if d < 0 {
			d, early = 0, early+1
		}
		r.latencies = append(r.latencies, d)
	}
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	return r, early
}

// alertReceiver is the webhook receiver: an HTTP server on loopback that
// checks each delivery's signature independently of the notify package
// and records its response's alert.
type alertReceiver struct {
	url    string
	secret string // set before the first delivery
	got    *arrivals
	srv    *http.Server

	mu     sync.Mutex
	badSig int
}

func newAlertReceiver(got *arrivals) (*alertReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: %w", err)
	}
	r := &alertReceiver{url: "http://" + ln.Addr().String() + "/hook", got: got}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serveHTTP)}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *alertReceiver) close() { r.srv.Close() }

func (r *alertReceiver) badSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.badSig
}

// serveHTTP accepts one delivery: it answers 401 to a missing, stale or
// wrong signature and 400 to a payload without a response id.
func (r *alertReceiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	ts := req.Header.Get("X-Cxm-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	sig := "v1=" + hex.EncodeToString(mac.Sum(nil))
	if err != nil || at.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute || !hmac.Equal([]byte(sig), []byte(req.Header.Get("X-Cxm-Signature"))) {
		r.mu.Lock()
		r.badSig++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p struct {
		Kind  string `json:"kind"`
		Links struct {
			ResponseID string `json:"response_id"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Links.ResponseID == "" {
		http.Error(w, "no response id", http.StatusBadRequest)
		return
	}
	if p.Kind == "alert" {
		r.got.record(p.Links.ResponseID, at)
	}
	w.WriteHeader(http.StatusNoContent)
}

// alertSubscriber is a live SSE client of the workspace's notifications;
// it reconnects with Last-Event-ID when its stream ends early.
type alertSubscriber struct {
	done chan struct{} // closed when it stopped

	mu    sync.Mutex
	recon int
}

func (s *alertSubscriber) reconnects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recon
}

// subscribeAlerts connects to the event stream at url and records every
// alert event in got until ctx ends. It returns once the first stream is
// open, so that the server has subscribed it.
func subscribeAlerts(ctx context.Context, url, token string, got *arrivals) (*alertSubscriber, error) {
	client := &http.Client{}
	open := func(last string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/event-stream")
		if last != "" {
			req.Header.Set("Last-Event-ID", last)
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("event stream: %w", err)
		}
		if res.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
			res.Body.Close()
			return nil, fmt.Errorf("event stream: status %d: %s", res.StatusCode, b)
		}
		return res, nil
	}
	res, err := open("")
	if err != nil {
		return nil, err
	}
	s := &alertSubscriber{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		last := ""
		for {
			last = readAlertEvents(res.Body, got, last)
			res.Body.Close()
			if ctx.Err() != nil {
				return
			}
			s.mu.Lock()
			s.recon++
			s.mu.Unlock()
			for {
				if res, err = open(last); err == nil || ctx.Err() != nil {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err != nil {
				return
			}
		}
	}()
	return s, nil
}

// readAlertEvents reads one stream until it ends, records the alert
// events in got, and returns the id of the last event.
func readAlertEvents(body io.Reader, got *arrivals, last string) string {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var event string
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			event = ""
		case bytes.HasPrefix(line, []byte("id: ")):
			last = string(line[4:])
		case bytes.HasPrefix(line, []byte("event: ")):
			event = string(line[7:])
		case bytes.HasPrefix(line, []byte("data: ")) && event == "alert":
			at := time.Now()
			var n struct {
				ResponseID string `json:"response_id"`
			}
			if json.Unmarshal(line[6:], &n) == nil && n.ResponseID != "" {
				got.record(n.ResponseID, at)
			}
		}
	}
	return last
}
