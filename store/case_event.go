package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/cxmhq/cxm"
)

// appendCaseEvent stores e, whose ID, CaseID and At are set, on the
// timeline of its case. Events are only ever appended.
func appendCaseEvent(ctx context.Context, q queryer, workspaceID int64, e *cxm.CaseEvent) error {
	_, err := q.exec(ctx, `INSERT INTO case_events (id, workspace_id, case_id, actor_user_id, kind, old_value, new_value, body, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, workspaceID, e.CaseID, e.ActorUserID, e.Kind, e.Old, e.New, e.Body, micros(e.At))
	if err != nil {
		return fmt.Errorf("append case event: %w", err)
	}
	return nil
}

// AddCaseNote appends an internal note (kind note) or a reply sent to the
// customer (kind reply) to the case's timeline. The first reply marks the
// case's first response. An empty body, or one over 20,000 bytes, is
// EInvalid.
func (db *DB) AddCaseNote(ctx context.Context, workspaceID, caseID int64, kind, body string, actorUserID int64) (*cxm.CaseEvent, error) {
	return db.addCaseNote(ctx, workspaceID, caseID, kind, body, actorUserID, nil)
}

// AddCaseReply appends a reply to the case's timeline and enqueues job,
// which sends it to the customer, in one transaction: either both are
// stored or neither. The job's unique key names the reply.
func (db *DB) AddCaseReply(ctx context.Context, workspaceID, caseID int64, body string, actorUserID int64, job *cxm.Job) (*cxm.CaseEvent, error) {
	if job == nil {
		return nil, fmt.Errorf("store: add case reply: no job")
	}
	job.WorkspaceID = workspaceID
	if err := job.Validate(); err != nil {
		return nil, fmt.Errorf("store: add case reply: %w", err)
	}
	return db.addCaseNote(ctx, workspaceID, caseID, "reply", body, actorUserID, job)
}

// addCaseNote does the work of AddCaseNote, and enqueues job when given.
func (db *DB) addCaseNote(ctx context.Context, workspaceID, caseID int64, kind, body string, actorUserID int64, job *cxm.Job) (*cxm.CaseEvent, error) {
	var errs cxm.FieldErrors
	if kind != "note" && kind != "reply" {
		errs.Add("kind", "must be note or reply")
	}
	if strings.TrimSpace(body) == "" || !cxm.ValidText(body, maxCaseText) {
		errs.Add("body", "is required, at most 20,000 bytes")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	ids, err := db.ids.take(ctx, 2)
	if err != nil {
		return nil, fmt.Errorf("store: add case %s: %w", kind, err)
	}
	now := db.stampNow()
	e := &cxm.CaseEvent{ID: ids, CaseID: caseID, ActorUserID: actorUserID, Kind: kind, Body: body, At: now}
	err = db.inTx(ctx, func(tx queryer) error {
		c, err := findCase(ctx, tx, workspaceID, caseID)
		if err != nil {
			return err
		}
		if kind == "reply" && c.FirstRespondedAt == nil {
			c.FirstRespondedAt = &now
		}
		c.UpdatedAt = now
		if err := saveCase(ctx, tx, c); err != nil {
			return err
		}
		if err := appendCaseEvent(ctx, tx, workspaceID, e); err != nil {
			return err
		}
		if job != nil {
			job.UniqueKey = fmt.Sprintf("case-reply-%d", e.ID)
			if _, err := enqueueJob(ctx, tx, ids+1, now, job); err != nil {
				return fmt.Errorf("enqueue reply: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: add case %s: %w", kind, err)
	}
	return e, nil
}

// CaseTimeline returns the case's events, oldest first, or ENotFound if
// the workspace has no such case.
func (db *DB) CaseTimeline(ctx context.Context, workspaceID, caseID int64) ([]*cxm.CaseEvent, error) {
	q := db.reader()
	if _, err := findCase(ctx, q, workspaceID, caseID); err != nil {
		return nil, fmt.Errorf("store: case timeline: %w", err)
	}
	rows, err := q.query(ctx, `SELECT id, case_id, actor_user_id, kind, old_value, new_value, body, at FROM case_events
		WHERE workspace_id = ? AND case_id = ? ORDER BY at, id`, workspaceID, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case timeline: %w", err)
	}
	defer rows.Close()
	out := []*cxm.CaseEvent{}
	for rows.Next() {
		e := &cxm.CaseEvent{}
		var at int64
		if err := rows.Scan(&e.ID, &e.CaseID, &e.ActorUserID, &e.Kind, &e.Old, &e.New, &e.Body, &at); err != nil {
			return nil, fmt.Errorf("store: case timeline: %w", err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: case timeline: %w", err)
	}
	return out, nil
}

// deleteCasesWhere erases the cases of the workspace that where (a
// condition on cases, with args) selects, with their timelines.
func deleteCasesWhere(ctx context.Context, tx queryer, workspaceID int64, where string, args ...any) error {
	all := append([]any{workspaceID, workspaceID}, args...)
	if _, err := tx.exec(ctx, `DELETE FROM case_events WHERE workspace_id = ? AND case_id IN
		(SELECT id FROM cases WHERE workspace_id = ? AND (`+where+`))`, all...); err != nil {
		return fmt.Errorf("delete case events: %w", err)
	}
	if _, err := tx.exec(ctx, "DELETE FROM cases WHERE workspace_id = ? AND ("+where+")", append([]any{workspaceID}, args...)...); err != nil {
		return fmt.Errorf("delete cases: %w", err)
	}
	return nil
}

// timelinePos is a customer timeline entry with its place in the order:
// its time in microseconds, then its row id.
type timelinePos struct {
	at, id int64
	e      *cxm.TimelineEntry
}

// caseTimelineEntries returns up to limit entries of the customer's
// cases after the position (afterAt, afterID), in order: one where each
// case was opened and one where it was resolved, each with the case as
// it is now.
func caseTimelineEntries(ctx context.Context, q queryer, workspaceID, customerID, afterAt, afterID int64, limit int) ([]timelinePos, error) {
	rows, err := q.query(ctx, `SELECT e.id, e.at, e.kind, e.case_id FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.workspace_id = ? AND c.workspace_id = ? AND c.customer_id = ?
		AND (e.kind = 'created' OR (e.kind = 'status' AND e.new_value = 'resolved'))
		AND (e.at > ? OR (e.at = ? AND e.id > ?))
		ORDER BY e.at, e.id LIMIT ?`, workspaceID, workspaceID, customerID, afterAt, afterAt, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("case entries: %w", err)
	}
	var out []timelinePos
	var caseIDs []int64
	for rows.Next() {
		var p timelinePos
		var kind string
		var caseID int64
		if err := rows.Scan(&p.id, &p.at, &kind, &caseID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("case entries: %w", err)
		}
		p.e = &cxm.TimelineEntry{Kind: "case_resolved", OccurredAt: fromMicros(p.at), Case: &cxm.Case{ID: caseID}}
		if kind == "created" {
			p.e.Kind = "case_created"
		}
		out, caseIDs = append(out, p), append(caseIDs, caseID)
	}
	err = rows.Err()
	rows.Close()
	if err != nil || len(out) == 0 {
		return out, err
	}
	byID := map[int64]*cxm.Case{}
	for start := 0; start < len(caseIDs); start += inChunk {
		chunk := caseIDs[start:min(start+inChunk, len(caseIDs))]
		args := []any{workspaceID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.query(ctx, "SELECT "+caseColumns+" FROM cases WHERE workspace_id = ? AND id IN ("+inList(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("case entries: %w", err)
		}
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("case entries: %w", err)
			}
			byID[c.ID] = c.Case
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("case entries: %w", err)
		}
	}
	for _, p := range out {
		p.e.Case = byID[p.e.Case.ID]
	}
	return out, nil
}

// mergeTimeline merges two ordered lists of timeline entries, each read
// with limit+1 rows after the same position, and returns the first limit
// entries and the cursor after the last of them when more follow.
func mergeTimeline(a, b []timelinePos, limit int) ([]*cxm.TimelineEntry, string) {
	all := make([]timelinePos, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && (a[i].at < b[j].at || (a[i].at == b[j].at && a[i].id < b[j].id))) {
			all, i = append(all, a[i]), i+1
		} else {
			all, j = append(all, b[j]), j+1
		}
	}
	out := make([]*cxm.TimelineEntry, 0, min(len(all), limit))
	for k := 0; k < len(all) && k < limit; k++ {
		out = append(out, all[k].e)
	}
	if len(all) > limit {
		last := all[limit-1]
		return out, encodeCursor(last.at, last.id)
	}
	return out, ""
}
