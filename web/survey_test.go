package web_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// surveyBody returns the JSON of a valid survey asking at touchpoints: a
// required NPS, a CSAT, a text and a multi choice, with one hidden field.
func surveyBody(slug string, status cxm.SurveyStatus, touchpoints ...string) map[string]any {
	de := func(s string) map[string]string { return map[string]string{"de": s} }
	return map[string]any{
		"slug": slug, "name": "Survey " + slug, "status": status, "default_locale": "de",
		"title": map[string]string{"de": "Wie war es?", "en": "How was it?"},
		"questions": []map[string]any{
			{"key": "nps", "kind": "nps", "required": true, "text": de("Weiterempfehlen?")},
			{"key": "csat", "kind": "csat", "text": de("Zufrieden?")},
			{"key": "why", "kind": "text", "text": de("Warum?")},
			{"key": "what", "kind": "multi", "text": de("Was?"), "choices": []map[string]any{
				{"key": "speed", "label": de("Tempo")}, {"key": "packaging", "label": de("Verpackung")}}},
		},
		"touchpoints": touchpoints, "hidden_fields": []string{"order_id"},
	}
}

// newTouchpoint creates a touchpoint with key in the tenant's workspace.
func (e *env) newTouchpoint(token, key, channel string) {
	e.t.Helper()
	e.call("POST", "/api/v1/touchpoints", token, map[string]any{"key": key, "name": key, "stage": "receipt", "channel": channel}, 201)
}

// newSurvey creates the survey body and returns it as stored.
func (e *env) newSurvey(token string, body map[string]any) *cxm.Survey {
	e.t.Helper()
	var s cxm.Survey
	e.call("POST", "/api/v1/surveys", token, body, 201).decode(e.t, &s)
	return &s
}

// fieldNames returns the fields named by an error answer.
func fieldNames(r response) []string {
	var out []string
	for _, f := range r.errorFields() {
		name, _, _ := strings.Cut(f, ": ")
		out = append(out, name)
	}
	return out
}

func TestSurveyCRUD(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		w := e.a.writeKey
		e.newTouchpoint(w, "delivery", "delivery")
		e.newTouchpoint(w, "hotline", "phone")
		s := e.newSurvey(w, surveyBody("after-delivery", "", "delivery"))
		if s.ID == 0 || s.WorkspaceID != e.a.ws.ID || s.Status != cxm.SurveyDraft || s.SamplingPercent != 100 || len(s.Questions) != 4 {
			t.Errorf("created %+v, want a draft with defaults", s)
		}
		var got cxm.Survey
		e.call("GET", "/api/v1/surveys/"+itoa(s.ID), e.a.readKey, nil, 200).decode(t, &got)
		a, _ := json.Marshal(s)
		b, _ := json.Marshal(&got)
		if string(a) != string(b) {
			t.Errorf("GET = %s, want %s", b, a)
		}

		// PUT replaces the definition.
		body := surveyBody("after-delivery", cxm.SurveyActive, "delivery", "hotline")
		body["name"] = "Nach der Lieferung"
		e.call("PUT", "/api/v1/surveys/"+itoa(s.ID), w, body, 200).decode(t, &got)
		if got.Name != "Nach der Lieferung" || got.Status != cxm.SurveyActive || len(got.Touchpoints) != 2 || !got.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("PUT answered %+v", got)
		}
		e.newSurvey(w, surveyBody("hotline-csat", cxm.SurveyPaused, "hotline"))

		lists := []struct {
			query string
			want  []string
		}{
			{"", []string{"after-delivery", "hotline-csat"}},
			{"?status=active", []string{"after-delivery"}},
			{"?touchpoint=hotline", []string{"after-delivery", "hotline-csat"}},
			{"?touchpoint=delivery&status=active", []string{"after-delivery"}},
			{"?limit=1", []string{"after-delivery"}},
		}
		for _, l := range lists {
			var page struct {
				Data []cxm.Survey `json:"data"`
			}
			e.call("GET", "/api/v1/surveys"+l.query, e.a.readKey, nil, 200).decode(t, &page)
			var slugs []string
			for _, s := range page.Data {
				slugs = append(slugs, s.Slug)
			}
			if !slices.Equal(slugs, l.want) {
				t.Errorf("GET /api/v1/surveys%s = %v, want %v", l.query, slugs, l.want)
			}
		}

		e.call("DELETE", "/api/v1/surveys/"+itoa(s.ID), w, nil, 204)
		e.call("GET", "/api/v1/surveys/"+itoa(s.ID), w, nil, 404)
		e.call("DELETE", "/api/v1/surveys/"+itoa(s.ID), w, nil, 404)
	})
}

