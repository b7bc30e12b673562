package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func TestBackoffSchedule(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, 2 * time.Minute},
		{3, 10 * time.Minute},
		{4, time.Hour},
		{5, 6 * time.Hour},
		{8, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := BaseBackoff(tt.attempt); got != tt.want {
			t.Errorf("BaseBackoff(%d) = %v, want %v", tt.attempt, got, tt.want)
		}
		for range 50 {
			if got := DefaultBackoff(tt.attempt); got < tt.want || got > tt.want+tt.want/5 {
				t.Fatalf("DefaultBackoff(%d) = %v, want within a fifth above %v", tt.attempt, got, tt.want)
			}
		}
	}
}

// permanentish is an error of another package that says whether it is permanent.
type permanentish bool

func (p permanentish) Error() string   { return fmt.Sprintf("permanent=%v", bool(p)) }
func (p permanentish) Permanent() bool { return bool(p) }

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("x"), false},
		{Permanent(errors.New("x")), true},
		{fmt.Errorf("wrapped: %w", Permanent(errors.New("x"))), true},
		{permanentish(true), true},
		{fmt.Errorf("send: %w", permanentish(false)), false},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
}

func TestRetryScheduleThenDead(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		r := e.runner(nil)
		m := &countMetrics{}
		r.Metrics = m
		calls := 0
		r.Register("mail.send", func(ctx context.Context, j *cxm.Job) error {
			calls++
			return fmt.Errorf("421 service not available (attempt %d)", j.Attempts)
		})
		j := e.enqueue(t, "mail.send", time.Time{})
		for attempt := 1; attempt <= cxm.DefaultJobMaxAttempts; attempt++ {
			runDue(t, r, 1)
			got := e.find(t, j.ID)
			if attempt == cxm.DefaultJobMaxAttempts {
				if got.Status != cxm.JobDead || got.Attempts != attempt || !strings.Contains(got.LastError, "attempt 8") {
					t.Fatalf("after the last attempt: %+v, want dead after 8", got)
				}
				break
			}
			base := BaseBackoff(attempt)
			wait := got.RunAt.Sub(e.clock.Now())
			if got.Status != cxm.JobFailed || got.Attempts != attempt || wait < base || wait > base+base/5 {
				t.Fatalf("after attempt %d: status %s, attempts %d, retry in %v; want failed, retry in %v plus jitter",
					attempt, got.Status, got.Attempts, wait, base)
			}
			// The retry does not run a microsecond early.
			e.clock.Set(got.RunAt.Add(-time.Microsecond))
			runDue(t, r, 0)
			e.clock.Set(got.RunAt)
		}
		runDue(t, r, 0)
		if calls != 8 || m.get(OutcomeRetry) != 7 || m.get(OutcomeDead) != 1 {
			t.Errorf("calls = %d, retries = %d, dead = %d; want 8, 7, 1", calls, m.get(OutcomeRetry), m.get(OutcomeDead))
		}
	})
}

func TestPermanentErrorsSkipRetries(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		r := e.runner(nil)
		r.Register("ours", func(ctx context.Context, j *cxm.Job) error {
			return Permanent(errors.New("survey is gone"))
		})
		r.Register("theirs", func(ctx context.Context, j *cxm.Job) error {
			return fmt.Errorf("send: %w", permanentish(true))
		})
		ours := e.enqueue(t, "ours", time.Time{})
		theirs := e.enqueue(t, "theirs", time.Time{})
		runDue(t, r, 2)
		for _, j := range []*cxm.Job{ours, theirs} {
			if got := e.find(t, j.ID); got.Status != cxm.JobDead || got.Attempts != 1 || got.LastError == "" {
				t.Errorf("%s job = %+v, want dead after one attempt", j.Kind, got)
			}
		}
	})
}

func TestPanicIsAFailure(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		r := e.runner(nil)
		r.Backoff = func(int) time.Duration { return time.Minute }
		calls := 0
		r.Register("fragile", func(ctx context.Context, j *cxm.Job) error {
			calls++
			if calls == 1 {
				var m map[string]int
				m["boom"]++ // panics: assignment to entry in nil map
			}
			return nil
		})
		j := e.enqueue(t, "fragile", time.Time{})
		runDue(t, r, 1)
		got := e.find(t, j.ID)
		if got.Status != cxm.JobFailed || !strings.HasPrefix(got.LastError, "panic: ") {
			t.Fatalf("after a panic: %+v, want failed with the panic as error", got)
		}
		e.clock.Add(time.Minute)
		runDue(t, r, 1)
		if got := e.find(t, j.ID); got.Status != cxm.JobDone || got.Attempts != 2 {
			t.Errorf("after the retry: %+v, want done on attempt 2", got)
		}
	})
}

