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

// DB implements cxm.AlertRuleService.
var _ cxm.AlertRuleService = (*DB)(nil)

// alertRuleSelect reads alert rules; every query adds "WHERE workspace_id = ? …".
const alertRuleSelect = `SELECT id, workspace_id, name, expression, enabled, actions, digest_minutes, created_at, updated_at
	FROM alert_rules `

// scanAlertRule reads one row of alertRuleSelect.
func scanAlertRule(row interface{ Scan(...any) error }) (*cxm.AlertRule, error) {
	var r cxm.AlertRule
	var enabled int
	var actions string
	var created, updated int64
	if err := row.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.Condition, &enabled, &actions, &r.DigestMinutes, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(actions), &r.Actions); err != nil {
		return nil, fmt.Errorf("decode actions of alert rule %d: %w", r.ID, err)
	}
	if r.Actions.Notify == nil {
		r.Actions.Notify = []cxm.NotifyTarget{}
	}
	r.Enabled = enabled != 0
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

// alertActionsJSON encodes a rule's actions for the actions column.
func alertActionsJSON(a cxm.AlertActions) (string, error) {
	if a.Notify == nil {
		a.Notify = []cxm.NotifyTarget{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("encode actions: %w", err)
	}
	return string(b), nil
}

// CreateAlertRule stores r; a name already in use is EConflict.
func (db *DB) CreateAlertRule(ctx context.Context, r *cxm.AlertRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	actions, err := alertActionsJSON(r.Actions)
	if err != nil {
		return fmt.Errorf("store: create alert rule: %w", err)
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create alert rule: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, `INSERT INTO alert_rules (id, workspace_id, name, expression, enabled, actions, digest_minutes,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.WorkspaceID, r.Name, r.Condition, boolInt(r.Enabled), actions, r.DigestMinutes, micros(now), micros(now))
		if isUniqueViolation(err) {
			return conflictOn("name", "is already in use")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create alert rule: %w", err)
	}
	r.ID, r.CreatedAt, r.UpdatedAt = id, now, now
	return nil
}

// FindAlertRule returns the workspace's rule with id, or ENotFound.
func (db *DB) FindAlertRule(ctx context.Context, workspaceID, id int64) (*cxm.AlertRule, error) {
	r, err := scanAlertRule(db.reader().queryRow(ctx, alertRuleSelect+"WHERE workspace_id = ? AND id = ?", workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find alert rule: %w", cxm.NotFound("alert rule"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find alert rule: %w", err)
	}
	return r, nil
}

// ListAlertRules returns the workspace's rules by name; with enabledOnly
// only those switched on.
func (db *DB) ListAlertRules(ctx context.Context, workspaceID int64, enabledOnly bool) ([]*cxm.AlertRule, error) {
	q := alertRuleSelect + "WHERE workspace_id = ?"
	if enabledOnly {
		q += " AND enabled = 1"
	}
	rows, err := db.reader().query(ctx, q+" ORDER BY name, id", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list alert rules: %w", err)
	}
	defer rows.Close()
	out := []*cxm.AlertRule{}
	for rows.Next() {
		r, err := scanAlertRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list alert rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list alert rules: %w", err)
	}
	return out, nil
}

// UpdateAlertRule replaces the rule with r.ID by r and sets r's times as stored.
func (db *DB) UpdateAlertRule(ctx context.Context, r *cxm.AlertRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	actions, err := alertActionsJSON(r.Actions)
	if err != nil {
		return fmt.Errorf("store: update alert rule: %w", err)
	}
	now := db.stampNow()
	var created int64
	err = db.inTx(ctx, func(tx queryer) error {
		err := tx.queryRow(ctx, "SELECT created_at FROM alert_rules WHERE workspace_id = ? AND id = ?", r.WorkspaceID, r.ID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.NotFound("alert rule")
		}
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE alert_rules SET name = ?, expression = ?, enabled = ?, actions = ?, digest_minutes = ?,
			updated_at = ? WHERE workspace_id = ? AND id = ?`,
			r.Name, r.Condition, boolInt(r.Enabled), actions, r.DigestMinutes, micros(now), r.WorkspaceID, r.ID)
		if isUniqueViolation(err) {
			return conflictOn("name", "is already in use")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update alert rule: %w", err)
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(created), now
	return nil
}

// DeleteAlertRule removes a rule and its firings; cases it opened stay.
func (db *DB) DeleteAlertRule(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "DELETE FROM alert_rules WHERE workspace_id = ? AND id = ?", workspaceID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return cxm.NotFound("alert rule")
		}
		_, err = tx.exec(ctx, "DELETE FROM alert_firings WHERE workspace_id = ? AND rule_id = ?", workspaceID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete alert rule: %w", err)
	}
	return nil
}

// RecordAlertFiring stores f and reports true, or reports false when the
// rule already fired for the response. A zero FiredAt means now.
func (db *DB) RecordAlertFiring(ctx context.Context, f *cxm.AlertFiring) (bool, error) {
	if f.FiredAt.IsZero() {
		f.FiredAt = db.stampNow()
	}
	var created bool
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, `INSERT INTO alert_firings (workspace_id, rule_id, response_id, fired_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, rule_id, response_id) DO NOTHING`,
			f.WorkspaceID, f.RuleID, f.ResponseID, micros(f.FiredAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		created = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: record alert firing: %w", err)
	}
	return created, nil
}

// SetAlertFiringCase links a firing to the case it opened.
func (db *DB) SetAlertFiringCase(ctx context.Context, workspaceID, ruleID int64, responseID string, caseID int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "UPDATE alert_firings SET case_id = ? WHERE workspace_id = ? AND rule_id = ? AND response_id = ?",
			caseID, workspaceID, ruleID, responseID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set alert firing case: %w", err)
	}
	return nil
}

