package cxm

import (
	"context"
	"encoding/json"
	"regexp"
	"time"
)

// JobStatus is where a durable job stands.
type JobStatus string

// The statuses of a job. A job is claimable while pending or failed and due,
// or while running with an expired lease (its worker died).
const (
	// JobPending waits for its first run at RunAt, or again after a retry
	// by hand or a release at shutdown.
	JobPending JobStatus = "pending"
	// JobRunning is held by a worker until LockedUntil.
	JobRunning JobStatus = "running"
	// JobDone ran successfully.
	JobDone JobStatus = "done"
	// JobFailed failed its last attempt and waits to be retried at RunAt.
	JobFailed JobStatus = "failed"
	// JobDead failed for good: a permanent error, or no attempts left. Only
	// a retry by hand runs it again.
	JobDead JobStatus = "dead"
)

// Valid reports whether s is one of the job statuses.
func (s JobStatus) Valid() bool {
	switch s {
	case JobPending, JobRunning, JobDone, JobFailed, JobDead:
		return true
	}
	return false
}

// Limits and defaults of a job's fields.
const (
	// DefaultJobMaxAttempts is how often a job runs before it is dead when
	// MaxAttempts is not set.
	DefaultJobMaxAttempts = 8
	// MaxJobAttempts is the largest MaxAttempts a job may ask for.
	MaxJobAttempts = 100
	// MaxJobPayload is the largest payload of a job, in bytes.
	MaxJobPayload = 64 << 10
	// MaxJobUniqueKey is the longest unique key of a job, in bytes.
	MaxJobUniqueKey = 200
	// MaxJobError is the longest last error kept with a job, in bytes.
	MaxJobError = 2000
)

var jobKindPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// ValidJobKind reports whether s can be a job kind such as "survey.invite".
func ValidJobKind(s string) bool { return jobKindPattern.MatchString(s) }

// Job is one piece of durable work: an email to send, a webhook to deliver,
// an invitation to create later. Jobs live in the database, survive
// restarts, are retried with backoff and never run twice at once.
type Job struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Kind        string `json:"kind"`
	// Payload is the JSON the handler of Kind reads; empty means {}.
	Payload json.RawMessage `json:"payload"`
	// UniqueKey, when set, makes a second enqueue with the same workspace,
	// kind and key a no-op while a job with it is pending, failed or
	// running, such as one reminder per invitation.
	UniqueKey string `json:"unique_key,omitempty"`
	// RunAt is when the job is due: its first run, or its next retry.
	// Zero on enqueue means now.
	RunAt time.Time `json:"run_at"`
	// Attempts counts the runs so far, including the one under way.
	Attempts int `json:"attempts"`
	// MaxAttempts is how many runs the job gets; zero on enqueue means
	// DefaultJobMaxAttempts.
	MaxAttempts int       `json:"max_attempts"`
	Status      JobStatus `json:"status"`
	// LastError is the error of the last failed run.
	LastError string `json:"last_error,omitempty"`
	// LockedBy names the worker holding a running job until LockedUntil.
	LockedBy    string     `json:"locked_by,omitempty"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	// Token proves which claim holds a running job; the store sets it on
	// claim and checks it on complete, fail, extend and release.
	Token      string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Validate fills defaults and checks the fields a caller sets on enqueue.
func (j *Job) Validate() error {
	if len(j.Payload) == 0 {
		j.Payload = json.RawMessage("{}")
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultJobMaxAttempts
	}
	var errs FieldErrors
	if j.WorkspaceID <= 0 {
		errs.Add("workspace_id", "is required")
	}
	if !ValidJobKind(j.Kind) {
		errs.Add("kind", "must be lower-case letters, digits, _ . or -, starting with a letter, at most 64")
	}
	switch {
	case len(j.Payload) > MaxJobPayload:
		errs.Add("payload", "must be at most 64 KiB")
	case !json.Valid(j.Payload):
		errs.Add("payload", "must be valid JSON")
	}
	if !ValidText(j.UniqueKey, MaxJobUniqueKey) {
		errs.Add("unique_key", "must be valid text of at most 200 bytes")
	}
	if j.MaxAttempts < 1 || j.MaxAttempts > MaxJobAttempts {
		errs.Add("max_attempts", "must be between 1 and 100")
	}
	return errs.Err()
}

// JobFilter narrows a job list for the admin view.
type JobFilter struct {
	Status JobStatus
	Kind   string
	Page
}

// JobStore keeps durable jobs. Claiming is safe across goroutines,
// processes and database nodes: a job is held by at most one claim at a
// time, and a running job whose lease expired can be claimed again.
// Complete, Fail, Extend and Release act only on a job still held by the
// claim that returned it (its Token) and answer EConflict otherwise.
type JobStore interface {
	// EnqueueJob stores j as pending and reports true. When j.UniqueKey is
	// held by a pending, failed or running job of the same workspace and
	// kind, it stores nothing, sets j to that job and reports false.
	EnqueueJob(ctx context.Context, j *Job) (bool, error)
	// ClaimJobs takes up to limit due jobs of kinds (all kinds if empty)
	// for worker, holds them for lease, counts an attempt for each and
	// returns them ordered by RunAt. Running jobs whose lease expired on
	// their last attempt become dead instead.
	ClaimJobs(ctx context.Context, worker string, kinds []string, limit int, lease time.Duration) ([]*Job, error)
	// CompleteJob marks a claimed job done.
	CompleteJob(ctx context.Context, j *Job) error
	// FailJob records cause on a claimed job. With retryAt it fails the job
	// to run again then; with nil retryAt the job is dead.
	FailJob(ctx context.Context, j *Job, cause error, retryAt *time.Time) error
	// ExtendJob holds a claimed job for lease from now.
	ExtendJob(ctx context.Context, j *Job, lease time.Duration) error
	// ReleaseJob gives a claimed job back without counting its attempt, so
	// that it runs again soon, for example when a worker shuts down.
	ReleaseJob(ctx context.Context, j *Job) error
	// FindJob returns the workspace's job with id, or ENotFound.
	FindJob(ctx context.Context, workspaceID, id int64) (*Job, error)
	// ListJobs returns one page of the workspace's jobs, newest first, and
	// the cursor of the next page, empty after the last.
	ListJobs(ctx context.Context, workspaceID int64, f JobFilter) ([]*Job, string, error)
	// RetryJob makes a dead or failed job pending and due now; a dead job
	// gets fresh attempts. Any other job is EConflict, and so is a dead job
	// whose unique key another job holds meanwhile.
	RetryJob(ctx context.Context, workspaceID, id int64) (*Job, error)
}
