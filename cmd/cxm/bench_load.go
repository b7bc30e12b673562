package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/bus"
	"github.com/cxmhq/cxm/store"
)

// benchServer serves db on a loopback port for a benchmark and returns
// its base URL, a write API key of ws, and a function that stops it.
func benchServer(ctx context.Context, m *Main, db *store.DB, ws *cxm.Workspace) (url, token string, stop func(), err error) {
	token, err = db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: "bench", Scope: cxm.ScopeWrite})
	if err != nil {
		return "", "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	scfg := &serveConfig{MaxBodyBytes: 64 << 20, MaxBatch: 100000}
	events := bus.New(bus.Options{Logger: slog.New(slog.DiscardHandler)})
	srv := &http.Server{Handler: newWebServer(scfg, db, events, slog.New(slog.DiscardHandler), m).Handler()}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), token, func() { srv.Close(); events.Close() }, nil
}

// loadResult is what a load run measured.
type loadResult struct {
	elapsed   time.Duration
	latencies []time.Duration // sorted
}

// percentileMS returns the p-th percentile latency in milliseconds.
func (r loadResult) percentileMS(p float64) float64 {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(r.latencies)-1))
	return float64(r.latencies[i].Microseconds()) / 1000
}

// runLoad posts each body to url with conc concurrent clients and checks
// every answer with check. It measures each request from send to the
// whole answer read, and the run from the first send to the last answer.
func runLoad(ctx context.Context, url, token, contentType string, bodies [][]byte, conc int,
	check func(status int, body []byte) error) (loadResult, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	work := make(chan []byte)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	lat := make([]time.Duration, 0, len(bodies))
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				t0 := time.Now()
				status, answer, err := post(ctx, client, url, token, contentType, body)
				d := time.Since(t0)
				if err == nil {
					err = check(status, answer)
				}
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range bodies {
		work <- b
	}
	close(work)
	wg.Wait()
	res := loadResult{elapsed: time.Since(start), latencies: lat}
	sort.Slice(res.latencies, func(i, j int) bool { return res.latencies[i] < res.latencies[j] })
	return res, firstErr
}

// post sends one request and returns the status and the whole answer.
func post(ctx context.Context, c *http.Client, url, token, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("read answer: %w", err)
	}
	return res.StatusCode, b, nil
}
