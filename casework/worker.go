// Package casework runs the SLA clock of cases: every minute it finds the
// cases that missed a first-response or resolution deadline, escalates
// each breach as the workspace's policy says (record it, raise the
// priority, reassign) and announces it through the notifier.
//
// Each breach becomes one durable job (kind JobKind, unique per case and
// target) before anything else happens, and the job escalates and then
// notifies. A crash between the escalation and the notification therefore
// loses nothing: the job's lease expires, it runs again, EscalateCase
// changes nothing the second time, and the notification goes out. The
// price is at-least-once delivery: a crash after the notification but
// before the job is recorded done announces the breach twice. Escalating
// first and notifying after, without a job, could lose the notification
// for good, since the case is no longer due once the breach is recorded.
package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
)

// JobKind is the kind of the durable job that escalates and announces one
// breach of one case.
const JobKind = "case.breach"

// NotificationKind is the kind of the notification of a breach.
const NotificationKind = "case_breach"

// The SLA targets a case can miss, as in cxm.Case.Breached.
const (
	TargetFirstResponse = "first_response"
	TargetResolution    = "resolution"
)

// DefaultBatch is how many due cases one sweep looks at.
const DefaultBatch = 500

// Config wires a Worker. Cases, Settings, Jobs and Notifier are required.
type Config struct {
	Cases    cxm.CaseService
	Settings cxm.CaseSettingsService
	Jobs     cxm.JobStore
	Notifier cxm.Notifier
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives failed sweeps; nil means slog.Default().
	Logger *slog.Logger
	// Wake, when set, is called after a sweep enqueued jobs, such as a
	// jobs.Runner's Wake.
	Wake func()
	// Batch is how many due cases one sweep looks at; zero means
	// DefaultBatch.
	Batch int
}

// Worker finds breached cases and escalates them through durable jobs.
type Worker struct {
	cfg Config
}

