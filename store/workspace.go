package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.WorkspaceService.
var _ cxm.WorkspaceService = (*DB)(nil)

// stampNow returns the store's clock in UTC, truncated to the microseconds
// that the database keeps, so that a stored record reads back unchanged.
func (db *DB) stampNow() time.Time {
	return db.now().UTC().Truncate(time.Microsecond)
}

// conflictOn returns an EConflict error that names field and why.
func conflictOn(field, reason string) error {
	return &cxm.Error{
		Code:    cxm.EConflict,
		Message: field + " " + reason,
		Fields:  []cxm.FieldError{{Field: field, Reason: reason}},
	}
}

const workspaceColumns = "id, slug, name, time_zone, default_locale, public_key, allowed_origins, contact_frequency_days, churn_days, created_at, updated_at"

// scanWorkspace reads one row of workspaceColumns, and into extra the
// columns that follow them.
func scanWorkspace(row interface{ Scan(...any) error }, extra ...any) (*cxm.Workspace, error) {
	var w cxm.Workspace
	var created, updated int64
	var publicKey sql.NullString
	var origins string
	dest := append([]any{&w.ID, &w.Slug, &w.Name, &w.TimeZone, &w.DefaultLocale, &publicKey, &origins,
		&w.ContactFrequencyDays, &w.ChurnDays, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(origins), &w.AllowedOrigins); err != nil {
		return nil, fmt.Errorf("workspace %d: allowed_origins: %w", w.ID, err)
	}
	w.PublicKey = publicKey.String
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &w, nil
}

// newPublicKey returns a fresh widget key: "pk_" and 24 random characters.
func newPublicKey() string {
	return "pk_" + randomToken(18)
}

// fillPublicKeys gives every workspace that has none a public key, for
// workspaces made before keys existed. It runs after migrating.
func (db *DB) fillPublicKeys(ctx context.Context) error {
	rows, err := db.reader().query(ctx, "SELECT id FROM workspaces WHERE public_key IS NULL")
	if err != nil {
		return fmt.Errorf("store: fill public keys: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("store: fill public keys: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: fill public keys: %w", err)
	}
	for _, id := range ids {
		err := db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, "UPDATE workspaces SET public_key = ? WHERE id = ? AND public_key IS NULL", newPublicKey(), id)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: fill public key of workspace %d: %w", id, err)
		}
	}
	return nil
}

// CreateWorkspace stores w and, in the same transaction, its default
// journey with the five default stages. A slug already in use is EConflict.
func (db *DB) CreateWorkspace(ctx context.Context, w *cxm.Workspace) error {
	if err := w.Validate(); err != nil {
		return err
	}
	j := &cxm.Journey{Key: "default", Name: "Customer journey", IsDefault: true, Stages: cxm.DefaultStages()}
	if err := j.Validate(); err != nil {
		return fmt.Errorf("store: create workspace: default journey: %w", err)
	}
	first, err := db.ids.take(ctx, 2+len(j.Stages))
	if err != nil {
		return fmt.Errorf("store: create workspace: %w", err)
	}
	now := db.stampNow()
	w.PublicKey = newPublicKey()
	origins, err := json.Marshal(w.AllowedOrigins)
	if err != nil {
		return fmt.Errorf("store: create workspace: %w", err)
	}
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO workspaces ("+workspaceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			first, w.Slug, w.Name, w.TimeZone, w.DefaultLocale, w.PublicKey, string(origins), w.ContactFrequencyDays, w.ChurnDays, micros(now), micros(now))
		if isUniqueViolation(err) {
			return conflictOn("slug", "is already in use")
		}
		if err != nil {
			return err
		}
		j.WorkspaceID = first
		return insertJourney(ctx, tx, j, first+1, now)
	})
	if err != nil {
		return fmt.Errorf("store: create workspace: %w", err)
	}
	w.ID, w.CreatedAt, w.UpdatedAt = first, now, now
	return nil
}

// FindWorkspaceByID returns the workspace with id, or ENotFound.
func (db *DB) FindWorkspaceByID(ctx context.Context, id int64) (*cxm.Workspace, error) {
	w, err := scanWorkspace(db.reader().queryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("workspace")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find workspace: %w", err)
	}
	return w, nil
}

// FindWorkspaceBySlug returns the workspace with slug, or ENotFound.
func (db *DB) FindWorkspaceBySlug(ctx context.Context, slug string) (*cxm.Workspace, error) {
	w, err := scanWorkspace(db.reader().queryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE slug = ?", slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("workspace")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find workspace: %w", err)
	}
	return w, nil
}

// FindWorkspaceByPublicKey returns the workspace whose widget key is key, or ENotFound.
func (db *DB) FindWorkspaceByPublicKey(ctx context.Context, key string) (*cxm.Workspace, error) {
	if key == "" {
		return nil, cxm.NotFound("workspace")
	}
	w, err := scanWorkspace(db.reader().queryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE public_key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("workspace")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find workspace: %w", err)
	}
	return w, nil
}

// UpdateWorkspace changes the workspace with id by u and returns it as
// stored. A new time zone recounts the workspace's rollups in the same
// transaction, since their days are local days.
func (db *DB) UpdateWorkspace(ctx context.Context, id int64, u cxm.WorkspaceUpdate) (*cxm.Workspace, error) {
	var w *cxm.Workspace
	err := db.inTx(ctx, func(tx queryer) error {
		var err error
		w, err = scanWorkspace(tx.queryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.NotFound("workspace")
		}
		if err != nil {
			return err
		}
		oldZone := w.TimeZone
		if err := u.Validate(); err != nil {
			return err
		}
		u.Apply(w)
		if err := w.Validate(); err != nil {
			return err
		}
		w.UpdatedAt = db.stampNow()
		origins, err := json.Marshal(w.AllowedOrigins)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE workspaces SET name = ?, time_zone = ?, default_locale = ?, allowed_origins = ?, contact_frequency_days = ?, churn_days = ?, updated_at = ? WHERE id = ?",
			w.Name, w.TimeZone, w.DefaultLocale, string(origins), w.ContactFrequencyDays, w.ChurnDays, micros(w.UpdatedAt), id)
		if err != nil || w.TimeZone == oldZone {
			return err
		}
		// Days are local: a new time zone moves responses between days.
		_, err = db.rebuildRollups(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: update workspace: %w", err)
	}
	return w, nil
}
