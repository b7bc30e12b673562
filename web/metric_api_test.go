package web_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/store"
)

// testClock is a settable clock for the store, so that responses complete
// at chosen times.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// forEachClockEnv is forEachEnv over stores whose clock the test sets.
func forEachClockEnv(t *testing.T, fn func(t *testing.T, e *env, clock *testClock)) {
	open := func(t *testing.T, url string, schema bool) (*env, *testClock) {
		clock := &testClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
		cfg := store.Config{URL: url, Now: clock.now}
		var db *store.DB
		var err error
		if schema {
			var drop func() error
			db, drop, err = store.OpenInNewSchema(context.Background(), url, "test", cfg)
			if err == nil {
				t.Cleanup(func() { drop() })
			}
		} else {
			db, err = store.Open(context.Background(), cfg)
		}
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return newEnv(t, db), clock
	}
	t.Run("sqlite", func(t *testing.T) {
		e, c := open(t, filepath.Join(t.TempDir(), "cxm.db"), false)
		fn(t, e, c)
	})
	t.Run("postgres", func(t *testing.T) {
		url := os.Getenv("CXM_TEST_DATABASE_URL")
		if url == "" {
			t.Skip("CXM_TEST_DATABASE_URL is not set")
		}
		e, c := open(t, url, true)
		fn(t, e, c)
	})
}

// metricSurvey creates an active survey asking every feedback question at
// the touchpoints.
func metricSurvey(e *env, tps ...string) *cxm.Survey {
	de := func(s string) map[string]string { return map[string]string{"de": s} }
	return e.newSurvey(e.a.writeKey, map[string]any{
		"slug": "metrics", "name": "Metrics", "status": cxm.SurveyActive, "default_locale": "de",
		"title": de("Wie war es?"),
		"questions": []map[string]any{
			{"key": "nps", "kind": "nps", "text": de("Weiterempfehlen?")},
			{"key": "csat", "kind": "csat", "text": de("Zufrieden?")},
			{"key": "ces", "kind": "ces", "text": de("Einfach?")},
			{"key": "stars", "kind": "rating", "text": de("Sterne?")},
		},
		"touchpoints": tps,
	})
}

// answer submits one completed response at the local time at (Berlin).
func answer(e *env, clock *testClock, s *cxm.Survey, at time.Time, tp string, answers map[string]any) {
	e.t.Helper()
	clock.set(at)
	e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", s.ID), e.a.writeKey,
		map[string]any{"touchpoint": tp, "completed": true, "answers": answers}, 201)
}

// feedback asks the metrics API and decodes the answer.
func feedback(e *env, query string) *analysis.FeedbackReport {
	e.t.Helper()
	var rep analysis.FeedbackReport
	e.call("GET", "/api/v1/metrics/feedback?"+query, e.a.readKey, nil, 200).decode(e.t, &rep)
	return &rep
}

// group returns the group whose key has dim = value.
func group(t *testing.T, rep *analysis.FeedbackReport, dim, value string) analysis.FeedbackGroup {
	t.Helper()
	for _, g := range rep.Groups {
		if g.Key[dim] == value {
			return g
		}
	}
	t.Fatalf("no group %s=%s in %+v", dim, value, rep.Groups)
	return analysis.FeedbackGroup{}
}