// New returns a Worker, or an error naming a missing dependency.
func New(cfg Config) (*Worker, error) {
	switch {
	case cfg.Cases == nil:
		return nil, fmt.Errorf("casework: no case service")
	case cfg.Settings == nil:
		return nil, fmt.Errorf("casework: no case settings service")
	case cfg.Jobs == nil:
		return nil, fmt.Errorf("casework: no job store")
	case cfg.Notifier == nil:
		return nil, fmt.Errorf("casework: no notifier")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	return &Worker{cfg: cfg}, nil
}

// Register makes r run the breach jobs.
func (w *Worker) Register(r *jobs.Runner) {
	r.Register(JobKind, w.Handle)
}

// breachPayload is the payload of a breach job.
type breachPayload struct {
	CaseID int64     `json:"case_id"`
	Target string    `json:"target"`
	Due    time.Time `json:"due"`
}

// DueTargets returns the targets c has missed by now that are not yet
// recorded as breached: first_response while nobody responded, and
// resolution while the case is unresolved. A case waiting on the customer
// misses nothing, since its clocks are paused; a closed or resolved case
// misses no resolution.
func DueTargets(c *cxm.Case, now time.Time) []string {
	if c.Status == cxm.CaseWaiting {
		return nil
	}
	var out []string
	if c.FirstResponseDue != nil && !c.FirstResponseDue.After(now) && c.FirstRespondedAt == nil &&
		c.Status.Open() && !slices.Contains(c.Breached, TargetFirstResponse) {
		out = append(out, TargetFirstResponse)
	}
	if c.ResolutionDue != nil && !c.ResolutionDue.After(now) && c.ResolvedAt == nil &&
		c.Status.Open() && !slices.Contains(c.Breached, TargetResolution) {
		out = append(out, TargetResolution)
	}
	return out
}

// due returns c's deadline for target.
func due(c *cxm.Case, target string) time.Time {
	var t *time.Time
	if target == TargetFirstResponse {
		t = c.FirstResponseDue
	} else {
		t = c.ResolutionDue
	}
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Sweep enqueues one breach job for every target missed by now among up
// to Batch due cases, and reports how many jobs it enqueued. A breach with
// a job already pending or running is not enqueued again.
func (w *Worker) Sweep(ctx context.Context) (int, error) {
	now := w.cfg.Now()
	cases, err := w.cfg.Cases.CasesDue(ctx, now, w.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("casework: sweep: %w", err)
	}
	n := 0
	for _, c := range cases {
		for _, target := range DueTargets(c, now) {
			payload, err := json.Marshal(breachPayload{CaseID: c.ID, Target: target, Due: due(c, target)})
			if err != nil {
				return n, fmt.Errorf("casework: sweep: %w", err)
			}
			j := &cxm.Job{WorkspaceID: c.WorkspaceID, Kind: JobKind, Payload: payload,
				UniqueKey: fmt.Sprintf("case:%d:%s", c.ID, target)}
			added, err := w.cfg.Jobs.EnqueueJob(ctx, j)
			if err != nil {
				return n, fmt.Errorf("casework: enqueue breach of case %d: %w", c.ID, err)
			}
			if added {
				n++
			}
		}
	}
	if n > 0 && w.cfg.Wake != nil {
		w.cfg.Wake()
	}
	return n, nil
}

// Every sweeps every interval until ctx ends, logging failures.
func (w *Worker) Every(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("case SLA sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Handle runs one breach job: it escalates the case with the workspace's
// policy unless the breach is already recorded, then notifies the policy's
// targets. A case that meanwhile met the target, or was deleted, is left
// alone. Run again after a crash, it escalates nothing twice and still
// notifies.
func (w *Worker) Handle(ctx context.Context, j *cxm.Job) error {
	var p breachPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.CaseID <= 0 || (p.Target != TargetFirstResponse && p.Target != TargetResolution) {
		return jobs.Permanent(fmt.Errorf("casework: bad breach payload %s", j.Payload))
	}
	c, err := w.cfg.Cases.FindCase(ctx, j.WorkspaceID, p.CaseID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("casework: find case %d: %w", p.CaseID, err)
	}
	settings, err := w.cfg.Settings.CaseSettings(ctx, j.WorkspaceID)
	if err != nil {
		return fmt.Errorf("casework: case settings: %w", err)
	}
	policy := settings.Escalation
	now := w.cfg.Now()
	if !slices.Contains(c.Breached, p.Target) {
		if !slices.Contains(DueTargets(c, now), p.Target) {
			return nil // met, paused or moved since the sweep
		}
		c, err = w.cfg.Cases.EscalateCase(ctx, j.WorkspaceID, c.ID, cxm.Escalation{Target: p.Target,
			RaisePriority: policy.RaisePriority, TeamID: policy.TeamID, AssigneeID: policy.AssigneeID, At: now})
		if cxm.ErrorCode(err) == cxm.ENotFound {
			return nil
		}
		if err != nil {
			return fmt.Errorf("casework: escalate case %d: %w", p.CaseID, err)
		}
	}
	n := &cxm.Notification{
		WorkspaceID: j.WorkspaceID,
		Kind:        NotificationKind,
		Title:       fmt.Sprintf("Case #%d missed its %s target", c.ID, targetName(p.Target)),
		Body:        c.Title,
		CaseID:      c.ID,
		ResponseID:  c.ResponseID,
		CustomerID:  c.CustomerID,
		Data: map[string]any{"target": p.Target, "due": p.Due, "priority": string(c.Priority),
			"team_id": c.TeamID, "assignee_id": c.AssigneeID},
		At: now,
	}
	if err := w.cfg.Notifier.Notify(ctx, n, policy.Notify); err != nil {
		return fmt.Errorf("casework: notify breach of case %d: %w", c.ID, err)
	}
	return nil
}

// targetName returns a target as words.
func targetName(target string) string {
	if target == TargetFirstResponse {
		return "first response"
	}
	return "resolution"
}
