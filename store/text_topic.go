package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TextTopicService.
var _ cxm.TextTopicService = (*DB)(nil)

// FindTextTopics returns the workspace's own taxonomy, or ENotFound.
func (db *DB) FindTextTopics(ctx context.Context, workspaceID int64) (*cxm.TextTopics, error) {
	t := &cxm.TextTopics{WorkspaceID: workspaceID}
	var taxonomy string
	var at int64
	err := db.reader().queryRow(ctx, "SELECT version, taxonomy, updated_at FROM text_topics WHERE workspace_id = ?", workspaceID).
		Scan(&t.Version, &taxonomy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("text topics")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find text topics: %w", err)
	}
	t.Taxonomy, t.UpdatedAt = []byte(taxonomy), fromMicros(at)
	return t, nil
}

// SaveTextTopics stores t.Taxonomy as the workspace's next version.
func (db *DB) SaveTextTopics(ctx context.Context, t *cxm.TextTopics) error {
	if len(t.Taxonomy) == 0 {
		return cxm.Invalid(cxm.FieldError{Field: "topics", Reason: "are required"})
	}
	t.UpdatedAt = db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		var last int
		err := tx.queryRow(ctx, "SELECT version FROM text_topics WHERE workspace_id = ?", t.WorkspaceID).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		t.Version = last + 1
		if last == 0 {
			_, err = tx.exec(ctx, "INSERT INTO text_topics (workspace_id, version, taxonomy, updated_at) VALUES (?, ?, ?, ?)",
				t.WorkspaceID, t.Version, string(t.Taxonomy), micros(t.UpdatedAt))
		} else {
			_, err = tx.exec(ctx, "UPDATE text_topics SET version = ?, taxonomy = ?, updated_at = ? WHERE workspace_id = ? AND version = ?",
				t.Version, string(t.Taxonomy), micros(t.UpdatedAt), t.WorkspaceID, last)
		}
		if isUniqueViolation(err) {
			return cxm.Errorf(cxm.EConflict, "the workspace's topics were changed at the same time; try again")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save text topics: %w", err)
	}
	return nil
}

// TextTopicsVersion returns the version of the workspace's taxonomy, or 0.
func (db *DB) TextTopicsVersion(ctx context.Context, workspaceID int64) (int, error) {
	var v int
	err := db.reader().queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM text_topics WHERE workspace_id = ?", workspaceID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: text topics version: %w", err)
	}
	return v, nil
}
