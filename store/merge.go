package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// MergeCustomers merges the duplicate profile fromID into intoID and
// removes fromID, losing nothing: its interactions, identities and earlier
// merge records move to intoID, and a merge record keeps its profile as it
// was. Fields empty on intoID are filled from fromID; attributes are
// united with intoID winning on conflicting keys; consent is the more
// restrictive of both; the first touchpoint is the earlier one.
func (db *DB) MergeCustomers(ctx context.Context, workspaceID, intoID, fromID int64) (*cxm.Customer, error) {
	if intoID == fromID {
		return nil, cxm.Invalid(cxm.FieldError{Field: "from_id", Reason: "must name another customer than the one merged into"})
	}
	mergeID, err := db.ids.take(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("store: merge customers: %w", err)
	}
	now := fromMicros(micros(db.now()))
	var out *cxm.Customer
	err = db.inTx(ctx, func(tx queryer) error {
		c, err := mergeCustomers(ctx, tx, workspaceID, intoID, fromID, mergeID, now)
		out = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: merge customers: %w", err)
	}
	return out, nil
}

// mergeCustomers does the work of MergeCustomers inside its transaction.
func mergeCustomers(ctx context.Context, tx queryer, ws, intoID, fromID, mergeID int64, now time.Time) (*cxm.Customer, error) {
	into, err := findCustomer(ctx, tx, ws, intoID)
	if err != nil {
		return nil, err
	}
	from, err := findCustomer(ctx, tx, ws, fromID)
	if err != nil {
		return nil, err
	}
	profile, err := json.Marshal(from)
	if err != nil {
		return nil, fmt.Errorf("encode merged profile: %w", err)
	}
	stmts := []struct {
		sql  string
		args []any
	}{
		{"UPDATE interactions SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?", []any{intoID, ws, fromID}},
		{"UPDATE responses SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?", []any{intoID, ws, fromID}},
		{"UPDATE invitations SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?", []any{intoID, ws, fromID}},
		{"UPDATE cases SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?", []any{intoID, ws, fromID}},
		{"UPDATE notifications SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?", []any{intoID, ws, fromID}},
		{"UPDATE identities SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?", []any{intoID, ws, fromID}},
		{"UPDATE customer_merges SET into_id = ? WHERE workspace_id = ? AND into_id = ?", []any{intoID, ws, fromID}},
		{"INSERT INTO customer_merges (id, workspace_id, into_id, from_id, from_profile, merged_at) VALUES (?, ?, ?, ?, ?, ?)",
			[]any{mergeID, ws, intoID, fromID, string(profile), micros(now)}},
		// Removed before into is saved, so that into may take its external id.
		{"DELETE FROM customers WHERE workspace_id = ? AND id = ?", []any{ws, fromID}},
	}
	for _, s := range stmts {
		if _, err := tx.exec(ctx, s.sql, s.args...); err != nil {
			return nil, err
		}
	}
	fillEmpty(into, from)
	into.Consent.Email = into.Consent.Email && from.Consent.Email
	into.Consent.Analytics = into.Consent.Analytics && from.Consent.Analytics
	if from.FirstSeenAt != nil && (into.FirstSeenAt == nil || from.FirstSeenAt.Before(*into.FirstSeenAt)) {
		into.FirstTouchpointID, into.FirstSeenAt = from.FirstTouchpointID, from.FirstSeenAt
	}
	into.UpdatedAt = now
	if err := saveCustomer(ctx, tx, into); err != nil {
		return nil, err
	}
	return findCustomer(ctx, tx, ws, intoID)
}

// ListMerges returns the merge records of profiles merged into customerID,
// oldest first, or ENotFound if the customer is not in the workspace.
func (db *DB) ListMerges(ctx context.Context, workspaceID, customerID int64) ([]*cxm.CustomerMerge, error) {
	q := db.reader()
	if err := customerExists(ctx, q, workspaceID, customerID); err != nil {
		return nil, fmt.Errorf("store: list merges: %w", err)
	}
	rows, err := q.query(ctx, `SELECT id, workspace_id, into_id, from_id, from_profile, merged_at FROM customer_merges
		WHERE workspace_id = ? AND into_id = ? ORDER BY merged_at, id`, workspaceID, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: list merges: %w", err)
	}
	defer rows.Close()
	out := []*cxm.CustomerMerge{}
	for rows.Next() {
		var m cxm.CustomerMerge
		var profile string
		var at int64
		if err := rows.Scan(&m.ID, &m.WorkspaceID, &m.IntoID, &m.FromID, &profile, &at); err != nil {
			return nil, fmt.Errorf("store: list merges: %w", err)
		}
		if err := json.Unmarshal([]byte(profile), &m.From); err != nil {
			return nil, fmt.Errorf("store: list merges: decode profile of merge %d: %w", m.ID, err)
		}
		m.MergedAt = fromMicros(at)
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list merges: %w", err)
	}
	return out, nil
}
