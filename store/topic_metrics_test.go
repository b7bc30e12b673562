package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
	"github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// topicFixture is one generated response with its analysis, kept to
// recount the expected figures in Go.
type topicFixture struct {
	touchpoint  string
	completedAt time.Time
	nps, csat   int
	label       string
	mentions    []cxm.TopicMention
}

// TestTopicCountsMatchARecount stores responses with random scores,
// touchpoints, times and analysed mentions in two workspaces, and checks
// that the SQL grouping by topic (overall, by touchpoint and by week in the
// workspace's time zone) and by sentiment label equals a recount in Go of
// the same data, that filters apply, and that the other workspace, with
// the same response ids, never leaks in.
func TestTopicCountsMatchARecount(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		zone := "Europe/Berlin"
		if _, err := db.UpdateWorkspace(ctx, w.ID, cxm.WorkspaceUpdate{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		other := mustCreateWorkspace(t, db, "other")
		tps := map[string]int64{}
		for _, k := range []string{"web", "delivery"} {
			tps[k] = mustCreateTouchpointAt(t, db, w.ID, k, "purchase").ID
		}
		mustCreateTouchpointAt(t, db, other.ID, "web", "purchase")
		sv := mustCreateSurvey(t, db, testSurvey(w.ID, "s", "web", "delivery"))
		otherSv := mustCreateSurvey(t, db, testSurvey(other.ID, "s-other", "web"))
		loc, _ := time.LoadLocation(zone)

		rng := rand.New(rand.NewPCG(3, 5))
		start := time.Date(2026, 3, 2, 0, 0, 0, 0, loc) // a Monday
		labels := []string{"negative", "neutral", "positive"}
		topics := []string{"delivery", "price", "staff"}
		var fx []topicFixture
		var analyses, otherAnalyses []*cxm.TextAnalysis
		for i := range 240 {
			f := topicFixture{touchpoint: []string{"web", "delivery"}[rng.IntN(2)],
				completedAt: start.Add(time.Duration(rng.IntN(28*24*60)) * time.Minute),
				nps:         rng.IntN(11), csat: 1 + rng.IntN(5), label: labels[rng.IntN(3)]}
			for j := range rng.IntN(4) {
				f.mentions = append(f.mentions, cxm.TopicMention{Question: "why", Topic: topics[rng.IntN(3)], Term: "x",
					Start: j, End: j + 1, SentimentLabel: labels[rng.IntN(3)]})
			}
			id := fmt.Sprintf("r%03d", i)
			r := apiResponse(sv, id, true, cxm.Answers{"nps": float64(f.nps), "csat": float64(f.csat), "why": "some text"})
			r.Touchpoint, r.CompletedAt = f.touchpoint, &f.completedAt
			mustSubmit(t, db, r)
			fx = append(fx, f)
			analyses = append(analyses, &cxm.TextAnalysis{WorkspaceID: w.ID, ResponseID: id, Language: "de",
				SentimentLabel: f.label, Mentions: f.mentions, Redacted: map[string]string{"why": "text " + id}, Model: "lexicon"})
			// The other workspace has the same ids, all mentioning delivery negatively.
			or := apiResponse(otherSv, id, true, cxm.Answers{"nps": float64(0), "why": "other text"})
			or.CompletedAt = &f.completedAt
			mustSubmit(t, db, or)
			otherAnalyses = append(otherAnalyses, &cxm.TextAnalysis{WorkspaceID: other.ID, ResponseID: id, Language: "de",
				SentimentLabel: "negative", Mentions: []cxm.TopicMention{{Question: "why", Topic: "delivery", SentimentLabel: "negative"}},
				Redacted: map[string]string{"why": "other " + id}, Model: "lexicon"})
		}
		if err := db.SaveTextAnalyses(ctx, append(analyses, otherAnalyses...)); err != nil {
			t.Fatal(err)
		}

		from, to := start, start.AddDate(0, 0, 21) // leaves the fourth week out
		for _, by := range []cxm.TopicGrouping{cxm.TopicsOverall, cxm.TopicsByTouchpoint, cxm.TopicsByWeek} {
			for _, onlyDelivery := range []bool{false, true} {
				q := cxm.TopicQuery{From: from, To: to, Loc: loc, By: by}
				if onlyDelivery {
					q.TouchpointIDs = []int64{tps["delivery"]}
				}
				name := fmt.Sprintf("by %q, delivery only %v", by, onlyDelivery)
				groupOf := func(f topicFixture) string {
					switch by {
					case cxm.TopicsByTouchpoint:
						return fmt.Sprint(tps[f.touchpoint])
					case cxm.TopicsByWeek:
						local := f.completedAt.In(loc)
						y, m, d := local.Date()
						return time.Date(y, m, d-(int(local.Weekday())+6)%7, 0, 0, 0, 0, loc).Format(time.RFC3339)
					}
					return ""
				}
				keyOf := func(g cxm.TopicGroup) string {
					switch by {
					case cxm.TopicsByTouchpoint:
						return fmt.Sprint(g.TouchpointID)
					case cxm.TopicsByWeek:
						return g.Bucket.In(loc).Format(time.RFC3339)
					}
					return ""
				}
				wantTopics := map[string]*cxm.TopicSlice{}
				wantLabels := map[string]*cxm.FeedbackSums{}
				wantTotals := map[string]*cxm.FeedbackSums{}
				for _, f := range fx {
					if f.completedAt.Before(from) || !f.completedAt.Before(to) || (onlyDelivery && f.touchpoint != "delivery") {
						continue
					}
					g := groupOf(f)
					nps, csat := f.nps, f.csat
					if wantTotals[g] == nil {
						wantTotals[g] = &cxm.FeedbackSums{}
					}
					wantTotals[g].AddScores(&nps, &csat, nil, nil, 1)
					lk := f.label + "|" + g
					if wantLabels[lk] == nil {
						wantLabels[lk] = &cxm.FeedbackSums{}
					}
					wantLabels[lk].AddScores(&nps, &csat, nil, nil, 1)
					negative := map[string]bool{}
					for _, m := range f.mentions {
						k := m.Topic + "|" + g
						ts := wantTopics[k]
						if ts == nil {
							ts = &cxm.TopicSlice{Topic: m.Topic}
							wantTopics[k] = ts
						}
						ts.Mentions++
						switch m.SentimentLabel {
						case "negative":
							ts.Negative++
							negative[m.Topic] = true
						case "neutral":
							ts.Neutral++
						default:
							ts.Positive++
						}
					}
					seen := map[string]bool{}
					for _, m := range f.mentions {
						if seen[m.Topic] {
							continue
						}
						seen[m.Topic] = true
						ts := wantTopics[m.Topic+"|"+g]
						ts.Responses.AddScores(&nps, &csat, nil, nil, 1)
						if negative[m.Topic] {
							ts.NegativeResponses.AddScores(&nps, &csat, nil, nil, 1)
						}
					}
				}

				got, err := db.TopicCounts(ctx, w.ID, q)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(got.Topics) != len(wantTopics) || len(got.Topics) == 0 {
					t.Errorf("%s: %d topic groups, want %d", name, len(got.Topics), len(wantTopics))
				}
				for _, ts := range got.Topics {
					want := wantTopics[ts.Topic+"|"+keyOf(ts.TopicGroup)]
					if want == nil {
						t.Errorf("%s: unexpected group %s %+v", name, ts.Topic, ts.TopicGroup)
						continue
					}
					if ts.MentionCounts != want.MentionCounts || ts.Responses != want.Responses || ts.NegativeResponses != want.NegativeResponses {
						t.Errorf("%s: %s %+v\n got %+v %+v %+v\nwant %+v %+v %+v", name, ts.Topic, ts.TopicGroup,
							ts.MentionCounts, ts.Responses, ts.NegativeResponses, want.MentionCounts, want.Responses, want.NegativeResponses)
					}
				}
				if len(got.Totals) != len(wantTotals) {
					t.Errorf("%s: %d totals, want %d", name, len(got.Totals), len(wantTotals))
				}
				for _, tt := range got.Totals {
					if want := wantTotals[keyOf(tt.TopicGroup)]; want == nil || tt.FeedbackSums != *want || tt.Analysed != want.Responses {
						t.Errorf("%s: total %+v = %+v (analysed %d), want %+v", name, tt.TopicGroup, tt.FeedbackSums, tt.Analysed, want)
					}
				}

				sc, err := db.SentimentCounts(ctx, w.ID, q)
				if err != nil {
					t.Fatalf("%s: sentiment: %v", name, err)
				}
				if len(sc.Labels) != len(wantLabels) {
					t.Errorf("%s: %d sentiment groups, want %d", name, len(sc.Labels), len(wantLabels))
				}
				for _, sl := range sc.Labels {
					if want := wantLabels[sl.Label+"|"+keyOf(sl.TopicGroup)]; want == nil || sl.FeedbackSums != *want {
						t.Errorf("%s: sentiment %s %+v = %+v, want %+v", name, sl.Label, sl.TopicGroup, sl.FeedbackSums, want)
					}
				}
				if by == cxm.TopicsByWeek {
					for _, ts := range got.Topics {
						if ts.Bucket.In(loc).Weekday() != time.Monday || ts.Bucket.Before(from) || !ts.Bucket.Before(to) {
							t.Errorf("%s: bucket %v is not a Monday within the period", name, ts.Bucket)
						}
					}
				}
			}
		}

		sample, err := db.RedactedTexts(ctx, w.ID, from, to, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(sample.Texts) != 10 || !sample.Capped {
			t.Errorf("redacted texts: %d, capped %v; want 10, capped", len(sample.Texts), sample.Capped)
		}
		all, err := db.RedactedTexts(ctx, w.ID, from, to, 100000)
		if err != nil {
			t.Fatal(err)
		}
		var inPeriod int
		for _, f := range fx {
			if !f.completedAt.Before(from) && f.completedAt.Before(to) {
				inPeriod++
			}
		}
		if len(all.Texts) != inPeriod || all.Capped || slices.ContainsFunc(all.Texts, func(s string) bool { return !strings.HasPrefix(s, "text r") }) {
			t.Errorf("redacted texts: %d (capped %v), want the %d of this workspace", len(all.Texts), all.Capped, inPeriod)
		}

		for _, bad := range []cxm.TopicQuery{{From: from, To: to, By: "day"}, {From: to, To: from}, {From: start, To: start.AddDate(20, 0, 0), By: cxm.TopicsByWeek}} {
			if _, err := db.TopicCounts(ctx, w.ID, bad); cxm.ErrorCode(err) != cxm.EInvalid {
				t.Errorf("query %+v: error %v, want invalid", bad, err)
			}
		}
	})
}

// TestTopicMetricsOnDemoData seeds a year of the demo company, analyses
// its free text as the text.analyze job does, and checks what the demo
// tells: at the delivery touchpoint most delivery mentions are negative,
// far more than elsewhere, and the responses that mention delivery
// negatively score lower than all responses.
func TestTopicMetricsOnDemoData(t *testing.T) {
	db, ws, _ := seedDemo(t, 1000)
	ctx := context.Background()
	now := demoNow
	if _, err := db.MarkTextsPending(ctx, ws.ID, false); err != nil {
		t.Fatal(err)
	}
	analyzer, err := text.NewAnalyzer(text.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := textjob.New(textjob.Config{Texts: db, Jobs: db, Analyzer: analyzer, BatchSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	for {
		n, err := wk.RunBatch(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	tps, err := db.ListTouchpoints(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[int64]string{}
	for _, tp := range tps {
		keys[tp.ID] = tp.Key
	}
	q := cxm.TopicQuery{From: now.AddDate(-2, 0, 0), To: now.AddDate(0, 0, 1), Loc: ws.Location(), By: cxm.TopicsByTouchpoint}
	c, err := db.TopicCounts(ctx, ws.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	deliveryTP := int64(0)
	for id, k := range keys {
		if k == "delivery" {
			deliveryTP = id
		}
	}
	var atDelivery *cxm.TopicSlice
	var mostMentioned string
	var most int64
	var otherNeg, otherAll int64 // mentions of every other topic anywhere
	for _, ts := range c.Topics {
		if ts.TouchpointID == deliveryTP && ts.Mentions > most {
			most, mostMentioned = ts.Mentions, ts.Topic
		}
		switch {
		case ts.Topic == "delivery" && ts.TouchpointID == deliveryTP:
			atDelivery = ts
		case ts.Topic != "delivery":
			otherNeg, otherAll = otherNeg+ts.Negative, otherAll+ts.Mentions
		}
	}
	if atDelivery == nil || mostMentioned != "delivery" {
		t.Fatalf("at the delivery touchpoint %q is mentioned most, delivery %+v", mostMentioned, atDelivery)
	}
	o := metric.Options{}
	share := metric.Rate(metric.Proportion{Hits: atDelivery.Negative, N: atDelivery.Mentions}, o)
	others := metric.Rate(metric.Proportion{Hits: otherNeg, N: otherAll}, o)
	t.Logf("negative share of delivery at the delivery touchpoint %v; of every other topic %v", share, others)
	if !share.Sufficient() || !others.Sufficient() || share.Lower <= others.Value {
		t.Errorf("negative share of delivery at the delivery touchpoint %v, want clearly above that of other topics %v", share, others)
	}
	// The delivery survey asks CSAT: responses complaining about delivery
	// score far below the touchpoint's responses as a whole.
	var all cxm.FeedbackSums
	for _, tt := range c.Totals {
		if tt.TouchpointID == deliveryTP {
			all = tt.FeedbackSums
		}
	}
	neg := metric.CSAT(metric.Proportion{Hits: atDelivery.NegativeResponses.CSATTop2, N: atDelivery.NegativeResponses.CSATN}, o)
	overall := metric.CSAT(metric.Proportion{Hits: all.CSATTop2, N: all.CSATN}, o)
	t.Logf("CSAT of responses mentioning delivery negatively %v; of all delivery responses %v", neg, overall)
	if !neg.Sufficient() || !overall.Sufficient() || neg.Upper >= overall.Lower {
		t.Errorf("CSAT mentioning delivery negatively %v, want clearly below all delivery responses' %v", neg, overall)
	}
	// Overall, the NPS of responses mentioning delivery negatively is
	// shown only with enough of them; the demo's purchase survey rarely
	// talks about delivery.
	q.By = cxm.TopicsOverall
	if c, err = db.TopicCounts(ctx, ws.ID, q); err != nil {
		t.Fatal(err)
	}
	for _, ts := range c.Topics {
		if ts.Topic != "delivery" {
			continue
		}
		f := ts.NegativeResponses
		e := metric.NPS(metric.NPSCounts{Promoters: f.Promoters, Passives: f.Passives, Detractors: f.Detractors}, o)
		t.Logf("NPS of responses mentioning delivery negatively: %v", e)
		if n := f.Promoters + f.Passives + f.Detractors; e.N != n || (n < metric.DefaultMinN && e.Sufficient()) {
			t.Errorf("NPS %v of %d answers", e, n)
		}
	}
}
