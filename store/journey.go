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

// DB implements cxm.JourneyService.
var _ cxm.JourneyService = (*DB)(nil)

const journeyColumns = "id, workspace_id, key, name, is_default, created_at, updated_at"

// scanJourney reads one row of journeyColumns; the stages are read apart.
func scanJourney(row interface{ Scan(...any) error }) (*cxm.Journey, error) {
	var j cxm.Journey
	var isDefault int
	var created, updated int64
	if err := row.Scan(&j.ID, &j.WorkspaceID, &j.Key, &j.Name, &isDefault, &created, &updated); err != nil {
		return nil, err
	}
	j.IsDefault = isDefault != 0
	j.CreatedAt, j.UpdatedAt = fromMicros(created), fromMicros(updated)
	j.Stages = []cxm.Stage{}
	return &j, nil
}

// insertJourney stores j with the id first and its stages with the ids
// after it, and fills in those ids and the times. j must be valid.
func insertJourney(ctx context.Context, tx queryer, j *cxm.Journey, first int64, now time.Time) error {
	_, err := tx.exec(ctx, "INSERT INTO journeys ("+journeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		first, j.WorkspaceID, j.Key, j.Name, boolInt(j.IsDefault), micros(now), micros(now))
	if isUniqueViolation(err) {
		return conflictOn("key", "is already in use")
	}
	if isForeignKeyViolation(err) {
		return cxm.NotFound("workspace")
	}
	if err != nil {
		return fmt.Errorf("insert journey: %w", err)
	}
	j.ID, j.CreatedAt, j.UpdatedAt = first, now, now
	for i := range j.Stages {
		s := &j.Stages[i]
		s.ID = first + 1 + int64(i)
		if err := insertStage(ctx, tx, j.WorkspaceID, j.ID, s); err != nil {
			return err
		}
	}
	return nil
}

// insertStage stores s, which already has its id and position.
func insertStage(ctx context.Context, tx queryer, workspaceID, journeyID int64, s *cxm.Stage) error {
	names, err := json.Marshal(s.Names)
	if err != nil {
		return fmt.Errorf("encode stage names: %w", err)
	}
	_, err = tx.exec(ctx, "INSERT INTO stages (id, workspace_id, journey_id, key, position, names) VALUES (?, ?, ?, ?, ?, ?)",
		s.ID, workspaceID, journeyID, s.Key, s.Position, string(names))
	if err != nil {
		return fmt.Errorf("insert stage %s: %w", s.Key, err)
	}
	return nil
}

