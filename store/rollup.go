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

// DB implements cxm.RollupService.
var _ cxm.RollupService = (*DB)(nil)

// rollupGrain is the length of the period one rollup row counts.
type rollupGrain int16

// The grains of rollup rows. Every response is counted once in each.
const (
	// grainDay rows count a local day, their day.
	grainDay rollupGrain = 0
	// grainWeek rows count an ISO week; their day is its Monday.
	grainWeek rollupGrain = 1
	// grainMonth rows count a calendar month; their day is its first.
	grainMonth rollupGrain = 2
)

// rollupGrains lists every grain, finest first.
var rollupGrains = []rollupGrain{grainDay, grainWeek, grainMonth}

// periodStart returns the first day of the period of grain g that holds
// the yyyymmdd day: the day itself, its week's Monday or its month's first.
func periodStart(day int, g rollupGrain) int {
	switch g {
	case grainWeek:
		t := cxm.DayTime(day, time.UTC)
		return cxm.LocalDay(t.AddDate(0, 0, -(int(t.Weekday())+6)%7), time.UTC)
	case grainMonth:
		return day/100*100 + 1
	}
	return day
}

// nextPeriod returns the first day of the period of grain g after the one
// that starts on the yyyymmdd day start.
func nextPeriod(start int, g rollupGrain) int {
	t := cxm.DayTime(start, time.UTC)
	switch g {
	case grainWeek:
		t = t.AddDate(0, 0, 7)
	case grainMonth:
		t = t.AddDate(0, 1, 0)
	default:
		t = t.AddDate(0, 0, 1)
	}
	return cxm.LocalDay(t, time.UTC)
}

// String names the grain as verify reports it.
func (g rollupGrain) String() string {
	switch g {
	case grainWeek:
		return "week"
	case grainMonth:
		return "month"
	}
	return "day"
}

// rollupKey names one row of response_rollups within a workspace.
type rollupKey struct {
	grain        rollupGrain
	day          int
	surveyID     int64
	touchpointID int64
	channel      string
	locale       string
}

// rollupDelta is a change to a workspace's rollups, row by row.
type rollupDelta map[rollupKey]*cxm.FeedbackSums

// add counts one completed response under the day key k and under its
// week and month, or takes it away again with sign −1.
func (d rollupDelta) add(k rollupKey, nps, csat, ces, rating *int, sign int64) {
	for _, g := range rollupGrains {
		d.sums(k.in(g)).AddScores(nps, csat, ces, rating, sign)
	}
}

// in returns the key of the row of grain g that counts the day key k.
func (k rollupKey) in(g rollupGrain) rollupKey {
	k.grain, k.day = g, periodStart(k.day, g)
	return k
}

// sums returns the sums of row k, adding an empty row when there is none.
func (d rollupDelta) sums(k rollupKey) *cxm.FeedbackSums {
	s := d[k]
	if s == nil {
		s = &cxm.FeedbackSums{}
		d[k] = s
	}
	return s
}

// rollupSumColumns are the statistics columns of response_rollups, in the
// order of sumArgs.
var rollupSumColumns = []string{"responses", "promoters", "passives", "detractors",
	"csat_n", "csat_top2", "csat_sum", "csat_sumsq", "ces_n", "ces_easy", "ces_sum", "ces_sumsq",
	"rating_n", "rating_sum", "rating_sumsq"}

// metricSumColumns lists, per metric, the indexes into rollupSumColumns
// of its sums, the count of responses first.
var metricSumColumns = map[string][]int{
	"nps": {0, 1, 2, 3}, "csat": {0, 4, 5, 6, 7}, "ces": {0, 8, 9, 10, 11}, "rating": {0, 12, 13, 14},
}

// sumColumnsOf returns the indexes into rollupSumColumns that a query
// limited to the sums of metric only reads: all of them when only is empty.
func sumColumnsOf(only string) ([]int, error) {
	if only == "" {
		all := make([]int, len(rollupSumColumns))
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	cols, ok := metricSumColumns[only]
	if !ok {
		return nil, cxm.Invalid(cxm.FieldError{Field: "only", Reason: fmt.Sprintf("%q is not one of nps, csat, ces, rating", only)})
	}
	return cols, nil
}

// pick returns the elements of all at the indexes idx.
func pick[T any](all []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = all[j]
	}
	return out
}

