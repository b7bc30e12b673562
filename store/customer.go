package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// customerSelect reads a customer with the key of their first touchpoint.
const customerSelect = `SELECT c.id, c.workspace_id, c.external_id, c.email, c.name, c.locale, c.birthday,
	c.attributes, c.consent_email, c.consent_analytics, c.first_touchpoint_id, t.key, c.first_seen_at,
	c.created_at, c.updated_at
	FROM customers c LEFT JOIN touchpoints t ON t.id = c.first_touchpoint_id`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanCustomer reads one row of customerSelect.
func scanCustomer(s scanner) (*cxm.Customer, error) {
	var c cxm.Customer
	var ext, tpKey sql.NullString
	var attrs string
	var consentEmail, consentAnalytics int
	var tpID, firstSeen sql.NullInt64
	var created, updated int64
	err := s.Scan(&c.ID, &c.WorkspaceID, &ext, &c.Email, &c.Name, &c.Locale, &c.Birthday,
		&attrs, &consentEmail, &consentAnalytics, &tpID, &tpKey, &firstSeen, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.ExternalID = ext.String
	if err := json.Unmarshal([]byte(attrs), &c.Attributes); err != nil {
		return nil, fmt.Errorf("decode attributes of customer %d: %w", c.ID, err)
	}
	if c.Attributes == nil {
		c.Attributes = cxm.Attributes{}
	}
	c.Consent = cxm.Consent{Email: consentEmail != 0, Analytics: consentAnalytics != 0}
	c.FirstTouchpointID = tpID.Int64
	c.FirstTouchpointKey = tpKey.String
	c.FirstSeenAt = timePtr(firstSeen)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// findCustomer reads customer id of workspace ws through q, or ENotFound.
func findCustomer(ctx context.Context, q queryer, ws, id int64) (*cxm.Customer, error) {
	c, err := scanCustomer(q.queryRow(ctx, customerSelect+" WHERE c.workspace_id = ? AND c.id = ?", ws, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("customer")
	}
	return c, err
}

// customerExists reports ENotFound unless customer id lives in workspace ws.
func customerExists(ctx context.Context, q queryer, ws, id int64) error {
	var one int
	err := q.queryRow(ctx, "SELECT 1 FROM customers WHERE workspace_id = ? AND id = ?", ws, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return cxm.NotFound("customer")
	}
	return err
}

// errExternalIDConflict is the answer to an external id already in use.
func errExternalIDConflict() error {
	return &cxm.Error{Code: cxm.EConflict, Message: "external id already in use",
		Fields: []cxm.FieldError{{Field: "external_id", Reason: "is already in use"}}}
}

// encodeAttributes returns the stored JSON form of attributes.
func encodeAttributes(a cxm.Attributes) (string, error) {
	if a == nil {
		return "{}", nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("encode attributes: %w", err)
	}
	return string(b), nil
}

// insertCustomer stores c, which has its id, and its external identity.
func insertCustomer(ctx context.Context, q queryer, c *cxm.Customer) error {
	attrs, err := encodeAttributes(c.Attributes)
	if err != nil {
		return err
	}
	var tp any
	if c.FirstTouchpointID != 0 {
		tp = c.FirstTouchpointID
	}
	_, err = q.exec(ctx, `INSERT INTO customers (id, workspace_id, external_id, email, name, locale, birthday,
		attributes, consent_email, consent_analytics, first_touchpoint_id, first_seen_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.WorkspaceID, nullString(c.ExternalID), c.Email, c.Name, c.Locale, c.Birthday, attrs,
		boolInt(c.Consent.Email), boolInt(c.Consent.Analytics), tp, nullMicros(c.FirstSeenAt),
		micros(c.CreatedAt), micros(c.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return errExternalIDConflict()
	case isForeignKeyViolation(err):
		return cxm.NotFound("workspace")
	case err != nil:
		return err
	}
	if c.ExternalID == "" {
		return nil
	}
	_, err = q.exec(ctx, "INSERT INTO identities (workspace_id, kind, value, customer_id, created_at) VALUES (?, ?, ?, ?, ?)",
		c.WorkspaceID, identityExternal, c.ExternalID, c.ID, micros(c.CreatedAt))
	if isUniqueViolation(err) {
		// The id belongs to a profile merged into another customer.
		return errExternalIDConflict()
	}
	return err
}

// saveCustomer writes the profile fields of c, which exists.
func saveCustomer(ctx context.Context, q queryer, c *cxm.Customer) error {
	attrs, err := encodeAttributes(c.Attributes)
	if err != nil {
		return err
	}
	var tp any
	if c.FirstTouchpointID != 0 {
		tp = c.FirstTouchpointID
	}
	_, err = q.exec(ctx, `UPDATE customers SET external_id = ?, email = ?, name = ?, locale = ?, birthday = ?,
		attributes = ?, consent_email = ?, consent_analytics = ?, first_touchpoint_id = ?, first_seen_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		nullString(c.ExternalID), c.Email, c.Name, c.Locale, c.Birthday, attrs,
		boolInt(c.Consent.Email), boolInt(c.Consent.Analytics), tp, nullMicros(c.FirstSeenAt), micros(c.UpdatedAt),
		c.WorkspaceID, c.ID)
	if isUniqueViolation(err) {
		return errExternalIDConflict()
	}
	return err
}

// CreateCustomer validates and stores c. An external id already in use in
// the workspace, also by a profile merged into another, is EConflict.
func (db *DB) CreateCustomer(ctx context.Context, c *cxm.Customer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create customer: %w", err)
	}
	now := fromMicros(micros(db.now()))
	c.ID, c.CreatedAt, c.UpdatedAt = id, now, now
	c.FirstTouchpointID, c.FirstTouchpointKey, c.FirstSeenAt = 0, "", nil
	if err := db.inTx(ctx, func(tx queryer) error { return insertCustomer(ctx, tx, c) }); err != nil {
		c.ID = 0
		return fmt.Errorf("store: create customer: %w", err)
	}
	return nil
}

// FindCustomer returns customer id of the workspace, or ENotFound.
func (db *DB) FindCustomer(ctx context.Context, workspaceID, id int64) (*cxm.Customer, error) {
	c, err := findCustomer(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find customer: %w", err)
	}
	return c, nil
}

// FindCustomerByExternalID returns the customer known by externalID,
// including the kept customer of a profile merged away, or ENotFound.
func (db *DB) FindCustomerByExternalID(ctx context.Context, workspaceID int64, externalID string) (*cxm.Customer, error) {
	c, err := scanCustomer(db.reader().queryRow(ctx, customerSelect+`
		JOIN identities i ON i.customer_id = c.id
		WHERE i.workspace_id = ? AND i.kind = ? AND i.value = ? AND c.workspace_id = ?`,
		workspaceID, identityExternal, externalID, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		err = cxm.NotFound("customer")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find customer by external id: %w", err)
	}
	return c, nil
}

// ListCustomers returns one page of the workspace's customers in id order
// and the cursor of the next page, empty after the last.
func (db *DB) ListCustomers(ctx context.Context, workspaceID int64, f cxm.CustomerFilter) ([]*cxm.Customer, string, error) {
	p := f.Page.Normalize()
	var after int64
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		after = v[0]
	}
	q := customerSelect + " WHERE c.workspace_id = ? AND c.id > ?"
	args := []any{workspaceID, after}
	if f.ExternalID != "" {
		q += " AND c.id IN (SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?)"
		args = append(args, workspaceID, identityExternal, f.ExternalID)
	}
	if f.Email != "" {
		q += " AND c.email = ?"
		args = append(args, cxm.NormalizeEmail(f.Email))
	}
	q += " ORDER BY c.id LIMIT ?"
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list customers: %w", err)
	}
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.Customer, string, error) {
		c, err := scanCustomer(row)
		if err != nil {
			return nil, "", err
		}
		return c, encodeCursor(c.ID), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list customers: %w", err)
	}
	return out, next, nil
}

