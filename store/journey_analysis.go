package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.JourneyAnalysisService.
var _ cxm.JourneyAnalysisService = (*DB)(nil)

// analysisTouchpoint is a touchpoint with its stage, as journey analyses
// need it.
type analysisTouchpoint struct {
	key, name string
	channel   cxm.Channel
	stageKey  string
	// stage is the index of the touchpoint's stage in the analysed
	// journey, or -1 when it belongs to another journey.
	stage int
	// position is the stage's position in its own journey.
	position int
}

// journeyScope is what every journey analysis starts from: the journey and
// the workspace's touchpoints by id.
type journeyScope struct {
	journey     *cxm.Journey
	touchpoints map[int64]*analysisTouchpoint
}

// ref names the scope's journey.
func (s *journeyScope) ref() cxm.JourneyRef {
	return cxm.JourneyRef{ID: s.journey.ID, Key: s.journey.Key, Name: s.journey.Name}
}

// loadJourneyScope reads the journey of q (the default one when q names
// none) and the workspace's touchpoints.
func loadJourneyScope(ctx context.Context, r queryer, q cxm.JourneyQuery) (*journeyScope, error) {
	id := q.JourneyID
	if id == 0 {
		err := r.queryRow(ctx, "SELECT id FROM journeys WHERE workspace_id = ? AND is_default = 1", q.WorkspaceID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, cxm.NotFound("journey")
		}
		if err != nil {
			return nil, err
		}
	}
	j, err := findJourney(ctx, r, q.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	stageIndex := map[int64]int{}
	for i, st := range j.Stages {
		stageIndex[st.ID] = i
	}
	rows, err := r.query(ctx, `SELECT t.id, t.key, t.name, t.channel, t.stage_id, s.key, s.position
		FROM touchpoints t JOIN stages s ON s.id = t.stage_id AND s.workspace_id = ?
		WHERE t.workspace_id = ?`, q.WorkspaceID, q.WorkspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tps := map[int64]*analysisTouchpoint{}
	for rows.Next() {
		var id, stageID int64
		tp := &analysisTouchpoint{}
		if err := rows.Scan(&id, &tp.key, &tp.name, &tp.channel, &stageID, &tp.stageKey, &tp.position); err != nil {
			return nil, err
		}
		tp.stage = -1
		if i, ok := stageIndex[stageID]; ok {
			tp.stage = i
		}
		tps[id] = tp
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return &journeyScope{journey: j, touchpoints: tps}, nil
}

// periodSQL returns the condition " AND col >= ? AND col < ?" for the ends
// of [from, to) that are set, with its arguments.
func periodSQL(col string, from, to time.Time) (string, []any) {
	var b strings.Builder
	var args []any
	if !from.IsZero() {
		b.WriteString(" AND " + col + " >= ?")
		args = append(args, micros(from))
	}
	if !to.IsZero() {
		b.WriteString(" AND " + col + " < ?")
		args = append(args, micros(to))
	}
	return b.String(), args
}

// JourneyFunnel counts, for each stage of the journey, the distinct
// customers with at least one interaction at one of its touchpoints in the
// period, and how many of them had also reached the stage before. It
// streams one row per customer and touchpoint.
func (db *DB) JourneyFunnel(ctx context.Context, q cxm.JourneyQuery) (*cxm.JourneyFunnel, error) {
	r := db.reader()
	sc, err := loadJourneyScope(ctx, r, q)
	if err != nil {
		return nil, fmt.Errorf("store: journey funnel: %w", err)
	}
	n := len(sc.journey.Stages)
	reached := make([]int64, n)
	both := make([]int64, n)
	var customers int64
	flush := func(mask uint64) {
		if mask == 0 {
			return
		}
		customers++
		for i := range n {
			if mask&(1<<i) != 0 {
				reached[i]++
				if i > 0 && mask&(1<<(i-1)) != 0 {
					both[i]++
				}
			}
		}
	}
	cond, args := periodSQL("i.occurred_at", q.From, q.To)
	rows, err := r.query(ctx, `SELECT DISTINCT i.customer_id, i.touchpoint_id FROM interactions i
		WHERE i.workspace_id = ? AND i.customer_id IS NOT NULL`+cond+` ORDER BY i.customer_id`,
		append([]any{q.WorkspaceID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: journey funnel: %w", err)
	}
	defer rows.Close()
	var current int64
	var mask uint64
	for rows.Next() {
		var cust, tpID int64
		if err := rows.Scan(&cust, &tpID); err != nil {
			return nil, fmt.Errorf("store: journey funnel: %w", err)
		}
		if cust != current {
			flush(mask)
			current, mask = cust, 0
		}
		if tp := sc.touchpoints[tpID]; tp != nil && tp.stage >= 0 {
			mask |= 1 << tp.stage
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journey funnel: %w", err)
	}
	flush(mask)
	f := &cxm.JourneyFunnel{Journey: sc.ref(), Customers: customers, Stages: make([]cxm.FunnelStage, n)}
	for i, st := range sc.journey.Stages {
		f.Stages[i] = cxm.FunnelStage{Key: st.Key, Names: st.Names, Position: st.Position, Customers: reached[i], FromPrevious: both[i]}
	}
	return f, nil
}

// journeyEvent is one interaction of a customer at a touchpoint of the
// analysed journey.
type journeyEvent struct {
	touchpoint int64
	stage      int
	at         int64
}

// eachCustomerPath streams the customers' interactions at the journey's
// touchpoints in the period, ordered by time and then by arrival, and calls
// fn with each customer's events. The slice is reused between calls.
func eachCustomerPath(ctx context.Context, r queryer, sc *journeyScope, q cxm.JourneyQuery, fn func([]journeyEvent)) error {
	cond, args := periodSQL("i.occurred_at", q.From, q.To)
	rows, err := r.query(ctx, `SELECT i.customer_id, i.touchpoint_id, i.occurred_at FROM interactions i
		WHERE i.workspace_id = ? AND i.customer_id IS NOT NULL`+cond+`
		ORDER BY i.customer_id, i.occurred_at, i.id`,
		append([]any{q.WorkspaceID}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var current int64
	var path []journeyEvent
	for rows.Next() {
		var cust, tpID, at int64
		if err := rows.Scan(&cust, &tpID, &at); err != nil {
			return err
		}
		if cust != current {
			if len(path) > 0 {
				fn(path)
			}
			current, path = cust, path[:0]
		}
		if tp := sc.touchpoints[tpID]; tp != nil && tp.stage >= 0 {
			path = append(path, journeyEvent{touchpoint: tpID, stage: tp.stage, at: at})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(path) > 0 {
		fn(path)
	}
	return nil
}

// JourneyTransitions counts the steps from each interaction of a customer
// to their next one at another touchpoint of the journey, within q.MaxGap
// when set, and returns the q.Limit most frequent as an acyclic graph; see
// cxm.JourneyTransitions for how cycles are handled.
func (db *DB) JourneyTransitions(ctx context.Context, q cxm.JourneyQuery) (*cxm.JourneyTransitions, error) {
	r := db.reader()
	sc, err := loadJourneyScope(ctx, r, q)
	if err != nil {
		return nil, fmt.Errorf("store: journey transitions: %w", err)
	}
	type pair struct{ from, to int64 }
	counts := map[pair]int64{}
	maxGap := q.MaxGap.Microseconds()
	err = eachCustomerPath(ctx, r, sc, q, func(path []journeyEvent) {
		for k := 1; k < len(path); k++ {
			a, b := path[k-1], path[k]
			if a.touchpoint == b.touchpoint || (maxGap > 0 && b.at-a.at > maxGap) {
				continue
			}
			counts[pair{a.touchpoint, b.touchpoint}]++
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: journey transitions: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = cxm.DefaultTransitionLimit
	}
	all := make([]cxm.Transition, 0, len(counts))
	out := &cxm.JourneyTransitions{Journey: sc.ref(), Nodes: []cxm.TransitionNode{}, Links: []cxm.Transition{}, Cyclic: []cxm.Transition{}, Distinct: len(counts)}
	for p, c := range counts {
		out.Total += c
		all = append(all, cxm.Transition{Source: sc.touchpoints[p.from].key, Target: sc.touchpoints[p.to].key, Value: c})
	}
	slices.SortFunc(all, func(a, b cxm.Transition) int {
		if a.Value != b.Value {
			return cmp.Compare(b.Value, a.Value)
		}
		if a.Source != b.Source {
			return strings.Compare(a.Source, b.Source)
		}
		return strings.Compare(a.Target, b.Target)
	})
	all = all[:min(limit, len(all))]
	// Keep a link only if the target cannot already reach the source.
	next := map[string][]string{}
	reaches := func(from, to string) bool {
		seen := map[string]bool{from: true}
		stack := []string{from}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if v == to {
				return true
			}
			for _, w := range next[v] {
				if !seen[w] {
					seen[w] = true
					stack = append(stack, w)
				}
			}
		}
		return false
	}
	used := map[string]bool{}
	for _, l := range all {
		if reaches(l.Target, l.Source) {
			out.Cyclic = append(out.Cyclic, l)
			continue
		}
		next[l.Source] = append(next[l.Source], l.Target)
		out.Links = append(out.Links, l)
		used[l.Source], used[l.Target] = true, true
	}
	for _, tp := range sc.touchpoints {
		if used[tp.key] {
			out.Nodes = append(out.Nodes, cxm.TransitionNode{Key: tp.key, Name: tp.name, Stage: tp.stageKey, Channel: tp.channel, Position: tp.stage + 1})
		}
	}
	slices.SortFunc(out.Nodes, func(a, b cxm.TransitionNode) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// JourneyStageTimes measures, for each customer and each pair of
// consecutive stages, the time from their first interaction in the first
// stage to their first later interaction in the second, within the period.
func (db *DB) JourneyStageTimes(ctx context.Context, q cxm.JourneyQuery) (*cxm.JourneyStageTimes, error) {
	r := db.reader()
	sc, err := loadJourneyScope(ctx, r, q)
	if err != nil {
		return nil, fmt.Errorf("store: journey stage times: %w", err)
	}
	n := len(sc.journey.Stages)
	durations := make([][]time.Duration, max(n-1, 0))
	err = eachCustomerPath(ctx, r, sc, q, func(path []journeyEvent) {
		for s := 0; s+1 < n; s++ {
			first := slices.IndexFunc(path, func(e journeyEvent) bool { return e.stage == s })
			if first < 0 {
				continue
			}
			for _, e := range path[first+1:] {
				if e.stage == s+1 {
					durations[s] = append(durations[s], time.Duration(e.at-path[first].at)*time.Microsecond)
					break
				}
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: journey stage times: %w", err)
	}
	out := &cxm.JourneyStageTimes{Journey: sc.ref(), Pairs: []cxm.StageTime{}}
	for s, ds := range durations {
		out.Pairs = append(out.Pairs, cxm.StageTime{From: sc.journey.Stages[s].Key, To: sc.journey.Stages[s+1].Key,
			DurationSummary: cxm.SummarizeDurations(ds)})
	}
	return out, nil
}

// JourneyAttribution groups the customers first seen in the period by
// their first touchpoint and sums, per group, their purchases, the NPS
// answers of their completed responses and the value of their interactions,
// each at any time. Customers without a first touchpoint are left out.
func (db *DB) JourneyAttribution(ctx context.Context, q cxm.JourneyQuery) (*cxm.JourneyAttribution, error) {
	r := db.reader()
	sc, err := loadJourneyScope(ctx, r, q)
	if err != nil {
		return nil, fmt.Errorf("store: journey attribution: %w", err)
	}
	cond, period := periodSQL("c.first_seen_at", q.From, q.To)
	groups := map[int64]*cxm.AttributionGroup{}
	group := func(tpID int64) *cxm.AttributionGroup {
		g := groups[tpID]
		if g == nil {
			g = &cxm.AttributionGroup{}
			if tp := sc.touchpoints[tpID]; tp != nil {
				g.Touchpoint, g.Name, g.Stage, g.Channel = tp.key, tp.name, tp.stageKey, tp.channel
			}
			groups[tpID] = g
		}
		return g
	}
	purchase := "'" + strings.Join(cxm.PurchaseTypes, "', '") + "'"
	args := append([]any{q.WorkspaceID, q.WorkspaceID}, period...)
	rows, err := r.query(ctx, `SELECT c.first_touchpoint_id, COUNT(*),
			SUM(CASE WHEN o.orders >= 1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN o.orders >= 2 THEN 1 ELSE 0 END),
			COALESCE(SUM(o.total), 0), COALESCE(SUM(o.total * o.total), 0)
		FROM customers c LEFT JOIN (
			SELECT customer_id, SUM(CASE WHEN type IN (`+purchase+`) THEN 1 ELSE 0 END) AS orders,
				SUM(COALESCE(value, 0)) AS total
			FROM interactions WHERE workspace_id = ? AND customer_id IS NOT NULL GROUP BY customer_id
		) o ON o.customer_id = c.id
		WHERE c.workspace_id = ? AND c.first_touchpoint_id IS NOT NULL`+cond+`
		GROUP BY c.first_touchpoint_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: journey attribution: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tpID, customers int64
		var buyers, repeaters sql.NullInt64
		var sum, sumSq float64
		if err := rows.Scan(&tpID, &customers, &buyers, &repeaters, &sum, &sumSq); err != nil {
			return nil, fmt.Errorf("store: journey attribution: %w", err)
		}
		g := group(tpID)
		g.Customers, g.Buyers, g.Repeaters, g.ValueSum, g.ValueSumSq = customers, buyers.Int64, repeaters.Int64, sum, sumSq
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journey attribution: %w", err)
	}
	rows.Close()
	args = append([]any{q.WorkspaceID, q.WorkspaceID}, period...)
	rows, err = r.query(ctx, `SELECT c.first_touchpoint_id,
			SUM(CASE WHEN r.nps >= 9 THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.nps >= 7 AND r.nps <= 8 THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.nps <= 6 THEN 1 ELSE 0 END)
		FROM responses r JOIN customers c ON c.id = r.customer_id AND c.workspace_id = ?
		WHERE r.workspace_id = ? AND r.completed = 1 AND r.nps IS NOT NULL AND c.first_touchpoint_id IS NOT NULL`+cond+`
		GROUP BY c.first_touchpoint_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: journey attribution: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tpID, p, pa, d int64
		if err := rows.Scan(&tpID, &p, &pa, &d); err != nil {
			return nil, fmt.Errorf("store: journey attribution: %w", err)
		}
		if g := groups[tpID]; g != nil {
			g.Promoters, g.Passives, g.Detractors = p, pa, d
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journey attribution: %w", err)
	}
	out := &cxm.JourneyAttribution{Groups: []cxm.AttributionGroup{}}
	for _, g := range groups {
		out.Customers += g.Customers
		out.Groups = append(out.Groups, *g)
	}
	slices.SortFunc(out.Groups, func(a, b cxm.AttributionGroup) int {
		if a.Customers != b.Customers {
			return cmp.Compare(b.Customers, a.Customers)
		}
		return strings.Compare(a.Touchpoint, b.Touchpoint)
	})
	return out, nil
}
