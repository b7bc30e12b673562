package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// seedJourney stores a small hand-built journey in a new workspace slug:
//
//	c1: ad@0 web@1h app@2h web@3h shop@5h (order 100) delivery@53h
//	c2: ad@0 web@1h web@2h shop@25h (order 50) shop@30d (order 30)
//	c3: web@24h ad@34h
//	c4: ad@0
//	anonymous: ad@0
//
// and NPS answers c1 10, c2 6 (and an incomplete 9), c3 8.
func seedJourney(t *testing.T, db *DB, slug string) *cxm.Workspace {
	t.Helper()
	w := mustCreateWorkspace(t, db, slug)
	for key, stage := range map[string]string{"ad": "awareness", "web": "consideration", "app": "consideration", "shop": "purchase", "delivery": "receipt"} {
		mustCreateTouchpointAt(t, db, w.ID, key, stage)
	}
	h := func(n float64) time.Time { return testT0.Add(time.Duration(n * float64(time.Hour))) }
	order := func(id, customer string, at time.Time, value float64) *cxm.Interaction {
		return &cxm.Interaction{ID: id, Customer: customer, Touchpoint: "shop", Type: "order", OccurredAt: at, Value: &value}
	}
	mustIngest(t, db, w.ID, cxm.IngestOptions{},
		event("1a", "c1", "", "ad", h(0)), event("1b", "c1", "", "web", h(1)), event("1c", "c1", "", "app", h(2)),
		event("1d", "c1", "", "web", h(3)), order("1e", "c1", h(5), 100), event("1f", "c1", "", "delivery", h(53)),
		event("2a", "c2", "", "ad", h(0)), event("2b", "c2", "", "web", h(1)), event("2c", "c2", "", "web", h(2)),
		order("2d", "c2", h(25), 50), order("2e", "c2", h(30*24), 30),
		event("3a", "c3", "", "web", h(24)), event("3b", "c3", "", "ad", h(34)),
		event("4a", "c4", "", "ad", h(0)),
		event("xa", "", "stranger", "ad", h(0)))
	s := mustCreateSurvey(t, db, testSurvey(w.ID, slug+"-nps", "delivery"))
	for _, a := range []struct {
		id, customer string
		nps          float64
		complete     bool
	}{{"r1", "c1", 10, true}, {"r2", "c2", 6, true}, {"r2b", "c2", 9, false}, {"r3", "c3", 8, true}} {
		r := apiResponse(s, a.id, a.complete, cxm.Answers{"nps": a.nps})
		r.Customer = a.customer
		mustSubmit(t, db, r)
	}
	return w
}

