package store

import (
	"context"
	"fmt"

	"github.com/cxmhq/cxm"
)

// Timeline returns one page of the customer's interactions across every
// channel, oldest first by time and then by arrival, and the cursor of the
// next page, empty after the last. A customer not in the workspace is
// ENotFound.
func (db *DB) Timeline(ctx context.Context, workspaceID, customerID int64, p cxm.Page) ([]*cxm.TimelineEntry, string, error) {
	p = p.Normalize()
	afterAt, afterID := int64(-1<<63), int64(0)
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 2)
		if err != nil {
			return nil, "", err
		}
		afterAt, afterID = v[0], v[1]
	}
	q := db.reader()
	if err := customerExists(ctx, q, workspaceID, customerID); err != nil {
		return nil, "", fmt.Errorf("store: timeline: %w", err)
	}
	rows, err := q.query(ctx, interactionSelect+`
		WHERE i.workspace_id = ? AND i.customer_id = ? AND (i.occurred_at > ? OR (i.occurred_at = ? AND i.id > ?))
		ORDER BY i.occurred_at, i.id LIMIT ?`,
		workspaceID, customerID, afterAt, afterAt, afterID, p.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: timeline: %w", err)
	}
	defer rows.Close()
	var entries []timelinePos
	for rows.Next() {
		id, r, err := scanInteraction(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: timeline: %w", err)
		}
		entries = append(entries, timelinePos{micros(r.OccurredAt), id, &cxm.TimelineEntry{Kind: "interaction", OccurredAt: r.OccurredAt, Interaction: r}})
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: timeline: %w", err)
	}
	// The customer's cases join in where they were opened and resolved (case_event.go).
	cases, err := caseTimelineEntries(ctx, q, workspaceID, customerID, afterAt, afterID, p.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: timeline: %w", err)
	}
	out, next := mergeTimeline(entries, cases, p.Limit)
	return out, next, nil
}
