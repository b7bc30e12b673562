package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cxmhq/cxm"
)

// Bounds of an unbounded FeedbackQuery, as yyyymmdd days.
const (
	firstRollupDay = 1_01_01     // 1 January of year 1
	endRollupDay   = 10000_01_01 // 1 January of year 10000
)

// rollupRead is one range of rollup rows of one grain that a query reads:
// the rows whose day d has from ≤ d < to.
type rollupRead struct {
	grain    rollupGrain
	from, to int
}

// planRollupReads covers the days [from, to) with as few rows as it can:
// whole months from the month rows, whole weeks at the edges from the week
// rows and the rest from the day rows. grains lists the grains that may be
// used, coarsest first; the finest must be grainDay.
func planRollupReads(from, to int, grains []rollupGrain) []rollupRead {
	if from >= to {
		return nil
	}
	g := grains[0]
	if g == grainDay {
		return []rollupRead{{grainDay, from, to}}
	}
	first := periodStart(from, g)
	if first < from {
		first = nextPeriod(first, g)
	}
	last := periodStart(to, g) // the periods end where the one holding to starts
	if first >= last {
		return planRollupReads(from, to, grains[1:])
	}
	plan := planRollupReads(from, first, grains[1:])
	plan = append(plan, rollupRead{g, first, last})
	return append(plan, planRollupReads(last, to, grains[1:])...)
}

// timeGrain returns the grain that q groups by, and whether q groups by
// time at all; more than one time dimension is refused.
func timeGrain(q cxm.FeedbackQuery) (rollupGrain, bool, error) {
	var g rollupGrain
	found := false
	for _, d := range q.GroupBy {
		if !d.Valid() {
			return 0, false, cxm.Invalid(cxm.FieldError{Field: "group_by", Reason: fmt.Sprintf("%q is not a dimension", d)})
		}
		var dg rollupGrain
		switch d {
		case cxm.ByDay:
			dg = grainDay
		case cxm.ByWeek:
			dg = grainWeek
		case cxm.ByMonth:
			dg = grainMonth
		default:
			continue
		}
		if found {
			return 0, false, cxm.Invalid(cxm.FieldError{Field: "group_by", Reason: "may hold only one of day, week and month"})
		}
		g, found = dg, true
	}
	return g, found, nil
}

// FeedbackSlices sums the workspace's rollups that match q, grouped by
// q.GroupBy, ordered by day, survey, touchpoint, channel and locale. It
// reads only rollup rows, never raw responses: whole months and weeks of
// the range from their own rows, and only the days at its edges from the
// daily rows.
func (db *DB) FeedbackSlices(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery) ([]*cxm.FeedbackSlice, error) {
	g, byTime, err := timeGrain(q)
	if err != nil {
		return nil, err
	}
	if _, err := sumColumnsOf(q.Only); err != nil {
		return nil, err
	}
	from, to := q.FromDay, q.ToDay
	if from == 0 {
		from = firstRollupDay
	}
	if to == 0 {
		to = endRollupDay
	}
	grains := []rollupGrain{grainMonth, grainWeek, grainDay}
	switch {
	case byTime && g == grainDay:
		grains = grains[2:]
	case byTime && g == grainWeek:
		grains = grains[1:]
	case byTime && g == grainMonth:
		grains = []rollupGrain{grainMonth, grainDay}
	}
	m := sliceMerger{groupBy: q.GroupBy, grain: g, byTime: byTime, slices: map[cxm.FeedbackSlice]*cxm.FeedbackSlice{}}
	for _, rd := range planRollupReads(from, to, grains) {
		if err := db.readRollupSlices(ctx, workspaceID, q, rd, &m); err != nil {
			return nil, fmt.Errorf("store: feedback slices: %w", err)
		}
	}
	return m.result(), nil
}

