package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// benchTouchpoints are the touchpoints the ingest benchmark posts to.
var benchTouchpoints = []struct {
	key, stage string
	ch         cxm.Channel
}{
	{"search-ads", "awareness", cxm.ChannelWeb}, {"instagram", "awareness", cxm.ChannelSocial},
	{"newsletter", "consideration", cxm.ChannelEmail}, {"website", "consideration", cxm.ChannelWeb},
	{"app", "consideration", cxm.ChannelApp}, {"checkout", "purchase", cxm.ChannelWeb},
	{"store", "purchase", cxm.ChannelStore}, {"delivery", "receipt", cxm.ChannelDelivery},
	{"hotline", "receipt", cxm.ChannelPhone}, {"reviews", "advocacy", cxm.ChannelWeb},
}

var benchTypes = []string{"view", "order", "delivered", "call", "review", "newsletter.open"}

// benchEvents returns the interactions from..to of the benchmark's
// sequence over customers customers, the same every time.
func benchEvents(from, to, customers int, start time.Time) []*cxm.Interaction {
	out := make([]*cxm.Interaction, 0, to-from)
	for i := from; i < to; i++ {
		v := float64(20 + i%480)
		out = append(out, &cxm.Interaction{
			ID:         "bench-" + strconv.Itoa(i),
			Customer:   "K-" + strconv.Itoa(100000+(i*7919)%customers),
			Touchpoint: benchTouchpoints[i%len(benchTouchpoints)].key,
			Type:       benchTypes[i%len(benchTypes)],
			OccurredAt: start.Add(time.Duration(i) * time.Second),
			Value:      &v,
			Properties: []byte(`{"order_id":"A-` + strconv.Itoa(i) + `","items":` + strconv.Itoa(1+i%5) + `}`),
		})
	}
	return out
}

// ndjson encodes events as one NDJSON body.
func ndjson(events []*cxm.Interaction) []byte {
	var b bytes.Buffer
	for _, e := range events {
		fmt.Fprintf(&b, `{"id":%q,"customer":%q,"touchpoint":%q,"type":%q,"occurred_at":%q,"value":%g,"properties":%s}`+"\n",
			e.ID, e.Customer, e.Touchpoint, e.Type, e.OccurredAt.Format(time.RFC3339Nano), *e.Value, e.Properties)
	}
	return b.Bytes()
}

// benchDB opens a fresh SQLite store in a temporary folder, with a
// workspace and the bench touchpoints; cleanup closes and removes it.
func benchDB(ctx context.Context) (db *store.DB, ws *cxm.Workspace, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "cxm-bench-")
	if err != nil {
		return nil, nil, nil, err
	}
	cleanup = func() {
		if db != nil {
			db.Close()
		}
		os.RemoveAll(dir)
	}
	if db, err = store.Open(ctx, store.Config{URL: filepath.Join(dir, "cxm.db")}); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	ws = &cxm.Workspace{Slug: "bench", Name: "Bench"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	for _, t := range benchTouchpoints {
		tp := &cxm.Touchpoint{WorkspaceID: ws.ID, Key: t.key, Name: t.key, StageKey: t.stage, Channel: t.ch, Online: t.ch.Online()}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			cleanup()
			return nil, nil, nil, err
		}
	}
	return db, ws, cleanup, nil
}

func runBenchIngest(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("bench ingest", m, &cfg)
	n := fs.Int("events", 200000, "number of interactions")
	batch := fs.Int("batch", 1000, "interactions per request")
	conc := fs.Int("concurrency", 4, "concurrent HTTP requests")
	customers := fs.Int("customers", 20000, "distinct customers")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	start := m.Now().Add(-90 * 24 * time.Hour)
	// The bodies are encoded before the clock starts, so that the client
	// does not compete with the server for the CPU while it is measured.
	var bodies [][]byte
	for i := 0; i < *n; i += *batch {
		bodies = append(bodies, ndjson(benchEvents(i, min(i+*batch, *n), *customers, start)))
	}
	httpRate, err := benchHTTPIngest(ctx, m, bodies, *conc, *n)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	bodies = nil
	storeRate, err := benchStoreIngest(ctx, *n, *batch, func(from, to int) []*cxm.Interaction {
		return benchEvents(from, to, *customers, start)
	})
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return printResult(m, *asJSON, []benchField{
		{"events", *n},
		{"http_events_per_s", round2(httpRate)},
		{"store_events_per_s", round2(storeRate)},
		{"ratio", round2(httpRate / storeRate)},
		{"rss_mb", round2(peakRSSMB())},
	})
}

// benchHTTPIngest serves a fresh database on loopback and posts the bodies
// with conc concurrent clients; it returns events per second.
func benchHTTPIngest(ctx context.Context, m *Main, bodies [][]byte, conc, n int) (float64, error) {
	db, ws, cleanup, err := benchDB(ctx)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	url, token, stop, err := benchServer(ctx, m, db, ws)
	if err != nil {
		return 0, err
	}
	defer stop()
	var mu sync.Mutex
	accepted := 0
	res, err := runLoad(ctx, url+"/api/v1/interactions", token, "application/x-ndjson", bodies, conc, func(status int, body []byte) error {
		if status != http.StatusOK {
			return fmt.Errorf("status %d: %.300s", status, body)
		}
		var r cxm.BatchResult
		if err := json.Unmarshal(body, &r); err != nil {
			return err
		}
		mu.Lock()
		accepted += r.Accepted
		mu.Unlock()
		return nil
	})
	if err != nil {
		return 0, err
	}
	if accepted != n {
		return 0, fmt.Errorf("server accepted %d of %d events", accepted, n)
	}
	return float64(n) / res.elapsed.Seconds(), nil
}

// benchStoreIngest inserts the same n events straight through the store
// into a fresh database, making each batch just before it is stored; it
// returns events per second.
func benchStoreIngest(ctx context.Context, n, batch int, events func(from, to int) []*cxm.Interaction) (float64, error) {
	db, ws, cleanup, err := benchDB(ctx)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	start := time.Now()
	for i := 0; i < n; i += batch {
		res, err := db.IngestInteractions(ctx, ws.ID, events(i, min(i+batch, n)), cxm.IngestOptions{})
		if err != nil {
			return 0, err
		}
		if res.Rejected > 0 {
			return 0, fmt.Errorf("store rejected %d events: %+v", res.Rejected, res.Errors[0])
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
