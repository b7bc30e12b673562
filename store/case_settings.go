package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

// DB implements cxm.CaseSettingsService.
var _ cxm.CaseSettingsService = (*DB)(nil)

// caseSettingsDoc is the JSON stored for a workspace's case settings.
type caseSettingsDoc struct {
	Hours      []cxm.BusinessHours                `json:"hours"`
	Holidays   []string                           `json:"holidays"`
	SLA        map[cxm.CasePriority]cxm.SLATarget `json:"sla"`
	RootCauses []cxm.RootCause                    `json:"root_causes"`
	Escalation cxm.EscalationPolicy               `json:"escalation"`
}

// CaseSettings returns the workspace's case settings, or the defaults of
// sla.DefaultSettings when it set none: Monday to Friday 09:00–17:00 with
// no holidays; SLA in business time of urgent 1 hour to first response
// and 8 hours to resolution, high 4 hours and 2 business days, normal 8
// hours and 5 business days, low 2 and 10 business days; root causes
// delivery_delay, product_defect, staff_behaviour, billing_error,
// website_issue and other; escalation raises the priority. Defaults have
// a zero UpdatedAt.
func (db *DB) CaseSettings(ctx context.Context, workspaceID int64) (*cxm.CaseSettings, error) {
	var doc string
	var updated int64
	err := db.reader().queryRow(ctx, "SELECT settings, updated_at FROM case_settings WHERE workspace_id = ?", workspaceID).Scan(&doc, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return sla.DefaultSettings(workspaceID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: case settings: %w", err)
	}
	var d caseSettingsDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, fmt.Errorf("store: case settings of workspace %d: %w", workspaceID, err)
	}
	s := &cxm.CaseSettings{WorkspaceID: workspaceID, Hours: d.Hours, Holidays: d.Holidays, SLA: d.SLA,
		RootCauses: d.RootCauses, Escalation: d.Escalation, UpdatedAt: fromMicros(updated)}
	normalizeCaseSettings(s)
	return s, nil
}

// normalizeCaseSettings turns nil lists and maps into empty ones, so that
// JSON shows [] and {} rather than null.
func normalizeCaseSettings(s *cxm.CaseSettings) {
	if s.Hours == nil {
		s.Hours = []cxm.BusinessHours{}
	}
	if s.Holidays == nil {
		s.Holidays = []string{}
	}
	if s.SLA == nil {
		s.SLA = map[cxm.CasePriority]cxm.SLATarget{}
	}
	if s.RootCauses == nil {
		s.RootCauses = []cxm.RootCause{}
	}
}

// UpdateCaseSettings validates s (see sla.Validate), checks that the
// escalation's team, assignee and webhooks belong to the workspace, and
// replaces the workspace's settings, setting s.UpdatedAt. Nothing is
// written when a field is bad.
func (db *DB) UpdateCaseSettings(ctx context.Context, s *cxm.CaseSettings) error {
	normalizeCaseSettings(s)
	if err := sla.Validate(s); err != nil {
		return err
	}
	doc, err := json.Marshal(caseSettingsDoc{Hours: s.Hours, Holidays: s.Holidays, SLA: s.SLA,
		RootCauses: s.RootCauses, Escalation: s.Escalation})
	if err != nil {
		return fmt.Errorf("store: update case settings: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		if err := checkEscalation(ctx, tx, s.WorkspaceID, s.Escalation); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO case_settings (workspace_id, settings, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
			s.WorkspaceID, string(doc), micros(now))
		if isForeignKeyViolation(err) {
			return cxm.NotFound("workspace")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update case settings: %w", err)
	}
	s.UpdatedAt = now
	return nil
}

// checkEscalation reports EInvalid naming the field when the policy's
// team, assignee or a webhook is not one of the workspace's.
func checkEscalation(ctx context.Context, q queryer, workspaceID int64, e cxm.EscalationPolicy) error {
	var errs cxm.FieldErrors
	exists := func(query string, args ...any) (bool, error) {
		var one int
		err := q.queryRow(ctx, query, args...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	if e.TeamID > 0 {
		ok, err := exists("SELECT 1 FROM teams WHERE workspace_id = ? AND id = ?", workspaceID, e.TeamID)
		if err != nil {
			return fmt.Errorf("check team: %w", err)
		}
		if !ok {
			errs.Add("escalation.team_id", fmt.Sprintf("team %d is not a team of the workspace", e.TeamID))
		}
	}
	if e.AssigneeID > 0 {
		ok, err := exists("SELECT 1 FROM members WHERE workspace_id = ? AND user_id = ?", workspaceID, e.AssigneeID)
		if err != nil {
			return fmt.Errorf("check assignee: %w", err)
		}
		if !ok {
			errs.Add("escalation.assignee_id", fmt.Sprintf("user %d is not a member of the workspace", e.AssigneeID))
		}
	}
	for i, t := range e.Notify {
		if t.WebhookID <= 0 {
			continue
		}
		ok, err := exists("SELECT 1 FROM webhooks WHERE workspace_id = ? AND id = ?", workspaceID, t.WebhookID)
		if err != nil {
			return fmt.Errorf("check webhook: %w", err)
		}
		if !ok {
			errs.Add(fmt.Sprintf("escalation.notify[%d].webhook_id", i), fmt.Sprintf("webhook %d is not a webhook of the workspace", t.WebhookID))
		}
	}
	return errs.Err()
}
