package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.CaseMetricsService.
var _ cxm.CaseMetricsService = (*DB)(nil)

// caseFactsSQL reads each case with its opening response's NPS and the
// customer's first NPS answer after the case was resolved.
const caseFactsSQL = `SELECT c.id, c.team_id, c.touchpoint_id, c.status, c.created_at, c.first_responded_at, c.resolved_at,
	c.first_response_due, c.resolution_due, c.breached_first_response, c.breached_resolution,
	c.resolution_type, c.resolution_amount, c.resolution_currency, r.nps,
	(SELECT n.nps FROM responses n WHERE n.workspace_id = c.workspace_id AND n.customer_id = c.customer_id
		AND c.customer_id <> 0 AND n.completed = 1 AND n.nps IS NOT NULL AND n.completed_at > c.resolved_at
		ORDER BY n.completed_at, n.id LIMIT 1)
FROM cases c LEFT JOIN responses r ON r.workspace_id = c.workspace_id AND r.public_id = c.response_id AND c.response_id <> ''
WHERE c.workspace_id = ? AND `

// CaseFacts returns the facts of the workspace's cases created in [from, to).
func (db *DB) CaseFacts(ctx context.Context, workspaceID int64, from, to, now time.Time) ([]cxm.CaseFact, error) {
	out, err := db.caseFacts(ctx, now, caseFactsSQL+"c.created_at >= ? AND c.created_at < ? ORDER BY c.id",
		workspaceID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("store: case facts: %w", err)
	}
	return out, nil
}

// OpenCaseFacts returns the facts of every open case of the workspace.
func (db *DB) OpenCaseFacts(ctx context.Context, workspaceID int64, now time.Time) ([]cxm.CaseFact, error) {
	out, err := db.caseFacts(ctx, now, caseFactsSQL+"c.status IN (?, ?, ?) ORDER BY c.id",
		workspaceID, cxm.CaseNew, cxm.CaseInProgress, cxm.CaseWaiting)
	if err != nil {
		return nil, fmt.Errorf("store: open case facts: %w", err)
	}
	return out, nil
}

// caseFacts runs query and reads its rows into facts.
func (db *DB) caseFacts(ctx context.Context, now time.Time, query string, args ...any) ([]cxm.CaseFact, error) {
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cxm.CaseFact{}
	for rows.Next() {
		var f cxm.CaseFact
		var created int64
		var responded, resolved, firstDue, resolutionDue, nps, next sql.NullInt64
		var breachedFirst, breachedResolution int
		var status, resType string
		if err := rows.Scan(&f.ID, &f.TeamID, &f.TouchpointID, &status, &created, &responded, &resolved,
			&firstDue, &resolutionDue, &breachedFirst, &breachedResolution, &resType, &f.Amount, &f.Currency, &nps, &next); err != nil {
			return nil, err
		}
		f.Status, f.ResolutionType, f.CreatedAt = cxm.CaseStatus(status), cxm.ResolutionType(resType), fromMicros(created)
		f.FirstRespondedAt, f.ResolvedAt = timePtr(responded), timePtr(resolved)
		f.HasSLA = firstDue.Valid || resolutionDue.Valid
		f.Breached = breachedFirst != 0 || breachedResolution != 0
		passed := func(due sql.NullInt64) bool { return !due.Valid || fromMicros(due.Int64).Before(now) }
		f.SLADecided = f.HasSLA && (f.Breached || !f.Status.Open() || (passed(firstDue) && passed(resolutionDue)))
		f.Detractor = nps.Valid && nps.Int64 <= 6
		if next.Valid {
			v := int(next.Int64)
			f.NextNPS = &v
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
