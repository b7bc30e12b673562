package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.LoyaltyService.
var _ cxm.LoyaltyService = (*DB)(nil)

// purchaseTypesSQL returns the condition on interactions.type that
// selects purchases (cxm.PurchaseTypes, constant strings).
func purchaseTypesSQL() string {
	return "type IN ('" + strings.Join(cxm.PurchaseTypes, "', '") + "')"
}

// customerSet is the set of customers an attribute filter keeps; a nil
// set keeps every customer.
type customerSet map[int64]bool

// keeps reports whether the set keeps customer id.
func (s customerSet) keeps(id int64) bool { return s == nil || s[id] }

// attributeCustomers returns the workspace's customers whose attributes
// match f, or nil when f is nil.
func attributeCustomers(ctx context.Context, r queryer, workspaceID int64, f *cxm.AttributeFilter) (customerSet, error) {
	if f == nil {
		return nil, nil
	}
	out := customerSet{}
	err := eachCustomerAttribute(ctx, r, workspaceID, f.Key, func(id int64, v any) {
		if f.Matches(cxm.Attributes{f.Key: v}) {
			out[id] = true
		}
	})
	return out, err
}

// touchpointSQL returns the condition that limits complaints and reviews
// to q's touchpoints, with its arguments: empty without a filter, and a
// condition matching nothing for an empty list.
func touchpointSQL(q cxm.LoyaltyQuery) (string, []any) {
	switch {
	case !q.FilterTouchpoints:
		return "1 = 1", nil
	case len(q.TouchpointIDs) == 0:
		return "1 = 0", nil
	}
	return "touchpoint_id IN (" + inList(len(q.TouchpointIDs)) + ")", anySlice(q.TouchpointIDs)
}

