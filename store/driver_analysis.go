package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.DriverAnalysisService.
var _ cxm.DriverAnalysisService = (*DB)(nil)

// driverOutcome is one NPS answer of a driver analysis.
type driverOutcome struct {
	id       int64
	publicID string
	customer int64 // 0 when the response has no customer
	at       int64 // completed_at in microseconds
}

// driverBuild holds what the families of a driver analysis share.
type driverBuild struct {
	q    cxm.DriverQuery
	minN int
	rows []driverOutcome
	// byPublic maps a response's public id to its row.
	byPublic map[string]int
	// customers maps a customer id to their rows.
	customers map[int64][]int
	// where and args select the outcome responses r, for subqueries.
	where string
	args  []any
	t     *cxm.DriverTable
}

// DriverTable reads the completed NPS answers of the period (of one survey
// or all) and builds, for each, the drivers of the families asked for.
// Touchpoint experiences count in the window before the answer. Every
// query is scoped to the workspace; at most q.MaxRows answers are read.
func (db *DB) DriverTable(ctx context.Context, q cxm.DriverQuery) (*cxm.DriverTable, error) {
	r := db.reader()
	if q.Window <= 0 {
		q.Window = cxm.DefaultDriverWindow
	}
	if q.MaxRows <= 0 {
		q.MaxRows = cxm.MaxDriverRows
	}
	b := &driverBuild{q: q, minN: q.MinN, byPublic: map[string]int{}, customers: map[int64][]int{},
		t: &cxm.DriverTable{Window: q.Window}}
	if b.minN <= 0 {
		b.minN = 30
	}
	if q.SurveyID != 0 {
		sv, err := findSurvey(ctx, r, q.WorkspaceID, q.SurveyID)
		if err != nil {
			return nil, fmt.Errorf("store: driver table: %w", err)
		}
		if !slices.ContainsFunc(sv.Questions, func(qu cxm.Question) bool { return qu.Kind == cxm.KindNPS }) {
			return nil, cxm.Invalid(cxm.FieldError{Field: "survey", Reason: "has no NPS question"})
		}
	}
	if err := b.readOutcomes(ctx, r); err != nil {
		return nil, fmt.Errorf("store: driver table: %w", err)
	}
	families := q.Families
	if len(families) == 0 {
		families = cxm.DriverFamilies
	}
	if len(b.rows) > 0 {
		for _, f := range families {
			var err error
			switch f {
			case cxm.DriverTouchpoints:
				err = b.touchpoints(ctx, r)
			case cxm.DriverAttributes:
				err = b.attributes(ctx, r)
			case cxm.DriverTopics:
				err = b.topics(ctx, r)
			default:
				err = cxm.Invalid(cxm.FieldError{Field: "families", Reason: fmt.Sprintf("%q is not one of touchpoints, attributes, topics", f)})
			}
			if err != nil {
				return nil, fmt.Errorf("store: driver table: %w", err)
			}
		}
	}
	b.keepEnoughComplete()
	return b.t, nil
}