// MarkAlertFiringNotified marks a firing as sent, alone.
func (db *DB) MarkAlertFiringNotified(ctx context.Context, workspaceID, ruleID int64, responseID string, at time.Time) error {
	err := db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, `UPDATE alert_firings SET notified_at = ?
			WHERE workspace_id = ? AND rule_id = ? AND response_id = ? AND notified_at IS NULL`,
			micros(at), workspaceID, ruleID, responseID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark alert firing notified: %w", err)
	}
	return nil
}

// TakeAlertDigest marks the rule's firings before until that are not yet
// sent as sent at until, and returns them, oldest first, in one
// transaction. Those already marked with the same until are returned
// again, so that a retried digest job sends the same digest.
func (db *DB) TakeAlertDigest(ctx context.Context, workspaceID, ruleID int64, until time.Time) ([]*cxm.AlertFiring, error) {
	var out []*cxm.AlertFiring
	err := db.inTx(ctx, func(tx queryer) error {
		out = nil
		rows, err := tx.query(ctx, `SELECT response_id, case_id, fired_at FROM alert_firings
			WHERE workspace_id = ? AND rule_id = ? AND (notified_at IS NULL OR notified_at = ?) AND fired_at < ?
			ORDER BY fired_at, response_id`, workspaceID, ruleID, micros(until), micros(until))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f := &cxm.AlertFiring{WorkspaceID: workspaceID, RuleID: ruleID}
			var caseID sql.NullInt64
			var fired int64
			if err := rows.Scan(&f.ResponseID, &caseID, &fired); err != nil {
				return err
			}
			at := until
			f.CaseID, f.FiredAt, f.NotifiedAt = caseID.Int64, fromMicros(fired), &at
			out = append(out, f)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		_, err = tx.exec(ctx, `UPDATE alert_firings SET notified_at = ?
			WHERE workspace_id = ? AND rule_id = ? AND notified_at IS NULL AND fired_at < ?`,
			micros(until), workspaceID, ruleID, micros(until))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: take alert digest: %w", err)
	}
	return out, nil
}
