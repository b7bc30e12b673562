package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// jobClock is a settable clock for job tests, safe for concurrent use.
type jobClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *jobClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *jobClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// withJobClock gives db a settable clock starting at a fixed time.
func withJobClock(db *DB) *jobClock {
	c := &jobClock{t: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}
	db.now = c.Now
	return c
}

// mustEnqueue stores j and fails the test unless a new job was stored.
func mustEnqueue(t *testing.T, db *DB, j *cxm.Job) *cxm.Job {
	t.Helper()
	created, err := db.EnqueueJob(context.Background(), j)
	if err != nil || !created {
		t.Fatalf("enqueue %s: created = %v, err = %v", j.Kind, created, err)
	}
	return j
}

// mustClaim claims jobs and fails the test on error.
func mustClaim(t *testing.T, db *DB, kinds []string, limit int) []*cxm.Job {
	t.Helper()
	jobs, err := db.ClaimJobs(context.Background(), "test-worker", kinds, limit, time.Minute)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return jobs
}

func jobIDs(jobs []*cxm.Job) []int64 {
	out := make([]int64, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func TestJobEnqueueAndFind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		j := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "mail.send", Payload: json.RawMessage(`{"to":"anna@example.com"}`)})
		if j.ID == 0 || j.Status != cxm.JobPending || j.MaxAttempts != cxm.DefaultJobMaxAttempts || !j.RunAt.Equal(clock.Now()) {
			t.Errorf("enqueued = %+v, want pending, due now, %d attempts", j, cxm.DefaultJobMaxAttempts)
		}
		got, err := db.FindJob(ctx, w.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Payload) != `{"to":"anna@example.com"}` || got.Kind != "mail.send" || !got.CreatedAt.Equal(clock.Now()) ||
			got.Status != cxm.JobPending || got.Attempts != 0 || got.Token != "" {
			t.Errorf("found = %+v, want the enqueued job", got)
		}
		empty := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "noop", RunAt: clock.Now().Add(time.Hour)})
		if got, _ := db.FindJob(ctx, w.ID, empty.ID); string(got.Payload) != "{}" || !got.RunAt.Equal(clock.Now().Add(time.Hour)) {
			t.Errorf("job without payload = %s at %v, want {} in an hour", got.Payload, got.RunAt)
		}

		other := mustCreateWorkspace(t, db, "other")
		_, err = db.FindJob(ctx, other.ID, j.ID)
		checkError(t, err, cxm.ENotFound)
	})
}

func TestJobEnqueueValidation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		w := mustCreateWorkspace(t, db, "jobs")
		tests := []struct {
			name  string
			job   cxm.Job
			field string
		}{
			{"no kind", cxm.Job{WorkspaceID: w.ID}, "kind"},
			{"bad kind", cxm.Job{WorkspaceID: w.ID, Kind: "Mail Send"}, "kind"},
			{"bad payload", cxm.Job{WorkspaceID: w.ID, Kind: "x", Payload: json.RawMessage("{")}, "payload"},
			{"big payload", cxm.Job{WorkspaceID: w.ID, Kind: "x", Payload: json.RawMessage(`"` + strings.Repeat("x", 70000) + `"`)}, "payload"},
			{"too many attempts", cxm.Job{WorkspaceID: w.ID, Kind: "x", MaxAttempts: 101}, "max_attempts"},
			{"NUL in key", cxm.Job{WorkspaceID: w.ID, Kind: "x", UniqueKey: "a\x00"}, "unique_key"},
			{"no workspace", cxm.Job{Kind: "x"}, "workspace_id"},
			{"unknown workspace", cxm.Job{WorkspaceID: w.ID + 99999, Kind: "x"}, "workspace_id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.EnqueueJob(context.Background(), &tt.job)
				checkError(t, err, cxm.EInvalid, tt.field)
			})
		}
	})
}

func TestJobUniqueKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		other := mustCreateWorkspace(t, db, "other")
		first := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "survey.remind", UniqueKey: "invitation-7"})

		again := &cxm.Job{WorkspaceID: w.ID, Kind: "survey.remind", UniqueKey: "invitation-7", Payload: json.RawMessage(`{"n":2}`)}
		created, err := db.EnqueueJob(ctx, again)
		if err != nil || created {
			t.Fatalf("second enqueue: created = %v, err = %v, want a no-op", created, err)
		}
		if again.ID != first.ID || string(again.Payload) != "{}" {
			t.Errorf("second enqueue set the job to %d %s, want the held job %d", again.ID, again.Payload, first.ID)
		}
		// The key is scoped by workspace and kind.
		mustEnqueue(t, db, &cxm.Job{WorkspaceID: other.ID, Kind: "survey.remind", UniqueKey: "invitation-7"})
		mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "survey.invite", UniqueKey: "invitation-7"})

		// A running job still holds its key; a done one frees it.
		claimed := mustClaim(t, db, []string{"survey.remind"}, 10)
		if len(claimed) != 2 {
			t.Fatalf("claimed %d reminders, want 2 (one per workspace)", len(claimed))
		}
		if created, _ := db.EnqueueJob(ctx, &cxm.Job{WorkspaceID: w.ID, Kind: "survey.remind", UniqueKey: "invitation-7"}); created {
			t.Error("enqueue while the keyed job runs stored a second job")
		}
		for _, j := range claimed {
			if err := db.CompleteJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "survey.remind", UniqueKey: "invitation-7"})
	})
}

func TestJobClaimDueKindsAndLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		now := clock.Now()
		a := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "a", RunAt: now.Add(-time.Minute)})
		b := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "a", RunAt: now.Add(-2 * time.Minute)})
		later := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "a", RunAt: now.Add(time.Hour)})
		other := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "b"})

		got := mustClaim(t, db, []string{"a"}, 1)
		if len(got) != 1 || got[0].ID != b.ID {
			t.Fatalf("claim limit 1 = %v, want the oldest due job %d", jobIDs(got), b.ID)
		}
		j := got[0]
		if j.Status != cxm.JobRunning || j.Attempts != 1 || j.LockedBy != "test-worker" || j.Token == "" ||
			j.LockedUntil == nil || !j.LockedUntil.Equal(now.Add(time.Minute)) {
			t.Errorf("claimed = %+v, want running, attempt 1, held by test-worker for a minute", j)
		}
		got = mustClaim(t, db, []string{"a"}, 10)
		if len(got) != 1 || got[0].ID != a.ID {
			t.Fatalf("second claim = %v, want only %d (the other is held, one is not due, one is another kind)", jobIDs(got), a.ID)
		}
		if got := mustClaim(t, db, []string{"a"}, 10); len(got) != 0 {
			t.Fatalf("third claim = %v, want none", jobIDs(got))
		}
		clock.Add(30 * time.Second)
		if got := mustClaim(t, db, nil, 10); len(got) != 1 || got[0].ID != other.ID {
			t.Fatalf("claim of all kinds = %v, want %d", jobIDs(got), other.ID)
		}
		clock.Add(time.Hour)
		// The leases of a and b have expired too: they come back, oldest first.
		got = mustClaim(t, db, []string{"a"}, 10)
		if want := []int64{b.ID, a.ID, later.ID}; fmt.Sprint(jobIDs(got)) != fmt.Sprint(want) {
			t.Fatalf("claim after an hour = %v, want %v", jobIDs(got), want)
		}
		if got[0].Attempts != 2 || got[2].Attempts != 1 {
			t.Errorf("attempts = %d and %d, want 2 for a reclaimed job and 1 for a first run", got[0].Attempts, got[2].Attempts)
		}

		// The limit holds with many jobs due.
		for range 5 {
			mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "many"})
		}
		if got := mustClaim(t, db, []string{"many"}, 2); len(got) != 2 {
			t.Errorf("claim of 2 of 5 due jobs took %d", len(got))
		}
		_, err := db.ClaimJobs(context.Background(), "", nil, 0, 0)
		checkError(t, err, cxm.EInvalid, "worker", "limit", "lease")
	})
}