func TestFutureJobWaitsAndUniqueKeyRunsOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		r := e.runner(nil)
		var ran []string
		r.Register("survey.remind", func(ctx context.Context, j *cxm.Job) error {
			ran = append(ran, j.UniqueKey)
			return nil
		})
		in := e.clock.Now().Add(48 * time.Hour)
		for range 3 {
			j := &cxm.Job{WorkspaceID: e.ws, Kind: "survey.remind", UniqueKey: "invitation-1", RunAt: in}
			if _, err := e.db.EnqueueJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		runDue(t, r, 0)
		e.clock.Set(in.Add(-time.Second))
		runDue(t, r, 0)
		e.clock.Set(in)
		runDue(t, r, 1)
		if fmt.Sprint(ran) != "[invitation-1]" {
			t.Errorf("ran %v, want one reminder", ran)
		}
	})
}

// TestSurvivesRestart stops a process that holds a job as kill -9 would,
// and lets a new runner on a new handle pick up pending work and the job
// whose lease expired.
func TestSurvivesRestart(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var a, b, c *cxm.Job
		{
			first := e.open()
			for _, p := range []**cxm.Job{&a, &b, &c} {
				*p = e.enqueue(t, "work", time.Time{})
			}
			// The old process claimed a and died without a word.
			held, err := first.ClaimJobs(ctx, "died", []string{"work"}, 1, DefaultLease)
			if err != nil || len(held) != 1 || held[0].ID != a.ID {
				t.Fatalf("claim before the crash = %v, %v", held, err)
			}
			first.Close()
		}
		second := e.open()
		r := e.runner(second)
		var mu sync.Mutex
		ran := map[int64]int{}
		r.Register("work", func(ctx context.Context, j *cxm.Job) error {
			mu.Lock()
			ran[j.ID]++
			mu.Unlock()
			return nil
		})
		runDue(t, r, 2)
		if ran[a.ID] != 0 || ran[b.ID] != 1 || ran[c.ID] != 1 {
			t.Fatalf("ran %v, want b and c only while a's lease holds", ran)
		}
		e.clock.Add(DefaultLease)
		runDue(t, r, 1)
		got := e.find(t, a.ID)
		if ran[a.ID] != 1 || got.Status != cxm.JobDone || got.Attempts != 2 {
			t.Errorf("a = %+v after its lease expired, want done on attempt 2", got)
		}
	})
}

// TestTwoRunnersRunEachJobOnce runs two runners, each on a store handle of
// its own as two processes would have, over the same 200 jobs.
func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		const n = 200
		for range n {
			e.enqueue(t, "work", time.Time{})
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		inFlight := map[int64]bool{}
		var overlaps atomic.Int32
		allDone := make(chan struct{})
		handler := func(ctx context.Context, j *cxm.Job) error {
			mu.Lock()
			if inFlight[j.ID] {
				overlaps.Add(1)
			}
			inFlight[j.ID] = true
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			defer mu.Unlock()
			delete(inFlight, j.ID)
			runs[j.ID]++
			if len(runs) == n && runs[j.ID] == 1 {
				close(allDone)
			}
			return nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var runners []*Runner
		for i := range 2 {
			r := e.runner(e.open())
			r.Worker = fmt.Sprintf("node-%d", i)
			r.Concurrency = 4
			r.PollInterval = time.Millisecond
			r.Register("work", handler)
			runners = append(runners, r)
		}
		for _, r := range runners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.Run(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		waitFor(t, allDone, "all jobs to run")
		cancel()
		wg.Wait()
		for id, c := range runs {
			if c != 1 {
				t.Errorf("job %d ran %d times", id, c)
			}
		}
		if overlaps.Load() != 0 {
			t.Errorf("%d runs overlapped with a run of the same job", overlaps.Load())
		}
		done, _, err := e.db.ListJobs(context.Background(), e.ws, cxm.JobFilter{Status: cxm.JobDone, Page: cxm.Page{Limit: 1000}})
		if err != nil || len(done) != n {
			t.Errorf("done jobs = %d (%v), want %d", len(done), err, n)
		}
	})
}

func TestShutdownLetsRunningJobsFinish(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		r := e.runner(nil)
		r.Grace = time.Hour
		started, proceed := make(chan struct{}), make(chan struct{})
		var cancelledEarly atomic.Bool
		r.Register("slow", func(ctx context.Context, j *cxm.Job) error {
			close(started)
			<-proceed
			cancelledEarly.Store(ctx.Err() != nil)
			return nil
		})
		j := e.enqueue(t, "slow", time.Time{})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			r.Run(ctx)
		}()
		waitFor(t, started, "the job to start")
		cancel()
		close(proceed)
		waitFor(t, stopped, "the runner to stop")
		if cancelledEarly.Load() {
			t.Error("the handler's context ended before the grace period")
		}
		if got := e.find(t, j.ID); got.Status != cxm.JobDone {
			t.Errorf("job = %+v, want done", got)
		}
	})
}

