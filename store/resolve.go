package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// Bulk resolution of the references a batch of interactions carries:
// touchpoint keys, external customer ids and anonymous ids. Every function
// here runs inside the caller's write transaction and makes a fixed number
// of round trips per 500 values, never one per record.

// inChunk is the most values one IN list or multi-row INSERT carries. It
// keeps every statement well under SQLite's 32766 and PostgreSQL's 65535
// parameters.
const inChunk = 500

// Identity kinds stored in the identities table.
const (
	identityExternal  = "external"
	identityAnonymous = "anonymous"
)

// touchpointRef is what ingest needs to know of a touchpoint.
type touchpointRef struct {
	id      int64
	channel cxm.Channel
}

// customerRef is a resolved customer with the time they were first seen.
type customerRef struct {
	id int64
	// firstSeen is in microseconds; hasFirst is false while it is NULL.
	firstSeen int64
	hasFirst  bool
}

// earlierThan reports whether an interaction at us would become the
// customer's first one.
func (r customerRef) earlierThan(us int64) bool { return !r.hasFirst || us < r.firstSeen }

// newCustomer is a customer that ingest creates for an unknown external id,
// first seen at its earliest interaction in the batch.
type newCustomer struct {
	externalID   string
	touchpointID int64
	firstSeen    int64
}

// firstTouch is the earliest interaction of a known customer in a batch.
type firstTouch struct {
	customerID   int64
	touchpointID int64
	at           int64
}

// inList returns "?, ?, …" with n placeholders.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// loadTouchpointRefs returns every touchpoint of the workspace by key.
func loadTouchpointRefs(ctx context.Context, q queryer, ws int64) (map[string]touchpointRef, error) {
	rows, err := q.query(ctx, "SELECT id, key, channel FROM touchpoints WHERE workspace_id = ?", ws)
	if err != nil {
		return nil, fmt.Errorf("load touchpoints: %w", err)
	}
	defer rows.Close()
	out := make(map[string]touchpointRef)
	for rows.Next() {
		var key string
		var ref touchpointRef
		if err := rows.Scan(&ref.id, &key, &ref.channel); err != nil {
			return nil, fmt.Errorf("load touchpoints: %w", err)
		}
		out[key] = ref
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load touchpoints: %w", err)
	}
	return out, nil
}

// createTouchpointRefs creates a touchpoint for each key, named by its key,
// in the first stage of the default journey with channel other, using the
// ids firstID, firstID+1, …. A key created by someone else meanwhile is
// looked up instead. The new touchpoints are added to into.
func createTouchpointRefs(ctx context.Context, q queryer, ws int64, keys []string, firstID int64, now time.Time, into map[string]touchpointRef) error {
	if len(keys) == 0 {
		return nil
	}
	var stageID int64
	err := q.queryRow(ctx, `SELECT s.id FROM stages s JOIN journeys j ON j.id = s.journey_id
		WHERE s.workspace_id = ? AND j.workspace_id = ? AND j.is_default = 1
		ORDER BY s.position LIMIT 1`, ws, ws).Scan(&stageID)
	if err == sql.ErrNoRows {
		return cxm.NotFound("default journey")
	}
	if err != nil {
		return fmt.Errorf("find default stage: %w", err)
	}
	us := micros(now)
	for _, key := range keys {
		_, err := q.exec(ctx, `INSERT INTO touchpoints (id, workspace_id, key, name, stage_id, channel, online, description, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, '', ?, ?) ON CONFLICT (workspace_id, key) DO NOTHING`,
			firstID, ws, key, key, stageID, string(cxm.ChannelOther), us, us)
		if err != nil {
			return fmt.Errorf("create touchpoint %s: %w", key, err)
		}
		firstID++
		var ref touchpointRef
		err = q.queryRow(ctx, "SELECT id, channel FROM touchpoints WHERE workspace_id = ? AND key = ?", ws, key).Scan(&ref.id, &ref.channel)
		if err != nil {
			return fmt.Errorf("create touchpoint %s: %w", key, err)
		}
		into[key] = ref
	}
	return nil
}