func TestJobCompleteFailRelease(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		for range 3 {
			mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "k", MaxAttempts: 2})
		}
		jobs := mustClaim(t, db, nil, 3)
		if len(jobs) != 3 {
			t.Fatalf("claimed %d, want 3", len(jobs))
		}
		done, retry, release := jobs[0], jobs[1], jobs[2]
		if err := db.CompleteJob(ctx, done); err != nil {
			t.Fatal(err)
		}
		retryAt := clock.Now().Add(30 * time.Second)
		if err := db.FailJob(ctx, retry, errors.New("smtp: 451 try later"), &retryAt); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleaseJob(ctx, release); err != nil {
			t.Fatal(err)
		}
		// A finished claim can do nothing more.
		checkError(t, db.CompleteJob(ctx, done), cxm.EConflict)
		checkError(t, db.ExtendJob(ctx, retry, time.Minute), cxm.EConflict)

		got, _ := db.FindJob(ctx, w.ID, done.ID)
		if got.Status != cxm.JobDone || got.FinishedAt == nil || got.LockedBy != "" || got.Token != "" {
			t.Errorf("completed = %+v, want done and unlocked", got)
		}
		got, _ = db.FindJob(ctx, w.ID, retry.ID)
		if got.Status != cxm.JobFailed || !got.RunAt.Equal(retryAt) || got.LastError != "smtp: 451 try later" || got.Attempts != 1 {
			t.Errorf("failed = %+v, want failed, due at %v with its error", got, retryAt)
		}
		got, _ = db.FindJob(ctx, w.ID, release.ID)
		if got.Status != cxm.JobPending || got.Attempts != 0 {
			t.Errorf("released = %+v, want pending with no attempt counted", got)
		}

		// Only the released job is due until the retry time.
		if got := mustClaim(t, db, nil, 10); len(got) != 1 || got[0].ID != release.ID {
			t.Fatalf("claim = %v, want the released job %d", jobIDs(got), release.ID)
		}
		clock.Add(30 * time.Second)
		got2 := mustClaim(t, db, nil, 10)
		if len(got2) != 1 || got2[0].ID != retry.ID || got2[0].Attempts != 2 {
			t.Fatalf("claim at the retry time = %+v, want job %d on attempt 2", got2, retry.ID)
		}
		// No attempts are left: a retry time is ignored and the job is dead.
		if err := db.FailJob(ctx, got2[0], errors.New("again"), &retryAt); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindJob(ctx, w.ID, retry.ID)
		if got.Status != cxm.JobDead || got.FinishedAt == nil || got.LastError != "again" {
			t.Errorf("after the last attempt = %+v, want dead", got)
		}
	})
}

func TestJobExtendAndLostLease(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		j := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "k"})
		first := mustClaim(t, db, nil, 1)[0]
		clock.Add(50 * time.Second)
		if err := db.ExtendJob(ctx, first, time.Minute); err != nil {
			t.Fatal(err)
		}
		clock.Add(50 * time.Second)
		if got := mustClaim(t, db, nil, 1); len(got) != 0 {
			t.Fatalf("claim of an extended job = %v, want none", jobIDs(got))
		}
		clock.Add(11 * time.Second)
		second := mustClaim(t, db, nil, 1)
		if len(second) != 1 || second[0].ID != j.ID || second[0].Token == first.Token {
			t.Fatalf("claim after the lease = %+v, want job %d under a new token", second, j.ID)
		}
		// The first worker lost the job: it can neither finish nor extend it.
		checkError(t, db.CompleteJob(ctx, first), cxm.EConflict)
		checkError(t, db.FailJob(ctx, first, errors.New("x"), nil), cxm.EConflict)
		checkError(t, db.ExtendJob(ctx, first, time.Minute), cxm.EConflict)
		checkError(t, db.ReleaseJob(ctx, first), cxm.EConflict)
		if err := db.CompleteJob(ctx, second[0]); err != nil {
			t.Fatal(err)
		}
	})
}

func TestJobLeaseExpiredOnLastAttemptIsDead(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		j := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "k", MaxAttempts: 1})
		mustClaim(t, db, nil, 1)
		clock.Add(2 * time.Minute)
		if got := mustClaim(t, db, nil, 1); len(got) != 0 {
			t.Fatalf("claim = %v, want none: the only attempt is used", jobIDs(got))
		}
		got, _ := db.FindJob(ctx, w.ID, j.ID)
		if got.Status != cxm.JobDead || got.LastError == "" || got.LockedBy != "" {
			t.Errorf("job = %+v, want dead with a reason", got)
		}
	})
}

func TestJobRetry(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		dead := mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "k", UniqueKey: "u"})
		claimed := mustClaim(t, db, nil, 1)[0]
		if err := db.FailJob(ctx, claimed, errors.New("550 no such user"), nil); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		got, err := db.RetryJob(ctx, w.ID, dead.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != cxm.JobPending || got.Attempts != 0 || !got.RunAt.Equal(clock.Now()) || got.FinishedAt != nil {
			t.Errorf("retried = %+v, want pending, due now, no attempts", got)
		}
		_, err = db.RetryJob(ctx, w.ID, dead.ID)
		checkError(t, err, cxm.EConflict)
		other := mustCreateWorkspace(t, db, "other")
		_, err = db.RetryJob(ctx, other.ID, dead.ID)
		checkError(t, err, cxm.ENotFound)

		// A dead job whose key another job holds meanwhile stays dead.
		claimed = mustClaim(t, db, nil, 1)[0]
		if err := db.FailJob(ctx, claimed, errors.New("no"), nil); err != nil {
			t.Fatal(err)
		}
		mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "k", UniqueKey: "u"})
		_, err = db.RetryJob(ctx, w.ID, dead.ID)
		checkError(t, err, cxm.EConflict, "unique_key")
	})
}

