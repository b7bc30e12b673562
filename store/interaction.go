package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// interactionSelect reads an interaction with its row id, the key and
// channel of its touchpoint and the external id of its customer.
const interactionSelect = `SELECT i.id, i.event_id, i.customer_id, c.external_id, i.anonymous_id, i.touchpoint_id,
	t.key, t.channel, i.type, i.occurred_at, i.value, i.properties, i.received_at
	FROM interactions i
	LEFT JOIN touchpoints t ON t.id = i.touchpoint_id
	LEFT JOIN customers c ON c.id = i.customer_id`

// scanInteraction reads one row of interactionSelect and returns its row id.
func scanInteraction(s scanner) (int64, *cxm.Interaction, error) {
	var rowID int64
	var r cxm.Interaction
	var customerID sql.NullInt64
	var ext, anon, tpKey, channel, props sql.NullString
	var value sql.NullFloat64
	var occurred, received int64
	err := s.Scan(&rowID, &r.ID, &customerID, &ext, &anon, &r.TouchpointID, &tpKey, &channel,
		&r.Type, &occurred, &value, &props, &received)
	if err != nil {
		return 0, nil, err
	}
	r.CustomerID, r.Customer, r.AnonymousID = customerID.Int64, ext.String, anon.String
	r.Touchpoint, r.Channel = tpKey.String, cxm.Channel(channel.String)
	r.OccurredAt, r.ReceivedAt = fromMicros(occurred), fromMicros(received)
	if value.Valid {
		v := value.Float64
		r.Value = &v
	}
	if props.Valid {
		r.Properties = []byte(props.String)
	}
	return rowID, &r, nil
}

// ListInteractions returns one page of the workspace's interactions,
// newest first, and the cursor of the next page, empty after the last.
func (db *DB) ListInteractions(ctx context.Context, workspaceID int64, f cxm.InteractionFilter) ([]*cxm.Interaction, string, error) {
	p := f.Page.Normalize()
	var b strings.Builder
	b.WriteString(interactionSelect + " WHERE i.workspace_id = ?")
	args := []any{workspaceID}
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		b.WriteString(" AND i.id < ?")
		args = append(args, v[0])
	}
	if f.CustomerID != 0 {
		b.WriteString(" AND i.customer_id = ?")
		args = append(args, f.CustomerID)
	}
	if f.Touchpoint != "" {
		b.WriteString(" AND i.touchpoint_id IN (SELECT id FROM touchpoints WHERE workspace_id = ? AND key = ?)")
		args = append(args, workspaceID, f.Touchpoint)
	}
	if f.Type != "" {
		b.WriteString(" AND i.type = ?")
		args = append(args, f.Type)
	}
	if !f.From.IsZero() {
		b.WriteString(" AND i.occurred_at >= ?")
		args = append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		b.WriteString(" AND i.occurred_at < ?")
		args = append(args, micros(f.To))
	}
	b.WriteString(" ORDER BY i.id DESC LIMIT ?")
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, b.String(), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list interactions: %w", err)
	}
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.Interaction, string, error) {
		id, r, err := scanInteraction(row)
		if err != nil {
			return nil, "", err
		}
		return r, encodeCursor(id), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list interactions: %w", err)
	}
	return out, next, nil
}

// interactionCols is the number of columns ingest writes per interaction.
const interactionCols = 11

