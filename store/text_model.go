package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TextModelService.
var _ cxm.TextModelService = (*DB)(nil)

// SaveTextModel stores m as the workspace's next version and makes it the
// active one, in one transaction.
func (db *DB) SaveTextModel(ctx context.Context, m *cxm.TextModel) error {
	var fe cxm.FieldErrors
	if len(m.Blob) == 0 {
		fe.Add("blob", "is required")
	}
	if m.Examples < 1 {
		fe.Add("examples", "must be at least 1")
	}
	if m.Source != cxm.ModelSourceCorrections && m.Source != cxm.ModelSourceFile {
		fe.Add("source", "must be corrections or file")
	}
	if !(m.LexiconWeight > 0 && m.LexiconWeight <= 1) {
		fe.Add("lexicon_weight", "must be in (0, 1]")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	m.CreatedAt = db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		var last int
		if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM text_models WHERE workspace_id = ?",
			m.WorkspaceID).Scan(&last); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE text_models SET active = 0 WHERE workspace_id = ? AND active = 1", m.WorkspaceID); err != nil {
			return err
		}
		m.Version, m.Active = last+1, true
		_, err := tx.exec(ctx, `INSERT INTO text_models (workspace_id, version, created_at, examples, source, lexicon_weight,
			active, blob) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`, m.WorkspaceID, m.Version, micros(m.CreatedAt), m.Examples, m.Source,
			m.LexiconWeight, base64.StdEncoding.EncodeToString(m.Blob))
		if isUniqueViolation(err) {
			return cxm.Errorf(cxm.EConflict, "another model of the workspace was saved at the same time; try again")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save text model: %w", err)
	}
	return nil
}

const textModelColumns = "version, created_at, examples, source, lexicon_weight, active"

// scanTextModel reads one row of textModelColumns and, into extra, the
// columns after them.
func scanTextModel(row interface{ Scan(...any) error }, workspaceID int64, extra ...any) (*cxm.TextModel, error) {
	m := &cxm.TextModel{WorkspaceID: workspaceID}
	var at int64
	var active int
	if err := row.Scan(append([]any{&m.Version, &at, &m.Examples, &m.Source, &m.LexiconWeight, &active}, extra...)...); err != nil {
		return nil, err
	}
	m.CreatedAt, m.Active = fromMicros(at), active == 1
	return m, nil
}

// ListTextModels returns the workspace's model versions, newest first,
// without their blobs.
func (db *DB) ListTextModels(ctx context.Context, workspaceID int64) ([]*cxm.TextModel, error) {
	rows, err := db.reader().query(ctx, "SELECT "+textModelColumns+" FROM text_models WHERE workspace_id = ? ORDER BY version DESC", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list text models: %w", err)
	}
	defer rows.Close()
	out := []*cxm.TextModel{}
	for rows.Next() {
		m, err := scanTextModel(rows, workspaceID)
		if err != nil {
			return nil, fmt.Errorf("store: list text models: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list text models: %w", err)
	}
	return out, nil
}

// ActivateTextModel makes version the workspace's active model, and no
// other; an unknown version is ENotFound.
func (db *DB) ActivateTextModel(ctx context.Context, workspaceID int64, version int) (*cxm.TextModel, error) {
	var m *cxm.TextModel
	err := db.inTx(ctx, func(tx queryer) error {
		var err error
		m, err = scanTextModel(tx.queryRow(ctx, "SELECT "+textModelColumns+" FROM text_models WHERE workspace_id = ? AND version = ?",
			workspaceID, version), workspaceID)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.NotFound("text model version")
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE text_models SET active = 0 WHERE workspace_id = ? AND active = 1 AND version <> ?",
			workspaceID, version); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE text_models SET active = 1 WHERE workspace_id = ? AND version = ?", workspaceID, version)
		m.Active = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: activate text model: %w", err)
	}
	return m, nil
}

// ActiveTextModelVersion returns the version of the workspace's active
// model, or 0 when it has none.
func (db *DB) ActiveTextModelVersion(ctx context.Context, workspaceID int64) (int, error) {
	var v int
	err := db.reader().queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM text_models WHERE workspace_id = ? AND active = 1",
		workspaceID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: active text model: %w", err)
	}
	return v, nil
}

// FindTextModel returns one version of the workspace's model with its
// blob, or ENotFound.
func (db *DB) FindTextModel(ctx context.Context, workspaceID int64, version int) (*cxm.TextModel, error) {
	var blob string
	m, err := scanTextModel(db.reader().queryRow(ctx, "SELECT "+textModelColumns+", blob FROM text_models WHERE workspace_id = ? AND version = ?",
		workspaceID, version), workspaceID, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("text model version")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find text model: %w", err)
	}
	if m.Blob, err = base64.StdEncoding.DecodeString(blob); err != nil {
		return nil, fmt.Errorf("store: find text model %d: %w", version, err)
	}
	return m, nil
}
