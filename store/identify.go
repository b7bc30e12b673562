package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// Identify links anonymousID to the customer with profile.ExternalID,
// creating the customer with the profile if needed, or else filling only
// the stored fields that are empty. It gives the customer every earlier
// interaction of the anonymous id and moves their first touchpoint back
// if one of those came first. An anonymous id already linked to another
// customer is EConflict: such customers are merged instead.
func (db *DB) Identify(ctx context.Context, workspaceID int64, anonymousID string, profile *cxm.Customer) (*cxm.IdentifyResult, error) {
	var errs cxm.FieldErrors
	if profile == nil || profile.ExternalID == "" {
		errs.Add("customer", "is required")
	}
	if anonymousID == "" {
		errs.Add("anonymous_id", "is required")
	} else if len(anonymousID) > cxm.MaxTextLength || !utf8.ValidString(anonymousID) {
		errs.Add("anonymous_id", "must be valid text of at most 200 bytes")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := profile.Validate(); err != nil {
		return nil, err
	}
	newID, err := db.ids.take(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("store: identify: %w", err)
	}
	now := fromMicros(micros(db.now()))
	var res *cxm.IdentifyResult
	err = db.inTx(ctx, func(tx queryer) error {
		r, err := identify(ctx, tx, workspaceID, anonymousID, profile, newID, now)
		res = r
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: identify: %w", err)
	}
	return res, nil
}

// identify does the work of Identify inside its transaction.
func identify(ctx context.Context, tx queryer, ws int64, anonymousID string, profile *cxm.Customer, newID int64, now time.Time) (*cxm.IdentifyResult, error) {
	res := &cxm.IdentifyResult{}
	c, err := findOrCreateIdentified(ctx, tx, ws, profile, newID, now)
	if err != nil {
		return nil, err
	}
	res.Created = c.ID == newID
	var owner int64
	err = tx.queryRow(ctx, "SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?",
		ws, identityAnonymous, anonymousID).Scan(&owner)
	switch {
	case err == nil && owner != c.ID:
		return nil, cxm.Errorf(cxm.EConflict, "anonymous id belongs to another customer; merge the customers instead")
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.exec(ctx, "INSERT INTO identities (workspace_id, kind, value, customer_id, created_at) VALUES (?, ?, ?, ?, ?)",
			ws, identityAnonymous, anonymousID, c.ID, micros(now))
		if err != nil {
			return nil, fmt.Errorf("link anonymous id: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("check anonymous id: %w", err)
	}
	r, err := tx.exec(ctx, "UPDATE interactions SET customer_id = ? WHERE workspace_id = ? AND anonymous_id = ? AND customer_id IS NULL",
		c.ID, ws, anonymousID)
	if err != nil {
		return nil, fmt.Errorf("link interactions: %w", err)
	}
	if _, err := tx.exec(ctx, "UPDATE responses SET customer_id = ? WHERE workspace_id = ? AND anonymous_id = ? AND customer_id IS NULL",
		c.ID, ws, anonymousID); err != nil {
		return nil, fmt.Errorf("link responses: %w", err)
	}
	linked, err := r.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("link interactions: %w", err)
	}
	res.Linked = int(linked)
	if linked > 0 {
		if err := recomputeFirstTouchpoint(ctx, tx, ws, c.ID, now); err != nil {
			return nil, err
		}
	}
	if res.Customer, err = findCustomer(ctx, tx, ws, c.ID); err != nil {
		return nil, err
	}
	return res, nil
}

// findOrCreateIdentified returns the customer known by profile.ExternalID,
// with the empty fields filled from profile, or creates it with id newID.
func findOrCreateIdentified(ctx context.Context, tx queryer, ws int64, profile *cxm.Customer, newID int64, now time.Time) (*cxm.Customer, error) {
	refs := map[string]customerRef{}
	if err := resolveExternalIDs(ctx, tx, ws, []string{profile.ExternalID}, refs); err != nil {
		return nil, err
	}
	ref, ok := refs[profile.ExternalID]
	if !ok {
		c := *profile
		c.ID, c.WorkspaceID, c.CreatedAt, c.UpdatedAt = newID, ws, now, now
		c.Attributes = cxm.Attributes{}
		mergeAttributes(c.Attributes, profile.Attributes)
		c.FirstTouchpointID, c.FirstTouchpointKey, c.FirstSeenAt = 0, "", nil
		if err := insertCustomer(ctx, tx, &c); err != nil {
			return nil, err
		}
		return &c, nil
	}
	c, err := findCustomer(ctx, tx, ws, ref.id)
	if err != nil {
		return nil, err
	}
	if fillEmpty(c, profile) {
		c.UpdatedAt = now
		if err := saveCustomer(ctx, tx, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// fillEmpty copies the profile fields and attribute keys of from that are
// empty or missing in c, and reports whether it changed anything.
func fillEmpty(c, from *cxm.Customer) bool {
	changed := false
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.ExternalID, from.ExternalID}, {&c.Email, from.Email}, {&c.Name, from.Name},
		{&c.Locale, from.Locale}, {&c.Birthday, from.Birthday},
	} {
		if *f.dst == "" && f.src != "" {
			*f.dst, changed = f.src, true
		}
	}
	if c.Attributes == nil {
		c.Attributes = cxm.Attributes{}
	}
	for k, v := range from.Attributes {
		if _, ok := c.Attributes[k]; !ok && v != nil {
			c.Attributes[k], changed = v, true
		}
	}
	return changed
}

// recomputeFirstTouchpoint sets the customer's first touchpoint from their
// earliest interaction when that lies before the stored first-seen time.
func recomputeFirstTouchpoint(ctx context.Context, tx queryer, ws, customerID int64, now time.Time) error {
	var t firstTouch
	err := tx.queryRow(ctx, `SELECT touchpoint_id, occurred_at FROM interactions
		WHERE workspace_id = ? AND customer_id = ? ORDER BY occurred_at, id LIMIT 1`, ws, customerID).Scan(&t.touchpointID, &t.at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find first interaction: %w", err)
	}
	t.customerID = customerID
	return advanceFirstTouchpoints(ctx, tx, ws, []firstTouch{t}, now)
}
