package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.RollupService.
var _ cxm.RollupService = (*DB)(nil)

// rollupKey names one row of response_rollups within a workspace.
type rollupKey struct {
	day          int
	surveyID     int64
	touchpointID int64
	channel      string
	locale       string
}

// rollupDelta is a change to a workspace's rollups, row by row.
type rollupDelta map[rollupKey]*cxm.FeedbackSums

// add counts one completed response under k, or takes it away with sign −1.
func (d rollupDelta) add(k rollupKey, nps, csat, ces, rating *int, sign int64) {
	s := d[k]
	if s == nil {
		s = &cxm.FeedbackSums{}
		d[k] = s
	}
	s.AddScores(nps, csat, ces, rating, sign)
}

// rollupSumColumns are the statistics columns of response_rollups, in the
// order of sumArgs.
var rollupSumColumns = []string{"responses", "promoters", "passives", "detractors",
	"csat_n", "csat_top2", "csat_sum", "csat_sumsq", "ces_n", "ces_easy", "ces_sum", "ces_sumsq",
	"rating_n", "rating_sum", "rating_sumsq"}

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

// upsertRollup adds a row's sums to the stored ones, creating the row when
// it is new. One statement, portable between SQLite and PostgreSQL.
var upsertRollup = func() string {
	var set []string
	for _, c := range rollupSumColumns {
		set = append(set, c+" = response_rollups."+c+" + excluded."+c)
	}
	return "INSERT INTO response_rollups (workspace_id, day, survey_id, touchpoint_id, channel, locale, " +
		strings.Join(rollupSumColumns, ", ") + ") VALUES " + placeholders(1, 6+len(rollupSumColumns)) +
		" ON CONFLICT (workspace_id, day, survey_id, touchpoint_id, channel, locale) DO UPDATE SET " +
		strings.Join(set, ", ")
}()

// applyRollup adds d to the workspace's rollups inside tx.
func applyRollup(ctx context.Context, tx queryer, workspaceID int64, d rollupDelta) error {
	for k, s := range d {
		if s.IsZero() {
			continue
		}
		args := append([]any{workspaceID, k.day, k.surveyID, k.touchpointID, k.channel, k.locale}, sumArgs(s)...)
		if _, err := tx.exec(ctx, upsertRollup, args...); err != nil {
			return fmt.Errorf("update rollup: %w", err)
		}
	}
	return nil
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
	rows, err := q.query(ctx, "SELECT day, survey_id, touchpoint_id, channel, locale, "+strings.Join(rollupSumColumns, ", ")+
		" FROM response_rollups WHERE workspace_id = ?", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("read rollups: %w", err)
	}
	defer rows.Close()
	d := rollupDelta{}
	for rows.Next() {
		var k rollupKey
		var s cxm.FeedbackSums
		if err := rows.Scan(append([]any{&k.day, &k.surveyID, &k.touchpointID, &k.channel, &k.locale}, sumFields(&s)...)...); err != nil {
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
			m := cxm.RollupMismatch{Key: cxm.FeedbackSlice{Day: k.day, SurveyID: k.surveyID, TouchpointID: k.touchpointID,
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

// feedbackDimensionColumns maps each dimension to its rollup column.
var feedbackDimensionColumns = map[cxm.FeedbackDimension]string{
	cxm.ByDay: "day", cxm.BySurvey: "survey_id", cxm.ByTouchpoint: "touchpoint_id",
	cxm.ByChannel: "channel", cxm.ByLocale: "locale",
}

// FeedbackSlices sums the workspace's rollups that match q, grouped by
// q.GroupBy. It reads only rollup rows, never raw responses.
func (db *DB) FeedbackSlices(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery) ([]*cxm.FeedbackSlice, error) {
	where := []string{"workspace_id = ?"}
	args := []any{workspaceID}
	if q.FromDay != 0 {
		where, args = append(where, "day >= ?"), append(args, q.FromDay)
	}
	if q.ToDay != 0 {
		where, args = append(where, "day < ?"), append(args, q.ToDay)
	}
	in := func(col string, vals []any) {
		if len(vals) > 0 {
			where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
			args = append(args, vals...)
		}
	}
	in("survey_id", anySlice(q.SurveyIDs))
	in("touchpoint_id", anySlice(q.TouchpointIDs))
	in("channel", anySlice(q.Channels))
	in("locale", anySlice(q.Locales))
	var groups []string
	for _, g := range q.GroupBy {
		col, ok := feedbackDimensionColumns[g]
		if !ok {
			return nil, cxm.Invalid(cxm.FieldError{Field: "group_by", Reason: fmt.Sprintf("%q is not a dimension", g)})
		}
		groups = append(groups, col)
	}
	sums := make([]string, len(rollupSumColumns))
	for i, c := range rollupSumColumns {
		sums[i] = "COALESCE(SUM(" + c + "), 0)"
	}
	sel := strings.Join(sums, ", ")
	if len(groups) > 0 {
		sel = strings.Join(groups, ", ") + ", " + sel
	}
	query := "SELECT " + sel + " FROM response_rollups WHERE " + strings.Join(where, " AND ")
	if len(groups) > 0 {
		query += " GROUP BY " + strings.Join(groups, ", ") + " ORDER BY " + strings.Join(groups, ", ")
	}
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: feedback slices: %w", err)
	}
	defer rows.Close()
	out := []*cxm.FeedbackSlice{}
	for rows.Next() {
		var f cxm.FeedbackSlice
		var dest []any
		for _, g := range q.GroupBy {
			switch g {
			case cxm.ByDay:
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
		if err := rows.Scan(append(dest, sumFields(&f.FeedbackSums)...)...); err != nil {
			return nil, fmt.Errorf("store: feedback slices: %w", err)
		}
		if len(groups) > 0 && f.FeedbackSums.IsZero() {
			continue
		}
		out = append(out, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feedback slices: %w", err)
	}
	return out, nil
}

// anySlice turns a slice into arguments for IN (…).
func anySlice[T any](vals []T) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}