// near fails unless got is within 1e-9 of want.
func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// berlinResponses submits the hand-computed data set across the start of
// daylight saving time in Europe/Berlin (Sunday 29 March 2026, 02:00).
func berlinResponses(t *testing.T, e *env, clock *testClock) *cxm.Survey {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	w := e.a.writeKey
	e.newTouchpoint(w, "delivery", "delivery") // stage receipt
	e.call("POST", "/api/v1/touchpoints", w, map[string]any{"key": "hotline", "name": "Hotline", "stage": "purchase", "channel": "phone"}, 201)
	s := metricSurvey(e, "delivery", "hotline")
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, berlin) }
	// Week 13 (Mon 23 – Sun 29 March), delivery: NPS 10 and 9.
	answer(e, clock, s, at(23, 10, 0), "delivery", map[string]any{"nps": 10, "csat": 5, "ces": 7, "stars": 5})
	answer(e, clock, s, at(29, 23, 30), "delivery", map[string]any{"nps": 9, "csat": 4, "ces": 5, "stars": 4})
	// 00:30 on Monday 30 March in Berlin is still Sunday in UTC.
	answer(e, clock, s, at(30, 0, 30), "delivery", map[string]any{"nps": 3, "csat": 2, "ces": 3, "stars": 4})
	answer(e, clock, s, time.Date(2026, 4, 1, 12, 0, 0, 0, berlin), "delivery", map[string]any{"nps": 7, "csat": 4, "ces": 1, "stars": 3})
	answer(e, clock, s, at(25, 12, 0), "hotline", map[string]any{"nps": 0, "csat": 1, "ces": 2})
	answer(e, clock, s, at(31, 12, 0), "hotline", map[string]any{"nps": 10, "csat": 5, "ces": 6})
	return s
}

func TestFeedbackMetricsHandComputed(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		berlinResponses(t, e, clock)
		const z = 1.959963984540054
		period := "from=2026-03-23&to=2026-04-06&min_n=1"

		// NPS of delivery: 2 promoters, 1 passive, 1 detractor of 4.
		rep := feedback(e, "metric=nps&by=touchpoint&"+period)
		if rep.Metric != "nps" || rep.From != "2026-03-23" || rep.To != "2026-04-06" || rep.TimeZone != "Europe/Berlin" || len(rep.Groups) != 2 {
			t.Fatalf("report = %+v", rep)
		}
		d := group(t, rep, "touchpoint", "delivery")
		pP, pD := 2.0/4, 1.0/4
		half := z * math.Sqrt((pP+pD-(pP-pD)*(pP-pD))/4) * 100
		if d.Total.N != 4 || !d.Total.Sufficient() {
			t.Fatalf("delivery total = %+v", d.Total)
		}
		near(t, "delivery nps", d.Total.Value, 25)
		near(t, "delivery nps lower", d.Total.Lower, 25-half)
		near(t, "delivery nps upper", d.Total.Upper, math.Min(100, 25+half))
		h := group(t, rep, "touchpoint", "hotline")
		near(t, "hotline nps", h.Total.Value, 0)
		if h.Total.N != 2 {
			t.Errorf("hotline n = %d, want 2", h.Total.N)
		}

		// CSAT of delivery: 5, 4, 2, 4 → 3 of 4 top-two-box, Wilson interval.
		d = group(t, feedback(e, "metric=csat&by=touchpoint&touchpoint=delivery&"+period), "touchpoint", "delivery")
		p, n := 0.75, 4.0
		centre := (p + z*z/(2*n)) / (1 + z*z/n)
		w := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
		near(t, "csat", d.Total.Value, 75)
		near(t, "csat lower", d.Total.Lower, 100*(centre-w))
		near(t, "csat upper", d.Total.Upper, 100*(centre+w))

		// CES of delivery: 7, 5, 3, 1 → mean 4, s² = 20/3, t(3) = 3.182446305.
		rep = feedback(e, "metric=ces&touchpoint=delivery&"+period)
		if len(rep.Groups) != 1 || len(rep.Groups[0].Key) != 0 {
			t.Fatalf("ungrouped report = %+v", rep.Groups)
		}
		c := rep.Groups[0]
		near(t, "ces", c.Total.Value, 4)
		halfT := 3.182446305284263 * math.Sqrt(20.0/3/4)
		near(t, "ces lower", c.Total.Lower, math.Max(1, 4-halfT))
		near(t, "ces upper", c.Total.Upper, math.Min(7, 4+halfT))
		if c.EasyPct == nil || c.EasyPct.N != 4 {
			t.Fatalf("easy_pct = %+v", c.EasyPct)
		}
		near(t, "ces easy", c.EasyPct.Value, 50)

		// Rating of delivery: 5, 4, 4, 3 → mean 4, s² = 2/3; hotline has none.
		rep = feedback(e, "metric=rating&by=touchpoint&"+period)
		if h := group(t, rep, "touchpoint", "hotline").Total; h.N != 0 || h.Sufficient() {
			t.Errorf("hotline rating without answers = %+v", h)
		}
		r := group(t, rep, "touchpoint", "delivery").Total
		halfT = 3.182446305284263 * math.Sqrt(2.0/3/4)
		near(t, "rating", r.Value, 4)
		near(t, "rating lower", r.Lower, 4-halfT)
		near(t, "rating upper", r.Upper, math.Min(5, 4+halfT))
	})
}

