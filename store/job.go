package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.JobStore.
var _ cxm.JobStore = (*DB)(nil)

const jobColumns = `id, workspace_id, kind, payload, unique_key, status, run_at, attempts, max_attempts,
	last_error, locked_by, claim_token, locked_until, created_at, updated_at, finished_at`

// scanJob reads one row of jobColumns.
func scanJob(row interface{ Scan(...any) error }) (*cxm.Job, error) {
	var j cxm.Job
	var payload string
	var uniqueKey, lockedBy, token sql.NullString
	var runAt, created, updated int64
	var lockedUntil, finished sql.NullInt64
	err := row.Scan(&j.ID, &j.WorkspaceID, &j.Kind, &payload, &uniqueKey, &j.Status, &runAt, &j.Attempts,
		&j.MaxAttempts, &j.LastError, &lockedBy, &token, &lockedUntil, &created, &updated, &finished)
	if err != nil {
		return nil, err
	}
	j.Payload = []byte(payload)
	j.UniqueKey, j.LockedBy, j.Token = uniqueKey.String, lockedBy.String, token.String
	j.RunAt, j.CreatedAt, j.UpdatedAt = fromMicros(runAt), fromMicros(created), fromMicros(updated)
	j.LockedUntil, j.FinishedAt = timePtr(lockedUntil), timePtr(finished)
	return &j, nil
}

