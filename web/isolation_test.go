package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestWorkspaceIsolation proves, for every route, that workspace B's
// credentials can neither read nor change workspace A's data: each call
// with A's ids fails or answers without A's data, and A's data is
// byte-for-byte unchanged afterwards. A route without a case fails the test.
func TestWorkspaceIsolation(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		const secret = "acme-secret"
		a := e.a.writeKey
		tp := e.call("POST", "/api/v1/touchpoints", a, map[string]any{"key": secret + "-tp", "name": secret + " shop", "stage": "purchase", "channel": "web"}, 201)
		var touch cxm.Touchpoint
		tp.decode(t, &touch)
		var cust cxm.Customer
		e.call("POST", "/api/v1/customers", a, map[string]any{"external_id": secret + "-c1", "name": secret + " Customer", "email": "c1@acme.example"}, 201).decode(t, &cust)
		var other cxm.Customer
		e.call("POST", "/api/v1/customers", a, map[string]any{"external_id": secret + "-c2"}, 201).decode(t, &other)
		e.call("POST", "/api/v1/interactions", a, map[string]any{"id": secret + "-i1", "customer": secret + "-c1",
			"touchpoint": touch.Key, "type": "order", "occurred_at": "2026-01-02T10:00:00Z", "value": 42.5}, 200)
		e.call("POST", "/api/v1/interactions", a, map[string]any{"id": secret + "-i2", "anonymous_id": secret + "-anon",
			"touchpoint": touch.Key, "type": "view", "occurred_at": "2026-01-01T10:00:00Z"}, 200)
		var journey cxm.Journey
		e.call("POST", "/api/v1/journeys", a, map[string]any{"key": secret + "-j", "name": secret + " journey",
			"stages": []map[string]any{{"key": "one", "names": map[string]string{"en": "One"}}}}, 201).decode(t, &journey)
		var survey cxm.Survey
		e.call("POST", "/api/v1/surveys", a, surveyBody(secret+"-survey", cxm.SurveyActive, touch.Key), 201).decode(t, &survey)
		e.call("POST", "/api/v1/surveys/"+fmt.Sprint(survey.ID)+"/responses", a, map[string]any{"id": secret + "-r1",
			"customer": secret + "-c1", "completed": true, "answers": map[string]any{"nps": 9, "why": secret + " text"},
			"hidden": map[string]string{"order_id": secret + "-order"}}, 201)
		var invited struct {
			Results []struct{ Invitation cxm.Invitation }
		}
		e.call("POST", "/api/v1/surveys/"+fmt.Sprint(survey.ID)+"/invitations", a, map[string]any{"customers": []string{secret + "-c1"},
			"channel": "widget", "hidden": map[string]string{"order_id": secret + "-order"}}, 200).decode(t, &invited)
		invitation := invited.Results[0].Invitation
		agent := e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		keys, err := e.db.ListAPIKeys(context.Background(), e.a.ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		keyID := keys[0].ID
		var team cxm.Team
		e.call("POST", "/api/v1/teams", a, map[string]any{"key": secret + "-team", "name": secret + " team", "member_ids": []int64{agent.ID}}, 201).decode(t, &team)
		var acase cxm.Case
		e.call("POST", "/api/v1/cases", a, map[string]any{"title": secret + " case", "response_id": secret + "-r1", "team_id": team.ID}, 201).decode(t, &acase)
		hook := &cxm.Webhook{WorkspaceID: e.a.ws.ID, Name: secret + " hook", URL: "https://93.184.216.34/" + secret, Enabled: true}
		if _, err := e.db.CreateWebhook(context.Background(), hook); err != nil {
			t.Fatal(err)
		}
		if err := e.db.CreateNotification(context.Background(), &cxm.Notification{WorkspaceID: e.a.ws.ID, Kind: "alert", Title: secret + " alert"}); err != nil {
			t.Fatal(err)
		}
		var rule cxm.AlertRule
		e.call("POST", "/api/v1/alert-rules", a, map[string]any{"name": secret + " rule", "condition": `text contains "` + secret + `"`}, 201).decode(t, &rule)

		before := snapshot(t, e, e.a.ws.ID, cust.ID)
		ids := strings.NewReplacer("{customer}", fmt.Sprint(cust.ID), "{other}", fmt.Sprint(other.ID),
			"{touchpoint}", fmt.Sprint(touch.ID), "{touchpointKey}", touch.Key, "{journey}", fmt.Sprint(journey.ID),
			"{member}", fmt.Sprint(agent.ID), "{apikey}", fmt.Sprint(keyID), "{survey}", fmt.Sprint(survey.ID),
			"{invitation}", fmt.Sprint(invitation.ID), "{team}", fmt.Sprint(team.ID), "{case}", fmt.Sprint(acase.ID), "{webhook}", fmt.Sprint(hook.ID), "{alertRule}", fmt.Sprint(rule.ID))
		interaction := map[string]any{"id": secret + "-i1", "customer": secret + "-c1", "touchpoint": touch.Key, "type": "order", "occurred_at": "2026-01-02T10:00:00Z"}
		cases := map[string]struct {
			path string
			body any
		}{
			"GET /healthz":                        {"/healthz", nil},
			"GET /readyz":                         {"/readyz", nil},
			"GET /metrics":                        {"/metrics", nil},
			"GET /api/v1/openapi.json":            {"/api/v1/openapi.json", nil},
			"POST /api/v1/auth/login":             {"/api/v1/auth/login", map[string]string{"email": e.a.adminEmail, "password": "wrong password!", "workspace": "acme"}},
			"POST /api/v1/auth/logout":            {"/api/v1/auth/logout", nil},
			"GET /api/v1/auth/me":                 {"/api/v1/auth/me", nil},
			"POST /api/v1/auth/switch":            {"/api/v1/auth/switch", map[string]string{"workspace": "acme"}},
			"GET /api/v1/workspace":               {"/api/v1/workspace", nil},
			"GET /api/v1/case-settings":           {"/api/v1/case-settings", nil},
			"PUT /api/v1/case-settings":           {"/api/v1/case-settings", map[string]any{"hours": []map[string]any{{"weekday": 1, "start": "08:00", "end": "12:00"}}, "sla": map[string]any{}, "root_causes": []map[string]string{{"key": "b_only", "name": "B only"}}}},
			"PATCH /api/v1/workspace":             {"/api/v1/workspace", map[string]string{"name": "B renamed"}},
			"GET /api/v1/members":                 {"/api/v1/members", nil},
			"POST /api/v1/members":                {"/api/v1/members", map[string]string{"email": "agent@acme.example", "role": "admin"}},
			"PATCH /api/v1/members/{id}":          {"/api/v1/members/{member}", map[string]string{"role": "admin"}},
			"DELETE /api/v1/members/{id}":         {"/api/v1/members/{member}", nil},
			"GET /api/v1/apikeys":                 {"/api/v1/apikeys", nil},
			"POST /api/v1/apikeys":                {"/api/v1/apikeys", map[string]string{"name": "b key", "scope": "read"}},
			"DELETE /api/v1/apikeys/{id}":         {"/api/v1/apikeys/{apikey}", nil},
			"GET /api/v1/journeys":                {"/api/v1/journeys", nil},
			"POST /api/v1/journeys":               {"/api/v1/journeys", map[string]any{"key": secret + "-j", "name": "B", "stages": []map[string]any{{"key": "x", "names": map[string]string{"en": "X"}}}}},
			"GET /api/v1/journeys/{id}":           {"/api/v1/journeys/{journey}", nil},
			"PUT /api/v1/journeys/{id}":           {"/api/v1/journeys/{journey}", map[string]any{"name": "B", "stages": []map[string]any{{"key": "x", "names": map[string]string{"en": "X"}}}}},
			"DELETE /api/v1/journeys/{id}":        {"/api/v1/journeys/{journey}", nil},
			"GET /api/v1/touchpoints":             {"/api/v1/touchpoints", nil},
			"POST /api/v1/touchpoints":            {"/api/v1/touchpoints", map[string]any{"key": "b-tp", "name": "B", "stage_id": journey.Stages[0].ID, "channel": "web"}},
			"GET /api/v1/touchpoints/{id}":        {"/api/v1/touchpoints/{touchpoint}", nil},
			"PATCH /api/v1/touchpoints/{id}":      {"/api/v1/touchpoints/{touchpointKey}", map[string]string{"name": "B"}},
			"DELETE /api/v1/touchpoints/{id}":     {"/api/v1/touchpoints/{touchpoint}", nil},
			"GET /api/v1/customers":               {"/api/v1/customers?external_id=" + secret + "-c1", nil},
			"POST /api/v1/customers":              {"/api/v1/customers", map[string]string{"external_id": "b-only"}},
			"GET /api/v1/customers/{id}":          {"/api/v1/customers/{customer}", nil},
			"PATCH /api/v1/customers/{id}":        {"/api/v1/customers/{customer}", map[string]string{"name": "B"}},
			"DELETE /api/v1/customers/{id}":       {"/api/v1/customers/{customer}", nil},
			"GET /api/v1/customers/{id}/timeline": {"/api/v1/customers/{customer}/timeline", nil},
			"POST /api/v1/customers/{id}/merge":   {"/api/v1/customers/{customer}/merge", map[string]any{"from": other.ID}},
			"GET /api/v1/customers/{id}/merges":   {"/api/v1/customers/{customer}/merges", nil},
			"POST /api/v1/identify":               {"/api/v1/identify", map[string]string{"anonymous_id": secret + "-anon", "customer": secret + "-c1"}},
			"POST /api/v1/interactions":           {"/api/v1/interactions", interaction},
			"GET /api/v1/interactions":            {"/api/v1/interactions?customer_id={customer}", nil},
			"GET /api/v1/surveys":                 {"/api/v1/surveys", nil},
			"POST /api/v1/surveys":                {"/api/v1/surveys", surveyBody("b-survey", cxm.SurveyActive)},
			"GET /api/v1/surveys/{id}":            {"/api/v1/surveys/{survey}", nil},
			"PUT /api/v1/surveys/{id}":            {"/api/v1/surveys/{survey}", surveyBody("b-renamed", cxm.SurveyClosed)},
			"DELETE /api/v1/surveys/{id}":         {"/api/v1/surveys/{survey}", nil},
			"POST /api/v1/surveys/{id}/responses": {"/api/v1/surveys/{survey}/responses", map[string]any{"id": secret + "-r1", "customer": secret + "-c1", "completed": true, "answers": map[string]any{"nps": 0}}},
			"GET /api/v1/responses":               {"/api/v1/responses?survey_id={survey}", nil},
			"GET /api/v1/responses/export":        {"/api/v1/responses/export?format=ndjson", nil},
			"GET /api/v1/responses/{id}":          {"/api/v1/responses/" + secret + "-r1", nil},
			"DELETE /api/v1/responses/{id}":       {"/api/v1/responses/" + secret + "-r1", nil},
			"GET /api/v1/surveys/{id}/qr":         {"/api/v1/surveys/{survey}/qr?touchpoint={touchpointKey}", nil},
			"GET /api/v1/surveys/{id}/links":      {"/api/v1/surveys/{survey}/links", nil},
			"GET /widget.js":                      {"/widget.js", nil},
			"POST /w/v1/{key}/session":            {"/w/v1/" + e.b.ws.PublicKey + "/session", map[string]any{"anonymous_id": "b-anon"}},
			"OPTIONS /w/v1/{key}/session":         {"/w/v1/" + e.b.ws.PublicKey + "/session", nil},
			"POST /w/v1/{key}/shown":              {"/w/v1/" + e.b.ws.PublicKey + "/shown", map[string]any{"anonymous_id": "b-anon", "survey_id": survey.ID}},
			"OPTIONS /w/v1/{key}/shown":           {"/w/v1/" + e.b.ws.PublicKey + "/shown", nil},
			"POST /w/v1/{key}/responses":          {"/w/v1/" + e.b.ws.PublicKey + "/responses", map[string]any{"id": "b-w1", "anonymous_id": "b-anon", "survey_id": survey.ID, "answers": map[string]any{"nps": 0}, "completed": true}},
			"OPTIONS /w/v1/{key}/responses":       {"/w/v1/" + e.b.ws.PublicKey + "/responses", nil},

			// Invitations (invitation.go); B cannot forge an unsubscribe link.
			"POST /api/v1/surveys/{id}/invitations": {"/api/v1/surveys/{survey}/invitations", map[string]any{"customers": []string{secret + "-c1"}}},
			"GET /api/v1/invitations":               {"/api/v1/invitations?survey_id={survey}&customer=" + secret + "-c1", nil},
			"GET /api/v1/invitations/{id}":          {"/api/v1/invitations/{invitation}", nil},
			"GET /u/{token}":                        {"/u/forged-token-for-{invitation}", nil},
			"POST /u/{token}":                       {"/u/forged-token-for-{invitation}", nil},

			// The browser workspace (ui_app.go): B sees only B; forms without B's CSRF token change nothing.
			"GET /app/static/{file...}": {"/app/static/app.css", nil},
			"GET /app/sign-in":          {"/app/sign-in", nil},
			"POST /app/sign-in":         {"/app/sign-in", map[string]any{"email": "admin@acme.example"}},
			"POST /app/sign-out":        {"/app/sign-out", nil},
			"POST /app/switch":          {"/app/switch", map[string]any{"workspace": "acme"}},
			"GET /app":                  {"/app", nil},
			"GET /app/{$}":              {"/app/", nil},
			"GET /app/{page}":           {"/app/journey", nil},

			// The hosted survey pages are public; B's credentials change nothing there.
			"GET /s/{slug}":        {"/s/no-such-survey", nil},
			"POST /s/{slug}":       {"/s/" + survey.Slug, map[string]any{"page": 1, "a.nps": 0}},
			"GET /s/{slug}/thanks": {"/s/no-such-survey/thanks", nil},

			// Journey analytics (journey_analysis.go): B's figures are B's own, A's journey is not found.
			"GET /api/v1/analysis/journey/funnel":      {"/api/v1/analysis/journey/funnel?min_n=1", nil},
			"GET /api/v1/metrics/loyalty":              {"/api/v1/metrics/loyalty?min_n=1&from=2025-06-01&to=2026-06-01", nil},
			"GET /api/v1/metrics/cohorts":              {"/api/v1/metrics/cohorts?min_n=1&from=2025-06-01&to=2026-06-01", nil},
			"GET /api/v1/metrics/response-rate":        {"/api/v1/metrics/response-rate?min_n=1&survey={survey}", nil},
			"GET /api/v1/metrics/feedback":             {"/api/v1/metrics/feedback?metric=nps&by=touchpoint&min_n=1&from=2000-01-01&to=2100-01-01", nil},
			"GET /api/v1/metrics/cases":                {"/api/v1/metrics/cases?min_n=1&by=team&from=2000-01-01&to=2009-12-01", nil},
			"GET /api/v1/analysis/weak-spots":          {"/api/v1/analysis/weak-spots?metric=nps&min_n=1&from=2000-01-01&to=2009-12-01", nil},
			"GET /api/v1/analysis/journey/transitions": {"/api/v1/analysis/journey/transitions?journey={journey}", nil},
			"GET /api/v1/analysis/journey/stage-times": {"/api/v1/analysis/journey/stage-times?min_n=1", nil},
			"GET /api/v1/analysis/journey/attribution": {"/api/v1/analysis/journey/attribution?min_n=1", nil},
			"GET /api/v1/analysis/drivers":             {"/api/v1/analysis/drivers?min_n=1&survey={survey}", nil},
			"GET /api/v1/metrics/topics":               {"/api/v1/metrics/topics?by=touchpoint&min_n=1&from=2020-01-01&to=2029-12-31", nil},
			"GET /api/v1/metrics/sentiment":            {"/api/v1/metrics/sentiment?by=touchpoint&min_n=1&from=2020-01-01&to=2029-12-31", nil},
			"GET /api/v1/analysis/emerging-topics":     {"/api/v1/analysis/emerging-topics?from=2020-01-01&to=2029-12-31", nil},

			// Text analytics: B cannot correct, read or change A's texts, models or topics.
			"PUT /api/v1/responses/{id}/sentiment":        {"/api/v1/responses/" + secret + "-r1/sentiment", map[string]string{"label": "negative"}},
			"GET /api/v1/text/models":                     {"/api/v1/text/models", nil},
			"GET /api/v1/responses/{id}/original":         {"/api/v1/responses/" + secret + "-r1/original", nil},
			"GET /api/v1/text/topics":                     {"/api/v1/text/topics", nil},
			"PUT /api/v1/text/topics":                     {"/api/v1/text/topics", map[string]any{"topics": []map[string]any{{"key": "b_topic", "name": map[string]string{"en": "B"}, "terms": map[string][]string{"en": []string{"bee"}}}}}},
			"POST /api/v1/text/models/{version}/activate": {"/api/v1/text/models/1/activate", nil},

			// Teams and cases (team.go, case.go, case_note.go): A's team and case are not found for B.
			"GET /api/v1/teams":               {"/api/v1/teams", nil},
			"POST /api/v1/teams":              {"/api/v1/teams", map[string]any{"key": "b-team", "name": "B", "member_ids": []int64{agent.ID}}},
			"GET /api/v1/teams/{id}":          {"/api/v1/teams/{team}", nil},
			"PATCH /api/v1/teams/{id}":        {"/api/v1/teams/{team}", map[string]any{"name": "B"}},
			"DELETE /api/v1/teams/{id}":       {"/api/v1/teams/{team}", nil},
			"GET /api/v1/cases":               {"/api/v1/cases?customer={customer}", nil},
			"POST /api/v1/cases":              {"/api/v1/cases", map[string]any{"title": "B case", "response_id": secret + "-r1", "team_id": "{team}"}},
			"GET /api/v1/cases/{id}":          {"/api/v1/cases/{case}", nil},
			"PATCH /api/v1/cases/{id}":        {"/api/v1/cases/{case}", map[string]any{"status": "closed"}},
			"POST /api/v1/cases/{id}/notes":   {"/api/v1/cases/{case}/notes", map[string]any{"body": "B note"}},
			"POST /api/v1/cases/{id}/replies": {"/api/v1/cases/{case}/replies", map[string]any{"body": "B reply"}},

			// Notifications and webhooks (events.go, webhook.go): B's stream and hooks are B's own.
			"GET /api/v1/events":                   {"/api/v1/events?stream=false&last_event_id=0", nil},
			"GET /api/v1/webhooks":                 {"/api/v1/webhooks", nil},
			"POST /api/v1/webhooks":                {"/api/v1/webhooks", map[string]any{"name": "b hook", "url": "https://93.184.216.34/b"}},
			"GET /api/v1/webhooks/{id}":            {"/api/v1/webhooks/{webhook}", nil},
			"PATCH /api/v1/webhooks/{id}":          {"/api/v1/webhooks/{webhook}", map[string]any{"enabled": false}},
			"DELETE /api/v1/webhooks/{id}":         {"/api/v1/webhooks/{webhook}", nil},
			"POST /api/v1/webhooks/{id}/rotate":    {"/api/v1/webhooks/{webhook}/rotate", nil},
			"GET /api/v1/webhooks/{id}/deliveries": {"/api/v1/webhooks/{webhook}/deliveries", nil},
			"POST /api/v1/webhooks/{id}/test":      {"/api/v1/webhooks/{webhook}/test", nil},

			// Alert rules (alert_rule.go): A's rule is not found for B, and B's dry run sees only B's responses.
			"GET /api/v1/alert-rules":         {"/api/v1/alert-rules", nil},
			"POST /api/v1/alert-rules":        {"/api/v1/alert-rules", map[string]any{"name": "b rule", "condition": "nps <= 6"}},
			"POST /api/v1/alert-rules/test":   {"/api/v1/alert-rules/test?days=365", map[string]any{"condition": "nps >= 0 || nps < 0 || true"}},
			"GET /api/v1/alert-rules/{id}":    {"/api/v1/alert-rules/{alertRule}", nil},
			"PUT /api/v1/alert-rules/{id}":    {"/api/v1/alert-rules/{alertRule}", map[string]any{"name": "b rule", "condition": "true"}},
			"DELETE /api/v1/alert-rules/{id}": {"/api/v1/alert-rules/{alertRule}", nil},
		}
		bAdmin := e.signIn(e.b.adminEmail, "globex")
		// Ids are unique across the database, so A's ids in an answer to B mean a leak.
		aMarks := []string{fmt.Sprintf(`"workspace_id":%d`, e.a.ws.ID)}
		for _, id := range []int64{cust.ID, other.ID, touch.ID, journey.ID, agent.ID, keyID, survey.ID, invitation.ID, team.ID, acase.ID, hook.ID, rule.ID} {
			aMarks = append(aMarks, fmt.Sprintf(`"id":%d,`, id), fmt.Sprintf(`"id":%d}`, id))
		}
		for _, rt := range e.web.Routes() {
			name := rt.Method + " " + rt.Pattern
			c, ok := cases[name]
			if !ok {
				t.Errorf("route %s has no isolation case", name)
				continue
			}
			path := ids.Replace(c.path)
			var body any = c.body
			if body != nil {
				b, _ := json.Marshal(body)
				body = []byte(ids.Replace(string(b)))
			}
			for who, rq := range map[string]request{
				"B write key": {method: rt.Method, path: path, token: e.b.writeKey, body: body, contentType: "application/json"},
				"B admin":     {method: rt.Method, path: path, client: bAdmin, body: body, contentType: "application/json"},
			} {
				r := e.do(rq)
				if r.status >= 500 {
					t.Errorf("%s as %s: status %d %s", name, who, r.status, r.body)
				}
				// B may see strings it sent itself, but never A's records.
				sent, _ := body.([]byte)
				for _, mark := range aMarks {
					if strings.Contains(string(r.body), mark) {
						t.Errorf("%s as %s: answer shows A's record (%s): %s", name, who, mark, r.body)
					}
				}
				if !strings.Contains(string(sent), secret) && strings.Contains(string(r.body), secret) {
					t.Errorf("%s as %s: answer shows A's data: %s", name, who, r.body)
				}
			}
		}
		if after := snapshot(t, e, e.a.ws.ID, cust.ID); after != before {
			t.Errorf("workspace A changed through B's calls:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// snapshot returns everything of workspace ws as one JSON string.
func snapshot(t *testing.T, e *env, ws, customerID int64) string {
	t.Helper()
	ctx := context.Background()
	all := map[string]any{}
	var err error
	add := func(name string, v any, e error) {
		if e != nil {
			err = e
		}
		all[name] = v
	}
	w, e1 := e.db.FindWorkspaceByID(ctx, ws)
	add("workspace", w, e1)
	tps, e2 := e.db.ListTouchpoints(ctx, ws)
	add("touchpoints", tps, e2)
	js, e3 := e.db.ListJourneys(ctx, ws)
	add("journeys", js, e3)
	cs, _, e4 := e.db.ListCustomers(ctx, ws, cxm.CustomerFilter{Page: cxm.Page{Limit: 1000}})
	add("customers", cs, e4)
	is, _, e5 := e.db.ListInteractions(ctx, ws, cxm.InteractionFilter{Page: cxm.Page{Limit: 1000}})
	add("interactions", is, e5)
	ms, e6 := e.db.ListMembers(ctx, ws)
	add("members", ms, e6)
	ks, e7 := e.db.ListAPIKeys(ctx, ws)
	for _, k := range ks {
		k.LastUsedAt = nil
	}
	add("apikeys", ks, e7)
	tl, _, e8 := e.db.Timeline(ctx, ws, customerID, cxm.Page{Limit: 1000})
	add("timeline", tl, e8)
	ss, _, e9 := e.db.ListSurveys(ctx, ws, cxm.SurveyFilter{Page: cxm.Page{Limit: 1000}})
	add("surveys", ss, e9)
	rs, _, e10 := e.db.ListResponses(ctx, ws, cxm.ResponseFilter{Page: cxm.Page{Limit: 1000}})
	add("responses", rs, e10)
	invs, _, e11 := e.db.ListInvitations(ctx, ws, cxm.InvitationFilter{Page: cxm.Page{Limit: 1000}})
	add("invitations", invs, e11)
	hooks, errHooks := e.db.ListWebhooks(ctx, ws)
	add("webhooks", hooks, errHooks)
	notes, errNotes := e.db.NotificationsAfter(ctx, ws, 0, 0)
	add("notifications", notes, errNotes)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(all)
	return string(b)
}