// LoyaltyFacts counts, for q's period, each customer's purchases, the
// active customers with and without a referral or complaint, the review
// ratings, and each buyer's last purchase before q.To. Every query groups
// by customer in the database; the attribute filter, if any, is applied
// to the grouped rows.
func (db *DB) LoyaltyFacts(ctx context.Context, q cxm.LoyaltyQuery) (*cxm.LoyaltyFacts, error) {
	r := db.reader()
	keep, err := attributeCustomers(ctx, r, q.WorkspaceID, q.Attribute)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: %w", err)
	}
	f := &cxm.LoyaltyFacts{}
	period, pargs := periodSQL("occurred_at", q.From, q.To)
	tpCond, tpArgs := touchpointSQL(q)

	// Activity, referrals and complaints: one row per active customer.
	args := append(append([]any{}, tpArgs...), q.WorkspaceID)
	rows, err := r.query(ctx, `SELECT customer_id,
			MAX(CASE WHEN type = '`+cxm.InteractionReferral+`' THEN 1 ELSE 0 END),
			MAX(CASE WHEN type = '`+cxm.InteractionComplaint+`' AND `+tpCond+` THEN 1 ELSE 0 END)
		FROM interactions WHERE workspace_id = ? AND customer_id IS NOT NULL`+period+`
		GROUP BY customer_id`, append(args, pargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: activity: %w", err)
	}
	err = eachRow(rows, func(s scanner) error {
		var id int64
		var referred, complained int
		if err := s.Scan(&id, &referred, &complained); err != nil {
			return err
		}
		if keep.keeps(id) {
			f.ActiveCustomers++
			f.Referrers += int64(referred)
			f.Complainers += int64(complained)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: activity: %w", err)
	}

	// Purchases per customer in the period.
	rows, err = r.query(ctx, `SELECT customer_id, COUNT(*) FROM interactions
		WHERE workspace_id = ? AND customer_id IS NOT NULL AND `+purchaseTypesSQL()+period+`
		GROUP BY customer_id`, append([]any{q.WorkspaceID}, pargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: purchases: %w", err)
	}
	err = eachRow(rows, func(s scanner) error {
		var id int64
		var n int
		if err := s.Scan(&id, &n); err != nil {
			return err
		}
		if keep.keeps(id) {
			f.PurchasesPerCustomer = append(f.PurchasesPerCustomer, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: purchases: %w", err)
	}

	// Each buyer's last purchase before the end of the period.
	before, bargs := periodSQL("occurred_at", time.Time{}, q.To)
	rows, err = r.query(ctx, `SELECT customer_id, MAX(occurred_at) FROM interactions
		WHERE workspace_id = ? AND customer_id IS NOT NULL AND `+purchaseTypesSQL()+before+`
		GROUP BY customer_id`, append([]any{q.WorkspaceID}, bargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: last purchases: %w", err)
	}
	err = eachRow(rows, func(s scanner) error {
		var id, last int64
		if err := s.Scan(&id, &last); err != nil {
			return err
		}
		if keep.keeps(id) {
			f.LastPurchases = append(f.LastPurchases, fromMicros(last))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: loyalty facts: last purchases: %w", err)
	}

	if f.Reviews, err = reviewFacts(ctx, r, q, keep); err != nil {
		return nil, fmt.Errorf("store: loyalty facts: reviews: %w", err)
	}
	return f, nil
}

// reviewFacts sums the valid ratings (1 to 5) of the reviews of q's
// period at its touchpoints, of the customers keep keeps.
func reviewFacts(ctx context.Context, r queryer, q cxm.LoyaltyQuery, keep customerSet) (cxm.ReviewFacts, error) {
	var out cxm.ReviewFacts
	period, pargs := periodSQL("occurred_at", q.From, q.To)
	tpCond, tpArgs := touchpointSQL(q)
	cust := ""
	if keep != nil {
		cust = " AND customer_id IS NOT NULL"
	}
	args := append(append([]any{q.WorkspaceID}, pargs...), tpArgs...)
	rows, err := r.query(ctx, `SELECT COALESCE(customer_id, 0), properties FROM interactions
		WHERE workspace_id = ? AND type = '`+cxm.InteractionReview+`'`+cust+period+` AND `+tpCond, args...)
	if err != nil {
		return out, err
	}
	err = eachRow(rows, func(s scanner) error {
		var id int64
		var props *string
		if err := s.Scan(&id, &props); err != nil {
			return err
		}
		if !keep.keeps(id) || props == nil {
			return nil
		}
		var p struct {
			Rating *float64 `json:"rating"`
		}
		if json.Unmarshal([]byte(*props), &p) != nil || p.Rating == nil || *p.Rating < 1 || *p.Rating > 5 {
			return nil
		}
		out.N++
		out.Sum += *p.Rating
		out.SumSq += *p.Rating * *p.Rating
		return nil
	})
	return out, err
}

// PurchaseHistories returns the purchase times before q.To of every
// customer whose first purchase falls in q's period.
func (db *DB) PurchaseHistories(ctx context.Context, q cxm.LoyaltyQuery) ([][]time.Time, error) {
	r := db.reader()
	keep, err := attributeCustomers(ctx, r, q.WorkspaceID, q.Attribute)
	if err != nil {
		return nil, fmt.Errorf("store: purchase histories: %w", err)
	}
	before, bargs := periodSQL("occurred_at", time.Time{}, q.To)
	first, fargs := periodSQL("MIN(occurred_at)", q.From, q.To)
	args := append(append([]any{q.WorkspaceID}, bargs...), q.WorkspaceID)
	rows, err := r.query(ctx, `SELECT customer_id, occurred_at FROM interactions
		WHERE workspace_id = ? AND customer_id IS NOT NULL AND `+purchaseTypesSQL()+before+`
		AND customer_id IN (SELECT customer_id FROM interactions
			WHERE workspace_id = ? AND customer_id IS NOT NULL AND `+purchaseTypesSQL()+`
			GROUP BY customer_id HAVING 1 = 1`+first+`)
		ORDER BY customer_id`, append(args, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: purchase histories: %w", err)
	}
	var out [][]time.Time
	last := int64(0)
	err = eachRow(rows, func(s scanner) error {
		var id, at int64
		if err := s.Scan(&id, &at); err != nil {
			return err
		}
		if !keep.keeps(id) {
			return nil
		}
		if len(out) == 0 || id != last {
			out = append(out, nil)
			last = id
		}
		out[len(out)-1] = append(out[len(out)-1], fromMicros(at))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: purchase histories: %w", err)
	}
	return out, nil
}

// deliveredSQL is the condition on invitations that says an invitation
// reached its customer: sent or shown (and perhaps expired since) with a
// recorded contact, or answered.
const deliveredSQL = `(i.status = '` + string(cxm.InvitationAnswered) + `' OR (i.contacted_at IS NOT NULL AND i.status IN ('` +
	string(cxm.InvitationSent) + `', '` + string(cxm.InvitationShown) + `', '` + string(cxm.InvitationExpired) + `')))`

// ResponseFacts counts per survey the invitations delivered in q's period
// and those of them that a completed response names.
func (db *DB) ResponseFacts(ctx context.Context, q cxm.ResponseRateQuery) ([]cxm.SurveyResponseFacts, error) {
	period, pargs := periodSQL("COALESCE(i.contacted_at, i.due_at)", q.From, q.To)
	surveys := ""
	if len(q.SurveyIDs) > 0 {
		surveys = " AND i.survey_id IN (" + inList(len(q.SurveyIDs)) + ")"
	}
	args := append(append([]any{q.WorkspaceID}, pargs...), anySlice(q.SurveyIDs)...)
	rows, err := db.reader().query(ctx, `SELECT i.survey_id, COUNT(*),
			SUM(CASE WHEN EXISTS (SELECT 1 FROM responses r
				WHERE r.workspace_id = i.workspace_id AND r.invitation_id = i.id AND r.completed = 1) THEN 1 ELSE 0 END)
		FROM invitations i
		WHERE i.workspace_id = ? AND `+deliveredSQL+period+surveys+`
		GROUP BY i.survey_id ORDER BY i.survey_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: response facts: %w", err)
	}
	var out []cxm.SurveyResponseFacts
	err = eachRow(rows, func(s scanner) error {
		var f cxm.SurveyResponseFacts
		if err := s.Scan(&f.SurveyID, &f.Delivered, &f.Responded); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: response facts: %w", err)
	}
	return out, nil
}

// eachRow calls fn for every row and closes rows.
func eachRow(rows interface {
	scanner
	Next() bool
	Err() error
	Close() error
}, fn func(scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