func TestShutdownReleasesJobsAfterGrace(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		r := e.runner(nil)
		r.Grace = time.Nanosecond
		m := &countMetrics{}
		r.Metrics = m
		started := make(chan struct{})
		r.Register("stuck", func(ctx context.Context, j *cxm.Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		j := e.enqueue(t, "stuck", time.Time{})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			r.Run(ctx)
		}()
		waitFor(t, started, "the job to start")
		cancel()
		waitFor(t, stopped, "the runner to stop")
		got := e.find(t, j.ID)
		if got.Status != cxm.JobPending || got.Attempts != 0 || got.LockedBy != "" || m.get(OutcomeReleased) != 1 {
			t.Errorf("job = %+v, released = %d; want pending with no attempt counted", got, m.get(OutcomeReleased))
		}
	})
}

func TestLeaseIsExtendedWhileRunning(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		extended := make(chan struct{})
		var count atomic.Int32
		hs := &hookStore{JobStore: e.db, onExtend: func() {
			if count.Add(1) == 3 {
				close(extended)
			}
		}}
		r := e.runner(nil)
		r.Store = hs
		r.Lease = 30 * time.Millisecond
		r.Register("long", func(ctx context.Context, j *cxm.Job) error {
			<-extended
			return nil
		})
		j := e.enqueue(t, "long", time.Time{})
		runDue(t, r, 1)
		if got := e.find(t, j.ID); got.Status != cxm.JobDone || got.Attempts != 1 {
			t.Errorf("job = %+v, want done on its first attempt", got)
		}
	})
}

func TestLostLeaseCancelsTheHandler(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var stolen []*cxm.Job
		var once sync.Once
		hs := &hookStore{JobStore: e.db}
		hs.onExtend = func() {
			// Before the first extension, the lease runs out and another
			// worker takes the job.
			once.Do(func() {
				e.clock.Add(time.Hour)
				var err error
				if stolen, err = e.db.ClaimJobs(ctx, "thief", []string{"long"}, 1, time.Hour); err != nil {
					t.Error(err)
				}
			})
		}
		r := e.runner(nil)
		r.Store = hs
		r.Lease = 30 * time.Millisecond
		m := &countMetrics{}
		r.Metrics = m
		r.Register("long", func(ctx context.Context, j *cxm.Job) error {
			<-ctx.Done()
			return ctx.Err()
		})
		j := e.enqueue(t, "long", time.Time{})
		runDue(t, r, 1)
		got := e.find(t, j.ID)
		if len(stolen) != 1 || got.Status != cxm.JobRunning || got.LockedBy != "thief" || m.get(OutcomeLost) != 1 {
			t.Errorf("job = %+v, lost = %d; want it still held by the thief", got, m.get(OutcomeLost))
		}
	})
}

func TestWakeRunsNewJobsAtOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		r := e.runner(nil)
		r.PollInterval = time.Hour
		ran := make(chan int64, 2)
		r.Register("now", func(ctx context.Context, j *cxm.Job) error {
			ran <- j.ID
			return nil
		})
		first := e.enqueue(t, "now", time.Time{})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			r.Run(ctx)
		}()
		if got := <-ran; got != first.ID {
			t.Fatalf("ran %d, want %d", got, first.ID)
		}
		second := e.enqueue(t, "now", time.Time{})
		r.Wake()
		select {
		case got := <-ran:
			if got != second.ID {
				t.Errorf("ran %d, want %d", got, second.ID)
			}
		case <-time.After(2 * time.Minute):
			t.Error("the woken runner did not run the new job")
		}
		cancel()
		<-stopped
	})
}

func TestRunnerMisconfiguration(t *testing.T) {
	var r Runner
	if _, err := r.RunDue(context.Background()); err == nil {
		t.Error("RunDue without a store succeeded")
	}
	r.Store = &hookStore{} // never called: Run fails before it claims
	if err := r.Run(context.Background()); err == nil {
		t.Error("Run without handlers succeeded")
	}
	r.Register("k", func(context.Context, *cxm.Job) error { return nil })
	for name, fn := range map[string]func(){
		"twice":    func() { r.Register("k", func(context.Context, *cxm.Job) error { return nil }) },
		"bad kind": func() { r.Register("Bad Kind", func(context.Context, *cxm.Job) error { return nil }) },
		"nil":      func() { r.Register("other", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register %s did not panic", name)
				}
			}()
			fn()
		}()
	}
}
