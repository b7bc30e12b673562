package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// clock is a settable clock shared by the stores and runners of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// env is one test database: open returns a new handle on it each time, as
// another process or a restarted one would have, all on the test's clock.
type env struct {
	clock *clock
	open  func() *store.DB
	// ws is a workspace created on the first handle.
	ws int64
	db *store.DB
}

// forEachStore runs fn on SQLite and, when CXM_TEST_DATABASE_URL is set,
// on PostgreSQL.
func forEachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cxm.db")
		fn(t, newEnv(t, path))
	})
	url := os.Getenv("CXM_TEST_DATABASE_URL")
	if url == "" {
		t.Log("PostgreSQL tests skipped: CXM_TEST_DATABASE_URL is not set")
		return
	}
	t.Run("postgres", func(t *testing.T) {
		fn(t, newEnv(t, postgresSchema(t, url)))
	})
}

// newEnv opens a first handle on url and creates a workspace in it.
func newEnv(t *testing.T, url string) *env {
	e := &env{clock: newClock()}
	e.open = func() *store.DB {
		t.Helper()
		db, err := store.Open(context.Background(), store.Config{URL: url, Now: e.clock.Now})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	e.db = e.open()
	w := &cxm.Workspace{Slug: "jobs", Name: "Jobs"}
	if err := e.db.CreateWorkspace(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	e.ws = w.ID
	return e
}

// postgresSchema creates a schema of its own on the server at url, dropped
// after the test, and returns a URL that opens stores in it.
func postgresSchema(t *testing.T, url string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "jobs_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// enqueue stores a job of kind due at runAt (zero: now) and returns it.
func (e *env) enqueue(t *testing.T, kind string, runAt time.Time) *cxm.Job {
	t.Helper()
	j := &cxm.Job{WorkspaceID: e.ws, Kind: kind, RunAt: runAt}
	if created, err := e.db.EnqueueJob(context.Background(), j); err != nil || !created {
		t.Fatalf("enqueue: created = %v, err = %v", created, err)
	}
	return j
}

// find reads a job back.
func (e *env) find(t *testing.T, id int64) *cxm.Job {
	t.Helper()
	j, err := e.db.FindJob(context.Background(), e.ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// runner returns a runner on e's first handle and clock that logs nothing.
func (e *env) runner(db *store.DB) *Runner {
	if db == nil {
		db = e.db
	}
	return &Runner{Store: db, Now: e.clock.Now, Logger: quietLogger()}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// runDue runs due jobs and fails the test unless want ran.
func runDue(t *testing.T, r *Runner, want int) {
	t.Helper()
	n, err := r.RunDue(context.Background())
	if err != nil {
		t.Fatalf("run due: %v", err)
	}
	if n != want {
		t.Fatalf("run due ran %d jobs, want %d", n, want)
	}
}

// countMetrics counts outcomes.
type countMetrics struct {
	mu sync.Mutex
	n  map[Outcome]int
}

func (m *countMetrics) JobFinished(kind string, o Outcome, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == nil {
		m.n = map[Outcome]int{}
	}
	m.n[o]++
}

func (m *countMetrics) get(o Outcome) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n[o]
}

// hookStore calls onExtend before each ExtendJob of the store it wraps.
type hookStore struct {
	cxm.JobStore
	onExtend func()
}

func (h *hookStore) ExtendJob(ctx context.Context, j *cxm.Job, lease time.Duration) error {
	if h.onExtend != nil {
		h.onExtend()
	}
	return h.JobStore.ExtendJob(ctx, j, lease)
}

// waitFor fails the test if ch is not closed within a generous bound that
// only guards against a hang; it is not a timing assertion.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute):
		t.Fatalf("gave up waiting for %s", what)
	}
}
