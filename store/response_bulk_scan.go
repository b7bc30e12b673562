package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// rawSumExprs compute, over raw completed responses, the sums of
// rollupSumColumns, in their order.
var rawSumExprs = []string{"COUNT(*)",
	"SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END)", "SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END)",
	"SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)",
	"COUNT(csat)", "SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END)", "COALESCE(SUM(csat), 0)", "COALESCE(SUM(csat * csat), 0)",
	"COUNT(ces)", "SUM(CASE WHEN ces >= 5 THEN 1 ELSE 0 END)", "COALESCE(SUM(ces), 0)", "COALESCE(SUM(ces * ces), 0)",
	"COUNT(rating)", "COALESCE(SUM(rating), 0)", "COALESCE(SUM(rating * rating), 0)"}

// microsPerDay is one day in microseconds.
const microsPerDay = 24 * 60 * 60 * 1_000_000

// ScanFeedbackSlices answers q like FeedbackSlices, but from the raw
// responses instead of the rollups: one GROUP BY over every completed
// response of the workspace in q's days, in FeedbackSlices' order. It exists to check the rollups
// and to measure what they save; dashboards use FeedbackSlices.
//
// The local day of a response is computed in SQL, portably: the
// completion time plus the workspace zone's UTC offset in force then
// (a CASE over the zone's transitions within the scanned range), divided
// by a day, gives a day number that Go turns into yyyymmdd.
//
// Weeks and months are grouped by day in SQL and added up in Go, the same
// way as FeedbackSlices adds up the daily rows at the edges of its range.
func (db *DB) ScanFeedbackSlices(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery) ([]*cxm.FeedbackSlice, error) {
	g, byTime, err := timeGrain(q)
	if err != nil {
		return nil, err
	}
	daily := q
	daily.GroupBy = slices.Clone(q.GroupBy)
	for i, d := range daily.GroupBy {
		if d == cxm.ByWeek || d == cxm.ByMonth {
			daily.GroupBy[i] = cxm.ByDay
		}
	}
	out, _, err := db.scanFeedback(ctx, workspaceID, daily, false)
	if err != nil {
		return nil, fmt.Errorf("store: scan feedback: %w", err)
	}
	m := sliceMerger{groupBy: q.GroupBy, grain: g, byTime: byTime, slices: map[cxm.FeedbackSlice]*cxm.FeedbackSlice{}}
	for _, f := range out {
		m.add(f)
	}
	return m.result(), nil
}

