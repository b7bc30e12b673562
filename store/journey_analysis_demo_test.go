package store

import (
	"context"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestJourneyAnalysisOnDemoData runs every journey analysis over a year of
// the demo company: the funnel narrows from purchase to advocacy, the
// attribution covers every customer with a first touchpoint, and the Sankey
// links form no cycle.
func TestJourneyAnalysisOnDemoData(t *testing.T) {
	db, ws, _ := seedDemo(t, 400)
	ctx := context.Background()
	q := cxm.JourneyQuery{WorkspaceID: ws.ID}

	f, err := db.JourneyFunnel(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("funnel of %d customers: %+v", f.Customers, f.Stages)
	byKey := map[string]cxm.FunnelStage{}
	for i, st := range f.Stages {
		byKey[st.Key] = st
		if st.Customers > f.Customers || (i > 0 && st.FromPrevious > min(st.Customers, f.Stages[i-1].Customers)) {
			t.Errorf("stage %s: %d customers, %d from previous, of %d", st.Key, st.Customers, st.FromPrevious, f.Customers)
		}
	}
	if c, p, r, a := byKey["consideration"].Customers, byKey["purchase"].Customers, byKey["receipt"].Customers, byKey["advocacy"].Customers; p == 0 || p > c || r > p || a >= r {
		t.Errorf("consideration %d, purchase %d, receipt %d, advocacy %d: want a funnel that narrows from consideration on", c, p, r, a)
	}

	tr, err := db.JourneyTransitions(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Total == 0 || len(tr.Links) == 0 || len(tr.Links)+len(tr.Cyclic) > cxm.DefaultTransitionLimit {
		t.Errorf("transitions: %d total, %d links, %d cyclic", tr.Total, len(tr.Links), len(tr.Cyclic))
	}
	if cyclic(tr.Links) {
		t.Errorf("links have a cycle: %v", tr.Links)
	}

	st, err := db.JourneyStageTimes(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Pairs {
		var binned int64
		for _, b := range p.Histogram {
			binned += b.Count
		}
		if binned != p.N || (p.N > 0 && !(p.P25 <= p.Median && p.Median <= p.P75 && p.P75 <= p.P90)) {
			t.Errorf("stage time %s→%s = %+v: histogram or quantiles disagree", p.From, p.To, p)
		}
	}

	at, err := db.JourneyAttribution(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var withFirst int64
	if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND first_touchpoint_id IS NOT NULL", ws.ID).Scan(&withFirst); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, g := range at.Groups {
		sum += g.Customers
		if g.Touchpoint == "" || g.Repeaters > g.Buyers || g.Buyers > g.Customers {
			t.Errorf("attribution group %+v", g)
		}
	}
	if withFirst == 0 || at.Customers != withFirst || sum != withFirst {
		t.Errorf("attribution covers %d (groups %d) of %d customers with a first touchpoint", at.Customers, sum, withFirst)
	}
}

// cyclic reports whether the links form a cycle.
func cyclic(links []cxm.Transition) bool {
	next := map[string][]string{}
	for _, l := range links {
		next[l.Source] = append(next[l.Source], l.Target)
	}
	state := map[string]int{} // 1 on the path, 2 done
	var visit func(string) bool
	visit = func(v string) bool {
		state[v] = 1
		for _, w := range next[v] {
			if state[w] == 1 || (state[w] == 0 && visit(w)) {
				return true
			}
		}
		state[v] = 2
		return false
	}
	for v := range next {
		if state[v] == 0 && visit(v) {
			return true
		}
	}
	return false
}
