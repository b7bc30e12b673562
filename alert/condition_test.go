package alert

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// detractorFacts are the facts of a detractor's answer about a late
// delivery, from a customer who complained and called the hotline.
func detractorFacts() *cxm.AlertFacts {
	nps := 3
	return &cxm.AlertFacts{
		WorkspaceID: 1, ResponseID: "r-1", SurveyID: 7, SurveySlug: "after-delivery",
		TouchpointID: 9, TouchpointKey: "delivery", Stage: "receipt", Channel: cxm.ChannelDelivery,
		Locale: "de", NPS: &nps, NPSClass: cxm.Detractor,
		Answers: cxm.Answers{"nps": 3.0, "why": "Die Lieferung kam zu spät, ich gehe zum Anwalt."},
		HasText: true, CompletedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Analysis: &cxm.TextAnalysis{Language: "de", Sentiment: -0.7, SentimentLabel: "negative", Label: "negative",
			Mentions: []cxm.TopicMention{{Topic: "delivery", Term: "Lieferung", Sentiment: -0.7, SentimentLabel: "negative"}}},
		CustomerID: 42, CustomerExternalID: "K-42", CustomerAttributes: map[string]any{"tier": "gold"},
		Interactions: []cxm.AlertInteractionCount{
			{Type: "complaint", Channel: cxm.ChannelEmail, Last7: 0, Last30: 1, Last90: 2, All: 3},
			{Type: "call", Channel: cxm.ChannelPhone, Last7: 3, Last30: 4, Last90: 4, All: 4},
			{Type: "order", Channel: cxm.ChannelWeb, Last7: 1, Last30: 1, Last90: 2, All: 5, Value: 250.5},
		},
	}
}

// promoterFacts are the facts of an anonymous promoter without text.
func promoterFacts() *cxm.AlertFacts {
	nps := 10
	return &cxm.AlertFacts{WorkspaceID: 1, ResponseID: "r-2", SurveyID: 7, TouchpointKey: "checkout",
		NPS: &nps, NPSClass: cxm.Promoter, Answers: cxm.Answers{"nps": 10.0}}
}

func TestConditionExamples(t *testing.T) {
	cases := []struct {
		condition           string
		detractor, promoter bool
		usesText            bool
	}{
		{`nps_class == "detractor"`, true, false, false},
		{`nps <= 6 && touchpoint.key == "delivery"`, true, false, false},
		{`nps <= 6 && touchpoint.key == "checkout"`, false, false, false},
		{`"delivery" in topics`, true, false, true},
		{`"lieferung" in words`, true, false, false},
		{`any(mentions, .topic == "delivery" && .sentiment < 0)`, true, false, true},
		{`customer.complaints_30d >= 1`, true, false, false},
		{`interactions.hotline_calls_7d >= 3`, true, false, false},
		{`interactions.hotline_calls_7d >= 4`, false, false, false},
		{`text contains "Anwalt"`, true, false, false},
		{`customer.lifetime_value > 250 && customer.orders == 5`, true, false, false},
		{`customer.attributes.tier == "gold"`, true, false, false},
		{`(interactions.types_30d["call"] ?? 0) >= 4`, true, false, false},
		{`sentiment < -0.5 && sentiment_label == "negative"`, true, false, true},
		{`csat <= 2`, false, false, false}, // no CSAT answer: NaN compares false
		{`nps >= 9 && !customer.known`, false, true, false},
		{`survey.slug == "after-delivery" && language == "de"`, true, false, true},
		{`count(mentions, .label == "negative") >= 1`, true, false, true},
	}
	ctx := context.Background()
	for _, c := range cases {
		p, err := Compile(c.condition)
		if err != nil {
			t.Errorf("%s: %v", c.condition, err)
			continue
		}
		if p.UsesText != c.usesText {
			t.Errorf("%s: UsesText = %v, want %v", c.condition, p.UsesText, c.usesText)
		}
		for _, f := range []struct {
			facts *cxm.AlertFacts
			want  bool
		}{{detractorFacts(), c.detractor}, {promoterFacts(), c.promoter}} {
			got, err := p.Eval(ctx, NewEnv(f.facts))
			if err != nil {
				t.Errorf("%s on %s: %v", c.condition, f.facts.ResponseID, err)
			}
			if got != f.want {
				t.Errorf("%s on %s = %v, want %v", c.condition, f.facts.ResponseID, got, f.want)
			}
		}
	}
}

func TestConditionRefused(t *testing.T) {
	cases := []struct {
		condition string
		want      string // in the reason
	}{
		{``, "is required"},
		{`npss <= 6`, "line 1, column 1: unknown name npss"},
		{`nps <= "six"`, "line 1, column 5"},
		{`nps_class == "detractor" &&`, "line 1, column"},
		{"nps <= 6 &&\n  touchpont.key == \"x\"", "line 2, column 3: unknown name touchpont"},
		{`nps + 1`, "expected bool"},
		{`now() > date("2026-01-01")`, "unknown name now"},
		{`repeat("a", 1000000) contains "b"`, "unknown name repeat"},
		{`fromJSON(text).x == 1`, "unknown name fromJSON"},
		{`__guard != nil`, "unknown name __guard"},
		{`__tick(__guard)`, "unknown name __tick"},
		{strings.Repeat(`nps == 1 || `, 200) + `nps == 2`, "at most 2000 bytes"},
		{strings.Repeat(`nps == 1 || `, 150) + `nps == 2`, "line 1"}, // too many nodes
	}
	for _, c := range cases {
		_, err := Compile(c.condition)
		if cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("%q: error %v, want invalid", c.condition, err)
			continue
		}
		fs := cxm.ErrorFields(err)
		if len(fs) != 1 || fs[0].Field != "condition" || !strings.Contains(fs[0].Reason, c.want) {
			t.Errorf("%q: fields %+v, want condition: …%s…", c.condition, fs, c.want)
		}
	}
}

// TestConditionStoppedInTime shows that a condition that would run for
// many seconds is stopped at its deadline and does not fire.
func TestConditionStoppedInTime(t *testing.T) {
	p, err := Compile(`any(1..400, {any(1..400, {lower(text) contains "never"})})`)
	if err != nil {
		t.Fatal(err)
	}
	f := detractorFacts()
	f.Answers = cxm.Answers{"why": strings.Repeat("Lieferung zu spät. ", 20_000)}
	env := NewEnv(f)
	got, err := p.Eval(context.Background(), env)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error %v, want ErrTimeout", err)
	}
	if got {
		t.Error("a timed-out condition fired")
	}
	// A cancelled context stops it as well.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Eval(ctx, env); !errors.Is(err, ErrTimeout) {
		t.Errorf("cancelled: error %v, want ErrTimeout", err)
	}
}

// TestConditionMemoryBounded shows that a condition cannot allocate
// without bound.
func TestConditionMemoryBounded(t *testing.T) {
	p, err := Compile(`len(1..100000000) > 0`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Eval(context.Background(), NewEnv(promoterFacts()))
	if err == nil || got {
		t.Errorf("got %v, %v; want an error over the memory budget", got, err)
	}
}

// TestConditionMissingAnswer shows that a condition on an answer the
// response lacks does not fire.
func TestConditionMissingAnswer(t *testing.T) {
	p, err := Compile(`answers.price <= 2`)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Eval(context.Background(), NewEnv(promoterFacts())); got {
		t.Error("fired on a missing answer")
	}
}
