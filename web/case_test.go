package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/web"
)

// caseIDs returns the ids of a case list answer.
func caseIDs(t *testing.T, r response) []int64 {
	t.Helper()
	var b struct{ Data []cxm.Case }
	r.decode(t, &b)
	out := []int64{}
	for _, c := range b.Data {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

// sorted returns ids in ascending order.
func sorted(ids ...int64) []int64 {
	slices.Sort(ids)
	return ids
}

// TestCaseRoles proves who may do what on every case and team route:
// agents see and work the cases of their teams, of no team and assigned
// to them; analysts and read keys see all and change nothing; admins and
// write keys configure teams and work every case.
func TestCaseRoles(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		agent1 := e.newUser(e.a.ws, "agent1@acme.example", cxm.RoleAgent)
		agent2 := e.newUser(e.a.ws, "agent2@acme.example", cxm.RoleAgent)
		e.newUser(e.a.ws, "analyst@acme.example", cxm.RoleAnalyst)
		var hotline, delivery cxm.Team
		e.call("POST", "/api/v1/teams", a, map[string]any{"key": "hotline", "name": "Hotline", "member_ids": []int64{agent1.ID}}, 201).decode(t, &hotline)
		e.call("POST", "/api/v1/teams", a, map[string]any{"key": "delivery", "name": "Delivery"}, 201).decode(t, &delivery)
		mk := func(title string, team, assignee int64) int64 {
			var c cxm.Case
			e.call("POST", "/api/v1/cases", a, map[string]any{"title": title, "team_id": team, "assignee_id": assignee}, 201).decode(t, &c)
			return c.ID
		}
		caseH, caseD, caseU, caseM := mk("hotline", hotline.ID, 0), mk("delivery", delivery.ID, 0), mk("unowned", 0, 0), mk("delivery, agent2's", delivery.ID, agent2.ID)

		who := map[string]request{
			"agent1":    {client: e.signIn("agent1@acme.example", "acme")},
			"agent2":    {client: e.signIn("agent2@acme.example", "acme")},
			"analyst":   {client: e.signIn("analyst@acme.example", "acme")},
			"admin":     {client: e.signIn(e.a.adminEmail, "acme")},
			"read key":  {token: e.a.readKey},
			"write key": {token: e.a.writeKey},
		}
		call := func(as, method, path string, body any) response {
			rq := who[as]
			rq.method, rq.path, rq.body = method, path, body
			return e.do(rq)
		}
		// Lists: each sees their scope.
		for as, want := range map[string][]int64{
			"agent1": sorted(caseH, caseU), "agent2": sorted(caseU, caseM),
			"analyst": sorted(caseH, caseD, caseU, caseM), "admin": sorted(caseH, caseD, caseU, caseM),
			"read key": sorted(caseH, caseD, caseU, caseM), "write key": sorted(caseH, caseD, caseU, caseM),
		} {
			r := call(as, "GET", "/api/v1/cases", nil)
			if r.status != 200 || !slices.Equal(caseIDs(t, r), want) {
				t.Errorf("GET /api/v1/cases as %s = %d %v, want %v", as, r.status, caseIDs(t, r), want)
			}
		}
		if r := call("agent1", "GET", fmt.Sprintf("/api/v1/cases?team=%d", delivery.ID), nil); !slices.Equal(caseIDs(t, r), []int64{}) {
			t.Errorf("agent1 lists another team's cases: %s", r.body)
		}
		if r := call("agent2", "GET", fmt.Sprintf("/api/v1/cases?team=%d", delivery.ID), nil); !slices.Equal(caseIDs(t, r), []int64{caseM}) {
			t.Errorf("agent2's view of delivery = %s, want only the case assigned to them", r.body)
		}

		note := map[string]any{"body": "checked"}
		reply := map[string]any{"body": "Sorry!"}
		patch := map[string]any{"priority": "high"}
		newCase := map[string]any{"title": "by hand"}
		for _, tc := range []struct {
			as, method, path string
			body             any
			want             int
		}{
			// Agents: their team's, unowned and assigned cases; others are not found.
			{"agent1", "GET", "/api/v1/cases/%d", nil, 200},
			{"agent1", "PATCH", "/api/v1/cases/%d", patch, 200},
			{"agent1", "POST", "/api/v1/cases/%d/notes", note, 201},
			{"agent1", "POST", "/api/v1/cases", newCase, 201},
			{"agent1", "GET", "/api/v1/cases/" + fmt.Sprint(caseD), nil, 404},
			{"agent1", "PATCH", "/api/v1/cases/" + fmt.Sprint(caseD), patch, 404},
			{"agent1", "POST", "/api/v1/cases/" + fmt.Sprint(caseD) + "/notes", note, 404},
			{"agent1", "POST", "/api/v1/cases/" + fmt.Sprint(caseD) + "/replies", reply, 404},
			{"agent2", "PATCH", "/api/v1/cases/" + fmt.Sprint(caseM), patch, 200},
			{"agent2", "PATCH", "/api/v1/cases/" + fmt.Sprint(caseU), patch, 200},
			{"agent2", "GET", "/api/v1/cases/%d", nil, 404},
			// Analysts and read keys read everything and change nothing.
			{"analyst", "GET", "/api/v1/cases/" + fmt.Sprint(caseD), nil, 200},
			{"analyst", "PATCH", "/api/v1/cases/%d", patch, 403},
			{"analyst", "POST", "/api/v1/cases/%d/notes", note, 403},
			{"analyst", "POST", "/api/v1/cases/%d/replies", reply, 403},
			{"analyst", "POST", "/api/v1/cases", newCase, 403},
			{"read key", "GET", "/api/v1/cases/%d", nil, 200},
			{"read key", "PATCH", "/api/v1/cases/%d", patch, 403},
			{"read key", "POST", "/api/v1/cases/%d/notes", note, 403},
			{"read key", "POST", "/api/v1/cases/%d/replies", reply, 403},
			{"read key", "POST", "/api/v1/cases", newCase, 403},
			// Admins and write keys work every case.
			{"admin", "PATCH", "/api/v1/cases/" + fmt.Sprint(caseD), map[string]any{"title": "by admin"}, 200},
			{"write key", "POST", "/api/v1/cases/" + fmt.Sprint(caseD) + "/notes", note, 201},
			// Teams: everyone reads them, only admins and write keys change them.
			{"agent1", "GET", "/api/v1/teams", nil, 200},
			{"analyst", "GET", fmt.Sprintf("/api/v1/teams/%d", hotline.ID), nil, 200},
			{"agent1", "POST", "/api/v1/teams", map[string]any{"key": "mine", "name": "Mine"}, 403},
			{"analyst", "POST", "/api/v1/teams", map[string]any{"key": "mine", "name": "Mine"}, 403},
			{"read key", "POST", "/api/v1/teams", map[string]any{"key": "mine", "name": "Mine"}, 403},
			{"agent1", "PATCH", fmt.Sprintf("/api/v1/teams/%d", hotline.ID), map[string]any{"name": "X"}, 403},
			{"agent1", "DELETE", fmt.Sprintf("/api/v1/teams/%d", hotline.ID), nil, 403},
			{"admin", "POST", "/api/v1/teams", map[string]any{"key": "mine", "name": "Mine"}, 201},
			{"admin", "PATCH", fmt.Sprintf("/api/v1/teams/%d", hotline.ID), map[string]any{"member_ids": []int64{agent1.ID, agent2.ID}}, 200},
			{"admin", "DELETE", fmt.Sprintf("/api/v1/teams/%d", hotline.ID), nil, 409},
		} {
			path := tc.path
			if slices.Contains([]byte(path), '%') {
				path = fmt.Sprintf(path, caseH)
			}
			if r := call(tc.as, tc.method, path, tc.body); r.status != tc.want {
				t.Errorf("%s %s as %s = %d %s, want %d", tc.method, path, tc.as, r.status, r.body, tc.want)
			}
		}
		// Nothing that was refused changed the case.
		var got struct {
			cxm.Case
			Timeline []cxm.CaseEvent `json:"timeline"`
		}
		e.call("GET", fmt.Sprintf("/api/v1/cases/%d", caseH), a, nil, 200).decode(t, &got)
		notes := 0
		for _, ev := range got.Timeline {
			if ev.Kind == "note" {
				notes++
			}
		}
		if got.Priority != cxm.PriorityHigh || notes != 1 {
			t.Errorf("case H has priority %s and %d notes, want high and agent1's one note", got.Priority, notes)
		}
	})
}