func TestFeedbackMetricsWeeksAcrossDST(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		berlinResponses(t, e, clock)
		rep := feedback(e, "metric=nps&by=touchpoint&granularity=week&from=2026-03-23&to=2026-04-06&min_n=1")
		if rep.Granularity != "week" {
			t.Fatalf("granularity = %q", rep.Granularity)
		}
		d := group(t, rep, "touchpoint", "delivery")
		if len(d.Series) != 2 || d.Series[0].Period != "2026-W13" || d.Series[1].Period != "2026-W14" {
			t.Fatalf("series = %+v", d.Series)
		}
		// Week 13 lasts 167 hours in Berlin; the Sunday 23:30 answer belongs to it.
		if got := d.Series[1].Start.Sub(d.Series[0].Start); got != 167*time.Hour {
			t.Errorf("week 13 lasts %v", got)
		}
		near(t, "W13 nps", d.Series[0].Estimate.Value, 100)
		near(t, "W14 nps", d.Series[1].Estimate.Value, -50)
		if d.Series[0].Estimate.N != 2 || d.Series[1].Estimate.N != 2 {
			t.Errorf("weekly n = %d, %d", d.Series[0].Estimate.N, d.Series[1].Estimate.N)
		}

		// Days: the answer at 00:30 local on 30 March lands on the 30th,
		// not on the 29th as in UTC.
		rep = feedback(e, "metric=nps&touchpoint=delivery&granularity=day&from=2026-03-29&to=2026-03-31&min_n=1")
		s := rep.Groups[0].Series
		if len(s) != 2 || s[0].Period != "2026-03-29" || s[1].Period != "2026-03-30" {
			t.Fatalf("daily series = %+v", s)
		}
		if s[0].Estimate.N != 1 || s[1].Estimate.N != 1 {
			t.Errorf("n on 29th and 30th = %d, %d, want 1 and 1", s[0].Estimate.N, s[1].Estimate.N)
		}
		near(t, "29 March nps", s[0].Estimate.Value, 100)
		near(t, "30 March nps", s[1].Estimate.Value, -100)

		// The 29th counted alone: from includes, to excludes.
		rep = feedback(e, "metric=nps&from=2026-03-29&to=2026-03-30&min_n=1")
		if rep.Groups[0].Total.N != 1 {
			t.Errorf("n of 29 March alone = %d, want 1", rep.Groups[0].Total.N)
		}
	})
}

