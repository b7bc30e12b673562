// Package jobs runs durable jobs from a cxm.JobStore: it polls for due
// jobs, runs their handlers with a timeout, keeps their leases alive while
// they run, retries failures with exponential backoff and jitter, and gives
// up on a job after its last attempt or on a permanent error.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cxmhq/cxm"
)

// Handler does the work of one job. It returns nil when the work is done,
// Permanent(err) when no retry can help, and any other error to have the
// job retried later. It must return soon after ctx ends. A job can run
// again after a crash between the work and its record, so handlers should
// be idempotent, for example by keying side effects on the job's id.
type Handler func(ctx context.Context, j *cxm.Job) error

// Outcome is how one run of a job ended.
type Outcome string

// The outcomes of a run.
const (
	OutcomeDone     Outcome = "done"     // the handler succeeded
	OutcomeRetry    Outcome = "retry"    // it failed and runs again after a backoff
	OutcomeDead     Outcome = "dead"     // it failed for good
	OutcomeReleased Outcome = "released" // it was stopped by a shutdown and runs again soon
	OutcomeLost     Outcome = "lost"     // its lease was lost to another worker, or its record failed
)

// Metrics counts what a runner does. Main wires it to Prometheus; nil
// counts nothing.
type Metrics interface {
	// JobFinished is called once for every run of a job of kind.
	JobFinished(kind string, outcome Outcome, took time.Duration)
}

// Defaults of a Runner's settings.
const (
	DefaultPollInterval = time.Second
	DefaultConcurrency  = 4
	DefaultLease        = time.Minute
	DefaultTimeout      = 5 * time.Minute
	DefaultGrace        = 10 * time.Second
)

// storeTimeout bounds each call that records a job's outcome, which runs
// even while the runner shuts down.
const storeTimeout = 30 * time.Second

