package web_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// TestWeakSpotsFindADeterioratedTouchpoint plants a touchpoint whose NPS
// falls from +50 in September to −50 in October while another stays put,
// and checks that the weak-spot list names only the first, with its
// change and reasons, and that bad parameters are refused by name.
func TestWeakSpotsFindADeterioratedTouchpoint(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		w := e.a.writeKey
		e.newTouchpoint(w, "delivery", "delivery")
		e.call("POST", "/api/v1/touchpoints", w, map[string]any{"key": "hotline", "name": "Hotline", "stage": "purchase", "channel": "phone"}, 201)
		s := metricSurvey(e, "delivery", "hotline")
		for i := range 40 {
			sep, oct := 0, 0 // September: 30 promoters, 10 detractors; October: 10 and 30
			if i < 30 {
				sep = 10
			}
			if i < 10 {
				oct = 10
			}
			at := func(month time.Month) time.Time { return time.Date(2026, month, 10+i%10, 12, i, 0, 0, berlin) }
			answer(e, clock, s, at(time.September), "delivery", map[string]any{"nps": sep})
			answer(e, clock, s, at(time.October), "delivery", map[string]any{"nps": oct})
			answer(e, clock, s, at(time.September), "hotline", map[string]any{"nps": 9})
			answer(e, clock, s, at(time.October), "hotline", map[string]any{"nps": 9})
		}
		var rep analysis.WeakSpotReport
		e.call("GET", "/api/v1/analysis/weak-spots?metric=nps&from=2026-10-01&to=2026-11-01", e.a.readKey, nil, 200).decode(t, &rep)
		if rep.Compare != "previous" || rep.ComparedFrom != "2026-09-01" || rep.ComparedTo != "2026-10-01" || !rep.Adjusted {
			t.Errorf("comparison = %s %s..%s adjusted %v", rep.Compare, rep.ComparedFrom, rep.ComparedTo, rep.Adjusted)
		}
		if rep.Tested != 2 || rep.Overall.N != 80 || len(rep.Spots) != 1 {
			t.Fatalf("tested %d, overall %+v, spots %+v; want delivery alone of 2 touchpoints, n 80", rep.Tested, rep.Overall, rep.Spots)
		}
		d := rep.Spots[0]
		if d.Key != "delivery" || d.Rank != 1 || d.Stage != "receipt" || d.Score.N != 40 {
			t.Errorf("spot = %+v", d)
		}
		near(t, "delivery NPS", d.Score.Value, -50)
		near(t, "change", d.Change.Difference, -100)
		if d.Change.Direction != metric.Deteriorated || !slices.Contains(d.Reasons, metric.ReasonDeteriorated) || !slices.Contains(d.Reasons, metric.ReasonBelowOverall) {
			t.Errorf("delivery change %+v, reasons %v", d.Change, d.Reasons)
		}
		if d.Explanation == "" || d.Impact <= 0 {
			t.Errorf("explanation %q, impact %v", d.Explanation, d.Impact)
		}

		// The feedback metrics adjust their groups' changes only when asked.
		for adjust, want := range map[string]bool{"bh": true, "none": false} {
			fb := feedback(e, "metric=nps&by=touchpoint&from=2026-10-01&to=2026-11-01&compare=previous&adjust="+adjust)
			for _, g := range fb.Groups {
				if c := g.Comparison.Change; c.Adjusted != want || (want && c.Q < c.P) {
					t.Errorf("adjust=%s: %s change %+v", adjust, g.Key["touchpoint"], c)
				}
			}
		}

		// Above the minimum n nothing is judged.
		e.call("GET", "/api/v1/analysis/weak-spots?metric=nps&from=2026-10-01&to=2026-11-01&min_n=41&adjust=none", e.a.readKey, nil, 200).decode(t, &rep)
		if rep.Tested != 0 || len(rep.Spots) != 0 || len(rep.Insufficient) != 2 || rep.Adjusted {
			t.Errorf("min_n 41: %+v", rep)
		}
		// A filter on the hotline alone finds nothing weak.
		e.call("GET", "/api/v1/analysis/weak-spots?metric=nps&from=2026-10-01&to=2026-11-01&touchpoint=hotline", e.a.readKey, nil, 200).decode(t, &rep)
		if rep.Tested != 1 || len(rep.Spots) != 0 {
			t.Errorf("hotline alone: %+v", rep)
		}

		for query, field := range map[string]string{
			"metric=nps&adjust=holm":                   "adjust",
			"metric=nps&by=touchpoint":                 "by",
			"metric=promoters":                         "metric",
			"metric=nps&compare=yesterday":             "compare",
			"metric=nps&from=2026-13-01":               "from",
			"metric=nps&touchpoint=nowhere":            "touchpoint",
			"metric=nps&from=2026-10-01&to=2026-10-01": "to",
		} {
			r := e.call("GET", "/api/v1/analysis/weak-spots?"+query, e.a.readKey, nil, 400)
			if f := r.errorFields(); len(f) != 1 || !strings.HasPrefix(f[0], field+": ") {
				t.Errorf("%s: fields %v, want %s", query, r.errorFields(), field)
			}
		}
	})
}