// readRollupSlices sums the rollup rows of rd that match q's filters,
// grouped by q's dimensions and the rows' day when q groups by time, and
// merges them into m.
func (db *DB) readRollupSlices(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery, rd rollupRead, m *sliceMerger) error {
	where, args := feedbackFilters(q, []string{"workspace_id = ?", "grain = ?", "day >= ?", "day < ?"},
		[]any{workspaceID, rd.grain, rd.from, rd.to})
	var groups []string
	for _, d := range q.GroupBy {
		groups = append(groups, feedbackDimensionColumns[d])
	}
	cols, err := sumColumnsOf(q.Only)
	if err != nil {
		return err
	}
	sums := make([]string, len(cols))
	for i, c := range pick(rollupSumColumns, cols) {
		sums[i] = "COALESCE(SUM(" + c + "), 0)"
	}
	sel := strings.Join(sums, ", ")
	if len(groups) > 0 {
		sel = strings.Join(groups, ", ") + ", " + sel
	}
	query := "SELECT " + sel + " FROM response_rollups WHERE " + strings.Join(where, " AND ")
	if len(groups) > 0 {
		query += " GROUP BY " + strings.Join(groups, ", ")
	}
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f cxm.FeedbackSlice
		if err := rows.Scan(append(sliceKeyFields(&f, q.GroupBy), pick(sumFields(&f.FeedbackSums), cols)...)...); err != nil {
			return err
		}
		m.add(&f)
	}
	return rows.Err()
}

// feedbackFilters adds q's filters on surveys, touchpoints, channels and
// locales to the conditions where and their args.
func feedbackFilters(q cxm.FeedbackQuery, where []string, args []any) ([]string, []any) {
	in := func(col string, vals []any) {
		if len(vals) > 0 {
			where = append(where, col+" IN ("+inList(len(vals))+")")
			args = append(args, vals...)
		}
	}
	in("survey_id", anySlice(q.SurveyIDs))
	in("touchpoint_id", anySlice(q.TouchpointIDs))
	in("channel", anySlice(q.Channels))
	in("locale", anySlice(q.Locales))
	return where, args
}

// feedbackDimensionColumns maps each dimension to its rollup column.
var feedbackDimensionColumns = map[cxm.FeedbackDimension]string{
	cxm.ByDay: "day", cxm.ByWeek: "day", cxm.ByMonth: "day", cxm.BySurvey: "survey_id", cxm.ByTouchpoint: "touchpoint_id",
	cxm.ByChannel: "channel", cxm.ByLocale: "locale",
}

// sliceKeyFields returns pointers to the fields of f that the dimensions
// fill, in their order.
func sliceKeyFields(f *cxm.FeedbackSlice, dims []cxm.FeedbackDimension) []any {
	var dest []any
	for _, d := range dims {
		switch d {
		case cxm.ByDay, cxm.ByWeek, cxm.ByMonth:
			dest = append(dest, &f.Day)
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
	return dest
}

// sliceMerger adds up slices that fall into the same group: the same
// period of the grain grouped by, and the same other dimensions.
type sliceMerger struct {
	groupBy []cxm.FeedbackDimension
	grain   rollupGrain
	byTime  bool
	slices  map[cxm.FeedbackSlice]*cxm.FeedbackSlice
}

// add merges f, whose Day is a day or the start of a finer period.
func (m *sliceMerger) add(f *cxm.FeedbackSlice) {
	if m.byTime {
		f.Day = periodStart(f.Day, m.grain)
	}
	key := *f
	key.FeedbackSums = cxm.FeedbackSums{}
	if s := m.slices[key]; s != nil {
		s.Add(f.FeedbackSums)
		return
	}
	m.slices[key] = f
}

// result returns the merged slices in order; with grouping, groups that
// count nothing are left out, and without, the one total is always there.
func (m *sliceMerger) result() []*cxm.FeedbackSlice {
	out := make([]*cxm.FeedbackSlice, 0, len(m.slices))
	for _, s := range m.slices {
		if len(m.groupBy) == 0 || !s.FeedbackSums.IsZero() {
			out = append(out, s)
		}
	}
	if len(m.groupBy) == 0 && len(out) == 0 {
		out = append(out, &cxm.FeedbackSlice{})
	}
	slices.SortFunc(out, func(a, b *cxm.FeedbackSlice) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.SurveyID, b.SurveyID), cmp.Compare(a.TouchpointID, b.TouchpointID),
			strings.Compare(string(a.Channel), string(b.Channel)), strings.Compare(a.Locale, b.Locale), strings.Compare(a.Attribute, b.Attribute))
	})
	return out
}
