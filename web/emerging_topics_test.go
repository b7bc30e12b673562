package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// suggestion is an emerging-topic suggestion as the API shows it.
type suggestion struct {
	Term     string
	Count    int
	Q        float64
	Rate     float64
	PrevRate float64 `json:"prev_rate"`
}

// TestEmergingTopicsSuggestNewTerms stores the same mix of texts in the
// previous and the current period, plus, only in the current one, many
// complaints about a scented candle, which no topic covers; the candle
// must come out as a suggestion, the words common to both periods must
// not, and the other workspace sees no texts at all.
func TestEmergingTopicsSuggestNewTerms(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.newSurvey(e.a.writeKey, surveyBody("emerging", cxm.SurveyActive))
		loc := e.a.ws.Location()
		y, m, d := time.Now().In(loc).Date()
		from, to := time.Date(y, m, d-29, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		common := []string{"Die Lieferung kam pünktlich und alles war gut verpackt.", "Freundliche Beratung im Laden, gerne wieder.",
			"Der Preis ist fair für die Qualität.", "Schöne Möbel, schneller Versand."}
		var as []*cxm.TextAnalysis
		add := func(id string, at time.Time, text string) {
			r := &cxm.Response{ID: id, WorkspaceID: e.a.ws.ID, SurveyID: s.ID, Source: cxm.SourceAPI, Locale: "de",
				Answers: cxm.Answers{"nps": float64(5), "why": text}, Completed: true, CompletedAt: &at}
			r.Derive(s)
			if _, err := e.db.SubmitResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
			as = append(as, &cxm.TextAnalysis{WorkspaceID: e.a.ws.ID, ResponseID: id, Language: "de", SentimentLabel: "neutral",
				Mentions: []cxm.TopicMention{}, Redacted: map[string]string{"why": text}, Model: "lexicon"})
		}
		for i := range 60 {
			add(fmt.Sprintf("prev-%d", i), from.AddDate(0, 0, -20).Add(time.Duration(i)*time.Minute), common[i%len(common)])
			text := common[i%len(common)]
			if i%2 == 0 {
				text = "Die Duftkerze riecht leider sehr seltsam."
			}
			add(fmt.Sprintf("cur-%d", i), from.AddDate(0, 0, 5).Add(time.Duration(i)*time.Minute), text)
		}
		if err := e.db.SaveTextAnalyses(ctx, as); err != nil {
			t.Fatal(err)
		}

		var got struct {
			Current, Previous struct {
				From, To string
				Texts    int
				Capped   bool
			}
			MaxTexts    int `json:"max_texts"`
			Suggestions []suggestion
		}
		q := "?from=" + from.Format(time.DateOnly) + "&to=" + to.Format(time.DateOnly)
		e.call("GET", "/api/v1/analysis/emerging-topics"+q, e.a.readKey, nil, 200).decode(t, &got)
		if got.Current.Texts != 60 || got.Previous.Texts != 60 || got.Current.Capped || got.MaxTexts < 1000 {
			t.Errorf("periods %+v %+v, max %d; want 60 texts each, not capped", got.Current, got.Previous, got.MaxTexts)
		}
		if want := from.AddDate(0, 0, -30).Format(time.DateOnly); got.Previous.From != want || got.Previous.To != got.Current.From {
			t.Errorf("previous period %+v, want %s up to %s", got.Previous, want, got.Current.From)
		}
		candle := slices.IndexFunc(got.Suggestions, func(s suggestion) bool { return strings.Contains(s.Term, "duftkerze") })
		if candle < 0 {
			t.Fatalf("suggestions %+v lack the scented candle", got.Suggestions)
		}
		if c := got.Suggestions[candle]; c.Count != 30 || c.PrevRate != 0 || c.Q > 0.05 {
			t.Errorf("candle suggestion %+v, want 30 texts, none before, q ≤ 0.05", c)
		}
		for _, s := range got.Suggestions {
			for _, w := range []string{"pünktlich", "beratung", "möbel"} {
				if strings.Contains(s.Term, w) {
					t.Errorf("suggestion %q is as common before as now", s.Term)
				}
			}
		}

		var b struct {
			Current     struct{ Texts int }
			Suggestions []any
		}
		e.call("GET", "/api/v1/analysis/emerging-topics"+q, e.b.readKey, nil, 200).decode(t, &b)
		if b.Current.Texts != 0 || len(b.Suggestions) != 0 {
			t.Errorf("B sees %+v", b)
		}

		for q, want := range map[string]string{"?from=2026-02-30": "from", "?to=soon": "to", "?foo=1": "foo", "?from=2026-01-01&from=2026-01-02": "from",
			"?from=2026-05-01&to=2026-04-01": "to"} {
			r := e.do(request{method: "GET", path: "/api/v1/analysis/emerging-topics" + q, token: e.a.readKey})
			if names := fieldNames(r); r.status != 400 || !slices.Equal(names, []string{want}) {
				t.Errorf("%s = %d %s; want 400 naming %s", q, r.status, r.body, want)
			}
		}
	})
}
