package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TouchpointService.
var _ cxm.TouchpointService = (*DB)(nil)

// touchpointSelect reads touchpoints with the key of their stage; every
// query adds "WHERE t.workspace_id = ? …".
const touchpointSelect = `SELECT t.id, t.workspace_id, t.key, t.name, t.stage_id, s.key, t.channel, t.online,
	t.description, t.targets, t.created_at, t.updated_at
	FROM touchpoints t JOIN stages s ON s.id = t.stage_id `

// scanTouchpoint reads one row of touchpointSelect.
func scanTouchpoint(row interface{ Scan(...any) error }) (*cxm.Touchpoint, error) {
	var t cxm.Touchpoint
	var online int
	var created, updated int64
	var targets string
	err := row.Scan(&t.ID, &t.WorkspaceID, &t.Key, &t.Name, &t.StageID, &t.StageKey, &t.Channel, &online,
		&t.Description, &targets, &created, &updated)
	if err != nil {
		return nil, err
	}
	if targets != "" && targets != "{}" {
		if err := json.Unmarshal([]byte(targets), &t.Targets); err != nil {
			return nil, fmt.Errorf("decode targets: %w", err)
		}
	}
	t.Online = online != 0
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, nil
}

// findTouchpoint reads one touchpoint through q; ENotFound if the
// workspace has none with id.
func findTouchpoint(ctx context.Context, q queryer, workspaceID, id int64) (*cxm.Touchpoint, error) {
	t, err := scanTouchpoint(q.queryRow(ctx, touchpointSelect+"WHERE t.workspace_id = ? AND t.id = ?", workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("touchpoint")
	}
	return t, err
}

// resolveStage sets t.StageID and t.StageKey to a stage of t's workspace:
// the stage with t.StageID if set, else the stage with t.StageKey in the
// default journey. An unknown stage is EInvalid.
func resolveStage(ctx context.Context, q queryer, t *cxm.Touchpoint) error {
	if t.StageID != 0 {
		err := q.queryRow(ctx, "SELECT key FROM stages WHERE workspace_id = ? AND id = ?", t.WorkspaceID, t.StageID).Scan(&t.StageKey)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.Invalid(cxm.FieldError{Field: "stage_id", Reason: "unknown stage"})
		}
		if err != nil {
			return fmt.Errorf("resolve stage: %w", err)
		}
		return nil
	}
	err := q.queryRow(ctx, `SELECT s.id FROM stages s JOIN journeys j ON j.id = s.journey_id
		WHERE s.workspace_id = ? AND j.workspace_id = ? AND j.is_default = 1 AND s.key = ?`,
		t.WorkspaceID, t.WorkspaceID, t.StageKey).Scan(&t.StageID)
	if errors.Is(err, sql.ErrNoRows) {
		return cxm.Invalid(cxm.FieldError{Field: "stage", Reason: "unknown stage"})
	}
	if err != nil {
		return fmt.Errorf("resolve stage: %w", err)
	}
	return nil
}