// TestCaseFlow opens a case for a detractor's response, works it through
// its lifecycle with precise errors, replies to the customer by email
// job, and finds it on the customer's timeline.
func TestCaseFlow(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.a.writeKey
		var tp cxm.Touchpoint
		e.call("POST", "/api/v1/touchpoints", a, map[string]any{"key": "hotline", "name": "Hotline", "stage": "receipt", "channel": "phone"}, 201).decode(t, &tp)
		var anna, ben cxm.Customer
		e.call("POST", "/api/v1/customers", a, map[string]any{"external_id": "anna", "email": "anna@example.com", "locale": "de", "name": "Anna"}, 201).decode(t, &anna)
		e.call("POST", "/api/v1/customers", a, map[string]any{"external_id": "ben", "name": "Ben"}, 201).decode(t, &ben)
		var survey cxm.Survey
		e.call("POST", "/api/v1/surveys", a, surveyBody("after-call", cxm.SurveyActive, tp.Key), 201).decode(t, &survey)
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", survey.ID), a, map[string]any{"id": "r-anna", "customer": "anna",
			"touchpoint": tp.Key, "completed": true, "answers": map[string]any{"nps": 1}}, 201)

		var c cxm.Case
		e.call("POST", "/api/v1/cases", a, map[string]any{"title": "Angry caller", "response_id": "r-anna", "priority": "high"}, 201).decode(t, &c)
		if c.CustomerID != anna.ID || c.TouchpointID != tp.ID || c.Status != cxm.CaseNew || c.FirstResponseDue == nil {
			t.Errorf("case = %+v, want it linked to anna and the hotline, with deadlines", c)
		}
		r := e.call("POST", "/api/v1/cases", a, map[string]any{"title": "Twice", "response_id": "r-anna"}, 409)
		if f := r.errorFields(); len(f) != 1 || f[0][:len("response_id")] != "response_id" {
			t.Errorf("duplicate case fields = %v", f)
		}
		for _, bad := range []struct {
			method, path string
			body         any
			want         int
			field        string
		}{
			{"POST", "/api/v1/cases", map[string]any{"title": ""}, 400, "title"},
			{"POST", "/api/v1/cases", map[string]any{"title": "x", "priority": "asap"}, 400, "priority"},
			{"POST", "/api/v1/cases", map[string]any{"title": "x", "color": "red"}, 400, "color"},
			{"GET", "/api/v1/cases?status=open", nil, 400, "status"},
			{"GET", "/api/v1/cases?assignee=me", nil, 400, "assignee"},
			{"GET", "/api/v1/cases?breached=maybe", nil, 400, "breached"},
			{"GET", "/api/v1/cases?team=x", nil, 400, "team"},
			{"GET", "/api/v1/cases/abc", nil, 400, "id"},
			{"PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), map[string]any{}, 400, "body"},
			{"PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), map[string]any{"status": "resolved"}, 400, "resolution"},
			{"PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), map[string]any{"status": "resolved",
				"resolution": map[string]any{"root_cause": "nope", "type": "refund", "amount": 10}}, 400, "resolution.root_cause"},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/notes", c.ID), map[string]any{"body": ""}, 400, "body"},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/replies", c.ID), map[string]any{"body": "Hallo", "locale": "x_y!"}, 400, "locale"},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/replies", c.ID), map[string]any{"body": "Hallo"}, 409, "customer.consent.email"},
			{"POST", "/api/v1/teams", map[string]any{"key": "t", "name": "T", "member_ids": []int64{999999}}, 400, "member_ids"},
		} {
			r := e.do(request{method: bad.method, path: bad.path, token: a, body: bad.body})
			fields := r.errorFields()
			found := false
			for _, f := range fields {
				found = found || len(f) > len(bad.field) && f[:len(bad.field)+1] == bad.field+":"
			}
			if r.status != bad.want || !found {
				t.Errorf("%s %s %v = %d %v, want %d naming %s", bad.method, bad.path, bad.body, r.status, fields, bad.want, bad.field)
			}
		}

		// With consent the reply is recorded and an email job enqueued.
		e.call("PATCH", fmt.Sprintf("/api/v1/customers/%d", anna.ID), a, map[string]any{"consent": map[string]any{"email": true}}, 200)
		var ev cxm.CaseEvent
		e.call("POST", fmt.Sprintf("/api/v1/cases/%d/replies", c.ID), a, map[string]any{"body": "Es tut uns leid."}, 201).decode(t, &ev)
		jobs, _, err := e.db.ListJobs(ctx, e.a.ws.ID, cxm.JobFilter{Kind: web.JobCaseReply})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("reply jobs = %d (%v), want 1", len(jobs), err)
		}
		var payload web.CaseReplyJob
		if err := json.Unmarshal(jobs[0].Payload, &payload); err != nil || payload.CaseID != c.ID || payload.CustomerID != anna.ID ||
			payload.Locale != "de" || payload.Body != "Es tut uns leid." {
			t.Errorf("reply job payload = %s (%v)", jobs[0].Payload, err)
		}

		// Through the lifecycle: a forbidden move is a conflict on status.
		e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), a, map[string]any{"status": "in_progress"}, 200)
		r = e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), a, map[string]any{"status": "new"}, 409)
		if f := r.errorFields(); len(f) != 1 || f[0][:len("status:")] != "status:" {
			t.Errorf("forbidden move fields = %v", f)
		}
		e.call("PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), a, map[string]any{"status": "resolved",
			"resolution": map[string]any{"root_cause": "staff_behaviour", "type": "discount", "amount": 15, "currency": "EUR"}}, 200)
		var full struct {
			cxm.Case
			Timeline []cxm.CaseEvent `json:"timeline"`
		}
		e.call("GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), a, nil, 200).decode(t, &full)
		var kinds []string
		for _, ev := range full.Timeline {
			kinds = append(kinds, ev.Kind)
		}
		if want := []string{"created", "reply", "status", "status", "resolution"}; !slices.Equal(kinds, want) {
			t.Errorf("timeline kinds = %v, want %v", kinds, want)
		}
		if full.FirstRespondedAt == nil || full.Resolution == nil || full.Resolution.Amount != 15 || full.ResolvedAt == nil {
			t.Errorf("resolved case = %+v", full.Case)
		}
		// Filters.
		if ids := caseIDs(t, e.call("GET", fmt.Sprintf("/api/v1/cases?status=resolved,closed&customer=%d", anna.ID), a, nil, 200)); !slices.Equal(ids, []int64{c.ID}) {
			t.Errorf("resolved cases of anna = %v", ids)
		}
		if ids := caseIDs(t, e.call("GET", "/api/v1/cases?status=new&priority=urgent", a, nil, 200)); len(ids) != 0 {
			t.Errorf("new urgent cases = %v", ids)
		}
		// The customer's 360° timeline shows the case opened and resolved.
		var tl struct{ Data []cxm.TimelineEntry }
		e.call("GET", fmt.Sprintf("/api/v1/customers/%d/timeline", anna.ID), a, nil, 200).decode(t, &tl)
		var entries []string
		for _, en := range tl.Data {
			if en.Case != nil && en.Case.ID == c.ID {
				entries = append(entries, en.Kind)
			}
		}
		if !slices.Equal(entries, []string{"case_created", "case_resolved"}) {
			t.Errorf("customer timeline case entries = %v", entries)
		}
		// A case of a customer without email cannot be answered by email.
		var bc cxm.Case
		e.call("POST", "/api/v1/cases", a, map[string]any{"title": "Ben", "customer_id": ben.ID}, 201).decode(t, &bc)
		r = e.call("POST", fmt.Sprintf("/api/v1/cases/%d/replies", bc.ID), a, map[string]any{"body": "Hi"}, 409)
		if f := r.errorFields(); len(f) != 1 || f[0][:len("customer.email:")] != "customer.email:" {
			t.Errorf("reply without email fields = %v", f)
		}
		if r.status != http.StatusConflict {
			t.Errorf("status %d", r.status)
		}
	})
}
