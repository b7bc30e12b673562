package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.UserService; sessions are in session.go.
var _ cxm.UserService = (*DB)(nil)

const userColumns = "id, email, name, locale, password_hash, created_at, updated_at"

// scanUser reads one row of userColumns, optionally followed by more
// columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*cxm.User, error) {
	var u cxm.User
	var created, updated int64
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.Locale, &u.PasswordHash, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

// CreateUser stores u with its email normalised; an email already in use is EConflict.
func (db *DB) CreateUser(ctx context.Context, u *cxm.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO users ("+userColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, u.Email, u.Name, u.Locale, u.PasswordHash, micros(now), micros(now))
		if isUniqueViolation(err) {
			return conflictOn("email", "is already in use")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
	return nil
}

// FindUserByID returns the user with id, or ENotFound.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*cxm.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user: %w", err)
	}
	return u, nil
}

// FindUserByEmail returns the user with email, compared after
// normalisation, or ENotFound.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*cxm.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email = ?", cxm.NormalizeEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user: %w", err)
	}
	return u, nil
}

// SetPasswordHash replaces the user's password hash.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	now := db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, micros(now), userID)
		if err != nil {
			return err
		}
		return mustHaveAffected(res, "user")
	})
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	return nil
}

// mustHaveAffected returns ENotFound for kind when res changed no row.
func mustHaveAffected(res sql.Result, kind string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return cxm.NotFound(kind)
	}
	return nil
}

// existsRow reports whether query, a "SELECT 1 … LIMIT 1", finds a row.
func existsRow(ctx context.Context, q queryer, query string, args ...any) (bool, error) {
	var one int
	err := q.queryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SetMember adds the user to the workspace with role, or changes their
// role. A missing user or workspace is ENotFound.
func (db *DB) SetMember(ctx context.Context, workspaceID, userID int64, role cxm.Role) error {
	if !role.Valid() {
		return cxm.Invalid(cxm.FieldError{Field: "role", Reason: "must be admin, analyst or agent"})
	}
	now := db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		for _, c := range []struct {
			kind, query string
			id          int64
		}{
			{"workspace", "SELECT 1 FROM workspaces WHERE id = ? LIMIT 1", workspaceID},
			{"user", "SELECT 1 FROM users WHERE id = ? LIMIT 1", userID},
		} {
			ok, err := existsRow(ctx, tx, c.query, c.id)
			if err != nil {
				return err
			}
			if !ok {
				return cxm.NotFound(c.kind)
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
			workspaceID, userID, string(role), micros(now))
		if isForeignKeyViolation(err) {
			return cxm.NotFound("user or workspace")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set member: %w", err)
	}
	return nil
}

// RemoveMember takes the user out of the workspace and ends their sessions
// in it. A user who is not a member is ENotFound.
func (db *DB) RemoveMember(ctx context.Context, workspaceID, userID int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "DELETE FROM members WHERE workspace_id = ? AND user_id = ?", workspaceID, userID)
		if err != nil {
			return err
		}
		if err := mustHaveAffected(res, "member"); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "DELETE FROM sessions WHERE workspace_id = ? AND user_id = ?", workspaceID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	return nil
}

// memberSelect reads members with their user; queries add "WHERE m.workspace_id = ? …".
const memberSelect = `SELECT u.id, u.email, u.name, u.locale, u.password_hash, u.created_at, u.updated_at,
	m.workspace_id, m.role FROM members m JOIN users u ON u.id = m.user_id `

// scanMember reads one row of memberSelect.
func scanMember(row interface{ Scan(...any) error }) (*cxm.Member, error) {
	var m cxm.Member
	var role string
	u, err := scanUser(row, &m.WorkspaceID, &role)
	if err != nil {
		return nil, err
	}
	m.User, m.Role = *u, cxm.Role(role)
	return &m, nil
}

// FindMember returns the user with their role in the workspace, or
// ENotFound if they are not a member.
func (db *DB) FindMember(ctx context.Context, workspaceID, userID int64) (*cxm.Member, error) {
	m, err := scanMember(db.reader().queryRow(ctx, memberSelect+"WHERE m.workspace_id = ? AND m.user_id = ?", workspaceID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("member")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find member: %w", err)
	}
	return m, nil
}

// ListMembers returns the members of the workspace ordered by email.
func (db *DB) ListMembers(ctx context.Context, workspaceID int64) ([]*cxm.Member, error) {
	rows, err := db.reader().query(ctx, memberSelect+"WHERE m.workspace_id = ? ORDER BY u.email", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	defer rows.Close()
	out := []*cxm.Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list members: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	return out, nil
}

// ListUserWorkspaces returns the workspaces the user belongs to, with
// their role in each, ordered by workspace name.
func (db *DB) ListUserWorkspaces(ctx context.Context, userID int64) ([]*cxm.WorkspaceMembership, error) {
	cols := "w." + strings.ReplaceAll(workspaceColumns, ", ", ", w.")
	rows, err := db.reader().query(ctx, "SELECT "+cols+`, m.role FROM members m JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.user_id = ? ORDER BY w.name, w.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list user workspaces: %w", err)
	}
	defer rows.Close()
	out := []*cxm.WorkspaceMembership{}
	for rows.Next() {
		var role string
		w, err := scanWorkspace(rows, &role)
		if err != nil {
			return nil, fmt.Errorf("store: list user workspaces: %w", err)
		}
		out = append(out, &cxm.WorkspaceMembership{Workspace: *w, Role: cxm.Role(role)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list user workspaces: %w", err)
	}
	return out, nil
}
