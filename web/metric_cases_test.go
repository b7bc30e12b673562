package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
)

// TestCaseMetrics opens cases through the API, answers and resolves some,
// lets a recovered detractor answer again, and checks every closed-loop
// figure against the hand count, grouped by team, and the backlog.
func TestCaseMetrics(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		w := e.a.writeKey
		e.newTouchpoint(w, "delivery", "delivery")
		s := metricSurvey(e, "delivery")
		var hotline cxm.Team
		e.call("POST", "/api/v1/teams", w, map[string]any{"key": "hotline", "name": "Hotline"}, 201).decode(t, &hotline)
		start := time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC) // a Monday
		// Three detractors answer; each gets a case of the hotline team.
		var cases []int64
		for i := range 3 {
			clock.set(start.Add(time.Duration(i) * time.Minute))
			e.call("POST", "/api/v1/customers", w, map[string]any{"external_id": fmt.Sprint("c-", i)}, 201)
			var sub cxm.SubmitResult
			e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", s.ID), w, map[string]any{"customer": fmt.Sprint("c-", i),
				"touchpoint": "delivery", "completed": true, "answers": map[string]any{"nps": 2}}, 201).decode(t, &sub)
			var c cxm.Case
			e.call("POST", "/api/v1/cases", w, map[string]any{"title": "Detractor", "team_id": hotline.ID, "response_id": sub.Response.ID}, 201).decode(t, &c)
			cases = append(cases, c.ID)
		}
		// Case 0: first reply after 1 hour (a note does not count), resolved
		// with a refund after 3 hours; the customer then answers 9.
		clock.set(start.Add(time.Hour))
		e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", cases[0]), w, map[string]any{"status": "in_progress"}, 200)
		clock.set(start.Add(3 * time.Hour))
		e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", cases[0]), w, map[string]any{"status": "resolved",
			"resolution": map[string]any{"root_cause": "delivery_delay", "type": "refund", "amount": 20, "currency": "EUR"}}, 200)
		clock.set(start.Add(5 * time.Hour))
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", s.ID), w, map[string]any{"customer": "c-0",
			"touchpoint": "delivery", "completed": true, "answers": map[string]any{"nps": 9}}, 201)
		// Case 1: in progress after 2 hours, resolved with an apology after 5.
		clock.set(start.Add(2 * time.Hour))
		e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", cases[1]), w, map[string]any{"status": "in_progress"}, 200)
		clock.set(start.Add(5 * time.Hour))
		e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", cases[1]), w, map[string]any{"status": "resolved",
			"resolution": map[string]any{"root_cause": "delivery_delay", "type": "apology"}}, 200)
		// Case 2 stays new.
		clock.set(start.Add(50 * time.Hour))

		var rep analysis.CaseReport
		e.call("GET", "/api/v1/metrics/cases?from=2026-10-01&to=2026-11-01&min_n=1&by=team", e.a.readKey, nil, 200).decode(t, &rep)
		if len(rep.Groups) != 1 || rep.Groups[0].Key["team"] != "hotline" {
			t.Fatalf("groups = %+v", rep.Groups)
		}
		g := rep.Groups[0]
		if g.Opened != 3 || g.FirstResponse.N != 2 || g.Resolution.N != 2 {
			t.Fatalf("opened %d, first responses %+v, resolutions %+v", g.Opened, g.FirstResponse, g.Resolution)
		}
		// Case 1 opened a minute after case 0.
		near(t, "median hours to first response", g.FirstResponse.MedianHours, (1+(2-1.0/60))/2)
		near(t, "p90 hours to resolution", g.Resolution.P90Hours, 3+0.9*(2-1.0/60))
		if len(g.Resolutions) != 2 || g.Resolutions[0].Type != cxm.ResolutionApology || g.Resolutions[1].Amounts["EUR"] != 20 {
			t.Errorf("resolutions = %+v", g.Resolutions)
		}
		// Case 0 recovered; case 1's customer has not answered again.
		if g.RecoveryRate.N != 1 || g.RecoveryRate.Value != 100 {
			t.Errorf("recovery = %+v", g.RecoveryRate)
		}
		if g.SLAHitRate.N == 0 {
			t.Errorf("SLA hit rate counts no case: %+v", g.SLAHitRate)
		}
		// The backlog is as of the server's clock, which is today's.
		total, want := int64(0), 3
		if age := time.Since(start.Add(2 * time.Minute)); age < 7*24*time.Hour {
			t.Skip("the test's dates lie less than a week back")
		}
		for _, b := range rep.Backlog {
			total += b.Cases
		}
		if total != 1 || rep.Backlog[want].Cases != 1 {
			t.Errorf("backlog = %+v; want the one open case, over 7 days old", rep.Backlog)
		}
		// At the default minimum n the durations say so.
		var def analysis.CaseReport
		e.call("GET", "/api/v1/metrics/cases?from=2026-10-01&to=2026-11-01", e.a.readKey, nil, 200).decode(t, &def)
		if def.Groups[0].FirstResponse.Status != "insufficient_data" || def.Groups[0].FirstResponse.MedianHours != 0 || def.Groups[0].Opened != 3 {
			t.Errorf("min n 30: %+v", def.Groups[0])
		}
		for query, field := range map[string]string{"by=customer": "by", "min_n=0": "min_n", "from=yesterday": "from", "team=1": "team"} {
			r := e.call("GET", "/api/v1/metrics/cases?"+query, e.a.readKey, nil, 400)
			if f := r.errorFields(); len(f) != 1 || f[0][:len(field)+1] != field+":" {
				t.Errorf("%s: fields %v, want %s", query, f, field)
			}
		}
	})
}