// loadStages returns the stages of the workspace's journeys by journey id,
// each list ordered by position. journeyID 0 means every journey.
func loadStages(ctx context.Context, q queryer, workspaceID, journeyID int64) (map[int64][]cxm.Stage, error) {
	query := "SELECT journey_id, id, key, position, names FROM stages WHERE workspace_id = ?"
	args := []any{workspaceID}
	if journeyID != 0 {
		query += " AND journey_id = ?"
		args = append(args, journeyID)
	}
	rows, err := q.query(ctx, query+" ORDER BY journey_id, position", args...)
	if err != nil {
		return nil, fmt.Errorf("load stages: %w", err)
	}
	defer rows.Close()
	out := map[int64][]cxm.Stage{}
	for rows.Next() {
		var jid int64
		var s cxm.Stage
		var names string
		if err := rows.Scan(&jid, &s.ID, &s.Key, &s.Position, &names); err != nil {
			return nil, fmt.Errorf("load stages: %w", err)
		}
		if err := json.Unmarshal([]byte(names), &s.Names); err != nil {
			return nil, fmt.Errorf("decode names of stage %d: %w", s.ID, err)
		}
		out[jid] = append(out[jid], s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load stages: %w", err)
	}
	return out, nil
}

// findJourney reads one journey with its stages through q.
func findJourney(ctx context.Context, q queryer, workspaceID, id int64) (*cxm.Journey, error) {
	j, err := scanJourney(q.queryRow(ctx, "SELECT "+journeyColumns+" FROM journeys WHERE workspace_id = ? AND id = ?", workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("journey")
	}
	if err != nil {
		return nil, err
	}
	stages, err := loadStages(ctx, q, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if s := stages[id]; s != nil {
		j.Stages = s
	}
	return j, nil
}

// CreateJourney stores j with its stages. The workspace's first journey
// becomes its default; any other is not the default, whatever j says. A
// key already used in the workspace is EConflict.
func (db *DB) CreateJourney(ctx context.Context, j *cxm.Journey) error {
	if err := j.Validate(); err != nil {
		return err
	}
	first, err := db.ids.take(ctx, 1+len(j.Stages))
	if err != nil {
		return fmt.Errorf("store: create journey: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		var n int
		err := tx.queryRow(ctx, "SELECT COUNT(*) FROM journeys WHERE workspace_id = ?", j.WorkspaceID).Scan(&n)
		if err != nil {
			return err
		}
		j.IsDefault = n == 0
		return insertJourney(ctx, tx, j, first, now)
	})
	if err != nil {
		return fmt.Errorf("store: create journey: %w", err)
	}
	return nil
}

// FindJourney returns the journey with id in the workspace, with its stages
// in order, or ENotFound.
func (db *DB) FindJourney(ctx context.Context, workspaceID, id int64) (*cxm.Journey, error) {
	j, err := findJourney(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find journey: %w", err)
	}
	return j, nil
}

// ListJourneys returns the workspace's journeys with their stages, the
// default first and the others by key.
func (db *DB) ListJourneys(ctx context.Context, workspaceID int64) ([]*cxm.Journey, error) {
	q := db.reader()
	rows, err := q.query(ctx, "SELECT "+journeyColumns+" FROM journeys WHERE workspace_id = ? ORDER BY is_default DESC, key", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list journeys: %w", err)
	}
	defer rows.Close()
	out := []*cxm.Journey{}
	for rows.Next() {
		j, err := scanJourney(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list journeys: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list journeys: %w", err)
	}
	rows.Close()
	stages, err := loadStages(ctx, q, workspaceID, 0)
	if err != nil {
		return nil, fmt.Errorf("store: list journeys: %w", err)
	}
	for _, j := range out {
		if s := stages[j.ID]; s != nil {
			j.Stages = s
		}
	}
	return out, nil
}

// UpdateJourney replaces the name and the stages of the stored journey
// j.ID in j.WorkspaceID; the key cannot change. Stages are matched by key:
// kept stages keep their id and take the new position and names, new ones
// are added, and missing ones are removed unless a touchpoint still uses
// them, which is EConflict. On success j holds the journey as stored.
func (db *DB) UpdateJourney(ctx context.Context, j *cxm.Journey) error {
	if err := j.Validate(); err != nil {
		return err
	}
	// Reserve an id for every stage that might be new, before the write
	// transaction begins; unused ids are simply skipped.
	first, err := db.ids.take(ctx, len(j.Stages))
	if err != nil {
		return fmt.Errorf("store: update journey: %w", err)
	}
	now := db.stampNow()
	var stored *cxm.Journey
	err = db.inTx(ctx, func(tx queryer) error {
		old, err := findJourney(ctx, tx, j.WorkspaceID, j.ID)
		if err != nil {
			return err
		}
		if old.Key != j.Key {
			return cxm.Invalid(cxm.FieldError{Field: "key", Reason: "cannot be changed"})
		}
		oldByKey := map[string]cxm.Stage{}
		for _, s := range old.Stages {
			oldByKey[s.Key] = s
		}
		for _, s := range old.Stages {
			if j.Stage(s.Key) != nil {
				continue
			}
			used, err := existsRow(ctx, tx, "SELECT 1 FROM touchpoints WHERE workspace_id = ? AND stage_id = ? LIMIT 1", j.WorkspaceID, s.ID)
			if err != nil {
				return err
			}
			if used {
				return conflictOn("stages", "stage "+s.Key+" is used by touchpoints and cannot be removed")
			}
			_, err = tx.exec(ctx, "DELETE FROM stages WHERE workspace_id = ? AND id = ?", j.WorkspaceID, s.ID)
			if isForeignKeyViolation(err) {
				// A touchpoint joined the stage after the check above.
				return conflictOn("stages", "stage "+s.Key+" is used by touchpoints and cannot be removed")
			}
			if err != nil {
				return fmt.Errorf("delete stage %s: %w", s.Key, err)
			}
		}
		next := first
		for i := range j.Stages {
			s := &j.Stages[i]
			if o, ok := oldByKey[s.Key]; ok {
				s.ID = o.ID
				names, err := json.Marshal(s.Names)
				if err != nil {
					return fmt.Errorf("encode stage names: %w", err)
				}
				_, err = tx.exec(ctx, "UPDATE stages SET position = ?, names = ? WHERE workspace_id = ? AND id = ?",
					s.Position, string(names), j.WorkspaceID, s.ID)
				if err != nil {
					return fmt.Errorf("update stage %s: %w", s.Key, err)
				}
				continue
			}
			s.ID = next
			next++
			if err := insertStage(ctx, tx, j.WorkspaceID, j.ID, s); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, "UPDATE journeys SET name = ?, updated_at = ? WHERE workspace_id = ? AND id = ?",
			j.Name, micros(now), j.WorkspaceID, j.ID)
		if err != nil {
			return fmt.Errorf("update journey row: %w", err)
		}
		stored = old
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: update journey: %w", err)
	}
	j.IsDefault, j.CreatedAt, j.UpdatedAt = stored.IsDefault, stored.CreatedAt, now
	return nil
}

// DeleteJourney removes the journey with id and its stages. The default
// journey, and a journey with a stage that a touchpoint uses, is EConflict.
func (db *DB) DeleteJourney(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		var isDefault int
		err := tx.queryRow(ctx, "SELECT is_default FROM journeys WHERE workspace_id = ? AND id = ?", workspaceID, id).Scan(&isDefault)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.NotFound("journey")
		}
		if err != nil {
			return err
		}
		if isDefault != 0 {
			return cxm.Errorf(cxm.EConflict, "the default journey cannot be deleted")
		}
		used, err := existsRow(ctx, tx, `SELECT 1 FROM touchpoints t JOIN stages s ON s.id = t.stage_id
			WHERE t.workspace_id = ? AND s.workspace_id = ? AND s.journey_id = ? LIMIT 1`, workspaceID, workspaceID, id)
		if err != nil {
			return err
		}
		if used {
			return cxm.Errorf(cxm.EConflict, "journey is in use by touchpoints")
		}
		_, err = tx.exec(ctx, "DELETE FROM stages WHERE workspace_id = ? AND journey_id = ?", workspaceID, id)
		if isForeignKeyViolation(err) {
			// A touchpoint joined a stage after the check above.
			return cxm.Errorf(cxm.EConflict, "journey is in use by touchpoints")
		}
		if err != nil {
			return fmt.Errorf("delete stages: %w", err)
		}
		if _, err := tx.exec(ctx, "DELETE FROM journeys WHERE workspace_id = ? AND id = ?", workspaceID, id); err != nil {
			return fmt.Errorf("delete journey row: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete journey: %w", err)
	}
	return nil
}