// CreateTouchpoint stores t. Its stage is t.StageID, which must belong to
// the workspace, or else the stage t.StageKey of the default journey; an
// unknown stage is EInvalid and a key already in use EConflict.
func (db *DB) CreateTouchpoint(ctx context.Context, t *cxm.Touchpoint) error {
	if err := t.Validate(); err != nil {
		return err
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create touchpoint: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		if err := resolveStage(ctx, tx, t); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO touchpoints (id, workspace_id, key, name, stage_id, channel, online,
			description, targets, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, t.WorkspaceID, t.Key, t.Name, t.StageID, string(t.Channel), boolInt(t.Online),
			t.Description, targetsJSON(t.Targets), micros(now), micros(now))
		if isUniqueViolation(err) {
			return conflictOn("key", "is already in use")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create touchpoint: %w", err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, now, now
	return nil
}

// FindTouchpoint returns the touchpoint with id in the workspace, or ENotFound.
func (db *DB) FindTouchpoint(ctx context.Context, workspaceID, id int64) (*cxm.Touchpoint, error) {
	t, err := findTouchpoint(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find touchpoint: %w", err)
	}
	return t, nil
}

// FindTouchpointByKey returns the touchpoint with key in the workspace, or ENotFound.
func (db *DB) FindTouchpointByKey(ctx context.Context, workspaceID int64, key string) (*cxm.Touchpoint, error) {
	t, err := scanTouchpoint(db.reader().queryRow(ctx, touchpointSelect+"WHERE t.workspace_id = ? AND t.key = ?", workspaceID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find touchpoint: %w", cxm.NotFound("touchpoint"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find touchpoint: %w", err)
	}
	return t, nil
}

// ListTouchpoints returns the workspace's touchpoints ordered by the
// position of their stage, then by key.
func (db *DB) ListTouchpoints(ctx context.Context, workspaceID int64) ([]*cxm.Touchpoint, error) {
	rows, err := db.reader().query(ctx, touchpointSelect+"WHERE t.workspace_id = ? ORDER BY s.position, t.key", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list touchpoints: %w", err)
	}
	defer rows.Close()
	out := []*cxm.Touchpoint{}
	for rows.Next() {
		t, err := scanTouchpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list touchpoints: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list touchpoints: %w", err)
	}
	return out, nil
}

// UpdateTouchpoint changes the touchpoint with id by u and returns it as
// stored. A new stage is resolved as on create.
func (db *DB) UpdateTouchpoint(ctx context.Context, workspaceID, id int64, u cxm.TouchpointUpdate) (*cxm.Touchpoint, error) {
	var t *cxm.Touchpoint
	err := db.inTx(ctx, func(tx queryer) error {
		var err error
		if t, err = findTouchpoint(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		u.Apply(t)
		if err := t.Validate(); err != nil {
			return err
		}
		if err := resolveStage(ctx, tx, t); err != nil {
			return err
		}
		t.UpdatedAt = db.stampNow()
		_, err = tx.exec(ctx, `UPDATE touchpoints SET name = ?, stage_id = ?, channel = ?, online = ?, description = ?,
			targets = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			t.Name, t.StageID, string(t.Channel), boolInt(t.Online), t.Description, targetsJSON(t.Targets),
			micros(t.UpdatedAt), workspaceID, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: update touchpoint: %w", err)
	}
	return t, nil
}

// DeleteTouchpoint removes the touchpoint with id. A touchpoint that an
// interaction, a response or a survey uses, or that is a customer's first
// touchpoint, is EConflict.
func (db *DB) DeleteTouchpoint(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		tp, err := findTouchpoint(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		for _, u := range []struct {
			what, sql string
			arg       any
		}{
			{"interactions", "SELECT 1 FROM interactions WHERE workspace_id = ? AND touchpoint_id = ? LIMIT 1", id},
			{"customers' first touchpoint", "SELECT 1 FROM customers WHERE workspace_id = ? AND first_touchpoint_id = ? LIMIT 1", id},
			{"responses", "SELECT 1 FROM responses WHERE workspace_id = ? AND touchpoint_id = ? LIMIT 1", id},
			{"surveys", "SELECT 1 FROM survey_touchpoints WHERE workspace_id = ? AND touchpoint_key = ? LIMIT 1", tp.Key},
		} {
			used, err := existsRow(ctx, tx, u.sql, workspaceID, u.arg)
			if err != nil {
				return err
			}
			if used {
				return cxm.Errorf(cxm.EConflict, "touchpoint is in use by %s", u.what)
			}
		}
		_, err = tx.exec(ctx, "DELETE FROM touchpoints WHERE workspace_id = ? AND id = ?", workspaceID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete touchpoint: %w", err)
	}
	return nil
}

// targetsJSON encodes a touchpoint's targets for the targets column.
func targetsJSON(targets map[string]float64) string {
	if len(targets) == 0 {
		return "{}"
	}
	b, err := json.Marshal(targets)
	if err != nil {
		// Validate rejects NaN, the only value that cannot be encoded.
		return "{}"
	}
	return string(b)
}
