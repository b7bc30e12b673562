package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

func TestAlertRulesAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		rule := map[string]any{"name": "Detractors", "condition": `nps_class == "detractor"`, "digest_minutes": 15,
			"actions": map[string]any{"open_case": map[string]any{"priority": "high"},
				"notify": []map[string]any{{"kind": "email", "email": "team@acme.example"}}}}
		var created cxm.AlertRule
		e.call("POST", "/api/v1/alert-rules", a, rule, 201).decode(t, &created)
		if !created.Enabled || created.ID == 0 || created.Actions.OpenCase == nil || created.Actions.OpenCase.Priority != cxm.PriorityHigh ||
			created.DigestMinutes != 15 || len(created.Actions.Notify) != 1 {
			t.Errorf("created %+v", created)
		}
		path := fmt.Sprintf("/api/v1/alert-rules/%d", created.ID)
		var got cxm.AlertRule
		e.call("GET", path, e.a.readKey, nil, 200).decode(t, &got)
		if got.Condition != created.Condition || got.Name != "Detractors" {
			t.Errorf("read %+v", got)
		}

		// Readers and agents read but cannot change rules.
		e.call("POST", "/api/v1/alert-rules", e.a.readKey, rule, 403)
		e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		agent := e.signIn("agent@acme.example", "acme")
		if r := e.do(request{method: "PUT", path: path, client: agent, body: rule}); r.status != 403 {
			t.Errorf("agent PUT: %d %s", r.status, r.body)
		}
		if r := e.do(request{method: "GET", path: "/api/v1/alert-rules", client: agent}); r.status != 200 {
			t.Errorf("agent GET: %d %s", r.status, r.body)
		}

		// Bad rules name every field, with the condition's position; nothing is stored.
		for _, c := range []struct {
			body map[string]any
			want []string
		}{
			{map[string]any{"name": "X", "condition": "npss <= 6"}, []string{"condition: line 1, column 1: unknown name npss"}},
			{map[string]any{"name": "X", "condition": "nps <= 6 &&\n touchpoint.ky == \"x\""}, []string{"condition: line 2, column"}},
			{map[string]any{"name": "X", "condition": `nps <= "six"`}, []string{"condition: line 1, column 5"}},
			{map[string]any{"name": "X", "condition": strings.Repeat("nps == 1 || ", 180) + "true"}, []string{"condition: must be at most 2000 bytes"}},
			{map[string]any{"name": "", "condition": "", "digest_minutes": 5000,
				"actions": map[string]any{"open_case": map[string]any{"priority": "asap", "team_id": 999999}, "notify": []map[string]any{{"kind": "email", "email": "nope"}}}},
				[]string{"name: is required", "digest_minutes:", "actions.open_case.priority:", "actions.notify[0].email:", "condition: is required", "actions.open_case.team_id: unknown team"}},
		} {
			r := e.call("POST", "/api/v1/alert-rules", a, c.body, 400)
			fields := r.errorFields()
			for _, w := range c.want {
				if !slices.ContainsFunc(fields, func(f string) bool { return strings.HasPrefix(f, w) }) {
					t.Errorf("%v: fields %v lack %q", c.body, fields, w)
				}
			}
		}
		var list struct{ Data []cxm.AlertRule }
		e.call("GET", "/api/v1/alert-rules", a, nil, 200).decode(t, &list)
		if len(list.Data) != 1 {
			t.Errorf("%d rules after bad requests, want 1", len(list.Data))
		}
		e.call("POST", "/api/v1/alert-rules", a, rule, 409)

		// Switch it off, then delete it.
		off := map[string]any{"name": "Detractors", "condition": `nps <= 6`, "enabled": false}
		got = cxm.AlertRule{}
		e.call("PUT", path, a, off, 200).decode(t, &got)
		if got.Enabled || got.Condition != "nps <= 6" || got.Actions.OpenCase != nil {
			t.Errorf("replaced %+v", got)
		}
		e.call("PUT", path, a, map[string]any{"name": "Detractors", "condition": "nps <"}, 400)
		e.call("DELETE", path, a, nil, 204)
		e.call("GET", path, a, nil, 404)
	})
}

func TestAlertRuleDryRun(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		e.call("POST", "/api/v1/touchpoints", a, map[string]any{"key": "delivery", "name": "Delivery", "stage": "receipt", "channel": "delivery"}, 201)
		var survey cxm.Survey
		e.call("POST", "/api/v1/surveys", a, surveyBody("after-delivery", cxm.SurveyActive, "delivery"), 201).decode(t, &survey)
		scores := map[string]int{"r-1": 2, "r-2": 6, "r-3": 9, "r-4": 10, "r-5": 0, "r-6": 8}
		var detractors []string
		for id, nps := range scores {
			answers := map[string]any{"nps": nps}
			if id == "r-5" {
				answers["why"] = "Ich schalte meinen Anwalt ein."
			}
			e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", survey.ID), a,
				map[string]any{"id": id, "completed": true, "touchpoint": "delivery", "answers": answers}, 201)
			if nps <= 6 {
				detractors = append(detractors, id)
			}
		}
		// A partial response is not evaluated.
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", survey.ID), a, map[string]any{"id": "r-partial", "answers": map[string]any{"nps": 1}}, 201)

		type dryRun struct {
			Days      int      `json:"days"`
			Evaluated int      `json:"evaluated"`
			WouldFire int      `json:"would_fire"`
			Examples  []string `json:"examples"`
		}
		for _, c := range []struct {
			condition string
			want      []string
		}{
			{`nps_class == "detractor" && touchpoint.key == "delivery"`, detractors},
			{`nps <= 6 && touchpoint.key == "checkout"`, nil},
			{`text contains "Anwalt"`, []string{"r-5"}},
			{`csat <= 2`, nil},
		} {
			var got dryRun
			e.call("POST", "/api/v1/alert-rules/test", e.a.writeKey, map[string]any{"condition": c.condition}, 200).decode(t, &got)
			slices.Sort(got.Examples)
			slices.Sort(c.want)
			if got.Days != 30 || got.Evaluated != len(scores) || got.WouldFire != len(c.want) || !slices.Equal(got.Examples, c.want) && len(c.want) > 0 {
				t.Errorf("%s: %+v, want %d of %d firing: %v", c.condition, got, len(c.want), len(scores), c.want)
			}
		}
		// Another workspace's dry run sees none of A's responses.
		var other dryRun
		e.call("POST", "/api/v1/alert-rules/test?days=365", e.b.writeKey, map[string]any{"condition": "true"}, 200).decode(t, &other)
		if other.Evaluated != 0 || other.Days != 365 {
			t.Errorf("B's dry run: %+v", other)
		}
		r := e.call("POST", "/api/v1/alert-rules/test?days=0", a, map[string]any{"condition": "npss > 1"}, 400)
		if f := r.errorFields(); len(f) != 2 || !strings.HasPrefix(f[0], "days:") || !strings.HasPrefix(f[1], "condition: line 1, column 1") {
			t.Errorf("bad dry run fields %v", f)
		}
		e.call("POST", "/api/v1/alert-rules/test", e.a.readKey, map[string]any{"condition": "true"}, 403)
	})
}