// IngestInteractions stores a batch of validated interactions in one
// transaction. It resolves touchpoints (creating unknown ones when asked),
// customers by external id (creating unknown ones with their first
// touchpoint) and anonymous ids in bulk, and stores each event id once: a
// repeated id, in this batch or an earlier one, counts as a duplicate.
// The records get their id (when they had none), received time, customer,
// touchpoint and channel.
func (db *DB) IngestInteractions(ctx context.Context, workspaceID int64, batch []*cxm.Interaction, opt cxm.IngestOptions) (cxm.BatchResult, error) {
	if len(batch) == 0 {
		return cxm.BatchResult{DuplicateIndexes: []int{}, Errors: []cxm.ItemError{}, IDs: []string{}}, nil
	}
	// Reserve ids for every record, every external id that may be new and,
	// when they may be created, every touchpoint key: a few unused ids are
	// cheaper than a second round of lookups.
	exts, keys := make(map[string]struct{}, len(batch)), map[string]struct{}{}
	for _, r := range batch {
		if r.Customer != "" {
			exts[r.Customer] = struct{}{}
		}
		if opt.CreateTouchpoints {
			keys[r.Touchpoint] = struct{}{}
		}
	}
	first, err := db.ids.take(ctx, len(batch)+len(exts)+len(keys))
	if err != nil {
		return cxm.BatchResult{}, fmt.Errorf("store: ingest interactions: %w", err)
	}
	now := fromMicros(micros(db.now()))
	var res cxm.BatchResult
	err = db.inTx(ctx, func(tx queryer) error {
		in := &ingest{ctx: ctx, tx: tx, ws: workspaceID, batch: batch, opt: opt, now: now,
			firstRowID: first, nextID: first + int64(len(batch))}
		var err error
		res, err = in.run()
		return err
	})
	if err != nil {
		return cxm.BatchResult{}, fmt.Errorf("store: ingest interactions: %w", err)
	}
	return res, nil
}

// ingest holds the state of one IngestInteractions call.
type ingest struct {
	ctx   context.Context
	tx    queryer
	ws    int64
	batch []*cxm.Interaction
	opt   cxm.IngestOptions
	now   time.Time
	// firstRowID is the row id of batch[0]; nextID the next id reserved
	// for new customers and touchpoints.
	firstRowID, nextID int64

	res cxm.BatchResult
	// skip marks records that are rejected or repeat an earlier record of
	// the batch; at holds each record's time in microseconds.
	skip []bool
	at   []int64
	// byEvent maps each stored event id to its record.
	byEvent map[string]int
}

// run stores the batch and returns the result.
func (in *ingest) run() (cxm.BatchResult, error) {
	n := len(in.batch)
	in.res = cxm.BatchResult{DuplicateIndexes: []int{}, Errors: []cxm.ItemError{}, IDs: make([]string, n)}
	in.skip, in.at = make([]bool, n), make([]int64, n)
	in.byEvent = make(map[string]int, n)
	if err := in.resolveTouchpoints(); err != nil {
		return cxm.BatchResult{}, err
	}
	in.assignEventIDs()
	if err := in.resolveCustomers(); err != nil {
		return cxm.BatchResult{}, err
	}
	inserted, err := in.insert()
	if err != nil {
		return cxm.BatchResult{}, err
	}
	for i, r := range in.batch {
		if in.res.IDs[i] = r.ID; r.ID == "" || in.isRejected(i) {
			in.res.IDs[i] = ""
			continue
		}
		if inserted[i] {
			in.res.Accepted++
		} else {
			in.res.Duplicates++
			in.res.DuplicateIndexes = append(in.res.DuplicateIndexes, i)
		}
	}
	return in.res, nil
}

// isRejected reports whether record i was rejected (its touchpoint is unknown).
func (in *ingest) isRejected(i int) bool { return in.batch[i].TouchpointID == 0 }

// resolveTouchpoints gives every record its touchpoint id and channel, and
// rejects the records with an unknown touchpoint unless it may be created.
func (in *ingest) resolveTouchpoints() error {
	tps, err := loadTouchpointRefs(in.ctx, in.tx, in.ws)
	if err != nil {
		return err
	}
	if in.opt.CreateTouchpoints {
		var missing []string
		asked := map[string]bool{}
		for _, r := range in.batch {
			if _, ok := tps[r.Touchpoint]; !ok && !asked[r.Touchpoint] {
				asked[r.Touchpoint] = true
				missing = append(missing, r.Touchpoint)
			}
		}
		if err := createTouchpointRefs(in.ctx, in.tx, in.ws, missing, in.nextID, in.now, tps); err != nil {
			return err
		}
		in.nextID += int64(len(missing))
	}
	for i, r := range in.batch {
		tp, ok := tps[r.Touchpoint]
		r.TouchpointID, r.Channel = tp.id, tp.channel
		if !ok {
			in.skip[i] = true
			in.res.Rejected++
			in.res.Errors = append(in.res.Errors, cxm.ItemError{Index: i, Field: "touchpoint", Reason: "unknown touchpoint " + r.Touchpoint})
		}
	}
	return nil
}

