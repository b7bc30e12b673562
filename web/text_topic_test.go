package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	cxmtext "github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// topicsBody is the answer of the topics routes.
type topicsBody struct {
	Version int  `json:"version"`
	Default bool `json:"default"`
	cxmtext.Taxonomy
}

// TestWorkspaceTopics reads the default topics, refuses a faulty taxonomy
// naming each fault and changing nothing, stores an edited one with a
// renamed and a new topic, and checks that the next analysis finds the
// new topic while the other workspace keeps the default.
func TestWorkspaceTopics(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		var got topicsBody
		e.call("GET", "/api/v1/text/topics", e.a.readKey, nil, 200).decode(t, &got)
		if !got.Default || got.Version != 0 || len(got.Topics) < 13 {
			t.Fatalf("default topics: version %d default %v, %d topics", got.Version, got.Default, len(got.Topics))
		}
		if _, ok := got.Topic("delivery"); !ok {
			t.Fatalf("default topics lack delivery")
		}

		bad := map[string]any{"topics": []map[string]any{
			{"key": "Bad Key", "name": map[string]string{"en": "Bad"}, "terms": map[string][]string{"en": {"bad"}}},
			{"key": "ok_topic", "name": map[string]string{"de": "Gut"}, "terms": map[string][]string{"de": {""}}},
		}}
		r := e.do(request{method: "PUT", path: "/api/v1/text/topics", token: a, body: bad})
		fields := r.errorFields()
		if r.status != 400 || !slices.ContainsFunc(fields, func(f string) bool { return strings.HasPrefix(f, "topics[0].key: ") }) ||
			!slices.ContainsFunc(fields, func(f string) bool { return strings.HasPrefix(f, "topics[1].terms.de[0]: ") }) {
			t.Errorf("faulty taxonomy: %d %v", r.status, fields)
		}
		if r := e.do(request{method: "PUT", path: "/api/v1/text/topics", token: a, body: map[string]any{}}); r.status != 400 ||
			len(r.errorFields()) != 1 || !strings.HasPrefix(r.errorFields()[0], "topics: ") {
			t.Errorf("no topics: %d %s", r.status, r.body)
		}
		if r := e.do(request{method: "PUT", path: "/api/v1/text/topics", token: e.a.readKey, body: map[string]any{"topics": got.Topics}}); r.status != 403 {
			t.Errorf("read key changes topics: %d", r.status)
		}
		e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		if r := e.do(request{method: "PUT", path: "/api/v1/text/topics", client: e.signIn("agent@acme.example", "acme"), body: map[string]any{"topics": got.Topics}}); r.status != 403 {
			t.Errorf("agent changes topics: %d", r.status)
		}
		e.call("GET", "/api/v1/text/topics", a, nil, 200).decode(t, &got)
		if !got.Default {
			t.Fatalf("refused changes were stored: version %d", got.Version)
		}

		tax := got.Taxonomy
		if err := tax.Rename("delivery", cxmtext.Names{DE: "Zustellung", EN: "Shipping"}); err != nil {
			t.Fatal(err)
		}
		if err := tax.Add(cxmtext.Topic{Key: "gift_wrap", Name: cxmtext.Names{DE: "Geschenkservice", EN: "Gift wrapping"},
			Terms: cxmtext.Terms{DE: []string{"Geschenkverpackung"}, EN: []string{"gift wrap"}}}); err != nil {
			t.Fatal(err)
		}
		e.call("PUT", "/api/v1/text/topics", a, tax, 200).decode(t, &got)
		if got.Version != 1 || got.Default {
			t.Errorf("stored topics: version %d default %v", got.Version, got.Default)
		}
		e.call("GET", "/api/v1/text/topics", e.a.readKey, nil, 200).decode(t, &got)
		if d, _ := got.Topic("delivery"); got.Version != 1 || d.Name.DE != "Zustellung" {
			t.Errorf("read back: version %d delivery %+v", got.Version, d)
		}
		if _, ok := got.Topic("gift_wrap"); !ok {
			t.Errorf("read back lacks gift_wrap")
		}
		e.call("GET", "/api/v1/text/topics", e.b.readKey, nil, 200).decode(t, &got)
		if !got.Default {
			t.Errorf("B's topics changed with A's: version %d", got.Version)
		}

		// The next analysis of each workspace uses its own topics.
		analyzer, err := cxmtext.NewAnalyzer(cxmtext.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wk, err := textjob.New(textjob.Config{Texts: e.db, Jobs: e.db, Analyzer: analyzer, Models: e.db, Topics: e.db})
		if err != nil {
			t.Fatal(err)
		}
		topicsOf := func(tn tenant) []string {
			t.Helper()
			e.newTouchpoint(tn.writeKey, "store", "store")
			sv := e.newSurvey(tn.writeKey, surveyBody("visit-"+tn.ws.Slug, cxm.SurveyActive, "store"))
			e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), tn.writeKey, map[string]any{"id": "p-1", "completed": true,
				"answers": map[string]any{"nps": 4, "why": "Die Geschenkverpackung war zerrissen und die Lieferung kam zu spät."}}, 201)
			if err := wk.Handle(context.Background(), &cxm.Job{WorkspaceID: tn.ws.ID, Kind: cxm.JobTextAnalyze}); err != nil {
				t.Fatal(err)
			}
			var shown struct {
				Text *cxm.TextAnalysis `json:"text"`
			}
			e.call("GET", "/api/v1/responses/p-1", tn.readKey, nil, 200).decode(t, &shown)
			var out []string
			for _, m := range shown.Text.Mentions {
				out = append(out, m.Topic)
			}
			return out
		}
		if got := topicsOf(e.a); !slices.Contains(got, "gift_wrap") || !slices.Contains(got, "delivery") {
			t.Errorf("A's analysis finds %v, want gift_wrap and delivery", got)
		}
		if got := topicsOf(e.b); slices.Contains(got, "gift_wrap") || !slices.Contains(got, "delivery") {
			t.Errorf("B's analysis finds %v, want delivery and no gift_wrap", got)
		}
	})
}
