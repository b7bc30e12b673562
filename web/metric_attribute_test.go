package web_test

import (
	"testing"
	"time"
)

// TestFeedbackByCustomerAttribute slices NPS by a customer attribute
// through the API and checks each value's figure and n, and that a bad
// attribute key is refused by name.
func TestFeedbackByCustomerAttribute(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		w := e.a.writeKey
		e.newTouchpoint(w, "delivery", "delivery")
		s := metricSurvey(e, "delivery")
		for i, tier := range []string{"gold", "gold", "silver"} {
			e.call("POST", "/api/v1/customers", w, map[string]any{"external_id": "c-" + string(rune('a'+i)), "attributes": map[string]any{"tier": tier}}, 201)
		}
		at := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
		for i, a := range []struct {
			customer string
			nps      int
		}{{"c-a", 10}, {"c-b", 2}, {"c-c", 9}, {"c-c", 10}} {
			clock.set(at.Add(time.Duration(i) * time.Hour))
			e.call("POST", "/api/v1/surveys/"+itoa(s.ID)+"/responses", w,
				map[string]any{"customer": a.customer, "touchpoint": "delivery", "completed": true, "answers": map[string]any{"nps": a.nps}}, 201)
		}
		rep := feedback(e, "metric=nps&by=attribute:tier&min_n=1&from=2026-10-01&to=2026-11-01")
		gold, silver := group(t, rep, "attribute:tier", "gold"), group(t, rep, "attribute:tier", "silver")
		if gold.Total.N != 2 || silver.Total.N != 2 {
			t.Fatalf("gold %+v, silver %+v", gold.Total, silver.Total)
		}
		near(t, "gold NPS", gold.Total.Value, 0)
		near(t, "silver NPS", silver.Total.Value, 100)
		r := e.call("GET", "/api/v1/metrics/feedback?metric=nps&by=attribute:Tier", e.a.readKey, nil, 400)
		if f := r.errorFields(); len(f) != 1 || f[0][:3] != "by:" {
			t.Errorf("bad key: %v", f)
		}
	})
}
