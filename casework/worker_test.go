package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

// fakeCases keeps cases in memory; its EscalateCase is idempotent per
// target like the real store's.
type fakeCases struct {
	cxm.CaseService
	mu        sync.Mutex
	cases     map[int64]*cxm.Case
	escalated []cxm.Escalation
}

func (f *fakeCases) CasesDue(_ context.Context, t time.Time, limit int) ([]*cxm.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*cxm.Case
	for _, c := range f.cases {
		if len(DueTargets(c, t)) > 0 && len(out) < limit {
			cp := *c
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (f *fakeCases) FindCase(_ context.Context, ws, id int64) (*cxm.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cases[id]
	if !ok || c.WorkspaceID != ws {
		return nil, cxm.NotFound("case")
	}
	cp := *c
	return &cp, nil
}

func (f *fakeCases) EscalateCase(_ context.Context, ws, id int64, e cxm.Escalation) (*cxm.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cases[id]
	if !ok || c.WorkspaceID != ws {
		return nil, cxm.NotFound("case")
	}
	if !slices.Contains(c.Breached, e.Target) {
		c.Breached = append(slices.Clone(c.Breached), e.Target)
		if e.RaisePriority {
			c.Priority = c.Priority.Raised()
		}
		if e.TeamID != 0 {
			c.TeamID = e.TeamID
		}
		if e.AssigneeID != 0 {
			c.AssigneeID = e.AssigneeID
		}
		f.escalated = append(f.escalated, e)
	}
	cp := *c
	return &cp, nil
}

// fakeSettings returns one policy for every workspace.
type fakeSettings struct{ policy cxm.EscalationPolicy }

func (f fakeSettings) CaseSettings(_ context.Context, ws int64) (*cxm.CaseSettings, error) {
	s := sla.DefaultSettings(ws)
	s.Escalation = f.policy
	return s, nil
}

func (fakeSettings) UpdateCaseSettings(context.Context, *cxm.CaseSettings) error { return nil }

// fakeJobs keeps jobs with the unique-key rule of the real store: a key is
// held while its job is not done.
type fakeJobs struct {
	cxm.JobStore
	jobs []*cxm.Job
}

func (f *fakeJobs) EnqueueJob(_ context.Context, j *cxm.Job) (bool, error) {
	if err := j.Validate(); err != nil {
		return false, err
	}
	for _, o := range f.jobs {
		if o.Status != cxm.JobDone && o.WorkspaceID == j.WorkspaceID && o.Kind == j.Kind && o.UniqueKey == j.UniqueKey {
			return false, nil
		}
	}
	j.ID = int64(len(f.jobs) + 1)
	j.Status = cxm.JobPending
	f.jobs = append(f.jobs, j)
	return true, nil
}

// runAll runs every pending job once with h, marking successes done.
func (f *fakeJobs) runAll(t *testing.T, h func(context.Context, *cxm.Job) error) (failed int) {
	t.Helper()
	for _, j := range f.jobs {
		if j.Status == cxm.JobDone {
			continue
		}
		if err := h(context.Background(), j); err != nil {
			failed++
			continue
		}
		j.Status = cxm.JobDone
	}
	return failed
}

// fakeNotifier records notifications; it fails the next failNext calls.
type fakeNotifier struct {
	sent     []*cxm.Notification
	targets  [][]cxm.NotifyTarget
	failNext int
}

func (f *fakeNotifier) Notify(_ context.Context, n *cxm.Notification, targets []cxm.NotifyTarget) error {
	if f.failNext > 0 {
		f.failNext--
		return errors.New("notifier down")
	}
	n.ID = int64(len(f.sent) + 1)
	f.sent = append(f.sent, n)
	f.targets = append(f.targets, targets)
	return nil
}

// clock is an injected clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type fixture struct {
	cases    *fakeCases
	jobs     *fakeJobs
	notifier *fakeNotifier
	clock    *clock
	w        *Worker
	policy   cxm.EscalationPolicy
}

func newFixture(t *testing.T, cases ...*cxm.Case) *fixture {
	t.Helper()
	f := &fixture{
		cases:    &fakeCases{cases: map[int64]*cxm.Case{}},
		jobs:     &fakeJobs{},
		notifier: &fakeNotifier{},
		clock:    &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		policy: cxm.EscalationPolicy{RaisePriority: true, TeamID: 77,
			Notify: []cxm.NotifyTarget{{Kind: "email", Email: "lead@acme.example"}}},
	}
	for _, c := range cases {
		f.cases.cases[c.ID] = c
	}
	w, err := New(Config{Cases: f.cases, Settings: fakeSettings{f.policy}, Jobs: f.jobs, Notifier: f.notifier, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.w = w
	return f
}

func at(t time.Time) *time.Time { return &t }

func sweep(t *testing.T, w *Worker) int {
	t.Helper()
	n, err := w.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSweepEscalatesAndNotifies(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &cxm.Case{ID: 1, WorkspaceID: 5, Title: "Parcel lost", Status: cxm.CaseNew, Priority: cxm.PriorityNormal,
		CustomerID: 9, FirstResponseDue: at(start.Add(time.Hour)), ResolutionDue: at(start.Add(3 * time.Hour))}
	f := newFixture(t, c)

	if n := sweep(t, f.w); n != 0 {
		t.Fatalf("sweep before any deadline enqueued %d jobs", n)
	}
	f.clock.t = start.Add(time.Hour) // first response due now
	if n := sweep(t, f.w); n != 1 {
		t.Fatalf("sweep at the first-response deadline enqueued %d jobs, want 1", n)
	}
	if n := sweep(t, f.w); n != 0 {
		t.Errorf("a second sweep enqueued %d more jobs for the same breach", n)
	}
	if failed := f.jobs.runAll(t, f.w.Handle); failed != 0 {
		t.Fatalf("%d jobs failed", failed)
	}
	got := f.cases.cases[1]
	if !slices.Equal(got.Breached, []string{TargetFirstResponse}) || got.Priority != cxm.PriorityHigh || got.TeamID != 77 {
		t.Errorf("after the first breach: breached %v, priority %s, team %d", got.Breached, got.Priority, got.TeamID)
	}
	if len(f.notifier.sent) != 1 {
		t.Fatalf("%d notifications, want 1", len(f.notifier.sent))
	}
	n := f.notifier.sent[0]
	if n.Kind != NotificationKind || n.CaseID != 1 || n.WorkspaceID != 5 || n.CustomerID != 9 || n.Data["target"] != TargetFirstResponse {
		t.Errorf("notification = %+v", n)
	}
	if len(f.notifier.targets[0]) != 1 || f.notifier.targets[0][0].Email != "lead@acme.example" {
		t.Errorf("targets = %+v, want the policy's", f.notifier.targets[0])
	}
	// Now breached, the first response is not due again.
	if n := sweep(t, f.w); n != 0 {
		t.Errorf("sweep after the escalation enqueued %d jobs", n)
	}

	f.clock.t = start.Add(3 * time.Hour)
	if n := sweep(t, f.w); n != 1 {
		t.Fatalf("sweep at the resolution deadline enqueued %d jobs, want 1", n)
	}
	f.jobs.runAll(t, f.w.Handle)
	got = f.cases.cases[1]
	if !slices.Equal(got.Breached, []string{TargetFirstResponse, TargetResolution}) || got.Priority != cxm.PriorityUrgent {
		t.Errorf("after both breaches: breached %v, priority %s", got.Breached, got.Priority)
	}
	if len(f.notifier.sent) != 2 || f.notifier.sent[1].Data["target"] != TargetResolution {
		t.Errorf("notifications = %d, want a second one for the resolution", len(f.notifier.sent))
	}
	if len(f.cases.escalated) != 2 {
		t.Errorf("%d escalations, want 2", len(f.cases.escalated))
	}
}

// TestCrashBetweenEscalateAndNotify runs a job whose notification fails
// after the escalation was recorded, as a crash would leave it: the job is
// retried, escalates nothing twice and sends the notification once.
func TestCrashBetweenEscalateAndNotify(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f := newFixture(t, &cxm.Case{ID: 1, WorkspaceID: 5, Title: "Rude staff", Status: cxm.CaseInProgress, Priority: cxm.PriorityLow,
		FirstRespondedAt: at(start), ResolutionDue: at(start.Add(time.Minute))})
	f.clock.t = start.Add(2 * time.Minute)
	f.notifier.failNext = 1
	if n := sweep(t, f.w); n != 1 {
		t.Fatalf("enqueued %d jobs, want 1", n)
	}
	if failed := f.jobs.runAll(t, f.w.Handle); failed != 1 {
		t.Fatalf("%d jobs failed, want the one whose notifier was down", failed)
	}
	if len(f.cases.escalated) != 1 || len(f.notifier.sent) != 0 {
		t.Fatalf("after the failed run: %d escalations, %d notifications", len(f.cases.escalated), len(f.notifier.sent))
	}
	// The case is breached now, so no sweep would find it again: only the
	// job's retry can still announce the breach.
	if n := sweep(t, f.w); n != 0 {
		t.Errorf("sweep enqueued %d jobs for a recorded breach", n)
	}
	if failed := f.jobs.runAll(t, f.w.Handle); failed != 0 {
		t.Fatalf("retry failed")
	}
	if len(f.cases.escalated) != 1 || len(f.notifier.sent) != 1 {
		t.Errorf("after the retry: %d escalations, %d notifications; want 1 and 1", len(f.cases.escalated), len(f.notifier.sent))
	}
	if got := f.cases.cases[1].Priority; got != cxm.PriorityNormal {
		t.Errorf("priority = %s, want raised once to normal", got)
	}
}

func TestHandleLeavesMetTargetsAlone(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &cxm.Case{ID: 1, WorkspaceID: 5, Title: "Late", Status: cxm.CaseNew, Priority: cxm.PriorityHigh,
		FirstResponseDue: at(start)}
	f := newFixture(t, c)
	if n := sweep(t, f.w); n != 1 {
		t.Fatalf("enqueued %d jobs, want 1", n)
	}
	// An agent answers before the job runs.
	c.FirstRespondedAt = at(start.Add(time.Second))
	c.Status = cxm.CaseInProgress
	f.jobs.runAll(t, f.w.Handle)
	if len(f.cases.escalated) != 0 || len(f.notifier.sent) != 0 {
		t.Errorf("met target: %d escalations, %d notifications", len(f.cases.escalated), len(f.notifier.sent))
	}
	// A deleted case is no error either.
	delete(f.cases.cases, 1)
	j := &cxm.Job{WorkspaceID: 5, Kind: JobKind, Payload: []byte(`{"case_id":1,"target":"resolution"}`)}
	if err := f.w.Handle(context.Background(), j); err != nil {
		t.Errorf("deleted case: %v", err)
	}
	j.Payload = []byte(`{"case_id":1,"target":"lunch"}`)
	if err := f.w.Handle(context.Background(), j); err == nil {
		t.Error("bad target: no error")
	}
}

func TestDueTargets(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	past, future := at(now.Add(-time.Minute)), at(now.Add(time.Minute))
	tests := []struct {
		c    cxm.Case
		want []string
	}{
		{cxm.Case{Status: cxm.CaseNew, FirstResponseDue: past, ResolutionDue: past}, []string{TargetFirstResponse, TargetResolution}},
		{cxm.Case{Status: cxm.CaseNew, FirstResponseDue: at(now), ResolutionDue: future}, []string{TargetFirstResponse}},
		{cxm.Case{Status: cxm.CaseInProgress, FirstResponseDue: past, FirstRespondedAt: past, ResolutionDue: future}, nil},
		{cxm.Case{Status: cxm.CaseWaiting, FirstResponseDue: past, ResolutionDue: past}, nil},
		{cxm.Case{Status: cxm.CaseResolved, FirstResponseDue: past, ResolutionDue: past, ResolvedAt: past, FirstRespondedAt: past}, nil},
		{cxm.Case{Status: cxm.CaseInProgress, ResolutionDue: past, Breached: []string{TargetResolution}}, nil},
		{cxm.Case{Status: cxm.CaseNew}, nil},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got := DueTargets(&tt.c, now); !slices.Equal(got, tt.want) {
				t.Errorf("DueTargets = %v, want %v", got, tt.want)
			}
		})
	}
}
