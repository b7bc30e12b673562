package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// Bulk resolution of the references a batch of interactions carries:
// touchpoint keys, external customer ids and anonymous ids. Every function
// here runs inside the caller's write transaction and makes one statement
// per chunk of values, never one per record.

// inChunk is the most rows one multi-row statement carries. It keeps every
// statement well under SQLite's 32766 and PostgreSQL's 65535 parameters.
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

// bulkRows returns how many rows (or IN values) one statement of a bulk
// operation carries. SQLite runs a prepared statement again cheaply but
// parses a long one slowly, so there a short statement prepared once and
// run many times is fastest; on PostgreSQL every statement is a round
// trip, so fewer, longer ones are.
func bulkRows(d Dialect) int {
	if d == SQLite {
		return 100
	}
	return inChunk
}

// bulkStmts hands out the statement of a bulk operation for a number of
// rows, built by text. Within one transaction on SQLite each size is
// prepared once and reused; the PostgreSQL driver caches prepared
// statements by itself, so there the text simply runs.
type bulkStmts struct {
	ctx      context.Context
	q        queryer
	text     func(rows int) string
	prepared map[int]*sql.Stmt
}

// newBulkStmts returns the statements built by text, run through q.
func newBulkStmts(ctx context.Context, q queryer, text func(rows int) string) *bulkStmts {
	if c, ok := q.(conn); ok {
		ctx = c.context(ctx)
	}
	return &bulkStmts{ctx: ctx, q: q, text: text}
}

// query runs the statement for rows rows with args.
func (b *bulkStmts) query(rows int, args []any) (*sql.Rows, error) {
	stmt, err := b.stmt(rows)
	switch {
	case err != nil:
		return nil, err
	case stmt == nil:
		return b.q.query(b.ctx, b.text(rows), args...)
	default:
		return stmt.QueryContext(b.ctx, args...)
	}
}

// exec runs the statement for rows rows with args.
func (b *bulkStmts) exec(rows int, args []any) (sql.Result, error) {
	stmt, err := b.stmt(rows)
	switch {
	case err != nil:
		return nil, err
	case stmt == nil:
		return b.q.exec(b.ctx, b.text(rows), args...)
	default:
		return stmt.ExecContext(b.ctx, args...)
	}
}

// stmt returns the prepared statement for rows rows, or nil where
// statements run unprepared.
func (b *bulkStmts) stmt(rows int) (*sql.Stmt, error) {
	c, ok := b.q.(conn)
	if !ok || c.d != SQLite {
		return nil, nil
	}
	p, ok := c.q.(interface {
		PrepareContext(context.Context, string) (*sql.Stmt, error)
	})
	if !ok {
		return nil, nil
	}
	if s := b.prepared[rows]; s != nil {
		return s, nil
	}
	s, err := p.PrepareContext(b.ctx, b.text(rows))
	if err != nil {
		return nil, err
	}
	if b.prepared == nil {
		b.prepared = make(map[int]*sql.Stmt)
	}
	b.prepared[rows] = s
	return s, nil
}

// close releases the prepared statements.
func (b *bulkStmts) close() {
	for _, s := range b.prepared {
		s.Close()
	}
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
	if errors.Is(err, sql.ErrNoRows) {
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

// The lookups below join the values, given as a VALUES list, with the
// table, rather than testing "value IN (?, ?, …)": PostgreSQL runs its
// cached statements with generic plans, in which an IN list of parameters
// is searched linearly for every row scanned, while a join keeps a good
// plan either way. CROSS JOIN makes SQLite, which takes it as the order of
// the loops, probe the indexes once per value; PostgreSQL plans it as any
// inner join.

// valuesList returns "(?), (?), …" with n rows of one column.
func valuesList(n int) string {
	return strings.TrimSuffix(strings.Repeat("(?), ", n), ", ")
}

// resolveExternalIDs finds the customers known by the external ids
// values and adds them to into. Most are a customer's own external id,
// found through the customers index in one step; the rest are looked up
// in identities, which also holds the ids of profiles merged away.
func resolveExternalIDs(ctx context.Context, q queryer, ws int64, values []string, into map[string]customerRef) error {
	err := lookupCustomers(ctx, q, values, []any{ws}, func(n int) string {
		return `SELECT v.column1, c.id, c.first_seen_at FROM (VALUES ` + valuesList(n) + `) AS v
			CROSS JOIN customers c WHERE c.workspace_id = ? AND c.external_id = v.column1`
	}, into)
	if err != nil {
		return fmt.Errorf("resolve external ids: %w", err)
	}
	var rest []string
	for _, v := range values {
		if _, ok := into[v]; !ok {
			rest = append(rest, v)
		}
	}
	return resolveIdentities(ctx, q, ws, identityExternal, rest, into)
}

// resolveIdentities looks values of kind up in identities and adds each
// known one to into with its customer's first-seen time.
func resolveIdentities(ctx context.Context, q queryer, ws int64, kind string, values []string, into map[string]customerRef) error {
	err := lookupCustomers(ctx, q, values, []any{ws, kind}, func(n int) string {
		return `SELECT v.column1, c.id, c.first_seen_at FROM (VALUES ` + valuesList(n) + `) AS v
			CROSS JOIN identities i CROSS JOIN customers c
			WHERE i.workspace_id = ? AND i.kind = ? AND i.value = v.column1 AND c.id = i.customer_id`
	}, into)
	if err != nil {
		return fmt.Errorf("resolve %s ids: %w", kind, err)
	}
	return nil
}

// lookupCustomers runs the query built by text for n values, with the
// values and then trail as arguments, over values in chunks. Each result
// row is a value, a customer id and a first-seen time, added to into.
func lookupCustomers(ctx context.Context, q queryer, values []string, trail []any, text func(n int) string, into map[string]customerRef) error {
	if len(values) == 0 {
		return nil
	}
	// Values probed in index order share the pages they read.
	values = slices.Clone(values)
	slices.Sort(values)
	size := bulkRows(q.dialect())
	stmts := newBulkStmts(ctx, q, text)
	defer stmts.close()
	args := make([]any, 0, size+len(trail))
	for start := 0; start < len(values); start += size {
		chunk := values[start:min(start+size, len(values))]
		args = args[:0]
		for _, v := range chunk {
			args = append(args, v)
		}
		args = append(args, trail...)
		rows, err := stmts.query(len(chunk), args)
		if err != nil {
			return err
		}
		for rows.Next() {
			var value string
			var ref customerRef
			var first sql.NullInt64
			if err := rows.Scan(&value, &ref.id, &first); err != nil {
				rows.Close()
				return err
			}
			ref.firstSeen, ref.hasFirst = first.Int64, first.Valid
			into[value] = ref
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
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
