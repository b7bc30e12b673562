package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cxmhq/cxm"
	cxmtext "github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// TestResponseShowsItsTextAnalysis checks that a response reads without
// text analysis until the text.analyze job ran, and with it afterwards,
// and that the analysis is the workspace's own.
func TestResponseShowsItsTextAnalysis(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		e.call("POST", "/api/v1/touchpoints", a, map[string]any{"key": "delivery", "name": "Lieferung", "stage": "receipt", "channel": "delivery"}, 201)
		var sv cxm.Survey
		e.call("POST", "/api/v1/surveys", a, surveyBody("after-delivery", cxm.SurveyActive, "delivery"), 201).decode(t, &sv)
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), a, map[string]any{"id": "r-1", "completed": true,
			"answers": map[string]any{"nps": 2, "why": "Die Lieferung war viel zu spät und niemand hat sich gemeldet."}}, 201)

		var before map[string]any
		e.call("GET", "/api/v1/responses/r-1", a, nil, 200).decode(t, &before)
		if _, ok := before["text"]; ok {
			t.Fatalf("response shows a text analysis before any ran: %v", before["text"])
		}
		analyzer, err := cxmtext.NewAnalyzer(cxmtext.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wk, err := textjob.New(textjob.Config{Texts: e.db, Jobs: e.db, Analyzer: analyzer})
		if err != nil {
			t.Fatal(err)
		}
		if err := wk.Handle(context.Background(), &cxm.Job{WorkspaceID: e.a.ws.ID, Kind: cxm.JobTextAnalyze}); err != nil {
			t.Fatal(err)
		}
		var after struct {
			ID   string            `json:"id"`
			Text *cxm.TextAnalysis `json:"text"`
		}
		e.call("GET", "/api/v1/responses/r-1", a, nil, 200).decode(t, &after)
		if after.ID != "r-1" || after.Text == nil || after.Text.SentimentLabel != "negative" || len(after.Text.Mentions) == 0 ||
			after.Text.Mentions[0].Topic != "delivery" {
			t.Errorf("response after analysis = %+v (text %+v)", after, after.Text)
		}
		e.call("GET", "/api/v1/responses/r-1", e.b.readKey, nil, 404)
	})
}
