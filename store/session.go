package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// CreateSession stores s. CreatedAt defaults to now; a session must expire
// after it begins. A missing user or workspace is ENotFound.
func (db *DB) CreateSession(ctx context.Context, s *cxm.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.stampNow()
	}
	s.CreatedAt = s.CreatedAt.UTC().Truncate(time.Microsecond)
	s.ExpiresAt = s.ExpiresAt.UTC().Truncate(time.Microsecond)
	var errs cxm.FieldErrors
	if s.TokenHash == "" {
		errs.Add("token_hash", "is required")
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		errs.Add("expires_at", "must be after created_at")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO sessions (token_hash, user_id, workspace_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			s.TokenHash, s.UserID, s.WorkspaceID, micros(s.CreatedAt), micros(s.ExpiresAt))
		if isForeignKeyViolation(err) {
			return cxm.NotFound("user or workspace")
		}
		if isUniqueViolation(err) {
			return conflictOn("token_hash", "is already in use")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// FindSession returns the session with the token hash if it has not
// expired, and ENotFound otherwise.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*cxm.Session, error) {
	s := cxm.Session{TokenHash: tokenHash}
	var created, expires int64
	err := db.reader().queryRow(ctx, `SELECT user_id, workspace_id, created_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, micros(db.now())).Scan(&s.UserID, &s.WorkspaceID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("session")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &s, nil
}

// DeleteSession ends the session with the token hash. Ending a session
// that does not exist is not an error, so that signing out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	err := db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes every expired session and returns how many
// it removed. A periodic job calls it; FindSession ignores expired sessions
// either way.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", micros(db.now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}
