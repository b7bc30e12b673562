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
	out := make([]*cxm.TimelineEntry, 0, min(p.Limit, 64))
	var lastID int64
	for rows.Next() {
		id, r, err := scanInteraction(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: timeline: %w", err)
		}
		if len(out) == p.Limit {
			return out, encodeCursor(micros(out[len(out)-1].OccurredAt), lastID), nil
		}
		out = append(out, &cxm.TimelineEntry{Kind: "interaction", OccurredAt: r.OccurredAt, Interaction: r})
		lastID = id
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: timeline: %w", err)
	}
	return out, "", nil
}