// scanFeedback groups the raw responses as q asks, by day for any time
// dimension, and, when perCustomer is set, also by customer: it then
// returns each slice's customer id, zero for anonymous responses.
func (db *DB) scanFeedback(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery, perCustomer bool) ([]*cxm.FeedbackSlice, []int64, error) {
	r := db.reader()
	loc, err := db.workspaceLocation(ctx, r, workspaceID)
	if err != nil {
		return nil, nil, cxm.NotFound("workspace")
	}
	where := []string{"workspace_id = ?", "completed = 1"}
	args := []any{workspaceID}
	// The scanned range in UTC microseconds, for the bounds and the
	// zone's transitions.
	var from, to int64
	if q.FromDay != 0 {
		from = cxm.DayTime(q.FromDay, loc).UnixMicro()
		where, args = append(where, "completed_at >= ?"), append(args, from)
	}
	if q.ToDay != 0 {
		to = cxm.DayTime(q.ToDay, loc).UnixMicro()
		where, args = append(where, "completed_at < ?"), append(args, to)
	}
	where, args = feedbackFilters(q, where, args)
	var groups []string
	for _, g := range q.GroupBy {
		switch g {
		case cxm.ByDay:
			if from == 0 || to == 0 {
				// Unbounded: the zone's transitions between the first and last response.
				var lo, hi *int64
				if err := r.queryRow(ctx, "SELECT MIN(completed_at), MAX(completed_at) FROM responses WHERE workspace_id = ? AND completed = 1",
					workspaceID).Scan(&lo, &hi); err != nil {
					return nil, nil, err
				}
				if lo == nil {
					return []*cxm.FeedbackSlice{}, nil, nil
				}
				if from == 0 {
					from = *lo
				}
				if to == 0 {
					to = *hi + 1
				}
			}
			groups = append(groups, "(completed_at + "+offsetCase(loc, from, to)+") / "+strconv.Itoa(microsPerDay))
		case cxm.BySurvey:
			groups = append(groups, "survey_id")
		case cxm.ByTouchpoint:
			groups = append(groups, "COALESCE(touchpoint_id, 0)")
		case cxm.ByChannel:
			groups = append(groups, "channel")
		case cxm.ByLocale:
			groups = append(groups, "locale")
		default:
			return nil, nil, cxm.Invalid(cxm.FieldError{Field: "group_by", Reason: fmt.Sprintf("%q is not a dimension", g)})
		}
	}
	if perCustomer {
		groups = append([]string{"COALESCE(customer_id, 0)"}, groups...)
	}
	cols, err := sumColumnsOf(q.Only)
	if err != nil {
		return nil, nil, err
	}
	sel := strings.Join(pick(rawSumExprs, cols), ", ")
	if len(groups) > 0 {
		sel = strings.Join(groups, ", ") + ", " + sel
	}
	query := "SELECT " + sel + " FROM responses WHERE " + strings.Join(where, " AND ")
	if len(groups) > 0 {
		ordinals := make([]string, len(groups))
		for i := range groups {
			ordinals[i] = strconv.Itoa(i + 1)
		}
		query += " GROUP BY " + strings.Join(ordinals, ", ")
	}
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []*cxm.FeedbackSlice{}
	var customers []int64
	for rows.Next() {
		var f cxm.FeedbackSlice
		dayNumber := int64(-1)
		var customer int64
		var dest []any
		if perCustomer {
			dest = append(dest, &customer)
		}
		for _, g := range q.GroupBy {
			switch g {
			case cxm.ByDay:
				dest = append(dest, &dayNumber)
			case cxm.BySurvey:
				dest = append(dest, &f.SurveyID)
			case cxm.ByTouchpoint:
				dest = append(dest, &f.TouchpointID)
			case cxm.ByChannel:
				dest = append(dest, &f.Channel)
			case cxm.ByLocale:
				dest = append(dest, &f.Locale)
			}
		}
		if err := rows.Scan(append(dest, pick(sumFields(&f.FeedbackSums), cols)...)...); err != nil {
			return nil, nil, err
		}
		if len(groups) > 0 && f.FeedbackSums.IsZero() {
			continue
		}
		if dayNumber >= 0 {
			y, m, d := time.Unix(dayNumber*24*60*60, 0).UTC().Date()
			f.Day = y*10000 + int(m)*100 + d
		}
		out = append(out, &f)
		customers = append(customers, customer)
	}
	return out, customers, rows.Err()
}

// offsetCase returns a SQL expression for loc's UTC offset, in
// microseconds, at completed_at, correct for times in [from, to) (UTC
// microseconds): a CASE over loc's transitions in that range.
func offsetCase(loc *time.Location, from, to int64) string {
	var b strings.Builder
	t := time.UnixMicro(from).In(loc)
	for {
		_, off := t.Zone()
		_, end := t.ZoneBounds()
		if end.IsZero() || end.UnixMicro() >= to {
			if b.Len() == 0 {
				return strconv.FormatInt(int64(off)*1_000_000, 10)
			}
			fmt.Fprintf(&b, " ELSE %d END", int64(off)*1_000_000)
			return b.String()
		}
		if b.Len() == 0 {
			b.WriteString("CASE")
		}
		fmt.Fprintf(&b, " WHEN completed_at < %d THEN %d", end.UnixMicro(), int64(off)*1_000_000)
		t = end.In(loc)
	}
}