// assignEventIDs gives records without id a new one and marks every later
// record with the id of an earlier one as skipped.
func (in *ingest) assignEventIDs() {
	for i, r := range in.batch {
		if in.skip[i] {
			continue
		}
		r.ReceivedAt = in.now
		in.at[i] = micros(r.OccurredAt)
		if r.ID == "" {
			r.ID = cxm.NewEventID(in.now)
		}
		if _, dup := in.byEvent[r.ID]; dup {
			in.skip[i] = true
			continue
		}
		in.byEvent[r.ID] = i
	}
}

// resolveCustomers gives every record its customer: by external id,
// creating unknown customers, or by a stitched anonymous id. It moves the
// first touchpoint of known customers back where the batch holds an
// earlier interaction.
func (in *ingest) resolveCustomers() error {
	// earliest holds the first record of each external id, in the order
	// the ids first appear; anons the distinct anonymous ids of records
	// without external id.
	earliest := make(map[string]int, len(in.batch))
	var exts, anons []string
	seenAnon := map[string]bool{}
	for i, r := range in.batch {
		switch {
		case in.skip[i]:
		case r.Customer == "":
			if !seenAnon[r.AnonymousID] {
				seenAnon[r.AnonymousID] = true
				anons = append(anons, r.AnonymousID)
			}
		default:
			e, seen := earliest[r.Customer]
			if !seen {
				exts = append(exts, r.Customer)
			}
			if !seen || in.at[i] < in.at[e] {
				earliest[r.Customer] = i
			}
		}
	}
	refs := make(map[string]customerRef, len(exts))
	if err := resolveExternalIDs(in.ctx, in.tx, in.ws, exts, refs); err != nil {
		return err
	}
	if err := in.createCustomers(exts, earliest, refs); err != nil {
		return err
	}
	anonRefs := make(map[string]customerRef)
	if err := resolveIdentities(in.ctx, in.tx, in.ws, identityAnonymous, anons, anonRefs); err != nil {
		return err
	}
	firsts := make(map[int64]firstTouch)
	for i, r := range in.batch {
		if in.isRejected(i) {
			continue
		}
		var ref customerRef
		if r.Customer != "" {
			ref = refs[r.Customer]
		} else {
			ref = anonRefs[r.AnonymousID]
		}
		if r.CustomerID = ref.id; ref.id == 0 || in.skip[i] || !ref.earlierThan(in.at[i]) {
			continue
		}
		if t, ok := firsts[ref.id]; !ok || in.at[i] < t.at {
			firsts[ref.id] = firstTouch{customerID: ref.id, touchpointID: r.TouchpointID, at: in.at[i]}
		}
	}
	if len(firsts) == 0 {
		return nil
	}
	ts := make([]firstTouch, 0, len(firsts))
	for _, t := range firsts {
		ts = append(ts, t)
	}
	// In id order, concurrent batches lock customers in the same order.
	slices.SortFunc(ts, func(a, b firstTouch) int { return cmp.Compare(a.customerID, b.customerID) })
	return advanceFirstTouchpoints(in.ctx, in.tx, in.ws, ts, in.now)
}

