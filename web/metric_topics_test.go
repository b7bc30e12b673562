package web_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// topicEstimate is an estimate as the API shows it.
type topicEstimate struct {
	Status string   `json:"status"`
	Value  *float64 `json:"value"`
	N      int64    `json:"n"`
}

// topicScores are the NPS and CSAT of a set of responses as the API shows them.
type topicScores struct {
	Responses int64         `json:"responses"`
	NPS       topicEstimate `json:"nps"`
	CSAT      topicEstimate `json:"csat"`
}

// topicAnswer is the answer of /api/v1/metrics/topics.
type topicAnswer struct {
	From, To string
	MinN     int64 `json:"min_n"`
	Groups   []struct {
		Touchpoint string      `json:"touchpoint"`
		Bucket     string      `json:"bucket"`
		All        topicScores `json:"all"`
		Analysed   int64       `json:"analysed"`
		Topics     []struct {
			Topic                string        `json:"topic"`
			Mentions             int64         `json:"mentions"`
			Negative             int64         `json:"negative"`
			Neutral              int64         `json:"neutral"`
			Positive             int64         `json:"positive"`
			ShareNegative        topicEstimate `json:"share_negative"`
			Mentioning           topicScores   `json:"mentioning"`
			MentioningNegatively topicScores   `json:"mentioning_negatively"`
		} `json:"topics"`
	} `json:"groups"`
}

// seedTopicResponses submits n completed responses of tenant A at the
// touchpoint with the NPS answers nps(i), and stores an analysis of each
// with one mention of topic whose label is label(i) and an overall label.
func seedTopicResponses(t *testing.T, e *env, s *cxm.Survey, prefix, touchpoint, topic string, n int, nps func(int) int, label func(int) string) {
	t.Helper()
	var as []*cxm.TextAnalysis
	for i := range n {
		id := fmt.Sprintf("%s-%d", prefix, i)
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", s.ID), e.a.writeKey, map[string]any{"id": id, "completed": true,
			"touchpoint": touchpoint, "answers": map[string]any{"nps": nps(i), "why": "text about " + topic}}, 201)
		as = append(as, &cxm.TextAnalysis{WorkspaceID: e.a.ws.ID, ResponseID: id, Language: "de", SentimentLabel: label(i),
			Mentions: []cxm.TopicMention{{Question: "why", Topic: topic, Term: topic, SentimentLabel: label(i)}},
			Redacted: map[string]string{"why": "text about " + topic}, Model: "lexicon"})
	}
	if err := e.db.SaveTextAnalyses(context.Background(), as); err != nil {
		t.Fatal(err)
	}
}

