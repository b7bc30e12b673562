package casework_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/casework"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/store"
)

// openStore opens a store with clock on SQLite in a temporary folder, or
// on PostgreSQL in a schema of its own when CXM_TEST_DATABASE_URL is set;
// it skips the PostgreSQL run otherwise.
func openStore(t *testing.T, name string, clock func() time.Time) *store.DB {
	t.Helper()
	ctx := context.Background()
	if name == "sqlite" {
		db, err := store.Open(ctx, store.Config{URL: filepath.Join(t.TempDir(), "cxm.db"), Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	url := os.Getenv("CXM_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("PostgreSQL skipped: CXM_TEST_DATABASE_URL is not set")
	}
	db, drop, err := store.OpenInNewSchema(ctx, url, "test", store.Config{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		drop()
	})
	return db
}

// recorder is a Notifier that records, and fails while down is set.
type recorder struct {
	sent []*cxm.Notification
	down bool
}

func (r *recorder) Notify(_ context.Context, n *cxm.Notification, _ []cxm.NotifyTarget) error {
	if r.down {
		return errors.New("notifier down")
	}
	r.sent = append(r.sent, n)
	return nil
}

// TestWorkerOnStore runs the worker against the real case store and job
// runner: a new case with the default SLA breaches its first response
// once the injected clock is past the deadline, is escalated once even
// when the first notification fails, and is announced once.
func TestWorkerOnStore(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			// The store, the runner and the worker share one injected clock.
			now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday
			clock := func() time.Time { return now }
			db := openStore(t, name, clock)
			ws := &cxm.Workspace{Slug: "acme", Name: "Acme"}
			if err := db.CreateWorkspace(ctx, ws); err != nil {
				t.Fatal(err)
			}
			c := &cxm.Case{WorkspaceID: ws.ID, Title: "Parcel lost", Priority: cxm.PriorityNormal}
			if err := db.CreateCase(ctx, c, 0); err != nil {
				t.Fatal(err)
			}
			if c.FirstResponseDue == nil {
				t.Fatal("the case got no first-response deadline from the default settings")
			}
			now = c.FirstResponseDue.Add(-time.Minute)
			notes := &recorder{down: true}
			w, err := casework.New(casework.Config{Cases: db, Settings: db, Jobs: db, Notifier: notes, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			runner := &jobs.Runner{Store: db, Now: clock, Logger: slog.New(slog.DiscardHandler), Backoff: func(int) time.Duration { return time.Hour }}
			w.Register(runner)

			if n, err := w.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("sweep before the deadline: %d, %v", n, err)
			}
			now = c.FirstResponseDue.Add(time.Minute)
			if n, err := w.Sweep(ctx); err != nil || n != 1 {
				t.Fatalf("sweep after the deadline: %d, %v; want 1 job", n, err)
			}
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindCase(ctx, ws.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(got.Breached, casework.TargetFirstResponse) || got.Priority != cxm.PriorityHigh || len(notes.sent) != 0 {
				t.Fatalf("after a failed notification: breached %v, priority %s, %d sent", got.Breached, got.Priority, len(notes.sent))
			}
			if n, _ := w.Sweep(ctx); n != 0 {
				t.Errorf("sweep enqueued %d jobs for a recorded breach", n)
			}
			notes.down = false
			now = now.Add(time.Hour) // the retry is due
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			got, err = db.FindCase(ctx, ws.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Priority != cxm.PriorityHigh || len(notes.sent) != 1 || notes.sent[0].CaseID != c.ID {
				t.Errorf("after the retry: priority %s, %d sent; want high and 1", got.Priority, len(notes.sent))
			}
			events, err := db.CaseTimeline(ctx, ws.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			breaches := 0
			for _, e := range events {
				if e.Kind == "breach" {
					breaches++
				}
			}
			if breaches != 1 {
				t.Errorf("%d breach events in the timeline, want 1", breaches)
			}
		})
	}
}