// createCustomers creates a customer for every external id of exts not in
// refs, first seen at its earliest record, and adds them to refs.
func (in *ingest) createCustomers(exts []string, earliest map[string]int, refs map[string]customerRef) error {
	var news []newCustomer
	for _, ext := range exts {
		if _, ok := refs[ext]; ok {
			continue
		}
		e := earliest[ext]
		news = append(news, newCustomer{externalID: ext, touchpointID: in.batch[e].TouchpointID, firstSeen: in.at[e]})
	}
	if len(news) == 0 {
		return nil
	}
	// In key order, concurrent batches creating the same customers on
	// PostgreSQL wait for each other instead of deadlocking.
	slices.SortFunc(news, func(a, b newCustomer) int { return strings.Compare(a.externalID, b.externalID) })
	created, err := insertNewCustomers(in.ctx, in.tx, in.ws, news, in.nextID, in.now)
	if err != nil {
		return err
	}
	in.nextID += int64(len(news))
	var raced []string
	for _, c := range news {
		if ref, ok := created[c.externalID]; ok {
			refs[c.externalID] = ref
		} else {
			raced = append(raced, c.externalID)
		}
	}
	// Customers another writer created meanwhile are looked up again.
	if err := resolveExternalIDs(in.ctx, in.tx, in.ws, raced, refs); err != nil {
		return err
	}
	for _, ext := range raced {
		if _, ok := refs[ext]; !ok {
			return fmt.Errorf("customer %q exists without identity", ext)
		}
	}
	return nil
}

// insert stores the records not skipped in multi-row statements and
// reports which were new; the others repeat an event id already stored.
func (in *ingest) insert() ([]bool, error) {
	inserted := make([]bool, len(in.batch))
	rows := make([]int, 0, len(in.batch))
	for i := range in.batch {
		if !in.skip[i] {
			rows = append(rows, i)
		}
	}
	size := bulkRows(in.tx.dialect())
	stmts := newBulkStmts(in.ctx, in.tx, insertInteractionsSQL)
	defer stmts.close()
	args := make([]any, 0, min(len(rows), size)*interactionCols)
	ws, received := any(in.ws), any(micros(in.now)) // boxed once, not per row
	for start := 0; start < len(rows); start += size {
		chunk := rows[start:min(start+size, len(rows))]
		args = args[:0]
		for _, i := range chunk {
			r := in.batch[i]
			var customer, value, props any
			if r.CustomerID != 0 {
				customer = r.CustomerID
			}
			if r.Value != nil {
				value = *r.Value
			}
			if len(r.Properties) > 0 {
				props = string(r.Properties)
			}
			args = append(args, in.firstRowID+int64(i), ws, r.ID, customer, nullString(r.AnonymousID),
				r.TouchpointID, r.Type, in.at[i], value, props, received)
		}
		if err := in.insertChunk(stmts, chunk, args, inserted); err != nil {
			return nil, err
		}
	}
	return inserted, nil
}

// insertChunk runs one multi-row insert of the records chunk and marks
// the ones it stored. When it stored fewer than all, the stored ones are
// those whose row, found by event id, carries this call's row id.
func (in *ingest) insertChunk(stmts *bulkStmts, chunk []int, args []any, inserted []bool) error {
	res, err := stmts.exec(len(chunk), args)
	if err != nil {
		return fmt.Errorf("insert interactions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("insert interactions: %w", err)
	}
	if int(n) == len(chunk) {
		for _, i := range chunk {
			inserted[i] = true
		}
		return nil
	}
	ids := make([]any, 0, len(chunk)+1)
	ids = append(ids, in.ws)
	for _, i := range chunk {
		ids = append(ids, in.batch[i].ID)
	}
	rows, err := in.tx.query(in.ctx, "SELECT id FROM interactions WHERE workspace_id = ? AND event_id IN ("+inList(len(chunk))+")", ids...)
	if err != nil {
		return fmt.Errorf("find duplicates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("find duplicates: %w", err)
		}
		if i := id - in.firstRowID; i >= 0 && i < int64(len(in.batch)) {
			inserted[i] = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find duplicates: %w", err)
	}
	return nil
}

// insertInteractionsSQL returns the insert statement for rows interactions.
func insertInteractionsSQL(rows int) string {
	return `INSERT INTO interactions (id, workspace_id, event_id, customer_id, anonymous_id, touchpoint_id,
		type, occurred_at, value, properties, received_at) VALUES ` + placeholders(rows, interactionCols) +
		` ON CONFLICT (workspace_id, event_id) DO NOTHING`
}