// sumFields returns pointers to the fields of s in the order of rollupSumColumns.
func sumFields(s *cxm.FeedbackSums) []any {
	return []any{&s.Responses, &s.Promoters, &s.Passives, &s.Detractors,
		&s.CSATN, &s.CSATTop2, &s.CSATSum, &s.CSATSumSq, &s.CESN, &s.CESEasy, &s.CESSum, &s.CESSumSq,
		&s.RatingN, &s.RatingSum, &s.RatingSumSq}
}

// sumArgs returns the values of s in the order of rollupSumColumns.
func sumArgs(s *cxm.FeedbackSums) []any {
	return []any{s.Responses, s.Promoters, s.Passives, s.Detractors,
		s.CSATN, s.CSATTop2, s.CSATSum, s.CSATSumSq, s.CESN, s.CESEasy, s.CESSum, s.CESSumSq,
		s.RatingN, s.RatingSum, s.RatingSumSq}
}

// rollupKeyColumns is the number of key columns of response_rollups.
const rollupKeyColumns = 7

// keyArgs returns the key columns of row k of the workspace.
func (k rollupKey) keyArgs(workspaceID int64) []any {
	return []any{workspaceID, k.grain, k.day, k.surveyID, k.touchpointID, k.channel, k.locale}
}

// upsertRollup adds a row's sums to the stored ones, creating the row when
// it is new. One statement, portable between SQLite and PostgreSQL.
var upsertRollup = func() string {
	var set []string
	for _, c := range rollupSumColumns {
		set = append(set, c+" = response_rollups."+c+" + excluded."+c)
	}
	return "INSERT INTO response_rollups (workspace_id, grain, day, survey_id, touchpoint_id, channel, locale, " +
		strings.Join(rollupSumColumns, ", ") + ") VALUES " + placeholders(1, rollupKeyColumns+len(rollupSumColumns)) +
		" ON CONFLICT (workspace_id, grain, day, survey_id, touchpoint_id, channel, locale) DO UPDATE SET " +
		strings.Join(set, ", ")
}()

// applyRollup adds d to the workspace's rollups inside tx, with
// multi-row statements: a response touches its day, week and month rows
// in one statement, and an import many rows at once. The rows go in key
// order, so that concurrent writers on PostgreSQL lock them in the same
// order.
func applyRollup(ctx context.Context, tx queryer, workspaceID int64, d rollupDelta) error {
	keys := make([]rollupKey, 0, len(d))
	for k, s := range d {
		if !s.IsZero() {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.grain, b.grain), cmp.Compare(a.day, b.day), cmp.Compare(a.surveyID, b.surveyID),
			cmp.Compare(a.touchpointID, b.touchpointID), strings.Compare(a.channel, b.channel), strings.Compare(a.locale, b.locale))
	})
	size := bulkRows(tx.dialect())
	args := make([]any, 0, min(len(keys), size)*(rollupKeyColumns+len(rollupSumColumns)))
	for start := 0; start < len(keys); start += size {
		chunk := keys[start:min(start+size, len(keys))]
		args = args[:0]
		for _, k := range chunk {
			args = append(append(args, k.keyArgs(workspaceID)...), sumArgs(d[k])...)
		}
		if _, err := tx.exec(ctx, upsertRollupsSQL(len(chunk)), args...); err != nil {
			return fmt.Errorf("update rollups: %w", err)
		}
	}
	return nil
}

// upsertRollupsSQL returns upsertRollup for rows rows at once.
func upsertRollupsSQL(rows int) string {
	return strings.Replace(upsertRollup, placeholders(1, rollupKeyColumns+len(rollupSumColumns)), placeholders(rows, rollupKeyColumns+len(rollupSumColumns)), 1)
}

// countCompleted adds the response that this submit completes to the
// rollups, in the submit's transaction.
func (s *submit) countCompleted(completedAt time.Time, locale string, nps, csat, ces, rating *int) error {
	k := rollupKey{day: cxm.LocalDay(completedAt, s.db.location(s.zone)), surveyID: s.r.SurveyID, touchpointID: s.tpID, channel: s.channel, locale: locale}
	d := rollupDelta{}
	d.add(k, nps, csat, ces, rating, 1)
	return applyRollup(s.ctx, s.tx, s.r.WorkspaceID, d)
}