func TestJourneyAnalysisHandBuilt(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := seedJourney(t, db, "acme")
		ow := seedJourney(t, db, "other") // the same again in another workspace must not count
		q := cxm.JourneyQuery{WorkspaceID: w.ID}

		f, err := db.JourneyFunnel(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		type stage struct {
			key      string
			n, fromP int64
		}
		funnel := func(f *cxm.JourneyFunnel) []stage {
			var out []stage
			for _, s := range f.Stages {
				out = append(out, stage{s.Key, s.Customers, s.FromPrevious})
			}
			return out
		}
		want := []stage{{"awareness", 4, 0}, {"consideration", 3, 3}, {"purchase", 2, 2}, {"receipt", 1, 1}, {"advocacy", 0, 0}}
		if got := funnel(f); !reflect.DeepEqual(got, want) || f.Customers != 4 || f.Journey.Key == "" {
			t.Errorf("funnel = %v of %d, want %v of 4", got, f.Customers, want)
		}
		// From 1:30 to 26:00 only c1's app, web and shop, c2's web and shop and c3's web count.
		pq := q
		pq.From, pq.To = testT0.Add(90*time.Minute), testT0.Add(26*time.Hour)
		if f, err = db.JourneyFunnel(ctx, pq); err != nil {
			t.Fatal(err)
		}
		want = []stage{{"awareness", 0, 0}, {"consideration", 3, 0}, {"purchase", 2, 2}, {"receipt", 0, 0}, {"advocacy", 0, 0}}
		if got := funnel(f); !reflect.DeepEqual(got, want) || f.Customers != 3 {
			t.Errorf("funnel in period = %v of %d, want %v of 3", got, f.Customers, want)
		}

		tr, err := db.JourneyTransitions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		links := []cxm.Transition{{Source: "ad", Target: "web", Value: 2}, {Source: "web", Target: "shop", Value: 2}, {Source: "app", Target: "web", Value: 1}, {Source: "shop", Target: "delivery", Value: 1}}
		cyclic := []cxm.Transition{{Source: "web", Target: "ad", Value: 1}, {Source: "web", Target: "app", Value: 1}}
		var nodes []string
		for _, n := range tr.Nodes {
			nodes = append(nodes, n.Key+"/"+n.Stage)
		}
		if !reflect.DeepEqual(tr.Links, links) || !reflect.DeepEqual(tr.Cyclic, cyclic) || tr.Total != 8 || tr.Distinct != 6 {
			t.Errorf("transitions = links %v cyclic %v total %d distinct %d, want %v %v 8 6", tr.Links, tr.Cyclic, tr.Total, tr.Distinct, links, cyclic)
		}
		if want := []string{"ad/awareness", "app/consideration", "web/consideration", "shop/purchase", "delivery/receipt"}; !reflect.DeepEqual(nodes, want) {
			t.Errorf("nodes = %v, want %v", nodes, want)
		}
		gq := q
		gq.MaxGap, gq.Limit = 24*time.Hour, 1
		if tr, err = db.JourneyTransitions(ctx, gq); err != nil {
			t.Fatal(err)
		}
		if want := []cxm.Transition{{Source: "ad", Target: "web", Value: 2}}; !reflect.DeepEqual(tr.Links, want) || len(tr.Cyclic) != 0 || tr.Total != 7 || tr.Distinct != 5 || len(tr.Nodes) != 2 {
			t.Errorf("transitions within a day, top 1 = %+v, want %v of 7 (5 distinct)", tr, want)
		}

		st, err := db.JourneyStageTimes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Pairs) != 4 {
			t.Fatalf("stage times have %d pairs, want 4", len(st.Pairs))
		}
		p := st.Pairs[1]
		if p.From != "consideration" || p.To != "purchase" || p.N != 2 || p.P25 != 9 || p.Median != 14 || p.P75 != 19 || p.P90 != 22 {
			t.Errorf("consideration→purchase = %+v, want n 2 quantiles 9 14 19 22 hours", p)
		}
		if p.Histogram[1].Count != 1 || p.Histogram[2].Count != 1 {
			t.Errorf("consideration→purchase histogram = %+v, want one in 1–24 h and one in 1–3 d", p.Histogram)
		}
		if a := st.Pairs[0]; a.N != 2 || a.Median != 1 {
			t.Errorf("awareness→consideration = %+v, want n 2 median 1 h (c3 came back to awareness only later)", a)
		}
		if r, ad := st.Pairs[2], st.Pairs[3]; r.N != 1 || r.Median != 48 || ad.N != 0 || ad.Median != 0 {
			t.Errorf("purchase→receipt %+v and receipt→advocacy %+v, want n 1 of 48 h and n 0", r, ad)
		}

		at, err := db.JourneyAttribution(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		wantGroups := []cxm.AttributionGroup{
			{Touchpoint: "ad", Name: "Touchpoint ad", Stage: "awareness", Channel: cxm.ChannelWeb, Customers: 3, Buyers: 2, Repeaters: 1,
				Promoters: 1, Detractors: 1, ValueSum: 180, ValueSumSq: 16400},
			{Touchpoint: "web", Name: "Touchpoint web", Stage: "consideration", Channel: cxm.ChannelWeb, Customers: 1, Passives: 1},
		}
		if at.Customers != 4 || !reflect.DeepEqual(at.Groups, wantGroups) {
			t.Errorf("attribution = %d %+v,\nwant 4 %+v", at.Customers, at.Groups, wantGroups)
		}
		aq := q
		aq.From = testT0.Add(12 * time.Hour)
		if at, err = db.JourneyAttribution(ctx, aq); err != nil {
			t.Fatal(err)
		}
		if at.Customers != 1 || len(at.Groups) != 1 || at.Groups[0].Touchpoint != "web" {
			t.Errorf("attribution of customers first seen from 12h = %+v, want only c3 by web", at)
		}

		// Another workspace's journey is not found.
		other, err := db.ListJourneys(ctx, ow.ID)
		if err != nil {
			t.Fatal(err)
		}
		bad := cxm.JourneyQuery{WorkspaceID: w.ID, JourneyID: other[0].ID}
		if _, err := db.JourneyFunnel(ctx, bad); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("funnel of an unknown journey: %v, want ENotFound", err)
		}
	})
}

func TestSummarizeDurations(t *testing.T) {
	s := cxm.SummarizeDurations(nil)
	if s.N != 0 || len(s.Histogram) == 0 || s.Median != 0 {
		t.Errorf("empty summary = %+v", s)
	}
	s = cxm.SummarizeDurations([]time.Duration{200 * 24 * time.Hour, 30 * time.Minute, 2 * time.Hour, 2 * time.Hour})
	if s.N != 4 || s.Median != 2 || s.P25 != 1.625 || s.Histogram[0].Count != 1 || s.Histogram[1].Count != 2 || s.Histogram[len(s.Histogram)-1].Count != 1 {
		t.Errorf("summary = %+v, want n 4 median 2 p25 1.625 and bins 1,2,…,1", s)
	}
}
