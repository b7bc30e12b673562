package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	cxmtext "github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// analyzeAll runs the text.analyze job of the tenant's workspace once.
func (e *env) analyzeAll(tn tenant) {
	e.t.Helper()
	analyzer, err := cxmtext.NewAnalyzer(cxmtext.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	wk, err := textjob.New(textjob.Config{Texts: e.db, Jobs: e.db, Analyzer: analyzer})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := wk.Handle(context.Background(), &cxm.Job{WorkspaceID: tn.ws.ID, Kind: cxm.JobTextAnalyze}); err != nil {
		e.t.Fatal(err)
	}
}

// TestCorrectSentiment corrects a response's sentiment as an agent and
// with a write key, and checks the history, the effective label, that a
// new analysis keeps the correction, and every refusal with its status.
func TestCorrectSentiment(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		e.newTouchpoint(a, "delivery", "delivery")
		sv := e.newSurvey(a, surveyBody("after-delivery", cxm.SurveyActive, "delivery"))
		post := func(id string, answers map[string]any) {
			e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), a, map[string]any{"id": id, "completed": true, "answers": answers}, 201)
		}
		post("r-1", map[string]any{"nps": 2, "why": "Die Lieferung war viel zu spät und niemand hat sich gemeldet."})
		post("r-2", map[string]any{"nps": 9})
		e.analyzeAll(e.a)

		agent := e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		agentClient := e.signIn("agent@acme.example", "acme")
		put := func(id string, body any, client *http.Client, token string) response {
			return e.do(request{method: "PUT", path: "/api/v1/responses/" + id + "/sentiment", body: body, client: client, token: token})
		}
		r := put("r-1", map[string]string{"label": "positive"}, agentClient, "")
		if r.status != 200 {
			t.Fatalf("agent correction = %d %s", r.status, r.body)
		}
		var got cxm.TextAnalysis
		r.decode(t, &got)
		if got.SentimentLabel != "negative" || got.CorrectedLabel != "positive" || got.Label != "positive" ||
			got.Correction == nil || got.Correction.PreviousLabel != "negative" || got.Correction.UserID != agent.ID ||
			got.Correction.APIKeyID != 0 || got.Correction.CorrectedAt.IsZero() {
			t.Errorf("after the agent's correction: %+v (correction %+v)", got, got.Correction)
		}
		r = put("r-1", map[string]string{"label": "neutral"}, nil, a)
		if r.status != 200 {
			t.Fatalf("key correction = %d %s", r.status, r.body)
		}
		var shown struct {
			Text *cxm.TextAnalysis `json:"text"`
		}
		e.call("GET", "/api/v1/responses/r-1", e.a.readKey, nil, 200).decode(t, &shown)
		if c := shown.Text; c == nil || c.CorrectedLabel != "neutral" || c.Label != "neutral" || c.SentimentLabel != "negative" ||
			c.Correction.PreviousLabel != "positive" || c.Correction.APIKeyID == 0 || c.Correction.UserID != 0 {
			t.Errorf("response after the second correction shows %+v", shown.Text)
		}

		// Analysing the text again keeps the correction in force.
		if _, err := e.db.MarkTextsPending(context.Background(), e.a.ws.ID, true); err != nil {
			t.Fatal(err)
		}
		e.analyzeAll(e.a)
		e.call("GET", "/api/v1/responses/r-1", a, nil, 200).decode(t, &shown)
		if shown.Text == nil || shown.Text.Label != "neutral" {
			t.Errorf("after a new analysis the label is %+v, want the correction neutral", shown.Text)
		}
		post("r-3", map[string]any{"nps": 7, "why": "Ganz okay."})
		texts, err := e.db.CorrectedTexts(context.Background(), e.a.ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(texts) != 1 || texts[0].ResponseID != "r-1" || texts[0].Label != "neutral" || !strings.Contains(texts[0].Text, "Lieferung") {
			t.Errorf("corrected texts = %+v", texts)
		}

		for _, c := range []struct {
			name, id, token string
			body            any
			status          int
			field, word     string
		}{
			{"unknown label", "r-1", a, map[string]string{"label": "angry"}, 400, "label", ""},
			{"no label", "r-1", a, map[string]string{}, 400, "label", ""},
			{"unknown field", "r-1", a, map[string]string{"lable": "negative"}, 400, "", ""},
			{"no text", "r-2", a, map[string]string{"label": "negative"}, 409, "", "no free text"},
			{"not analysed", "r-3", a, map[string]string{"label": "negative"}, 409, "", "not analysed"},
			{"unknown response", "r-404", a, map[string]string{"label": "negative"}, 404, "", ""},
			{"other workspace", "r-1", e.b.writeKey, map[string]string{"label": "negative"}, 404, "", ""},
			{"read key", "r-1", e.a.readKey, map[string]string{"label": "negative"}, 403, "", ""},
		} {
			r := put(c.id, c.body, nil, c.token)
			if r.status != c.status {
				t.Errorf("%s: status %d %s, want %d", c.name, r.status, r.body, c.status)
				continue
			}
			if c.field != "" && !slices.ContainsFunc(r.errorFields(), func(f string) bool { return strings.HasPrefix(f, c.field+": ") }) {
				t.Errorf("%s: fields %v, want %s", c.name, r.errorFields(), c.field)
			}
			if c.word != "" && !strings.Contains(string(r.body), c.word) {
				t.Errorf("%s: %s does not say %q", c.name, r.body, c.word)
			}
		}
		e.newUser(e.a.ws, "analyst@acme.example", cxm.RoleAnalyst)
		if r := put("r-1", map[string]string{"label": "negative"}, e.signIn("analyst@acme.example", "acme"), ""); r.status != 403 {
			t.Errorf("analyst correction = %d, want 403", r.status)
		}
		e.call("GET", "/api/v1/responses/r-1", a, nil, 200).decode(t, &shown)
		if shown.Text.Label != "neutral" {
			t.Errorf("refused corrections changed the label to %s", shown.Text.Label)
		}
	})
}