// readOutcomes reads the outcome answers, oldest first, up to the cap.
func (b *driverBuild) readOutcomes(ctx context.Context, r queryer) error {
	q := b.q
	b.where = "r.workspace_id = ? AND r.completed = 1 AND r.nps IS NOT NULL AND r.completed_at IS NOT NULL"
	b.args = []any{q.WorkspaceID}
	if q.SurveyID != 0 {
		b.where += " AND r.survey_id = ?"
		b.args = append(b.args, q.SurveyID)
	}
	if !q.To.IsZero() {
		// Started before the end too, so that the index on started_at helps.
		b.where += " AND r.started_at < ?"
		b.args = append(b.args, micros(q.To))
	}
	cond, args := periodSQL("r.completed_at", q.From, q.To)
	b.where += cond
	b.args = append(b.args, args...)
	rows, err := r.query(ctx, `SELECT r.id, r.public_id, COALESCE(r.customer_id, 0), r.completed_at, r.nps FROM responses r
		WHERE `+b.where+` ORDER BY r.completed_at, r.id LIMIT ?`, append(slices.Clone(b.args), q.MaxRows+1)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o driverOutcome
		var nps int
		if err := rows.Scan(&o.id, &o.publicID, &o.customer, &o.at, &nps); err != nil {
			return err
		}
		if len(b.rows) == q.MaxRows {
			b.t.Capped = true
			break
		}
		b.byPublic[o.publicID] = len(b.rows)
		if o.customer != 0 {
			b.customers[o.customer] = append(b.customers[o.customer], len(b.rows))
			b.t.Identified++
		}
		b.rows = append(b.rows, o)
		b.t.Outcome = append(b.t.Outcome, float64(nps))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if b.t.Capped {
		// The subqueries must not reach past the last answer read.
		b.where += " AND r.completed_at <= ?"
		b.args = append(b.args, b.rows[len(b.rows)-1].at)
	}
	return nil
}

// span returns the time range the touchpoint experiences of the outcome
// rows lie in: from the window before the first answer to the last.
func (b *driverBuild) span() (from, to int64) {
	first, last := b.rows[0].at, b.rows[0].at
	for _, o := range b.rows {
		first, last = min(first, o.at), max(last, o.at)
	}
	return first - b.q.Window.Microseconds(), last
}

// exclude records a left-out candidate.
func (b *driverBuild) exclude(name string, f cxm.DriverFamily, reason string) {
	b.t.Excluded = append(b.t.Excluded, cxm.ExcludedDriver{Name: name, Family: f, Reason: reason})
}

// column returns a new driver column with every value missing.
func (b *driverBuild) column(name, label string, f cxm.DriverFamily, k cxm.DriverKind) cxm.DriverColumn {
	v := make([]float64, len(b.rows))
	for i := range v {
		v[i] = math.NaN()
	}
	return cxm.DriverColumn{Name: name, Label: label, Family: f, Kind: k, Values: v}
}

// covers reports whether a column with covered values is used, and if
// not, records why.
func (b *driverBuild) covers(c *cxm.DriverColumn) bool {
	share := float64(c.Covered) / float64(len(b.rows))
	if share >= cxm.MinDriverCoverage && c.Covered >= b.minN {
		return true
	}
	b.exclude(c.Name, c.Family, fmt.Sprintf("known for %d of %d answers (%.0f%%); needs at least %.0f%% and %d",
		c.Covered, len(b.rows), share*100, cxm.MinDriverCoverage*100, b.minN))
	return false
}

// tpInfo is a touchpoint's key and name.
type tpInfo struct{ key, name string }

// touchpointNames reads the workspace's touchpoints by id.
func touchpointNames(ctx context.Context, r queryer, ws int64) (map[int64]tpInfo, error) {
	rows, err := r.query(ctx, "SELECT id, key, name FROM touchpoints WHERE workspace_id = ?", ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]tpInfo{}
	for rows.Next() {
		var id int64
		var t tpInfo
		if err := rows.Scan(&id, &t.key, &t.name); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// tpEvent is a customer's scored answer or problem at a touchpoint.
type tpEvent struct {
	response   int64 // the response id of a score, 0 for a flag
	touchpoint int64
	at         int64
	score      float64 // a score on 0..1
	flag       string  // the flag's kind for a flag
}

// inWindow reports whether an event at e lies in the window before the
// answer o (and is not the answer itself).
func (b *driverBuild) inWindow(e *tpEvent, o *driverOutcome) bool {
	return e.at < o.at && e.at >= o.at-b.q.Window.Microseconds() && e.response != o.id
}

// touchpoints builds the touchpoint scores and experience flags.
func (b *driverBuild) touchpoints(ctx context.Context, r queryer) error {
	tps, err := touchpointNames(ctx, r, b.q.WorkspaceID)
	if err != nil {
		return err
	}
	scores, err := b.scoreEvents(ctx, r)
	if err != nil {
		return err
	}
	flags, err := b.flagEvents(ctx, r)
	if err != nil {
		return err
	}
	days := int(b.q.Window.Hours() / 24)

	// Scores: the mean normalised answer per touchpoint.
	type acc struct{ sum, n float64 }
	sums := map[int64][]acc{}
	for cust, idx := range b.customers {
		for _, i := range idx {
			o := &b.rows[i]
			for k := range scores[cust] {
				e := &scores[cust][k]
				if !b.inWindow(e, o) {
					continue
				}
				if sums[e.touchpoint] == nil {
					sums[e.touchpoint] = make([]acc, len(b.rows))
				}
				sums[e.touchpoint][i].sum += e.score
				sums[e.touchpoint][i].n++
			}
		}
	}
	for _, id := range sortedTouchpoints(sums, tps) {
		tp := tps[id]
		c := b.column("touchpoint:"+tp.key, fmt.Sprintf("%s: mean feedback score in the %d days before", tp.name, days),
			cxm.DriverTouchpoints, cxm.DriverTouchpointScore)
		c.High = 1
		for i, a := range sums[id] {
			if a.n > 0 {
				c.Values[i] = a.sum / a.n
				c.Covered++
			}
		}
		if b.covers(&c) {
			b.t.Drivers = append(b.t.Drivers, c)
		}
	}

	// Flags: 1 when the problem happened in the window, 0 when not; only
	// customers' answers have them.
	type flagKey struct {
		touchpoint int64
		kind       string
	}
	set := map[flagKey][]bool{}
	for cust, idx := range b.customers {
		for _, i := range idx {
			o := &b.rows[i]
			for k := range flags[cust] {
				e := &flags[cust][k]
				if !b.inWindow(e, o) {
					continue
				}
				fk := flagKey{e.touchpoint, e.flag}
				if set[fk] == nil {
					set[fk] = make([]bool, len(b.rows))
				}
				set[fk][i] = true
			}
		}
	}
	keys := make([]flagKey, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c flagKey) int {
		return cmp.Or(cmp.Compare(tps[a.touchpoint].key, tps[c.touchpoint].key), cmp.Compare(a.kind, c.kind))
	})
	need := max(5, int(math.Ceil(cxm.MinFlagShare*float64(b.t.Identified))))
	for _, k := range keys {
		tp := tps[k.touchpoint]
		c := b.column("flag:"+tp.key+":"+k.kind, fmt.Sprintf("%s: %s in the %d days before", tp.name, k.kind, days),
			cxm.DriverTouchpoints, cxm.DriverExperienceFlag)
		c.High = 1
		hits := 0
		for _, idx := range b.customers {
			for _, i := range idx {
				c.Values[i] = 0
				c.Covered++
				if set[k][i] {
					c.Values[i] = 1
					hits++
				}
			}
		}
		if hits < need {
			b.exclude(c.Name, c.Family, fmt.Sprintf("happened before %d of %d customers' answers; needs at least %d", hits, b.t.Identified, need))
			continue
		}
		b.t.Drivers = append(b.t.Drivers, c)
	}
	return nil
}

// sortedTouchpoints returns the ids of m that are known touchpoints, by key.
func sortedTouchpoints[V any](m map[int64]V, tps map[int64]tpInfo) []int64 {
	var ids []int64
	for id := range m {
		if _, ok := tps[id]; ok {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, c int64) int { return cmp.Compare(tps[a].key, tps[c].key) })
	return ids
}

// scoreEvents reads the customers' CSAT, CES and rating answers at a
// touchpoint in the span, each put on 0..1 by its scale, by customer.
func (b *driverBuild) scoreEvents(ctx context.Context, r queryer) (map[int64][]tpEvent, error) {
	from, to := b.span()
	rows, err := r.query(ctx, `SELECT r.id, r.customer_id, r.touchpoint_id, r.completed_at, r.csat, r.ces, r.rating FROM responses r
		WHERE r.workspace_id = ? AND r.completed = 1 AND r.customer_id IS NOT NULL AND r.touchpoint_id IS NOT NULL
		AND (r.csat IS NOT NULL OR r.ces IS NOT NULL OR r.rating IS NOT NULL)
		AND r.completed_at >= ? AND r.completed_at < ?
		AND r.customer_id IN (SELECT r.customer_id FROM responses r WHERE `+b.where+`)`,
		append([]any{b.q.WorkspaceID, from, to}, b.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]tpEvent{}
	for rows.Next() {
		var e tpEvent
		var cust int64
		var vals [3]sql.NullInt64
		if err := rows.Scan(&e.response, &cust, &e.touchpoint, &e.at, &vals[0], &vals[1], &vals[2]); err != nil {
			return nil, err
		}
		if _, ok := b.customers[cust]; !ok {
			continue
		}
		for k, kind := range []cxm.QuestionKind{cxm.KindCSAT, cxm.KindCES, cxm.KindRating} {
			lo, hi, _ := kind.Scale()
			if vals[k].Valid && hi > lo {
				e.score = (float64(vals[k].Int64) - float64(lo)) / float64(hi-lo)
				out[cust] = append(out[cust], e)
			}
		}
	}
	return out, rows.Err()
}

// flagEvents reads the customers' problem interactions in the span, by
// customer: those of the ExperienceFlagTypes, and any whose properties
// say "late": true.
func (b *driverBuild) flagEvents(ctx context.Context, r queryer) (map[int64][]tpEvent, error) {
	from, to := b.span()
	types := cxm.ExperienceFlagTypes
	args := []any{b.q.WorkspaceID, from, to}
	for _, t := range types {
		args = append(args, t)
	}
	args = append(append(args, `%"`+cxm.LateProperty+`"%`), b.args...)
	// Only the outcome customers' interactions, found through the index on
	// (workspace_id, customer_id, occurred_at).
	rows, err := r.query(ctx, `SELECT i.customer_id, i.touchpoint_id, i.type, i.occurred_at, i.properties FROM interactions i
		WHERE i.workspace_id = ? AND i.customer_id IS NOT NULL AND i.occurred_at >= ? AND i.occurred_at < ?
		AND (i.type IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ")+`) OR i.properties LIKE ?)
		AND i.customer_id IN (SELECT r.customer_id FROM responses r WHERE `+b.where+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]tpEvent{}
	for rows.Next() {
		var e tpEvent
		var cust int64
		var typ string
		var props sql.NullString
		if err := rows.Scan(&cust, &e.touchpoint, &typ, &e.at, &props); err != nil {
			return nil, err
		}
		if _, ok := b.customers[cust]; !ok {
			continue
		}
		if slices.Contains(types, typ) {
			e.flag = typ
			out[cust] = append(out[cust], e)
		}
		if props.Valid && strings.Contains(props.String, cxm.LateProperty) {
			var p map[string]any
			if json.Unmarshal([]byte(props.String), &p) == nil && p[cxm.LateProperty] == true {
				e.flag = cxm.LateProperty
				out[cust] = append(out[cust], e)
			}
		}
	}
	return out, rows.Err()
}

// keepEnoughComplete drops the least covered drivers, one at a time, while
// fewer rows than min n (and than drivers + 2) have every driver: listwise
// deletion would otherwise leave too little to analyse.
func (b *driverBuild) keepEnoughComplete() {
	for {
		ds := b.t.Drivers
		complete := 0
		for i := range b.rows {
			if !slices.ContainsFunc(ds, func(c cxm.DriverColumn) bool { return math.IsNaN(c.Values[i]) }) {
				complete++
			}
		}
		if complete >= max(b.minN, len(ds)+2) {
			return
		}
		worst := -1
		for j, c := range ds {
			if c.Covered < len(b.rows) && (worst < 0 || c.Covered < ds[worst].Covered) {
				worst = j
			}
		}
		if worst < 0 {
			return
		}
		c := ds[worst]
		b.exclude(c.Name, c.Family, fmt.Sprintf("known for %d of %d answers; with it only %d answers had every driver", c.Covered, len(b.rows), complete))
		b.t.Drivers = slices.Delete(ds, worst, worst+1)
	}
}
