package store

import (
	"context"
	"database/sql"
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

const workspaceColumns = "id, slug, name, time_zone, default_locale, created_at, updated_at"

// scanWorkspace reads one row of workspaceColumns.
func scanWorkspace(row interface{ Scan(...any) error }) (*cxm.Workspace, error) {
	var w cxm.Workspace
	var created, updated int64
	if err := row.Scan(&w.ID, &w.Slug, &w.Name, &w.TimeZone, &w.DefaultLocale, &created, &updated); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &w, nil
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
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO workspaces ("+workspaceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			first, w.Slug, w.Name, w.TimeZone, w.DefaultLocale, micros(now), micros(now))
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

// UpdateWorkspace changes the workspace with id by u and returns it as stored.
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
		u.Apply(w)
		if err := w.Validate(); err != nil {
			return err
		}
		w.UpdatedAt = db.stampNow()
		_, err = tx.exec(ctx, "UPDATE workspaces SET name = ?, time_zone = ?, default_locale = ?, updated_at = ? WHERE id = ?",
			w.Name, w.TimeZone, w.DefaultLocale, micros(w.UpdatedAt), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: update workspace: %w", err)
	}
	return w, nil
}
