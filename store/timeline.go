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
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.TimelineEntry, string, error) {
		id, r, err := scanInteraction(row)
		if err != nil {
			return nil, "", err
		}
		return &cxm.TimelineEntry{Kind: "interaction", OccurredAt: r.OccurredAt, Interaction: r}, encodeCursor(micros(r.OccurredAt), id), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: timeline: %w", err)
	}
	return out, next, nil
}