// UpdateCustomer changes the customer by u. Changing the external id moves
// the customer's external identity; an id in use is EConflict.
func (db *DB) UpdateCustomer(ctx context.Context, workspaceID, id int64, u cxm.CustomerUpdate) (*cxm.Customer, error) {
	var out *cxm.Customer
	err := db.inTx(ctx, func(tx queryer) error {
		c, err := findCustomer(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		old := c.ExternalID
		u.Apply(c)
		if err := c.Validate(); err != nil {
			return err
		}
		c.UpdatedAt = fromMicros(micros(db.now()))
		if c.ExternalID != old {
			if err := moveExternalIdentity(ctx, tx, c, old); err != nil {
				return err
			}
		}
		if err := saveCustomer(ctx, tx, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update customer: %w", err)
	}
	return out, nil
}

// moveExternalIdentity replaces the external identity old of c by c's
// current external id.
func moveExternalIdentity(ctx context.Context, q queryer, c *cxm.Customer, old string) error {
	if old != "" {
		_, err := q.exec(ctx, "DELETE FROM identities WHERE workspace_id = ? AND kind = ? AND value = ? AND customer_id = ?",
			c.WorkspaceID, identityExternal, old, c.ID)
		if err != nil {
			return fmt.Errorf("remove external identity: %w", err)
		}
	}
	if c.ExternalID == "" {
		return nil
	}
	var owner int64
	err := q.queryRow(ctx, "SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?",
		c.WorkspaceID, identityExternal, c.ExternalID).Scan(&owner)
	switch {
	case err == nil && owner != c.ID:
		return errExternalIDConflict()
	case err == nil:
		return nil // already the id of a profile merged into c
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("check external identity: %w", err)
	}
	_, err = q.exec(ctx, "INSERT INTO identities (workspace_id, kind, value, customer_id, created_at) VALUES (?, ?, ?, ?, ?)",
		c.WorkspaceID, identityExternal, c.ExternalID, c.ID, micros(c.UpdatedAt))
	if isUniqueViolation(err) {
		return errExternalIDConflict()
	}
	return err
}

// DeleteCustomer erases the customer: their interactions (also those of
// their stitched anonymous ids), identities, cases with their timelines,
// the notifications about them,
// the merge records that name them, and the profile, in one transaction.
func (db *DB) DeleteCustomer(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		if err := customerExists(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		stmts := []struct {
			sql  string
			args []any
		}{
			{"DELETE FROM interactions WHERE workspace_id = ? AND customer_id = ?", []any{workspaceID, id}},
			{`DELETE FROM interactions WHERE workspace_id = ? AND anonymous_id IS NOT NULL AND anonymous_id IN
				(SELECT value FROM identities WHERE workspace_id = ? AND kind = ? AND customer_id = ?)`,
				[]any{workspaceID, workspaceID, identityAnonymous, id}},
			{"DELETE FROM responses WHERE workspace_id = ? AND customer_id = ?", []any{workspaceID, id}},
			{`DELETE FROM responses WHERE workspace_id = ? AND anonymous_id IS NOT NULL AND anonymous_id IN
				(SELECT value FROM identities WHERE workspace_id = ? AND kind = ? AND customer_id = ?)`,
				[]any{workspaceID, workspaceID, identityAnonymous, id}},
			{"DELETE FROM identities WHERE workspace_id = ? AND customer_id = ?", []any{workspaceID, id}},
			// Notifications about them may quote what they wrote.
			{"DELETE FROM notifications WHERE workspace_id = ? AND customer_id = ?", []any{workspaceID, id}},
			// Invitations stay for the statistics, without the person: a due one is skipped as customer_gone.
			{"UPDATE invitations SET customer_id = NULL, email = '' WHERE workspace_id = ? AND customer_id = ?", []any{workspaceID, id}},
			{"DELETE FROM customer_merges WHERE workspace_id = ? AND (into_id = ? OR from_id = ?)", []any{workspaceID, id, id}},
			{"DELETE FROM customers WHERE workspace_id = ? AND id = ?", []any{workspaceID, id}},
		}
		// The responses leave the rollups, and their text analyses go,
		// before they are deleted.
		const theirs = `customer_id = ? OR (anonymous_id IS NOT NULL AND anonymous_id IN
			(SELECT value FROM identities WHERE workspace_id = ? AND kind = ? AND customer_id = ?))`
		err := db.forgetResponses(ctx, tx, workspaceID, theirs, id, workspaceID, identityAnonymous, id)
		if err != nil {
			return err
		}
		// Their cases go with their timelines (case.go).
		if err := deleteCasesWhere(ctx, tx, workspaceID, "customer_id = ?", id); err != nil {
			return err
		}
		err = deleteTextAnalysis(ctx, tx, workspaceID, "response_id IN (SELECT public_id FROM responses WHERE workspace_id = ? AND ("+theirs+"))",
			workspaceID, id, workspaceID, identityAnonymous, id)
		if err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.exec(ctx, s.sql, s.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete customer: %w", err)
	}
	return nil
}

// UpsertCustomers creates the customers of cs whose external id is unknown
// and updates the known ones, for imports, in one transaction. Profile
// fields given in a record overwrite the stored ones, attributes merge key
// by key (null removes a key) and consent overwrites. Invalid records and
// records without external id are reported with their index and field.
// IDs holds the customer id of every stored record.
func (db *DB) UpsertCustomers(ctx context.Context, workspaceID int64, cs []*cxm.Customer) (cxm.BatchResult, error) {
	res := cxm.BatchResult{DuplicateIndexes: []int{}, Errors: []cxm.ItemError{}, IDs: make([]string, len(cs))}
	valid := make([]int, 0, len(cs))
	for i, c := range cs {
		var fields []cxm.FieldError
		if c == nil {
			fields = []cxm.FieldError{{Field: "customer", Reason: "is required"}}
		} else {
			fields = cxm.ErrorFields(c.Validate())
			if c.ExternalID == "" {
				fields = append(fields, cxm.FieldError{Field: "external_id", Reason: "is required for import"})
			}
		}
		if len(fields) > 0 {
			for _, f := range fields {
				res.Errors = append(res.Errors, cxm.ItemError{Index: i, Field: f.Field, Reason: f.Reason})
			}
			res.Rejected++
			continue
		}
		valid = append(valid, i)
	}
	if len(valid) == 0 {
		return res, nil
	}
	first, err := db.ids.take(ctx, len(valid))
	if err != nil {
		return cxm.BatchResult{}, fmt.Errorf("store: upsert customers: %w", err)
	}
	now := fromMicros(micros(db.now()))
	err = db.inTx(ctx, func(tx queryer) error {
		return upsertCustomers(ctx, tx, workspaceID, cs, valid, first, now)
	})
	if err != nil {
		return cxm.BatchResult{}, fmt.Errorf("store: upsert customers: %w", err)
	}
	for _, i := range valid {
		res.IDs[i] = strconv.FormatInt(cs[i].ID, 10)
	}
	res.Accepted = len(valid)
	return res, nil
}

// upsertEntry is one customer an import touches.
type upsertEntry struct {
	c            *cxm.Customer
	isNew, dirty bool
}

// upsertCustomers stores the records cs[valid[…]], creating customers with
// the ids first, first+1, ….
func upsertCustomers(ctx context.Context, tx queryer, ws int64, cs []*cxm.Customer, valid []int, first int64, now time.Time) error {
	exts := make([]string, 0, len(valid))
	seen := make(map[string]bool, len(valid))
	for _, i := range valid {
		if e := cs[i].ExternalID; !seen[e] {
			seen[e] = true
			exts = append(exts, e)
		}
	}
	refs := make(map[string]customerRef, len(exts))
	if err := resolveExternalIDs(ctx, tx, ws, exts, refs); err != nil {
		return err
	}
	ids := make([]int64, 0, len(refs))
	for _, r := range refs {
		ids = append(ids, r.id)
	}
	stored, err := loadCustomers(ctx, tx, ws, ids)
	if err != nil {
		return err
	}
	byExt := make(map[string]*upsertEntry, len(exts))
	byID := make(map[int64]*upsertEntry, len(ids))
	var order []*upsertEntry
	for _, i := range valid {
		in := cs[i]
		e := byExt[in.ExternalID]
		switch {
		case e != nil:
		case stored[refs[in.ExternalID].id] != nil:
			id := refs[in.ExternalID].id
			if e = byID[id]; e == nil {
				e = &upsertEntry{c: stored[id]}
				byID[id] = e
				order = append(order, e)
			}
		default:
			c := *in
			c.ID, c.WorkspaceID, c.CreatedAt, c.UpdatedAt = first, ws, now, now
			c.Attributes = cxm.Attributes{}
			mergeAttributes(c.Attributes, in.Attributes)
			c.FirstTouchpointID, c.FirstTouchpointKey, c.FirstSeenAt = 0, "", nil
			first++
			e = &upsertEntry{c: &c, isNew: true}
			byExt[in.ExternalID] = e
			order = append(order, e)
			in.ID, in.WorkspaceID = c.ID, ws
			continue
		}
		byExt[in.ExternalID] = e
		mergeImported(e.c, in)
		e.c.UpdatedAt, e.dirty = now, true
		in.ID, in.WorkspaceID = e.c.ID, ws
	}
	for _, e := range order {
		var err error
		switch {
		case e.isNew:
			err = insertCustomer(ctx, tx, e.c)
		case e.dirty:
			err = saveCustomer(ctx, tx, e.c)
		}
		if err != nil {
			return fmt.Errorf("customer %s: %w", e.c.ExternalID, err)
		}
	}
	return nil
}

// mergeImported changes c by an imported record: non-empty profile fields
// overwrite, attributes merge key by key and consent overwrites.
func mergeImported(c, in *cxm.Customer) {
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.Email, in.Email}, {&c.Name, in.Name}, {&c.Locale, in.Locale}, {&c.Birthday, in.Birthday},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	if c.Attributes == nil {
		c.Attributes = cxm.Attributes{}
	}
	mergeAttributes(c.Attributes, in.Attributes)
	c.Consent = in.Consent
}

// mergeAttributes sets every key of src in dst; a nil value removes the key.
func mergeAttributes(dst, src cxm.Attributes) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
}

// loadCustomers reads the customers ids of workspace ws, by id.
func loadCustomers(ctx context.Context, q queryer, ws int64, ids []int64) (map[int64]*cxm.Customer, error) {
	out := make(map[int64]*cxm.Customer, len(ids))
	args := make([]any, 0, inChunk+1)
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args = append(args[:0], ws)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.query(ctx, customerSelect+" WHERE c.workspace_id = ? AND c.id IN ("+inList(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("load customers: %w", err)
		}
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("load customers: %w", err)
			}
			out[c.ID] = c
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("load customers: %w", err)
		}
	}
	return out, nil
}

// encodeCursor returns the opaque cursor of a position given as numbers.
func encodeCursor(vals ...int64) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

// decodeCursor reads a cursor of n numbers made by encodeCursor; anything
// else is EInvalid on the field cursor.
func decodeCursor(s string, n int) ([]int64, error) {
	bad := cxm.Invalid(cxm.FieldError{Field: "cursor", Reason: "is not a cursor returned by this list"})
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != n {
		return nil, bad
	}
	out := make([]int64, n)
	for i, p := range parts {
		if out[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return nil, bad
		}
	}
	return out, nil
}