// location returns the time zone called name, loaded once.
func (db *DB) location(name string) *time.Location {
	if loc, ok := db.zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Workspaces validate their zone; a zone the system lost counts in UTC.
		loc = time.UTC
	}
	db.zones.Store(name, loc)
	return loc
}

// workspaceLocation reads the workspace's time zone inside tx.
func (db *DB) workspaceLocation(ctx context.Context, q queryer, workspaceID int64) (*time.Location, error) {
	var zone string
	if err := q.queryRow(ctx, "SELECT time_zone FROM workspaces WHERE id = ?", workspaceID).Scan(&zone); err != nil {
		return nil, fmt.Errorf("workspace time zone: %w", err)
	}
	return db.location(zone), nil
}

// rawRollupColumns are what a recount reads of each completed response.
const rawRollupColumns = "completed_at, survey_id, COALESCE(touchpoint_id, 0), channel, locale, nps, csat, ces, rating"

// countResponses adds to d, with sign, every completed response of the
// workspace that where (a condition on responses, with args) selects.
func countResponses(ctx context.Context, q queryer, workspaceID int64, loc *time.Location, d rollupDelta, sign int64, where string, args ...any) (int64, error) {
	rows, err := q.query(ctx, "SELECT "+rawRollupColumns+" FROM responses WHERE workspace_id = ? AND completed = 1 AND ("+where+")",
		append([]any{workspaceID}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("count responses: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var completedAt int64
		var k rollupKey
		var nps, csat, ces, rating sql.NullInt64
		if err := rows.Scan(&completedAt, &k.surveyID, &k.touchpointID, &k.channel, &k.locale, &nps, &csat, &ces, &rating); err != nil {
			return 0, fmt.Errorf("count responses: %w", err)
		}
		k.day = cxm.LocalDay(fromMicros(completedAt), loc)
		d.add(k, intPtr(nps), intPtr(csat), intPtr(ces), intPtr(rating), sign)
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count responses: %w", err)
	}
	return n, nil
}

// forgetResponses takes the completed responses that where selects out of
// the rollups, before a statement in the same transaction deletes them.
func (db *DB) forgetResponses(ctx context.Context, tx queryer, workspaceID int64, where string, args ...any) error {
	loc, err := db.workspaceLocation(ctx, tx, workspaceID)
	if err != nil {
		return err
	}
	d := rollupDelta{}
	if _, err := countResponses(ctx, tx, workspaceID, loc, d, -1, where, args...); err != nil {
		return err
	}
	return applyRollup(ctx, tx, workspaceID, d)
}

// readRollups returns the stored rollups of the workspace, without rows
// that count nothing.
func readRollups(ctx context.Context, q queryer, workspaceID int64) (rollupDelta, error) {
	rows, err := q.query(ctx, "SELECT grain, day, survey_id, touchpoint_id, channel, locale, "+strings.Join(rollupSumColumns, ", ")+
		" FROM response_rollups WHERE workspace_id = ?", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("read rollups: %w", err)
	}
	defer rows.Close()
	d := rollupDelta{}
	for rows.Next() {
		var k rollupKey
		var s cxm.FeedbackSums
		if err := rows.Scan(append([]any{&k.grain, &k.day, &k.surveyID, &k.touchpointID, &k.channel, &k.locale}, sumFields(&s)...)...); err != nil {
			return nil, fmt.Errorf("read rollups: %w", err)
		}
		if !s.IsZero() {
			d[k] = &s
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read rollups: %w", err)
	}
	return d, nil
}

// recount counts the workspace's rollups afresh from its responses.
func (db *DB) recount(ctx context.Context, q queryer, workspaceID int64) (rollupDelta, int64, error) {
	loc, err := db.workspaceLocation(ctx, q, workspaceID)
	if err != nil {
		return nil, 0, err
	}
	d := rollupDelta{}
	n, err := countResponses(ctx, q, workspaceID, loc, d, 1, "1 = 1")
	if err != nil {
		return nil, 0, err
	}
	for k, s := range d {
		if s.IsZero() {
			delete(d, k)
		}
	}
	return d, n, nil
}

// compareRollups reports how stored differs from recounted.
func compareRollups(stored, recounted rollupDelta, responses int64) *cxm.RollupCheck {
	c := &cxm.RollupCheck{Rows: len(recounted), Responses: responses}
	mismatch := func(k rollupKey, s, r *cxm.FeedbackSums) {
		c.MismatchCount++
		if len(c.Mismatches) < 20 {
			m := cxm.RollupMismatch{Grain: k.grain.String(), Key: cxm.FeedbackSlice{Day: k.day, SurveyID: k.surveyID, TouchpointID: k.touchpointID,
				Channel: cxm.Channel(k.channel), Locale: k.locale}}
			if s != nil {
				m.Stored = *s
			}
			if r != nil {
				m.Recounted = *r
			}
			c.Mismatches = append(c.Mismatches, m)
		}
	}
	for k, r := range recounted {
		if s := stored[k]; s == nil || *s != *r {
			mismatch(k, s, r)
		}
	}
	for k, s := range stored {
		if recounted[k] == nil {
			mismatch(k, s, nil)
		}
	}
	return c
}

// VerifyRollups recounts the workspace's rollups from its raw responses
// and reports every difference.
func (db *DB) VerifyRollups(ctx context.Context, workspaceID int64) (*cxm.RollupCheck, error) {
	var check *cxm.RollupCheck
	// Read both sides in one transaction, so that responses arriving
	// meanwhile cannot make a difference that is not there.
	err := db.inTx(ctx, func(tx queryer) error {
		if _, err := db.workspaceLocation(ctx, tx, workspaceID); err != nil {
			return cxm.NotFound("workspace")
		}
		stored, err := readRollups(ctx, tx, workspaceID)
		if err != nil {
			return err
		}
		recounted, n, err := db.recount(ctx, tx, workspaceID)
		if err != nil {
			return err
		}
		check = compareRollups(stored, recounted, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: verify rollups: %w", err)
	}
	return check, nil
}

// RebuildRollups replaces the workspace's rollups by a recount, in one
// transaction, and returns what differed before.
func (db *DB) RebuildRollups(ctx context.Context, workspaceID int64) (*cxm.RollupCheck, error) {
	var check *cxm.RollupCheck
	err := db.inTx(ctx, func(tx queryer) error {
		if _, err := db.workspaceLocation(ctx, tx, workspaceID); err != nil {
			return cxm.NotFound("workspace")
		}
		var err error
		check, err = db.rebuildRollups(ctx, tx, workspaceID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: rebuild rollups: %w", err)
	}
	return check, nil
}

// rebuildRollups recounts the workspace's rollups inside tx.
func (db *DB) rebuildRollups(ctx context.Context, tx queryer, workspaceID int64) (*cxm.RollupCheck, error) {
	stored, err := readRollups(ctx, tx, workspaceID)
	if err != nil {
		return nil, err
	}
	recounted, n, err := db.recount(ctx, tx, workspaceID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, "DELETE FROM response_rollups WHERE workspace_id = ?", workspaceID); err != nil {
		return nil, fmt.Errorf("clear rollups: %w", err)
	}
	if err := applyRollup(ctx, tx, workspaceID, recounted); err != nil {
		return nil, err
	}
	return compareRollups(stored, recounted, n), nil
}

// anySlice turns a slice into arguments for IN (…).
func anySlice[T any](vals []T) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

// fillRollupPeriods adds the week and month rows of the daily rollup rows
// counted before the rollups had them, once, after the migration that
// added them: when there are daily rows but no coarser ones at all.
func (db *DB) fillRollupPeriods(ctx context.Context) error {
	err := db.inTx(ctx, func(tx queryer) error {
		var days, coarse int
		if err := tx.queryRow(ctx, "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM response_rollups WHERE grain = 0 LIMIT 1) d), "+
			"(SELECT COUNT(*) FROM (SELECT 1 FROM response_rollups WHERE grain <> 0 LIMIT 1) c)").Scan(&days, &coarse); err != nil {
			return err
		}
		if days == 0 || coarse > 0 {
			return nil
		}
		rows, err := tx.query(ctx, "SELECT DISTINCT workspace_id FROM response_rollups")
		if err != nil {
			return err
		}
		var workspaces []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			workspaces = append(workspaces, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ws := range workspaces {
			stored, err := readRollups(ctx, tx, ws)
			if err != nil {
				return err
			}
			periods := rollupDelta{}
			for k, s := range stored {
				for _, g := range rollupGrains[1:] {
					periods.sums(k.in(g)).Add(*s)
				}
			}
			if err := applyRollup(ctx, tx, ws, periods); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: fill week and month rollups: %w", err)
	}
	return nil
}
