package web_test

import (
	"slices"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// seedJourneyAPI stores, through the API, three customers of A:
//
//	c1: ad 2026-01-05 10:00Z, web 11:00Z, shop order 2026-01-06 10:00Z
//	c2: ad 2026-01-05 10:00Z, web 12:00Z
//	c3: web 2026-01-07 10:00Z
//
// and an NPS of 9 by c1.
func seedJourneyAPI(e *env) {
	e.t.Helper()
	a := e.a.writeKey
	for key, stage := range map[string]string{"ad": "awareness", "web": "consideration", "shop": "purchase"} {
		e.call("POST", "/api/v1/touchpoints", a, map[string]any{"key": key, "name": key + " touchpoint", "stage": stage, "channel": "web"}, 201)
	}
	ev := func(id, customer, tp, typ, at string) map[string]any {
		return map[string]any{"id": id, "customer": customer, "touchpoint": tp, "type": typ, "occurred_at": at}
	}
	order := ev("1c", "c1", "shop", "order", "2026-01-06T10:00:00Z")
	order["value"] = 100
	e.call("POST", "/api/v1/interactions", a, []map[string]any{
		ev("1a", "c1", "ad", "view", "2026-01-05T10:00:00Z"), ev("1b", "c1", "web", "view", "2026-01-05T11:00:00Z"), order,
		ev("2a", "c2", "ad", "view", "2026-01-05T10:00:00Z"), ev("2b", "c2", "web", "view", "2026-01-05T12:00:00Z"),
		ev("3a", "c3", "web", "view", "2026-01-07T10:00:00Z"),
	}, 200)
	var s cxm.Survey
	e.call("POST", "/api/v1/surveys", a, surveyBody("nps", cxm.SurveyActive, "shop"), 201).decode(e.t, &s)
	e.call("POST", "/api/v1/surveys/"+itoa(s.ID)+"/responses", a, map[string]any{"id": "r1", "customer": "c1", "completed": true,
		"answers": map[string]any{"nps": 9}}, 201)
}

func TestJourneyAnalysisAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		seedJourneyAPI(e)
		read := e.a.readKey
		type estimate = metric.Estimate

		var f struct {
			Customers int64
			Stages    []struct {
				Key       string
				Customers int64
				Reach     estimate
				Conv      *estimate `json:"conversion"`
				Drop      *estimate `json:"drop_off"`
			}
		}
		e.call("GET", "/api/v1/analysis/journey/funnel?min_n=1", read, nil, 200).decode(t, &f)
		if f.Customers != 3 || len(f.Stages) != 5 {
			t.Fatalf("funnel = %+v, want 3 customers over 5 stages", f)
		}
		counts := []int64{}
		for _, s := range f.Stages {
			counts = append(counts, s.Customers)
		}
		if !slices.Equal(counts, []int64{2, 3, 1, 0, 0}) || f.Stages[0].Conv != nil {
			t.Errorf("funnel counts = %v, want [2 3 1 0 0] and no conversion into the first stage", counts)
		}
		// Purchase: 1 of consideration's 3 went on; Wilson interval around 33.3 %.
		c, d := f.Stages[2].Conv, f.Stages[2].Drop
		if c == nil || d == nil || !c.Sufficient() || c.N != 3 || c.Value < 33.3 || c.Value > 33.4 || c.Lower <= 0 || c.Upper >= 100 ||
			d.Value < 66.6 || d.Value > 66.7 {
			t.Errorf("purchase conversion %+v drop-off %+v, want 33.3 %% and 66.7 %% of n 3", c, d)
		}
		if c := f.Stages[1].Conv; c == nil || c.Value != 100 || c.N != 2 {
			t.Errorf("consideration conversion = %+v, want 100 %% of 2", c)
		}
		// With the default minimum n of 30 no share is shown.
		e.call("GET", "/api/v1/analysis/journey/funnel", read, nil, 200).decode(t, &f)
		if f.Stages[2].Conv == nil || f.Stages[2].Conv.Sufficient() || f.Stages[2].Conv.N != 3 {
			t.Errorf("conversion at default min_n = %+v, want insufficient_data with n 3", f.Stages[2].Conv)
		}
		// 6 January in Berlin holds only c1's order.
		e.call("GET", "/api/v1/analysis/journey/funnel?from=2026-01-06&to=2026-01-07", read, nil, 200).decode(t, &f)
		counts = counts[:0]
		for _, s := range f.Stages {
			counts = append(counts, s.Customers)
		}
		if !slices.Equal(counts, []int64{0, 0, 1, 0, 0}) || f.Customers != 1 {
			t.Errorf("funnel on 6 January = %v of %d, want [0 0 1 0 0] of 1", counts, f.Customers)
		}

		var tr struct {
			Nodes []struct{ ID, Name, Stage string }
			Links []cxm.Transition
			Total int64
		}
		e.call("GET", "/api/v1/analysis/journey/transitions", read, nil, 200).decode(t, &tr)
		if want := []cxm.Transition{{Source: "ad", Target: "web", Value: 2}, {Source: "web", Target: "shop", Value: 1}}; !slices.Equal(tr.Links, want) || tr.Total != 3 || len(tr.Nodes) != 3 ||
			tr.Nodes[0].ID != "ad" || tr.Nodes[0].Name != "ad touchpoint" || tr.Nodes[0].Stage != "awareness" {
			t.Errorf("transitions = %+v, want links %v of 3 and nodes ad, web, shop", tr, want)
		}

		var st struct {
			Pairs []struct {
				From, To string
				Status   metric.Status
				N        int64
				Median   *float64 `json:"median_hours"`
			}
		}
		e.call("GET", "/api/v1/analysis/journey/stage-times?min_n=2", read, nil, 200).decode(t, &st)
		if len(st.Pairs) != 4 {
			t.Fatalf("stage times = %+v, want 4 pairs", st)
		}
		if p := st.Pairs[0]; p.N != 2 || p.Status != metric.StatusOK || p.Median == nil || *p.Median != 1.5 {
			t.Errorf("awareness→consideration = %+v, want n 2 median 1.5 h", p)
		}
		if p := st.Pairs[1]; p.N != 1 || p.Status != metric.StatusInsufficient || p.Median != nil {
			t.Errorf("consideration→purchase at min_n 2 = %+v, want n 1 without quantiles", p)
		}

		var at struct {
			Customers int64
			Groups    []struct {
				Touchpoint         string
				Customers, Buyers  int64
				Share, NPS         estimate
				RepeatPurchaseRate estimate `json:"repeat_purchase_rate"`
				ValueTotal         float64  `json:"value_total"`
			}
		}
		e.call("GET", "/api/v1/analysis/journey/attribution?min_n=1", read, nil, 200).decode(t, &at)
		if at.Customers != 3 || len(at.Groups) != 2 {
			t.Fatalf("attribution = %+v, want 3 customers in 2 groups", at)
		}
		g := at.Groups[0]
		if g.Touchpoint != "ad" || g.Customers != 2 || g.Buyers != 1 || g.ValueTotal != 100 || g.Share.Value < 66.6 || g.Share.Value > 66.7 ||
			g.NPS.N != 1 || g.NPS.Value != 100 || g.RepeatPurchaseRate.N != 2 || g.RepeatPurchaseRate.Value != 0 {
			t.Errorf("ad group = %+v, want 2 customers, 1 buyer, value 100, share 66.7, NPS 100 of 1, no repeaters", g)
		}
		if g := at.Groups[1]; g.Touchpoint != "web" || g.Customers != 1 || g.NPS.N != 0 || g.NPS.Sufficient() {
			t.Errorf("web group = %+v, want 1 customer without NPS", g)
		}

		bad := []struct{ path, field string }{
			{"funnel?from=yesterday", "from"},
			{"funnel?to=2026-13-01", "to"},
			{"funnel?from=2026-02-01&to=2026-01-01", "to"},
			{"stage-times?journey=abc", "journey"},
			{"attribution?min_n=0", "min_n"},
			{"transitions?limit=0", "limit"},
			{"transitions?max_gap_days=-1", "max_gap_days"},
		}
		for _, b := range bad {
			r := e.do(request{method: "GET", path: "/api/v1/analysis/journey/" + b.path, token: read})
			if got := fieldNames(r); r.status != 400 || !slices.Equal(got, []string{b.field}) {
				t.Errorf("%s: %d %v, want 400 naming %s", b.path, r.status, got, b.field)
			}
		}
		if r := e.do(request{method: "GET", path: "/api/v1/analysis/journey/funnel?journey=999999999", token: read}); r.status != 404 {
			t.Errorf("unknown journey: %d %s, want 404", r.status, r.body)
		}
		// B sees none of A's figures.
		e.call("GET", "/api/v1/analysis/journey/funnel", e.b.readKey, nil, 200).decode(t, &f)
		if f.Customers != 0 {
			t.Errorf("B's funnel counts %d customers, want 0", f.Customers)
		}
	})
}
