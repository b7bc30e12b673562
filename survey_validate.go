package cxm

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var questionKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Limits on a survey's definition.
const (
	MaxQuestions     = 100
	MaxChoices       = 50
	MaxDelayMinutes  = 90 * 24 * 60
	MaxRecontactDays = 3650
	MaxReminderDays  = 60
)

// Validate fills defaults and checks the whole definition, naming each
// wrong field such as "questions[2].choices".
func (s *Survey) Validate() error {
	if s.Status == "" {
		s.Status = SurveyDraft
	}
	if s.DefaultLocale == "" {
		s.DefaultLocale = "de"
	}
	if s.SamplingPercent == 0 {
		s.SamplingPercent = 100
	}
	if s.Touchpoints == nil {
		s.Touchpoints = []string{}
	}
	if s.HiddenFields == nil {
		s.HiddenFields = []string{}
	}
	var errs FieldErrors
	if !ValidSlug(s.Slug) {
		errs.Add("slug", "must be 1-63 lower-case letters, digits or hyphens")
	}
	if s.Name == "" || !ValidText(s.Name, 200) {
		errs.Add("name", "must be valid text of 1-200 bytes")
	}
	if !s.Status.Valid() {
		errs.Add("status", "must be draft, active, paused or closed")
	}
	if !ValidLocale(s.DefaultLocale) {
		errs.Add("default_locale", "must be de or en")
	}
	checkLocalized(&errs, "title", s.Title, s.DefaultLocale, true, 300)
	checkLocalized(&errs, "intro", s.Intro, s.DefaultLocale, false, 2000)
	checkLocalized(&errs, "thank_you", s.ThankYou, s.DefaultLocale, false, 2000)
	if len(s.Questions) == 0 || len(s.Questions) > MaxQuestions {
		errs.Add("questions", "must list 1-100 questions")
	}
	keys := map[string]bool{}
	for i := range s.Questions {
		s.Questions[i].validate(&errs, "questions["+itoa(i)+"]", s.DefaultLocale, keys)
	}
	for i, k := range s.Touchpoints {
		if !ValidSlug(k) {
			errs.Add("touchpoints["+itoa(i)+"]", "must be a touchpoint key")
		}
	}
	for i, h := range s.HiddenFields {
		if !questionKeyPattern.MatchString(h) {
			errs.Add("hidden_fields["+itoa(i)+"]", "must be lower-case letters, digits and _, starting with a letter")
		}
	}
	if s.OpensAt != nil && s.ClosesAt != nil && !s.ClosesAt.After(*s.OpensAt) {
		errs.Add("closes_at", "must lie after opens_at")
	}
	if t := s.Trigger; t != nil {
		if !ValidType(t.InteractionType) {
			errs.Add("trigger.interaction_type", "must be an interaction type such as delivered")
		}
		if !ValidSlug(t.Touchpoint) {
			errs.Add("trigger.touchpoint", "must be a touchpoint key")
		}
		if t.DelayMinutes < 0 || t.DelayMinutes > MaxDelayMinutes {
			errs.Add("trigger.delay_minutes", "must be from 0 to 129600 (90 days)")
		}
		if t.Channel != "email" && t.Channel != "widget" {
			errs.Add("trigger.channel", "must be email or widget")
		}
	}
	if s.SamplingPercent < 1 || s.SamplingPercent > 100 {
		errs.Add("sampling_percent", "must be from 1 to 100")
	}
	if s.RecontactDays < 0 || s.RecontactDays > MaxRecontactDays {
		errs.Add("recontact_days", "must be from 0 to 3650")
	}
	if s.ReminderDays < 0 || s.ReminderDays > MaxReminderDays {
		errs.Add("reminder_days", "must be from 0 to 60")
	}
	if s.Widget != nil {
		s.Widget.validate(&errs, s.Touchpoints)
	}
	return errs.Err()
}

// Limits on a survey's widget settings.
const (
	MaxWidgetTriggers = 10
	MaxWidgetSeconds  = 3600
	MaxURLRuleLength  = 500
)

var widgetEventPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// validate fills the default position and checks the widget settings of
// a survey with touchpoints, naming fields as "widget.triggers[0].kind".
func (w *WidgetSettings) validate(errs *FieldErrors, touchpoints []string) {
	if w.Position == "" {
		w.Position = WidgetBottomRight
	}
	if w.Triggers == nil {
		w.Triggers = []WidgetTrigger{}
	}
	if len(w.Triggers) == 0 || len(w.Triggers) > MaxWidgetTriggers {
		errs.Add("widget.triggers", "must list 1-10 triggers")
	}
	for i := range w.Triggers {
		t := &w.Triggers[i]
		field := "widget.triggers[" + itoa(i) + "]"
		switch t.Kind {
		case WidgetPageView, WidgetEvent, WidgetTimeOnPage:
		default:
			errs.Add(field+".kind", "must be page_view, event or time_on_page")
		}
		if t.Kind == WidgetEvent {
			if !widgetEventPattern.MatchString(t.Event) {
				errs.Add(field+".event", "must be 1-64 letters, digits or _ . : -")
			}
		} else if t.Event != "" {
			errs.Add(field+".event", "is only for event triggers")
		}
		if t.Kind == WidgetTimeOnPage {
			if t.Seconds < 1 || t.Seconds > MaxWidgetSeconds {
				errs.Add(field+".seconds", "must be from 1 to 3600")
			}
		} else if t.Seconds != 0 {
			errs.Add(field+".seconds", "is only for time_on_page triggers")
		}
		if u := t.URL; u != nil {
			if u.Match != URLExact && u.Match != URLPrefix && u.Match != URLContains {
				errs.Add(field+".url.match", "must be exact, prefix or contains")
			}
			if u.Value == "" || !ValidText(u.Value, MaxURLRuleLength) || strings.ContainsAny(u.Value, "\r\n\t") {
				errs.Add(field+".url.value", "must be one line of 1-500 bytes, such as /checkout/done")
			}
		}
	}
	switch w.Position {
	case WidgetBottomRight, WidgetBottomLeft, WidgetCenter:
	default:
		errs.Add("widget.position", "must be bottom-right, bottom-left or center")
	}
	if w.Touchpoint != "" && !slices.Contains(touchpoints, w.Touchpoint) {
		errs.Add("widget.touchpoint", "must be one of the survey's touchpoints")
	}
}