func TestFeedbackMetricsLowNStageAndTarget(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		berlinResponses(t, e, clock)
		period := "from=2026-03-23&to=2026-04-06"

		// Default min_n 30: figures carry n but no value.
		e1 := e.call("GET", "/api/v1/metrics/feedback?metric=nps&by=touchpoint&"+period, e.a.readKey, nil, 200)
		var rep analysis.FeedbackReport
		e1.decode(t, &rep)
		if rep.MinN != 30 {
			t.Errorf("min_n = %d", rep.MinN)
		}
		d := group(t, &rep, "touchpoint", "delivery")
		if d.Total.Sufficient() || d.Total.N != 4 {
			t.Errorf("delivery below min n = %+v", d.Total)
		}
		if !jsonHas(e1.body, `"status":"insufficient_data","n":4`) || jsonHas(e1.body, `"value"`) {
			t.Errorf("insufficient figure shows a value: %s", e1.body)
		}
		// min_n 4 shows delivery (n 4) but not hotline (n 2).
		rep = *feedback(e, "metric=nps&by=touchpoint&min_n=4&"+period)
		if !group(t, &rep, "touchpoint", "delivery").Total.Sufficient() || group(t, &rep, "touchpoint", "hotline").Total.Sufficient() {
			t.Errorf("min_n 4: %+v", rep.Groups)
		}

		// Stage receipt holds delivery only; purchase holds hotline.
		rep = *feedback(e, "metric=nps&stage=receipt&min_n=1&"+period)
		if rep.Groups[0].Total.N != 4 {
			t.Errorf("stage receipt n = %d, want 4", rep.Groups[0].Total.N)
		}
		rep = *feedback(e, "metric=nps&by=stage&min_n=1&"+period)
		if g := group(t, &rep, "stage", "purchase"); g.Total.N != 2 || g.Total.Value != 0 {
			t.Errorf("stage purchase = %+v", g.Total)
		}
		// A stage without touchpoints selects nothing.
		rep = *feedback(e, "metric=nps&stage=advocacy&min_n=1&"+period)
		if len(rep.Groups) != 0 {
			t.Errorf("empty stage gives %+v", rep.Groups)
		}

		// A target of 40 for delivery: NPS 25 is 15 below, but the interval
		// contains 40.
		e.call("PATCH", "/api/v1/touchpoints/delivery", e.a.writeKey, map[string]any{"targets": map[string]float64{"nps": 40}}, 200)
		rep = *feedback(e, "metric=nps&by=touchpoint&min_n=1&"+period)
		d = group(t, &rep, "touchpoint", "delivery")
		if d.Target == nil || *d.Target != 40 || d.Gap == nil || d.Gap.Position != "around" {
			t.Fatalf("delivery target/gap = %v %+v", d.Target, d.Gap)
		}
		near(t, "gap", d.Gap.Difference, -15)
		if h := group(t, &rep, "touchpoint", "hotline"); h.Target != nil || h.Gap != nil {
			t.Errorf("hotline has no target but shows %v", h.Gap)
		}
		// Targets can be given on create too.
		var shop cxm.Touchpoint
		e.call("POST", "/api/v1/touchpoints", e.a.writeKey, map[string]any{"key": "shop", "name": "Shop", "stage": "purchase",
			"channel": "web", "targets": map[string]float64{"csat": 80}}, 201).decode(t, &shop)
		e.call("GET", fmt.Sprintf("/api/v1/touchpoints/%d", shop.ID), e.a.readKey, nil, 200).decode(t, &shop)
		if shop.Targets["csat"] != 80 || len(shop.Targets) != 1 {
			t.Errorf("created targets = %v", shop.Targets)
		}
		// Bad targets are refused, naming the metric.
		r := e.call("PATCH", "/api/v1/touchpoints/delivery", e.a.writeKey, map[string]any{"targets": map[string]float64{"nps": 140, "speed": 1}}, 400)
		if f := fieldNames(r); !slices.Contains(f, "targets.nps") || !slices.Contains(f, "targets.speed") {
			t.Errorf("bad targets name %v", f)
		}
	})
}