func TestJobListAndPurge(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := withJobClock(db)
		w := mustCreateWorkspace(t, db, "jobs")
		other := mustCreateWorkspace(t, db, "other")
		var ids []int64
		for i := range 5 {
			kind := "a"
			if i%2 == 1 {
				kind = "b"
			}
			ids = append(ids, mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: kind}).ID)
		}
		mustEnqueue(t, db, &cxm.Job{WorkspaceID: other.ID, Kind: "a"})

		var got []int64
		cursor := ""
		for range 10 {
			page, next, err := db.ListJobs(ctx, w.ID, cxm.JobFilter{Page: cxm.Page{Limit: 2, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, jobIDs(page)...)
			if cursor = next; cursor == "" {
				break
			}
		}
		if want := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("pages = %v, want %v", got, want)
		}
		page, _, err := db.ListJobs(ctx, w.ID, cxm.JobFilter{Kind: "b"})
		if err != nil || fmt.Sprint(jobIDs(page)) != fmt.Sprint([]int64{ids[3], ids[1]}) {
			t.Errorf("kind b = %v (%v), want %v", jobIDs(page), err, []int64{ids[3], ids[1]})
		}
		for _, j := range mustClaim(t, db, []string{"b"}, 10) {
			if err := db.CompleteJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		page, _, _ = db.ListJobs(ctx, w.ID, cxm.JobFilter{Status: cxm.JobDone})
		if len(page) != 2 {
			t.Errorf("done jobs = %v, want 2", jobIDs(page))
		}
		_, _, err = db.ListJobs(ctx, w.ID, cxm.JobFilter{Status: "nope"})
		checkError(t, err, cxm.EInvalid, "status")
		_, _, err = db.ListJobs(ctx, w.ID, cxm.JobFilter{Page: cxm.Page{Cursor: "!"}})
		checkError(t, err, cxm.EInvalid, "cursor")

		if n, err := db.PurgeJobs(ctx, clock.Now()); err != nil || n != 0 {
			t.Errorf("purge before they finished = %d, %v, want 0", n, err)
		}
		if n, err := db.PurgeJobs(ctx, clock.Now().Add(time.Second)); err != nil || n != 2 {
			t.Errorf("purge = %d, %v, want 2", n, err)
		}
		if page, _, _ := db.ListJobs(ctx, w.ID, cxm.JobFilter{}); len(page) != 3 {
			t.Errorf("jobs after purge = %v, want 3", jobIDs(page))
		}
	})
}

// TestJobConcurrentClaims lets many goroutines claim at once from one
// store; every job must be claimed exactly once.
func TestJobConcurrentClaims(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "jobs")
		const n = 200
		for range n {
			mustEnqueue(t, db, &cxm.Job{WorkspaceID: w.ID, Kind: "k"})
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					jobs, err := db.ClaimJobs(ctx, fmt.Sprintf("w%d", g), []string{"k"}, 3, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(jobs) == 0 {
						return
					}
					if len(jobs) > 3 {
						errs <- fmt.Errorf("claim with limit 3 took %d jobs", len(jobs))
						return
					}
					for _, j := range jobs {
						mu.Lock()
						seen[j.ID]++
						mu.Unlock()
						if err := db.CompleteJob(ctx, j); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != n {
			t.Errorf("claimed %d distinct jobs, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("job %d claimed %d times", id, c)
			}
		}
	})
}

// BenchmarkJobLifecycle enqueues, claims in batches of 16 and completes
// jobs, the path of every email and webhook.
func BenchmarkJobLifecycle(b *testing.B) {
	ctx := context.Background()
	dbs := map[string]*DB{}
	lite, err := Open(ctx, Config{URL: b.TempDir() + "/cxm.db"})
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	dbs["sqlite"] = lite
	if pg := OpenTestPostgres(b); pg != nil {
		dbs["postgres"] = pg
	}
	for name, db := range dbs {
		w := &cxm.Workspace{Slug: "bench", Name: "Bench"}
		if err := db.CreateWorkspace(ctx, w); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := db.EnqueueJob(ctx, &cxm.Job{WorkspaceID: w.ID, Kind: "bench"}); err != nil {
					b.Fatal(err)
				}
			}
			for done := 0; done < b.N; {
				jobs, err := db.ClaimJobs(ctx, "bench", []string{"bench"}, 16, time.Minute)
				if err != nil || len(jobs) == 0 {
					b.Fatalf("claim after %d of %d: %v", done, b.N, err)
				}
				for _, j := range jobs {
					if err := db.CompleteJob(ctx, j); err != nil {
						b.Fatal(err)
					}
				}
				done += len(jobs)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
