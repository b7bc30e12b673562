package cxm_test

import (
	"reflect"
	"testing"

	"github.com/cxmhq/cxm"
)

// afterDelivery is a small valid survey used by several tests.
func afterDelivery() *cxm.Survey {
	return &cxm.Survey{
		Slug: "after-delivery", Name: "After delivery", DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war Ihre Lieferung?", "en": "How was your delivery?"},
		Questions: []cxm.Question{
			{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Wie wahrscheinlich …?"}},
			{Key: "csat", Kind: cxm.KindCSAT, Text: cxm.LocalizedText{"de": "Wie zufrieden …?"}},
			{Key: "why", Kind: cxm.KindText, MaxLength: 20, Text: cxm.LocalizedText{"de": "Warum?"}},
			{Key: "what", Kind: cxm.KindMulti, Text: cxm.LocalizedText{"de": "Was?"}, Choices: []cxm.Choice{
				{Key: "speed", Label: cxm.LocalizedText{"de": "Tempo"}}, {Key: "packaging", Label: cxm.LocalizedText{"de": "Verpackung"}}}},
		},
	}
}

func TestSurveyValidate(t *testing.T) {
	s := afterDelivery()
	if err := s.Validate(); err != nil {
		t.Fatalf("valid survey: %v", err)
	}
	if s.Status != cxm.SurveyDraft || s.SamplingPercent != 100 {
		t.Errorf("defaults: status %q, sampling %d", s.Status, s.SamplingPercent)
	}
	tests := []struct {
		name   string
		change func(*cxm.Survey)
		want   string
	}{
		{"no questions", func(s *cxm.Survey) { s.Questions = nil }, "questions"},
		{"duplicate key", func(s *cxm.Survey) { s.Questions[1].Key = "nps" }, "questions[1].key"},
		{"missing default text", func(s *cxm.Survey) { s.Questions[0].Text = cxm.LocalizedText{"en": "How likely?"} }, "questions[0].text"},
		{"choices on a scale", func(s *cxm.Survey) { s.Questions[0].Choices = s.Questions[3].Choices }, "questions[0].choices"},
		{"one choice", func(s *cxm.Survey) { s.Questions[3].Choices = s.Questions[3].Choices[:1] }, "questions[3].choices"},
		{"unknown kind", func(s *cxm.Survey) { s.Questions[1].Kind = "slider" }, "questions[1].kind"},
		{"bad trigger", func(s *cxm.Survey) {
			s.Trigger = &cxm.Trigger{InteractionType: "delivered", Touchpoint: "delivery", Channel: "sms"}
		}, "trigger.channel"},
		{"sampling", func(s *cxm.Survey) { s.SamplingPercent = 101 }, "sampling_percent"},
		{"french title", func(s *cxm.Survey) { s.Title["fr"] = "Comment?" }, "title.fr"},
	}
	for _, tt := range tests {
		s := afterDelivery()
		tt.change(s)
		if got := fields(s.Validate()); got != tt.want {
			t.Errorf("%s: fields %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidateAnswers(t *testing.T) {
	s := afterDelivery()
	tests := []struct {
		name     string
		answers  cxm.Answers
		complete bool
		want     string
	}{
		{"complete", cxm.Answers{"nps": 9.0, "what": []any{"speed"}}, true, ""},
		{"partial may skip required", cxm.Answers{"csat": 4.0}, false, ""},
		{"complete needs required", cxm.Answers{"csat": 4.0}, true, "answers.nps"},
		{"out of range", cxm.Answers{"nps": 11.0}, false, "answers.nps"},
		{"fraction", cxm.Answers{"csat": 3.5}, false, "answers.csat"},
		{"string for scale", cxm.Answers{"nps": "9"}, false, "answers.nps"},
		{"unknown choice", cxm.Answers{"what": []any{"price"}}, false, "answers.what"},
		{"repeated choice", cxm.Answers{"what": []any{"speed", "speed"}}, false, "answers.what"},
		{"text too long", cxm.Answers{"why": "ein sehr langer Grund, viel zu lang"}, false, "answers.why"},
		{"unknown question", cxm.Answers{"mood": 3.0}, false, "answers.mood"},
	}
	for _, tt := range tests {
		if got := fields(s.ValidateAnswers(tt.answers, tt.complete)); got != tt.want {
			t.Errorf("%s: fields %q, want %q", tt.name, got, tt.want)
		}
	}
	a := cxm.Answers{"nps": 6.0, "csat": 2.0, "what": []any{"speed", "packaging"}}
	if err := s.ValidateAnswers(a, true); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a["what"], []string{"speed", "packaging"}) {
		t.Errorf("multi answer not normalised: %#v", a["what"])
	}
	r := &cxm.Response{Answers: a}
	r.Derive(s)
	if r.NPS == nil || *r.NPS != 6 || r.NPSClass != cxm.Detractor || r.CSAT == nil || *r.CSAT != 2 || r.CES != nil {
		t.Errorf("derived %+v", r)
	}
}

func TestClassifyNPS(t *testing.T) {
	want := []cxm.NPSClass{"detractor", "detractor", "detractor", "detractor", "detractor", "detractor", "detractor", "passive", "passive", "promoter", "promoter"}
	for score, w := range want {
		if got := cxm.ClassifyNPS(score); got != w {
			t.Errorf("ClassifyNPS(%d) = %s, want %s", score, got, w)
		}
	}
}
