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

// withWidget returns afterDelivery with valid widget settings.
func withWidget() *cxm.Survey {
	s := afterDelivery()
	s.Touchpoints = []string{"delivery", "web"}
	s.Widget = &cxm.WidgetSettings{Touchpoint: "web", Triggers: []cxm.WidgetTrigger{
		{Kind: cxm.WidgetPageView, URL: &cxm.URLRule{Match: cxm.URLPrefix, Value: "/checkout/done"}},
		{Kind: cxm.WidgetEvent, Event: "checkout_done"},
		{Kind: cxm.WidgetTimeOnPage, Seconds: 30, URL: &cxm.URLRule{Match: cxm.URLContains, Value: "pricing"}},
	}}
	return s
}

func TestSurveyValidateWidget(t *testing.T) {
	s := withWidget()
	if err := s.Validate(); err != nil {
		t.Fatalf("valid widget settings: %v", err)
	}
	if s.Widget.Position != cxm.WidgetBottomRight {
		t.Errorf("default position %q, want %q", s.Widget.Position, cxm.WidgetBottomRight)
	}
	tests := []struct {
		name   string
		change func(*cxm.WidgetSettings)
		want   string
	}{
		{"no triggers", func(w *cxm.WidgetSettings) { w.Triggers = nil }, "widget.triggers"},
		{"too many triggers", func(w *cxm.WidgetSettings) {
			for range 8 {
				w.Triggers = append(w.Triggers, cxm.WidgetTrigger{Kind: cxm.WidgetPageView})
			}
		}, "widget.triggers"},
		{"unknown kind", func(w *cxm.WidgetSettings) { w.Triggers[1].Kind = "scroll" }, "widget.triggers[1].kind,widget.triggers[1].event"},
		{"event without name", func(w *cxm.WidgetSettings) { w.Triggers[1].Event = "" }, "widget.triggers[1].event"},
		{"event name with space", func(w *cxm.WidgetSettings) { w.Triggers[1].Event = "checkout done" }, "widget.triggers[1].event"},
		{"event name on page view", func(w *cxm.WidgetSettings) { w.Triggers[0].Event = "x" }, "widget.triggers[0].event"},
		{"no seconds", func(w *cxm.WidgetSettings) { w.Triggers[2].Seconds = 0 }, "widget.triggers[2].seconds"},
		{"too many seconds", func(w *cxm.WidgetSettings) { w.Triggers[2].Seconds = 3601 }, "widget.triggers[2].seconds"},
		{"seconds on event", func(w *cxm.WidgetSettings) { w.Triggers[1].Seconds = 5 }, "widget.triggers[1].seconds"},
		{"unknown match", func(w *cxm.WidgetSettings) { w.Triggers[0].URL.Match = "regex" }, "widget.triggers[0].url.match"},
		{"empty url", func(w *cxm.WidgetSettings) { w.Triggers[0].URL.Value = "" }, "widget.triggers[0].url.value"},
		{"url with newline", func(w *cxm.WidgetSettings) { w.Triggers[0].URL.Value = "/a\n/b" }, "widget.triggers[0].url.value"},
		{"position", func(w *cxm.WidgetSettings) { w.Position = "top" }, "widget.position"},
		{"foreign touchpoint", func(w *cxm.WidgetSettings) { w.Touchpoint = "hotline" }, "widget.touchpoint"},
	}
	for _, tt := range tests {
		s := withWidget()
		tt.change(s.Widget)
		if got := fields(s.Validate()); got != tt.want {
			t.Errorf("%s: fields %q, want %q", tt.name, got, tt.want)
		}
	}
}