// Runner runs the jobs of the kinds registered with it. Several runners,
// in one process or many, may share a store: a job runs on one at a time.
// Set the fields, Register every kind, then call Run or RunDue. Zero
// fields take their defaults.
type Runner struct {
	// Store holds the jobs.
	Store cxm.JobStore
	// Now is the clock that schedules retries; nil means time.Now. The
	// store's own clock decides when jobs are due.
	Now func() time.Time
	// Logger receives failures and retries; nil means slog.Default().
	Logger *slog.Logger
	// Worker names this runner in the jobs it holds; empty means the host
	// name, the process id and a random suffix.
	Worker string
	// PollInterval is how often Run looks for due jobs when not woken.
	PollInterval time.Duration
	// Concurrency is how many jobs Run runs at once.
	Concurrency int
	// Lease is how long a claimed job is held. A running handler's lease is
	// extended every third of it; a job whose worker died is claimed again
	// once its lease expired.
	Lease time.Duration
	// Timeout bounds one run of a handler.
	Timeout time.Duration
	// Grace is how long running handlers may go on after Run's context
	// ended before their contexts are cancelled and their jobs released.
	Grace time.Duration
	// Backoff returns the pause after failed attempt n (from 1); nil
	// means DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Metrics counts runs by outcome; nil counts nothing.
	Metrics Metrics

	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// Register makes the runner run jobs of kind with h. It panics on an
// invalid kind, a nil handler or a kind registered twice, which are
// mistakes in the wiring. Register every kind before Run.
func (r *Runner) Register(kind string, h Handler) {
	if !cxm.ValidJobKind(kind) || h == nil {
		panic(fmt.Sprintf("jobs: register %q: invalid kind or nil handler", kind))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	if _, dup := r.handlers[kind]; dup {
		panic(fmt.Sprintf("jobs: register %q: kind registered twice", kind))
	}
	r.handlers[kind] = h
}

// Wake makes a running Run look for due jobs now instead of at its next
// poll, for example right after this process enqueued one. It never blocks.
func (r *Runner) Wake() {
	select {
	case r.wakeChan() <- struct{}{}:
	default:
	}
}

func (r *Runner) wakeChan() chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
	return r.wake
}

// settings are a runner's fields with defaults filled in, fixed for one
// Run or RunDue.
type settings struct {
	store       cxm.JobStore
	now         func() time.Time
	log         *slog.Logger
	worker      string
	poll        time.Duration
	concurrency int
	lease       time.Duration
	timeout     time.Duration
	grace       time.Duration
	backoff     func(int) time.Duration
	metrics     Metrics
	handlers    map[string]Handler
	kinds       []string
}

func (r *Runner) settings() (*settings, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Store == nil {
		return nil, errors.New("jobs: runner has no store")
	}
	if len(r.handlers) == 0 {
		return nil, errors.New("jobs: runner has no handlers registered")
	}
	s := &settings{
		store: r.Store, now: r.Now, log: r.Logger, worker: r.Worker, poll: r.PollInterval,
		concurrency: r.Concurrency, lease: r.Lease, timeout: r.Timeout, grace: r.Grace,
		backoff: r.Backoff, metrics: r.Metrics, handlers: map[string]Handler{},
	}
	for k, h := range r.handlers {
		s.handlers[k] = h
		s.kinds = append(s.kinds, k)
	}
	slices.Sort(s.kinds)
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.worker == "" {
		s.worker = defaultWorker()
	}
	if s.poll <= 0 {
		s.poll = DefaultPollInterval
	}
	if s.concurrency <= 0 {
		s.concurrency = DefaultConcurrency
	}
	if s.lease <= 0 {
		s.lease = DefaultLease
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.grace <= 0 {
		s.grace = DefaultGrace
	}
	if s.backoff == nil {
		s.backoff = DefaultBackoff
	}
	return s, nil
}

// defaultWorker names this process: host, pid and a random suffix.
func defaultWorker() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "cxm"
	}
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Run runs due jobs until ctx ends, at most Concurrency at a time. It
// looks for jobs every PollInterval, when woken, and as soon as a slot
// frees up after a full claim. When ctx ends it claims no more, lets
// running handlers finish for up to Grace, then cancels them and releases
// their jobs, and returns nil once every handler has returned.
func (r *Runner) Run(ctx context.Context) error {
	s, err := r.settings()
	if err != nil {
		return err
	}
	// Handlers run under hard, which outlives ctx by the grace period.
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	wake := r.wakeChan()
	freed := make(chan struct{}, 1)
	slots := make(chan struct{}, s.concurrency)
	var wg sync.WaitGroup
	ticker := time.NewTicker(s.poll)
	defer ticker.Stop()
	s.log.Info("jobs: runner started", "worker", s.worker, "kinds", s.kinds, "concurrency", s.concurrency)

	want := true // whether there may be due jobs to claim
	for ctx.Err() == nil {
		if free := cap(slots) - len(slots); want && free > 0 {
			jobs, err := s.store.ClaimJobs(ctx, s.worker, s.kinds, free, s.lease)
			if err != nil && ctx.Err() == nil {
				s.log.Error("jobs: claim", "err", err)
			}
			want = err == nil && len(jobs) == free
			for _, j := range jobs {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.execute(hard, s, j)
					<-slots
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
		}
		select {
		case <-ctx.Done():
		case <-ticker.C:
			want = true
		case <-wake:
			want = true
		case <-freed:
		}
	}

	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	grace := time.NewTimer(s.grace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		cancelHard()
		<-done
	}
	s.log.Info("jobs: runner stopped", "worker", s.worker)
	return nil
}

// RunDue runs every job that is due now, one at a time, and returns how
// many ran. Jobs that handlers enqueue and that are due at once run too.
// It is for tests, with an injected clock, and for the command line.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	s, err := r.settings()
	if err != nil {
		return 0, err
	}
	n := 0
	for ctx.Err() == nil {
		// One at a time, so that no claimed job waits while its lease runs out.
		jobs, err := s.store.ClaimJobs(ctx, s.worker, s.kinds, 1, s.lease)
		if err != nil {
			return n, fmt.Errorf("jobs: run due: %w", err)
		}
		if len(jobs) == 0 {
			return n, nil
		}
		r.execute(ctx, s, jobs[0])
		n++
	}
	return n, ctx.Err()
}

// execute runs one claimed job under base, keeps its lease alive, and
// records its outcome.
func (r *Runner) execute(base context.Context, s *settings, j *cxm.Job) Outcome {
	log := s.log.With("job", j.ID, "kind", j.Kind, "workspace", j.WorkspaceID, "attempt", j.Attempts)
	start := s.now()
	ctx, cancel := context.WithTimeout(base, s.timeout)
	defer cancel()
	// The handler gets a copy, so that lease updates do not race with it.
	copied := *j
	var lost atomic.Bool
	stop, kept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(kept)
		keepLease(ctx, s, j, stop, log, func() {
			lost.Store(true)
			cancel()
		})
	}()
	err := call(ctx, s.handlers[j.Kind], &copied, log)
	close(stop)
	<-kept
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && base.Err() == nil {
		err = fmt.Errorf("timed out after %s: %w", s.timeout, err)
	}
	outcome := r.finish(base, s, j, err, lost.Load(), log)
	if s.metrics != nil {
		s.metrics.JobFinished(j.Kind, outcome, s.now().Sub(start))
	}
	return outcome
}