func TestSurveyErrors(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		w := e.a.writeKey
		e.newTouchpoint(w, "delivery", "delivery")
		used := e.newSurvey(w, surveyBody("used", cxm.SurveyActive, "delivery"))
		e.call("POST", "/api/v1/surveys/"+itoa(used.ID)+"/responses", w, map[string]any{"answers": map[string]any{"nps": 8}}, 201)
		with := func(change func(b map[string]any)) map[string]any {
			b := surveyBody("new-survey", "", "delivery")
			change(b)
			return b
		}
		tests := []struct {
			name         string
			method, path string
			token        string
			body         any
			status       int
			fields       []string
		}{
			{"unknown field", "POST", "/api/v1/surveys", w, with(func(b map[string]any) { b["id"] = 5 }), 400, []string{"id"}},
			{"bad kind", "POST", "/api/v1/surveys", w, with(func(b map[string]any) {
				b["questions"].([]map[string]any)[1]["kind"] = "slider"
			}), 400, []string{"questions[1].kind"}},
			{"unknown touchpoint", "POST", "/api/v1/surveys", w, with(func(b map[string]any) { b["touchpoints"] = []string{"nope"} }), 400, []string{"touchpoints[0]"}},
			{"unknown trigger touchpoint", "POST", "/api/v1/surveys", w, with(func(b map[string]any) {
				b["trigger"] = map[string]any{"interaction_type": "delivered", "touchpoint": "nope", "delay_minutes": 60, "channel": "email"}
			}), 400, []string{"trigger.touchpoint"}},
			{"slug taken", "POST", "/api/v1/surveys", w, with(func(b map[string]any) { b["slug"] = "used" }), 409, []string{"slug"}},
			{"read key", "POST", "/api/v1/surveys", e.a.readKey, with(func(map[string]any) {}), 403, nil},
			{"answered question removed", "PUT", "/api/v1/surveys/" + itoa(used.ID), w, with(func(b map[string]any) {
				b["slug"] = "used"
				b["questions"] = b["questions"].([]map[string]any)[1:]
			}), 409, []string{"questions[0]"}},
			{"delete with responses", "DELETE", "/api/v1/surveys/" + itoa(used.ID), w, nil, 409, nil},
			{"bad status filter", "GET", "/api/v1/surveys?status=open", w, nil, 400, []string{"status"}},
			{"bad id", "GET", "/api/v1/surveys/abc", w, nil, 400, []string{"id"}},
		}
		for _, tt := range tests {
			r := e.do(request{method: tt.method, path: tt.path, token: tt.token, body: tt.body})
			if r.status != tt.status {
				t.Errorf("%s: status %d %s, want %d", tt.name, r.status, r.body, tt.status)
				continue
			}
			if got := fieldNames(r); tt.fields != nil && !slices.Equal(got, tt.fields) {
				t.Errorf("%s: fields %v, want %v", tt.name, got, tt.fields)
			}
		}
		var page struct {
			Data []cxm.Survey `json:"data"`
		}
		e.call("GET", "/api/v1/surveys", w, nil, 200).decode(t, &page)
		if len(page.Data) != 1 || len(page.Data[0].Questions) != 4 {
			t.Errorf("after the failed calls the surveys are %+v", page.Data)
		}
	})
}
