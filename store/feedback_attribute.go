package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.FeedbackService.
var _ cxm.FeedbackService = (*DB)(nil)

// FeedbackByAttribute answers q from the raw responses, each slice also
// split by the customer attribute key. SQL sums the responses per
// customer (and per day for time dimensions); Go reads each customer's
// attribute from its JSON and adds the customers up by value, so no JSON
// function of either database is needed.
func (db *DB) FeedbackByAttribute(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery, key string) ([]*cxm.FeedbackSlice, error) {
	g, byTime, err := timeGrain(q)
	if err != nil {
		return nil, err
	}
	values, err := db.attributeValues(ctx, workspaceID, key)
	if err != nil {
		return nil, fmt.Errorf("store: feedback by attribute: %w", err)
	}
	daily := q
	daily.GroupBy = slices.Clone(q.GroupBy)
	for i, d := range daily.GroupBy {
		if d == cxm.ByWeek || d == cxm.ByMonth {
			daily.GroupBy[i] = cxm.ByDay
		}
	}
	out, customers, err := db.scanFeedback(ctx, workspaceID, daily, true)
	if err != nil {
		return nil, fmt.Errorf("store: feedback by attribute: %w", err)
	}
	m := sliceMerger{groupBy: append(slices.Clone(q.GroupBy), "attribute"), grain: g, byTime: byTime, slices: map[cxm.FeedbackSlice]*cxm.FeedbackSlice{}}
	for i, f := range out {
		f.Attribute = values[customers[i]]
		m.add(f)
	}
	res := m.result()
	distinct := map[string]bool{}
	for _, f := range res {
		distinct[f.Attribute] = true
	}
	if len(distinct) > cxm.MaxAttributeValues {
		return nil, cxm.Invalid(cxm.FieldError{Field: "by", Reason: fmt.Sprintf("the attribute %q has %d values among the responses, more than the %d that can be shown; slice by a coarser attribute",
			key, len(distinct), cxm.MaxAttributeValues)})
	}
	return res, nil
}

// attributeValues returns, by customer id, the customers' value of the
// attribute key as text; customers without it are left out.
func (db *DB) attributeValues(ctx context.Context, workspaceID int64, key string) (map[int64]string, error) {
	out := map[int64]string{}
	err := eachCustomerAttribute(ctx, db.reader(), workspaceID, key, func(id int64, v any) {
		switch v := v.(type) {
		case string:
			out[id] = v
		case float64:
			out[id] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			out[id] = strconv.FormatBool(v)
		}
	})
	return out, err
}

// eachCustomerAttribute calls fn with each of the workspace's customers
// that has the attribute key, and its value. The LIKE on the stored JSON
// only narrows the rows read; the decoded attributes decide, so no JSON
// function of either database is needed. Attribute keys are [a-z0-9_],
// whose one LIKE wildcard, the underscore, can only widen the
// pre-selection.
func eachCustomerAttribute(ctx context.Context, r queryer, workspaceID int64, key string, fn func(id int64, value any)) error {
	quoted, err := json.Marshal(key)
	if err != nil {
		return err
	}
	rows, err := r.query(ctx, "SELECT id, attributes FROM customers WHERE workspace_id = ? AND attributes LIKE ?",
		workspaceID, "%"+string(quoted)+":%")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		var attrs map[string]any
		if err := json.Unmarshal([]byte(raw), &attrs); err != nil {
			return fmt.Errorf("decode attributes of customer %d: %w", id, err)
		}
		if v, ok := attrs[key]; ok {
			fn(id, v)
		}
	}
	return rows.Err()
}