// call runs h and turns a panic into an error.
func call(ctx context.Context, h Handler, j *cxm.Job, log *slog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("jobs: handler panicked", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	if h == nil {
		return Permanent(fmt.Errorf("no handler for kind %q", j.Kind))
	}
	return h(ctx, j)
}

// keepLease extends j's lease every third of it until stop is closed, and
// calls onLost if another claim took the job.
func keepLease(ctx context.Context, s *settings, j *cxm.Job, stop <-chan struct{}, log *slog.Logger, onLost func()) {
	t := time.NewTicker(s.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.lease/3)
		err := s.store.ExtendJob(ectx, j, s.lease)
		cancel()
		if cxm.ErrorCode(err) == cxm.EConflict {
			log.Warn("jobs: lease lost; cancelling the handler", "err", err)
			onLost()
			return
		}
		if err != nil {
			log.Warn("jobs: extend lease", "err", err)
		}
	}
}

// finish records the outcome of a run: done, failed for a retry after a
// backoff, dead, or released when the runner stopped the handler.
func (r *Runner) finish(base context.Context, s *settings, j *cxm.Job, err error, lost bool, log *slog.Logger) Outcome {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(base), storeTimeout)
	defer cancel()
	var outcome Outcome
	var serr error
	switch {
	case lost:
		log.Warn("jobs: run ended after its lease was lost", "err", err)
		return OutcomeLost
	case err == nil:
		outcome, serr = OutcomeDone, s.store.CompleteJob(ctx, j)
	case base.Err() != nil:
		log.Info("jobs: released at shutdown", "err", err)
		outcome, serr = OutcomeReleased, s.store.ReleaseJob(ctx, j)
	case IsPermanent(err) || j.Attempts >= j.MaxAttempts:
		log.Error("jobs: failed for good", "err", err, "permanent", IsPermanent(err))
		outcome, serr = OutcomeDead, s.store.FailJob(ctx, j, err, nil)
	default:
		at := s.now().Add(s.backoff(j.Attempts))
		log.Warn("jobs: failed; will retry", "err", err, "retry_at", at)
		outcome, serr = OutcomeRetry, s.store.FailJob(ctx, j, err, &at)
	}
	if serr != nil {
		// The job stays running until its lease expires and then runs again.
		log.Error("jobs: record outcome", "outcome", outcome, "err", serr)
		return OutcomeLost
	}
	return outcome
}