// validate checks one question and records its key in keys.
func (q *Question) validate(errs *FieldErrors, field, locale string, keys map[string]bool) {
	if !questionKeyPattern.MatchString(q.Key) {
		errs.Add(field+".key", "must be lower-case letters, digits and _, starting with a letter")
	} else if keys[q.Key] {
		errs.Add(field+".key", "is used twice")
	}
	keys[q.Key] = true
	if !q.Kind.Valid() {
		errs.Add(field+".kind", "must be nps, csat, ces, rating, single, multi or text")
	}
	checkLocalized(errs, field+".text", q.Text, locale, true, 1000)
	checkLocalized(errs, field+".low_label", q.LowLabel, locale, false, 100)
	checkLocalized(errs, field+".high_label", q.HighLabel, locale, false, 100)
	choice := q.Kind == KindSingle || q.Kind == KindMulti
	switch {
	case choice && (len(q.Choices) < 2 || len(q.Choices) > MaxChoices):
		errs.Add(field+".choices", "must list 2-50 choices")
	case !choice && len(q.Choices) > 0:
		errs.Add(field+".choices", "are only for single and multi questions")
	}
	seen := map[string]bool{}
	for j, c := range q.Choices {
		cf := field + ".choices[" + itoa(j) + "]"
		if !questionKeyPattern.MatchString(c.Key) {
			errs.Add(cf+".key", "must be lower-case letters, digits and _, starting with a letter")
		} else if seen[c.Key] {
			errs.Add(cf+".key", "is used twice")
		}
		seen[c.Key] = true
		checkLocalized(errs, cf+".label", c.Label, locale, true, 300)
	}
	if q.MaxLength < 0 || q.MaxLength > MaxTextAnswer {
		errs.Add(field+".max_length", "must be from 0 to 5000")
	}
}

// checkLocalized checks a text given per locale: known locales, valid text
// of at most max bytes, and, when required, a text in the default locale.
func checkLocalized(errs *FieldErrors, field string, t LocalizedText, locale string, required bool, max int) {
	if required && t[locale] == "" {
		errs.Add(field, "needs a text in the default locale "+locale)
	}
	for l, s := range t {
		if !ValidLocale(l) {
			errs.Add(field+"."+l, "locale must be de or en")
		} else if !ValidText(s, max) {
			errs.Add(field+"."+l, "must be valid text of at most "+itoa(max)+" bytes")
		}
	}
}

// ValidateAnswers checks answers against the questions and normalises
// them (a multi answer becomes a []string). When complete is true every
// required question must be answered. Errors name "answers.<key>".
func (s *Survey) ValidateAnswers(a Answers, complete bool) error {
	var errs FieldErrors
	for key, v := range a {
		q := s.Question(key)
		field := "answers." + key
		if q == nil {
			errs.Add(field, "is not a question of this survey")
			continue
		}
		if v == nil {
			delete(a, key)
			continue
		}
		if norm, reason := q.checkAnswer(v); reason != "" {
			errs.Add(field, reason)
		} else {
			a[key] = norm
		}
	}
	if complete {
		for _, q := range s.Questions {
			if _, ok := a[q.Key]; q.Required && !ok {
				errs.Add("answers."+q.Key, "is required")
			}
		}
	}
	return errs.Err()
}

// checkAnswer returns the normalised answer, or a reason it is wrong.
func (q *Question) checkAnswer(v any) (any, string) {
	if lo, hi, ok := q.Kind.Scale(); ok {
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
			return nil, "must be a whole number from " + itoa(lo) + " to " + itoa(hi)
		}
		return f, ""
	}
	switch q.Kind {
	case KindText:
		s, ok := v.(string)
		max := q.MaxLength
		if max == 0 {
			max = MaxTextAnswer
		}
		if !ok || !ValidText(s, 4*max) || utf8.RuneCountInString(s) > max {
			return nil, "must be text of at most " + itoa(max) + " characters"
		}
		return s, ""
	case KindSingle:
		s, ok := v.(string)
		if !ok || !q.hasChoice(s) {
			return nil, "must be one of the question's choices"
		}
		return s, ""
	case KindMulti:
		list, ok := v.([]any)
		if !ok {
			if strs, isStrs := v.([]string); isStrs {
				for _, s := range strs {
					list = append(list, s)
				}
				ok = true
			}
		}
		if !ok {
			return nil, "must be a list of the question's choices"
		}
		out := make([]string, 0, len(list))
		seen := map[string]bool{}
		for _, item := range list {
			s, isStr := item.(string)
			if !isStr || !q.hasChoice(s) || seen[s] {
				return nil, "must be a list of the question's choices, each once"
			}
			seen[s] = true
			out = append(out, s)
		}
		return out, ""
	}
	return nil, "has an unknown kind"
}

func (q *Question) hasChoice(key string) bool {
	for _, c := range q.Choices {
		if c.Key == key {
			return true
		}
	}
	return false
}