func TestFeedbackMetricsComparePrevious(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		berlin, _ := time.LoadLocation("Europe/Berlin")
		e.newTouchpoint(e.a.writeKey, "delivery", "delivery")
		s := metricSurvey(e, "delivery")
		// January: 30 promoters, 10 detractors (NPS 50). February: 10
		// promoters, 30 detractors (NPS −50).
		for i := 0; i < 40; i++ {
			jan, feb := 0, 10
			if i < 30 {
				jan, feb = 10, 0
			}
			answer(e, clock, s, time.Date(2026, 1, 1+i%28, 9, 0, 0, 0, berlin), "delivery", map[string]any{"nps": jan})
			answer(e, clock, s, time.Date(2026, 2, 1+i%28, 9, 0, 0, 0, berlin), "delivery", map[string]any{"nps": feb})
		}
		rep := feedback(e, "metric=nps&by=touchpoint&from=2026-02-01&to=2026-03-01&compare=previous")
		d := group(t, rep, "touchpoint", "delivery")
		near(t, "february", d.Total.Value, -50)
		if d.Comparison == nil || d.Comparison.From != "2026-01-01" || d.Comparison.To != "2026-02-01" {
			t.Fatalf("comparison = %+v", d.Comparison)
		}
		ch := d.Comparison.Change
		near(t, "january", ch.Previous.Value, 50)
		near(t, "difference", ch.Difference, -100)
		// z = −100 / (100·√(2·(1 − 0.25)/40)), far beyond 1.96.
		se := 100 * math.Sqrt(2*(1-0.25)/40)
		near(t, "z", ch.Statistic, -100/se)
		if !ch.Significant || ch.Direction != "deteriorated" || ch.P >= 0.05 {
			t.Errorf("change = %+v", ch)
		}
		// A period against one without data: no statistics, no flag.
		rep = feedback(e, "metric=nps&from=2026-01-01&to=2026-02-01&compare=last_year")
		if ch := rep.Groups[0].Comparison.Change; ch.Significant || ch.Status != "insufficient_data" || rep.Groups[0].Comparison.From != "2025-01-01" {
			t.Errorf("last year = %+v", rep.Groups[0].Comparison)
		}
	})
}

func TestFeedbackMetricsBadParameters(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.newTouchpoint(e.a.writeKey, "delivery", "delivery")
		cases := []struct{ query, field string }{
			{"", "metric"},
			{"metric=nss", "metric"},
			{"metric=nps&metric=csat", "metric"},
			{"metric=nps&granularity=hour", "granularity"},
			{"metric=nps&by=attribute.plan", "by"},
			{"metric=nps&by=colour", "by"},
			{"metric=nps&compare=yesterday", "compare"},
			{"metric=nps&min_n=0", "min_n"},
			{"metric=nps&min_n=ten", "min_n"},
			{"metric=nps&from=2026-13-01", "from"},
			{"metric=nps&to=2026-02-30", "to"},
			{"metric=nps&from=2026-03-01&to=2026-03-01", "to"},
			{"metric=nps&from=2000-01-01&to=2026-01-01", "from"},
			{"metric=nps&granularity=day&from=2020-01-01&to=2026-01-01", "granularity"},
			{"metric=nps&touchpoint=delivery,nowhere", "touchpoint"},
			{"metric=nps&stage=nowhere", "stage"},
			{"metric=nps&survey=abc", "survey"},
			{"metric=nps&survey=999999", "survey"},
			{"metric=nps&channel=fax", "channel"},
			{"metric=nps&locale=%3Cb%3E", "locale"},
			{"metric=nps&colour=red", "colour"},
		}
		for _, c := range cases {
			r := e.call("GET", "/api/v1/metrics/feedback?"+c.query, e.a.readKey, nil, 400)
			if f := fieldNames(r); !slices.Contains(f, c.field) {
				t.Errorf("%q names %v, want %s", c.query, f, c.field)
			}
		}
		r := e.call("GET", "/api/v1/metrics/feedback?metric=nps&by=attribute.plan", e.a.readKey, nil, 400)
		if !jsonHas(r.body, "attribute:KEY") {
			t.Errorf("misspelt attribute slicing: %s", r.body)
		}
		// Without from and to: the last 90 days, with one empty total.
		rep := feedback(e, "metric=rating")
		if len(rep.Groups) != 1 || rep.Groups[0].Total.N != 0 || rep.Groups[0].Total.Sufficient() {
			t.Errorf("empty default report = %+v", rep)
		}
		from, _ := time.Parse(time.DateOnly, rep.From)
		to, _ := time.Parse(time.DateOnly, rep.To)
		if days := to.Sub(from).Hours() / 24; days != 90 {
			t.Errorf("default period %s–%s is %v days", rep.From, rep.To, days)
		}
	})
}

// jsonHas reports whether the body contains s.
func jsonHas(body []byte, s string) bool { return strings.Contains(string(body), s) }