// TestTopicMetricsByTouchpoint seeds delivery complaints at one
// touchpoint and praise of the price at another, and checks the
// mentions, the share of negative mentions with its n, the NPS of the
// responses mentioning a topic (negatively), the min_n threshold, the
// touchpoint filter, weekly buckets and figures by sentiment label.
func TestTopicMetricsByTouchpoint(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		e.newTouchpoint(a, "delivery", "delivery")
		e.newTouchpoint(a, "shop", "web")
		s := e.newSurvey(a, surveyBody("topics", cxm.SurveyActive, "delivery", "shop"))
		// 40 delivery mentions, 30 of them negative (NPS 2), 10 positive (NPS 10).
		seedTopicResponses(t, e, s, "d", "delivery", "delivery", 40,
			func(i int) int { return map[bool]int{true: 2, false: 10}[i < 30] },
			func(i int) string { return map[bool]string{true: "negative", false: "positive"}[i < 30] })
		// 12 price mentions in the shop, all positive with NPS 9.
		seedTopicResponses(t, e, s, "p", "shop", "price", 12, func(int) int { return 9 }, func(int) string { return "positive" })

		var got topicAnswer
		e.call("GET", "/api/v1/metrics/topics?by=touchpoint", e.a.readKey, nil, 200).decode(t, &got)
		if len(got.Groups) != 2 || got.MinN != 30 {
			t.Fatalf("groups %+v, min_n %d; want delivery and shop, 30", got.Groups, got.MinN)
		}
		byTP := map[string]int{}
		for i, g := range got.Groups {
			byTP[g.Touchpoint] = i
		}
		d := got.Groups[byTP["delivery"]]
		if d.All.Responses != 40 || d.Analysed != 40 || len(d.Topics) != 1 {
			t.Fatalf("delivery group %+v", d)
		}
		dt := d.Topics[0]
		if dt.Topic != "delivery" || dt.Mentions != 40 || dt.Negative != 30 || dt.Positive != 10 || dt.Neutral != 0 {
			t.Errorf("delivery topic %+v", dt)
		}
		if dt.ShareNegative.Status != "ok" || dt.ShareNegative.N != 40 || dt.ShareNegative.Value == nil || math.Abs(*dt.ShareNegative.Value-75) > 1e-9 {
			t.Errorf("share negative %+v, want 75%% of 40", dt.ShareNegative)
		}
		// NPS of all mentioning: 10 promoters, 30 detractors of 40 → −50.
		if m := dt.Mentioning; m.Responses != 40 || m.NPS.Status != "ok" || math.Abs(*m.NPS.Value+50) > 1e-9 {
			t.Errorf("mentioning %+v, want NPS −50 of 40", m)
		}
		// The 30 negative mentions are all detractors: −100 of 30, lower than overall.
		if m := dt.MentioningNegatively; m.Responses != 30 || m.NPS.Status != "ok" || *m.NPS.Value != -100 || *m.NPS.Value >= *d.All.NPS.Value {
			t.Errorf("mentioning negatively %+v against all %+v", m, d.All)
		}
		// 12 price mentions are below the minimum n of 30: n but no value.
		shop := got.Groups[byTP["shop"]]
		if pt := shop.Topics[0]; pt.Topic != "price" || pt.ShareNegative.Status != "insufficient_data" || pt.ShareNegative.N != 12 ||
			pt.ShareNegative.Value != nil || pt.Mentioning.NPS.Status != "insufficient_data" || pt.Mentioning.NPS.N != 12 {
			t.Errorf("price topic %+v, want insufficient data with n 12", pt)
		}
		var low topicAnswer
		e.call("GET", "/api/v1/metrics/topics?by=touchpoint&min_n=5&touchpoint=shop", e.a.readKey, nil, 200).decode(t, &low)
		if len(low.Groups) != 1 || low.Groups[0].Touchpoint != "shop" || low.Groups[0].Topics[0].Mentioning.NPS.Status != "ok" ||
			*low.Groups[0].Topics[0].Mentioning.NPS.Value != 100 {
			t.Errorf("shop only with min_n 5: %+v", low.Groups)
		}

		var weekly topicAnswer
		e.call("GET", "/api/v1/metrics/topics?by=week", e.a.readKey, nil, 200).decode(t, &weekly)
		var mentions int64
		for _, g := range weekly.Groups {
			if len(g.Bucket) != len("2026-W14") || g.Bucket[4:6] != "-W" {
				t.Errorf("week bucket %q", g.Bucket)
			}
			for _, tp := range g.Topics {
				mentions += tp.Mentions
			}
		}
		if mentions != 52 {
			t.Errorf("weekly buckets hold %d mentions, want 52", mentions)
		}

		var overall topicAnswer
		e.call("GET", "/api/v1/metrics/topics", e.a.readKey, nil, 200).decode(t, &overall)
		if len(overall.Groups) != 1 || overall.Groups[0].All.Responses != 52 || len(overall.Groups[0].Topics) != 2 ||
			overall.Groups[0].Topics[0].Topic != "delivery" {
			t.Errorf("overall %+v, want one group of 52 responses, delivery first", overall.Groups)
		}

		var sent struct {
			Groups []struct {
				Touchpoint string `json:"touchpoint"`
				Labels     []struct {
					Label string `json:"label"`
					topicScores
				} `json:"labels"`
			} `json:"groups"`
		}
		e.call("GET", "/api/v1/metrics/sentiment?by=touchpoint&min_n=10", e.a.readKey, nil, 200).decode(t, &sent)
		for _, g := range sent.Groups {
			if g.Touchpoint != "delivery" {
				continue
			}
			labels := map[string]topicScores{}
			for _, l := range g.Labels {
				labels[l.Label] = l.topicScores
			}
			if labels["negative"].Responses != 30 || *labels["negative"].NPS.Value != -100 || labels["positive"].Responses != 10 ||
				*labels["positive"].NPS.Value != 100 || labels["neutral"].Responses != 0 || labels["neutral"].NPS.Status != "insufficient_data" {
				t.Errorf("delivery by sentiment %+v", labels)
			}
		}
		if len(sent.Groups) != 2 {
			t.Errorf("sentiment groups %+v", sent.Groups)
		}

		// B sees none of A's figures.
		var b topicAnswer
		e.call("GET", "/api/v1/metrics/topics?by=touchpoint", e.b.readKey, nil, 200).decode(t, &b)
		if len(b.Groups) != 0 {
			t.Errorf("B sees %+v", b.Groups)
		}
	})
}

// TestTopicMetricsRefuseBadParameters checks that every bad parameter
// gets a 400 that names it, on both endpoints.
func TestTopicMetricsRefuseBadParameters(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.newTouchpoint(e.a.writeKey, "delivery", "delivery")
		today := time.Now().Format(time.DateOnly)
		cases := map[string][]string{
			"by=day":                          {"by"},
			"by=survey":                       {"by"},
			"min_n=0":                         {"min_n"},
			"min_n=x":                         {"min_n"},
			"from=2026-13-01":                 {"from"},
			"to=yesterday":                    {"to"},
			"from=" + today + "&to=" + today:  {"to"},
			"from=2000-01-01&to=2026-01-01":   {"from"},
			"touchpoint=nowhere":              {"touchpoint"},
			"survey=abc":                      {"survey"},
			"survey=999999":                   {"survey"},
			"channel=pigeon":                  {"channel"},
			"locale=!!":                       {"locale"},
			"metric=nps":                      {"metric"},
			"by=week&by=month":                {"by"},
			"min_n=0&touchpoint=nowhere&by=x": {"by", "min_n", "touchpoint"},
		}
		for _, path := range []string{"/api/v1/metrics/topics", "/api/v1/metrics/sentiment"} {
			for q, want := range cases {
				r := e.do(request{method: "GET", path: path + "?" + q, token: e.a.readKey})
				got := fieldNames(r)
				slices.Sort(got)
				if r.status != 400 || r.errorCode() != cxm.EInvalid || !slices.Equal(got, want) {
					t.Errorf("%s?%s = %d %s; want 400 naming %v", path, q, r.status, r.body, want)
				}
			}
		}
	})
}
