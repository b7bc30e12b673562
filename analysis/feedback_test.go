package analysis

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// fakeRollups sums in-memory daily rollup rows as the store does,
// weeks from their Monday and months from their first day.
type fakeRollups struct {
	rows    []cxm.FeedbackSlice
	queries []cxm.FeedbackQuery
}

func (f *fakeRollups) FeedbackSlices(_ context.Context, _ int64, q cxm.FeedbackQuery) ([]*cxm.FeedbackSlice, error) {
	return f.slices(q, false), nil
}

// FeedbackByAttribute also splits by the rows' Attribute.
func (f *fakeRollups) FeedbackByAttribute(_ context.Context, _ int64, q cxm.FeedbackQuery, _ string) ([]*cxm.FeedbackSlice, error) {
	return f.slices(q, true), nil
}

// slices sums the rows that match q, grouped by its dimensions and, with
// byAttribute, by their Attribute.
func (f *fakeRollups) slices(q cxm.FeedbackQuery, byAttribute bool) []*cxm.FeedbackSlice {
	f.queries = append(f.queries, q)
	groups := map[cxm.FeedbackSlice]*cxm.FeedbackSlice{}
	var order []cxm.FeedbackSlice
	for _, r := range f.rows {
		if r.Day < q.FromDay || r.Day >= q.ToDay || (len(q.TouchpointIDs) > 0 && !slices.Contains(q.TouchpointIDs, r.TouchpointID)) {
			continue
		}
		var k cxm.FeedbackSlice
		if byAttribute {
			k.Attribute = r.Attribute
		}
		for _, d := range q.GroupBy {
			switch d {
			case cxm.ByDay:
				k.Day = r.Day
			case cxm.ByWeek:
				d := cxm.DayTime(r.Day, time.UTC)
				k.Day = cxm.LocalDay(d.AddDate(0, 0, -(int(d.Weekday())+6)%7), time.UTC)
			case cxm.ByMonth:
				k.Day = r.Day/100*100 + 1
			case cxm.ByTouchpoint:
				k.TouchpointID = r.TouchpointID
			case cxm.BySurvey:
				k.SurveyID = r.SurveyID
			}
		}
		if groups[k] == nil {
			c := k
			groups[k] = &c
			order = append(order, k)
		}
		groups[k].FeedbackSums.Add(r.FeedbackSums)
	}
	out := []*cxm.FeedbackSlice{}
	for _, k := range order {
		out = append(out, groups[k])
	}
	return out
}

func (f *fakeRollups) VerifyRollups(context.Context, int64) (*cxm.RollupCheck, error) {
	return nil, nil
}
func (f *fakeRollups) RebuildRollups(context.Context, int64) (*cxm.RollupCheck, error) {
	return nil, nil
}

// promoters returns sums of n promoters.
func promoters(n int64) cxm.FeedbackSums { return cxm.FeedbackSums{Responses: n, Promoters: n} }

func TestFeedbackGroupsAndBuckets(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRollups{rows: []cxm.FeedbackSlice{
		{Day: 20260302, SurveyID: 9, TouchpointID: 1, FeedbackSums: promoters(2)},
		{Day: 20260303, SurveyID: 10, TouchpointID: 2, FeedbackSums: cxm.FeedbackSums{Responses: 1, Detractors: 1}},
		{Day: 20260310, SurveyID: 10, TouchpointID: 0, FeedbackSums: promoters(1)},
		{Day: 20260401, SurveyID: 9, TouchpointID: 1, FeedbackSums: promoters(5)}, // outside the period
	}}
	tps := []*cxm.Touchpoint{{ID: 1, Key: "shop", StageKey: "purchase"}, {ID: 2, Key: "hotline", StageKey: "purchase"}}
	req := FeedbackRequest{Metric: NPS, Loc: loc, From: time.Date(2026, 3, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 4, 1, 0, 0, 0, 0, loc),
		Touchpoints: tps, Options: metric.Options{MinN: 1}}

	// By stage: shop and hotline merge; the response without touchpoint
	// is a group of its own.
	req.By = ByStage
	rep, err := Feedback(context.Background(), f, 1, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Key["stage"] != "" || rep.Groups[1].Key["stage"] != "purchase" {
		t.Fatalf("stage groups = %+v", rep.Groups)
	}
	if p := rep.Groups[1].Total; p.N != 3 || math.Abs(p.Value-(2.0-1)/3*100) > 1e-9 {
		t.Errorf("purchase = %+v", p)
	}
	if q := f.queries[0]; q.FromDay != 20260301 || q.ToDay != 20260401 || !slices.Equal(q.GroupBy, []cxm.FeedbackDimension{cxm.ByTouchpoint}) {
		t.Errorf("query = %+v", q)
	}

	// By a customer attribute: the raw path, one group per value.
	f.rows[0].Attribute, f.rows[1].Attribute = "gold", "gold"
	req.By = Dimension("attribute:tier")
	if rep, err = Feedback(context.Background(), f, 1, req); err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Key["attribute:tier"] != "" || rep.Groups[1].Key["attribute:tier"] != "gold" || rep.Groups[1].Total.N != 3 {
		t.Errorf("attribute groups = %+v", rep.Groups)
	}
	f.rows[0].Attribute, f.rows[1].Attribute = "", ""
	for _, bad := range []string{"attribute:Tier", "attribute:", "customer"} {
		if _, err := ParseDimension(bad); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("ParseDimension(%q) = %v, want invalid", bad, err)
		}
	}

	// By survey: ids in numeric order, 9 before 10.
	req.By = BySurvey
	if rep, err = Feedback(context.Background(), f, 1, req); err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Key["survey"] != "9" || rep.Groups[1].Key["survey"] != "10" {
		t.Errorf("survey groups = %+v", rep.Groups)
	}

	// Months in March: one bucket; weeks: 2026-W09 (from Monday 23
	// February) to 2026-W14, empty weeks included.
	req.By, req.Granularity = "", metric.Week
	if rep, err = Feedback(context.Background(), f, 1, req); err != nil {
		t.Fatal(err)
	}
	s := rep.Groups[0].Series
	if len(s) != 6 || s[0].Period != "2026-W09" || s[5].Period != "2026-W14" {
		t.Fatalf("weeks = %+v", s)
	}
	if s[1].Estimate.N != 3 || s[2].Estimate.N != 1 || s[3].Estimate.N != 0 || s[3].Estimate.Sufficient() {
		t.Errorf("weekly n = %v", s)
	}

	// A filter that matches nothing gives no groups and reads nothing.
	n := len(f.queries)
	req.MatchNothing = true
	if rep, err = Feedback(context.Background(), f, 1, req); err != nil || len(rep.Groups) != 0 || len(f.queries) != n {
		t.Errorf("match nothing: %+v, %v, %d queries", rep, err, len(f.queries)-n)
	}

	// Too many buckets is refused, naming granularity.
	req.MatchNothing, req.Granularity, req.From = false, metric.Day, time.Date(2020, 1, 1, 0, 0, 0, 0, loc)
	_, err = Feedback(context.Background(), f, 1, req)
	if fe := cxm.ErrorFields(err); len(fe) != 1 || fe[0].Field != "granularity" {
		t.Errorf("too many buckets: %v", err)
	}
}