// scanJobs reads every row of jobColumns and closes rows.
func scanJobs(rows *sql.Rows) ([]*cxm.Job, error) {
	defer rows.Close()
	out := []*cxm.Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// EnqueueJob stores j as pending, due at j.RunAt or now. A unique key held
// by an active job of the same workspace and kind makes it a no-op that
// sets j to that job and reports false.
func (db *DB) EnqueueJob(ctx context.Context, j *cxm.Job) (bool, error) {
	if err := j.Validate(); err != nil {
		return false, fmt.Errorf("store: enqueue job: %w", err)
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return false, fmt.Errorf("store: enqueue job: %w", err)
	}
	var created bool
	err = db.inTx(ctx, func(tx queryer) error {
		var err error
		created, err = enqueueJob(ctx, tx, id, db.stampNow(), j)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: enqueue job: %w", err)
	}
	return created, nil
}

// enqueueJob stores j with id through tx, so that other store code can
// enqueue a job in the transaction that records why, such as an invitation
// and the job that sends it. It validates j, and reports false and sets j
// to the active job when j's unique key is taken.
func enqueueJob(ctx context.Context, tx queryer, id int64, now time.Time, j *cxm.Job) (bool, error) {
	if err := j.Validate(); err != nil {
		return false, err
	}
	runAt := j.RunAt.UTC().Truncate(time.Microsecond)
	if j.RunAt.IsZero() {
		runAt = now
	}
	res, err := tx.exec(ctx, `INSERT INTO jobs (id, workspace_id, kind, payload, unique_key, status, run_at, attempts,
		max_attempts, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?, ?)
		ON CONFLICT DO NOTHING`,
		id, j.WorkspaceID, j.Kind, string(j.Payload), nullString(j.UniqueKey), string(cxm.JobPending), micros(runAt),
		j.MaxAttempts, micros(now), micros(now))
	if isForeignKeyViolation(err) {
		return false, cxm.Invalid(cxm.FieldError{Field: "workspace_id", Reason: "unknown workspace"})
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n == 0 {
		if j.UniqueKey == "" {
			return false, fmt.Errorf("job id %d already taken", id)
		}
		held, err := scanJob(tx.queryRow(ctx, "SELECT "+jobColumns+` FROM jobs
			WHERE workspace_id = ? AND kind = ? AND unique_key = ? AND status IN ('pending', 'failed', 'running')`,
			j.WorkspaceID, j.Kind, j.UniqueKey))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if held != nil {
			*j = *held
		}
		return false, nil
	}
	j.ID, j.RunAt, j.Status, j.Attempts, j.LastError = id, runAt, cxm.JobPending, 0, ""
	j.LockedBy, j.LockedUntil, j.Token, j.FinishedAt = "", nil, "", nil
	j.CreatedAt, j.UpdatedAt = now, now
	return true, nil
}

// skipLocked makes a PostgreSQL subquery lock the rows it picks and pass
// over rows other claims hold, so that concurrent claims neither wait on
// nor deadlock with each other. SQLite has one writer and needs none.
func (db *DB) skipLocked() string {
	if db.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// newClaimToken returns a random token that names one claim.
func newClaimToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ClaimJobs takes up to limit due jobs of kinds for worker and holds them
// for lease. One UPDATE picks and takes the jobs and re-checks that each is
// still claimable, so a job never goes to two claims, whether they come
// from goroutines, processes or PostgreSQL nodes; on PostgreSQL the pick
// skips rows locked by concurrent claims.
func (db *DB) ClaimJobs(ctx context.Context, worker string, kinds []string, limit int, lease time.Duration) ([]*cxm.Job, error) {
	var errs cxm.FieldErrors
	if worker == "" || !cxm.ValidText(worker, 200) {
		errs.Add("worker", "must be valid text of 1-200 bytes")
	}
	if limit < 1 || limit > cxm.MaxPageLimit {
		errs.Add("limit", "must be between 1 and 1000")
	}
	if lease <= 0 {
		errs.Add("lease", "must be positive")
	}
	if err := errs.Err(); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	kindSQL, kindArgs := "", []any{}
	if len(kinds) > 0 {
		kindSQL = " AND kind IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ") + ")"
		for _, k := range kinds {
			kindArgs = append(kindArgs, k)
		}
	}
	now := db.stampNow()
	token := newClaimToken()
	var out []*cxm.Job
	err := db.inTx(ctx, func(tx queryer) error {
		// A job whose lease ran out on its last attempt gets no further one.
		expired := "status = 'running' AND locked_until <= ?"
		args := []any{"lease expired on the last attempt: the worker stopped or the handler hung", micros(now), micros(now), micros(now)}
		args = append(args, kindArgs...)
		args = append(args, micros(now))
		_, err := tx.exec(ctx, `UPDATE jobs SET status = 'dead', last_error = ?, locked_by = NULL, claim_token = NULL,
			locked_until = NULL, finished_at = ?, updated_at = ?
			WHERE id IN (SELECT id FROM jobs WHERE `+expired+` AND attempts >= max_attempts`+kindSQL+db.skipLocked()+`)
			AND `+expired, args...)
		if err != nil {
			return fmt.Errorf("bury expired jobs: %w", err)
		}
		claimable := `((status IN ('pending', 'failed') AND run_at <= ?)
			OR (status = 'running' AND locked_until <= ? AND attempts < max_attempts))`
		args = []any{micros(now), micros(now)}
		args = append(args, kindArgs...)
		args = append(args, limit, worker, token, micros(now.Add(lease)), micros(now), micros(now), micros(now))
		// The pick is a materialized CTE: as a plain subquery, PostgreSQL may
		// run it once per row, and with SKIP LOCKED each run picks another
		// row, so a claim would take more jobs than its limit.
		rows, err := tx.query(ctx, `WITH picked AS MATERIALIZED (
				SELECT id FROM jobs WHERE `+claimable+kindSQL+` ORDER BY run_at, id LIMIT ?`+db.skipLocked()+`)
			UPDATE jobs SET status = 'running', locked_by = ?, claim_token = ?, locked_until = ?,
			attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM picked) AND `+claimable+`
			RETURNING `+jobColumns, args...)
		if err != nil {
			return err
		}
		out, err = scanJobs(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	slices.SortFunc(out, func(a, b *cxm.Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// leaseLost answers an action on a job that its claim no longer holds: its
// lease expired and another claim took it, or it was finished already.
func leaseLost() error {
	return cxm.Errorf(cxm.EConflict, "job is no longer held by this claim")
}

// updateClaimed runs an UPDATE of set on j while j's claim holds it, and
// answers EConflict when it does not.
func (db *DB) updateClaimed(ctx context.Context, j *cxm.Job, set string, args ...any) error {
	if j.Token == "" {
		return leaseLost()
	}
	args = append(args, j.WorkspaceID, j.ID, j.Token)
	return db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "UPDATE jobs SET "+set+
			" WHERE workspace_id = ? AND id = ? AND claim_token = ? AND status = 'running'", args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return leaseLost()
		}
		return nil
	})
}

// CompleteJob marks a claimed job done.
func (db *DB) CompleteJob(ctx context.Context, j *cxm.Job) error {
	now := db.stampNow()
	err := db.updateClaimed(ctx, j, `status = 'done', locked_by = NULL, claim_token = NULL, locked_until = NULL,
		finished_at = ?, updated_at = ?`, micros(now), micros(now))
	if err != nil {
		return fmt.Errorf("store: complete job %d: %w", j.ID, err)
	}
	j.Status, j.FinishedAt, j.UpdatedAt = cxm.JobDone, &now, now
	j.LockedBy, j.LockedUntil, j.Token = "", nil, ""
	return nil
}

// FailJob records cause on a claimed job and makes it failed, due again at
// retryAt, or dead when retryAt is nil or the job has no attempts left.
func (db *DB) FailJob(ctx context.Context, j *cxm.Job, cause error, retryAt *time.Time) error {
	now := db.stampNow()
	msg := "failed"
	if cause != nil {
		msg = jobError(cause.Error())
	}
	var err error
	if retryAt != nil && j.Attempts < j.MaxAttempts {
		at := retryAt.UTC().Truncate(time.Microsecond)
		err = db.updateClaimed(ctx, j, `status = 'failed', run_at = ?, last_error = ?, locked_by = NULL,
			claim_token = NULL, locked_until = NULL, updated_at = ?`, micros(at), msg, micros(now))
		if err == nil {
			j.Status, j.RunAt = cxm.JobFailed, at
		}
	} else {
		err = db.updateClaimed(ctx, j, `status = 'dead', last_error = ?, locked_by = NULL, claim_token = NULL,
			locked_until = NULL, finished_at = ?, updated_at = ?`, msg, micros(now), micros(now))
		if err == nil {
			j.Status, j.FinishedAt = cxm.JobDead, &now
		}
	}
	if err != nil {
		return fmt.Errorf("store: fail job %d: %w", j.ID, err)
	}
	j.LastError, j.UpdatedAt = msg, now
	j.LockedBy, j.LockedUntil, j.Token = "", nil, ""
	return nil
}

// jobError makes msg storable as a job's last error: valid UTF-8 without
// NUL, cut to cxm.MaxJobError bytes.
func jobError(msg string) string {
	msg = strings.ToValidUTF8(strings.ReplaceAll(msg, "\x00", ""), "\uFFFD")
	if len(msg) <= cxm.MaxJobError {
		return msg
	}
	cut := cxm.MaxJobError
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut]
}

// ExtendJob holds a claimed job for lease from now.
func (db *DB) ExtendJob(ctx context.Context, j *cxm.Job, lease time.Duration) error {
	now := db.stampNow()
	until := now.Add(lease)
	err := db.updateClaimed(ctx, j, "locked_until = ?, updated_at = ?", micros(until), micros(now))
	if err != nil {
		return fmt.Errorf("store: extend job %d: %w", j.ID, err)
	}
	j.LockedUntil, j.UpdatedAt = &until, now
	return nil
}

// ReleaseJob makes a claimed job pending again at its due time and takes
// back the attempt its claim counted.
func (db *DB) ReleaseJob(ctx context.Context, j *cxm.Job) error {
	now := db.stampNow()
	err := db.updateClaimed(ctx, j, `status = 'pending', attempts = attempts - 1, locked_by = NULL, claim_token = NULL,
		locked_until = NULL, updated_at = ?`, micros(now))
	if err != nil {
		return fmt.Errorf("store: release job %d: %w", j.ID, err)
	}
	j.Status, j.Attempts, j.UpdatedAt = cxm.JobPending, j.Attempts-1, now
	j.LockedBy, j.LockedUntil, j.Token = "", nil, ""
	return nil
}

// FindJob returns the workspace's job with id, or ENotFound.
func (db *DB) FindJob(ctx context.Context, workspaceID, id int64) (*cxm.Job, error) {
	j, err := scanJob(db.reader().queryRow(ctx, "SELECT "+jobColumns+" FROM jobs WHERE workspace_id = ? AND id = ?", workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = cxm.NotFound("job")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find job: %w", err)
	}
	return j, nil
}

// ListJobs returns one page of the workspace's jobs, newest first, and the
// cursor of the next page, empty after the last.
func (db *DB) ListJobs(ctx context.Context, workspaceID int64, f cxm.JobFilter) ([]*cxm.Job, string, error) {
	p := f.Page.Normalize()
	var b strings.Builder
	b.WriteString("SELECT " + jobColumns + " FROM jobs WHERE workspace_id = ?")
	args := []any{workspaceID}
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", fmt.Errorf("store: list jobs: %w", err)
		}
		b.WriteString(" AND id < ?")
		args = append(args, v[0])
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, "", fmt.Errorf("store: list jobs: %w",
				cxm.Invalid(cxm.FieldError{Field: "status", Reason: "must be pending, running, done, failed or dead"}))
		}
		b.WriteString(" AND status = ?")
		args = append(args, string(f.Status))
	}
	if f.Kind != "" {
		b.WriteString(" AND kind = ?")
		args = append(args, f.Kind)
	}
	b.WriteString(" ORDER BY id DESC LIMIT ?")
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, b.String(), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list jobs: %w", err)
	}
	out, err := scanJobs(rows)
	if err != nil {
		return nil, "", fmt.Errorf("store: list jobs: %w", err)
	}
	if len(out) > p.Limit {
		out = out[:p.Limit]
		return out, encodeCursor(out[len(out)-1].ID), nil
	}
	return out, "", nil
}

// RetryJob makes a dead or failed job pending and due now; a dead job gets
// fresh attempts. Any other job is EConflict, and so is a dead job whose
// unique key another active job holds.
func (db *DB) RetryJob(ctx context.Context, workspaceID, id int64) (*cxm.Job, error) {
	now := db.stampNow()
	var j *cxm.Job
	err := db.inTx(ctx, func(tx queryer) error {
		var err error
		j, err = scanJob(tx.queryRow(ctx, `UPDATE jobs SET status = 'pending', run_at = ?,
			attempts = CASE WHEN status = 'dead' THEN 0 ELSE attempts END, finished_at = NULL, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND status IN ('dead', 'failed') RETURNING `+jobColumns,
			micros(now), micros(now), workspaceID, id))
		if isUniqueViolation(err) {
			return conflictOn("unique_key", "is held by another pending or running job")
		}
		if errors.Is(err, sql.ErrNoRows) {
			var status string
			err := tx.queryRow(ctx, "SELECT status FROM jobs WHERE workspace_id = ? AND id = ?", workspaceID, id).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				return cxm.NotFound("job")
			}
			if err != nil {
				return err
			}
			return cxm.Errorf(cxm.EConflict, "a %s job cannot be retried", status)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: retry job: %w", err)
	}
	return j, nil
}

// PurgeJobs deletes the jobs of every workspace that were done before
// finishedBefore and reports how many, to keep the job table small. Dead
// jobs stay for the admin view.
func (db *DB) PurgeJobs(ctx context.Context, finishedBefore time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "DELETE FROM jobs WHERE status = 'done' AND finished_at < ?", micros(finishedBefore))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: purge jobs: %w", err)
	}
	return n, nil
}