// resolveIdentities looks values of kind up in identities, inChunk at a
// time, and adds each known one to into with its customer's first-seen time.
func resolveIdentities(ctx context.Context, q queryer, ws int64, kind string, values []string, into map[string]customerRef) error {
	args := make([]any, 0, inChunk+2)
	for start := 0; start < len(values); start += inChunk {
		chunk := values[start:min(start+inChunk, len(values))]
		args = append(args[:0], ws, kind)
		for _, v := range chunk {
			args = append(args, v)
		}
		rows, err := q.query(ctx, `SELECT i.value, c.id, c.first_seen_at FROM identities i
			JOIN customers c ON c.id = i.customer_id
			WHERE i.workspace_id = ? AND i.kind = ? AND i.value IN (`+inList(len(chunk))+`)`, args...)
		if err != nil {
			return fmt.Errorf("resolve %s ids: %w", kind, err)
		}
		for rows.Next() {
			var value string
			var ref customerRef
			var first sql.NullInt64
			if err := rows.Scan(&value, &ref.id, &first); err != nil {
				rows.Close()
				return fmt.Errorf("resolve %s ids: %w", kind, err)
			}
			ref.firstSeen, ref.hasFirst = first.Int64, first.Valid
			into[value] = ref
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("resolve %s ids: %w", kind, err)
		}
	}
	return nil
}

// insertNewCustomers creates the customers cs with the ids firstID, … and
// an external identity each, in multi-row statements. A customer that
// someone else created meanwhile is skipped; the returned map holds the
// ones actually inserted, by external id.
func insertNewCustomers(ctx context.Context, q queryer, ws int64, cs []newCustomer, firstID int64, now time.Time) (map[string]customerRef, error) {
	us := micros(now)
	out := make(map[string]customerRef, len(cs))
	const cols = 14
	args := make([]any, 0, inChunk*cols)
	for start := 0; start < len(cs); start += inChunk {
		chunk := cs[start:min(start+inChunk, len(cs))]
		args = args[:0]
		for k, c := range chunk {
			args = append(args, firstID+int64(start+k), ws, c.externalID, "", "", "", "", "{}", 0, 0,
				c.touchpointID, c.firstSeen, us, us)
		}
		rows, err := q.query(ctx, `INSERT INTO customers (id, workspace_id, external_id, email, name, locale, birthday,
			attributes, consent_email, consent_analytics, first_touchpoint_id, first_seen_at, created_at, updated_at)
			VALUES `+placeholders(len(chunk), cols)+` ON CONFLICT DO NOTHING RETURNING id, external_id, first_seen_at`, args...)
		if err != nil {
			return nil, fmt.Errorf("create customers: %w", err)
		}
		for rows.Next() {
			var ext string
			var ref customerRef
			if err := rows.Scan(&ref.id, &ext, &ref.firstSeen); err != nil {
				rows.Close()
				return nil, fmt.Errorf("create customers: %w", err)
			}
			ref.hasFirst = true
			out[ext] = ref
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("create customers: %w", err)
		}
	}
	if err := insertIdentities(ctx, q, ws, identityExternal, out, now); err != nil {
		return nil, err
	}
	return out, nil
}

// insertIdentities stores one identity of kind per entry of refs.
func insertIdentities(ctx context.Context, q queryer, ws int64, kind string, refs map[string]customerRef, now time.Time) error {
	const cols = 5
	us := micros(now)
	args := make([]any, 0, min(len(refs), inChunk)*cols)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := q.exec(ctx, "INSERT INTO identities (workspace_id, kind, value, customer_id, created_at) VALUES "+placeholders(n, cols), args...)
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("store %s identities: %w", kind, err)
		}
		return nil
	}
	for value, ref := range refs {
		args = append(args, ws, kind, value, ref.id, us)
		if n++; n == inChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// advanceFirstTouchpoints moves each customer's first touchpoint to the
// given earlier interaction. The condition in SQL keeps a first touchpoint
// that is earlier still, should another writer have set one meanwhile.
func advanceFirstTouchpoints(ctx context.Context, q queryer, ws int64, ts []firstTouch, now time.Time) error {
	us := micros(now)
	for _, t := range ts {
		_, err := q.exec(ctx, `UPDATE customers SET first_touchpoint_id = ?, first_seen_at = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND (first_seen_at IS NULL OR first_seen_at > ?)`,
			t.touchpointID, t.at, us, ws, t.customerID, t.at)
		if err != nil {
			return fmt.Errorf("update first touchpoint: %w", err)
		}
	}
	return nil
}
