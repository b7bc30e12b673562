package cxm

import (
	"context"
	"time"
)

// QuestionKind is the kind of a survey question.
type QuestionKind string

// The question kinds and their answer ranges.
const (
	KindNPS    QuestionKind = "nps"    // 0–10, likelihood to recommend
	KindCSAT   QuestionKind = "csat"   // 1–5, satisfaction
	KindCES    QuestionKind = "ces"    // 1–7, ease (7 = very easy)
	KindRating QuestionKind = "rating" // 1–5 stars
	KindSingle QuestionKind = "single" // one of the choices
	KindMulti  QuestionKind = "multi"  // any of the choices
	KindText   QuestionKind = "text"   // free text
)

// Scale returns the lowest and highest answer of a scale question, and
// false for kinds that are not scales.
func (k QuestionKind) Scale() (lo, hi int, ok bool) {
	switch k {
	case KindNPS:
		return 0, 10, true
	case KindCSAT, KindRating:
		return 1, 5, true
	case KindCES:
		return 1, 7, true
	}
	return 0, 0, false
}

// Valid reports whether k is a known question kind.
func (k QuestionKind) Valid() bool {
	switch k {
	case KindNPS, KindCSAT, KindCES, KindRating, KindSingle, KindMulti, KindText:
		return true
	}
	return false
}

// Question is one question of a survey.
type Question struct {
	// Key identifies the question within its survey and names its answer.
	Key      string        `json:"key"`
	Kind     QuestionKind  `json:"kind"`
	Required bool          `json:"required"`
	Text     LocalizedText `json:"text"`
	// LowLabel and HighLabel explain the ends of a scale ("not at all likely").
	LowLabel  LocalizedText `json:"low_label,omitempty"`
	HighLabel LocalizedText `json:"high_label,omitempty"`
	// Choices are the options of a single or multi question.
	Choices []Choice `json:"choices,omitempty"`
	// MaxLength bounds a text answer in characters (default and maximum 5000).
	MaxLength int `json:"max_length,omitempty"`
}

// Choice is one option of a choice question.
type Choice struct {
	Key   string        `json:"key"`
	Label LocalizedText `json:"label"`
}

// MaxTextAnswer is the longest free-text answer, in characters.
const MaxTextAnswer = 5000

// SurveyStatus is where a survey stands in its life.
type SurveyStatus string

// The survey statuses. Only an active survey inside its open and close
// dates takes responses; a closed one shows a friendly page.
const (
	SurveyDraft  SurveyStatus = "draft"
	SurveyActive SurveyStatus = "active"
	SurveyPaused SurveyStatus = "paused"
	SurveyClosed SurveyStatus = "closed"
)

// Valid reports whether s is a known status.
func (s SurveyStatus) Valid() bool {
	return s == SurveyDraft || s == SurveyActive || s == SurveyPaused || s == SurveyClosed
}

// Survey is what cxm asks customers: ordered questions in German and
// English, linked to touchpoints, with its trigger and contact rules.
type Survey struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	// Slug names the survey in its public link /s/{slug}; unique across the server.
	Slug   string       `json:"slug"`
	Name   string       `json:"name"`
	Status SurveyStatus `json:"status"`
	// DefaultLocale is the language missing translations fall back to.
	DefaultLocale string        `json:"default_locale"`
	Title         LocalizedText `json:"title"`
	Intro         LocalizedText `json:"intro,omitempty"`
	ThankYou      LocalizedText `json:"thank_you,omitempty"`
	Questions     []Question    `json:"questions"`
	// Touchpoints are the keys of the touchpoints the survey asks about.
	Touchpoints []string `json:"touchpoints"`
	// HiddenFields name values passed in the link, such as order_id.
	HiddenFields []string   `json:"hidden_fields"`
	OpensAt      *time.Time `json:"opens_at,omitempty"`
	ClosesAt     *time.Time `json:"closes_at,omitempty"`
	// Trigger invites customers after an interaction; nil means none.
	Trigger *Trigger `json:"trigger,omitempty"`
	// SamplingPercent is the share of triggered customers who are asked (1–100).
	SamplingPercent int `json:"sampling_percent"`
	// RecontactDays is how long a customer who was asked by this survey is
	// not asked by it again.
	RecontactDays int `json:"recontact_days"`
	// ReminderDays sends one reminder this many days after an unanswered
	// email invitation; zero sends none.
	ReminderDays int `json:"reminder_days"`
	// Widget says when the website widget shows the survey; nil means the
	// widget shows it only to customers with a waiting widget invitation.
	Widget    *WidgetSettings `json:"widget,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// WidgetSettings say when and where the website widget shows a survey.
type WidgetSettings struct {
	// Triggers show the survey when any one of them fires.
	Triggers []WidgetTrigger `json:"triggers"`
	// Position is where the card appears: WidgetBottomRight (the
	// default), WidgetBottomLeft or WidgetCenter.
	Position string `json:"position"`
	// Once shows the survey at most once to each visitor, whether they
	// answered or closed it.
	Once bool `json:"once"`
	// Touchpoint is the key of the touchpoint the widget's answers are
	// about; it must be one of the survey's touchpoints. Empty means the
	// survey's only touchpoint, if it has exactly one.
	Touchpoint string `json:"touchpoint,omitempty"`
}

// The kinds of widget trigger.
const (
	// WidgetPageView fires when a page whose address matches URL loads
	// (any page without URL).
	WidgetPageView = "page_view"
	// WidgetEvent fires when the site's code sends the custom event named
	// Event, as cxm('event', name) or cxm.track(name).
	WidgetEvent = "event"
	// WidgetTimeOnPage fires when the visitor has stayed Seconds on a
	// page that matches URL (any page without URL).
	WidgetTimeOnPage = "time_on_page"
)

// Where the widget's card appears on the page.
const (
	WidgetBottomRight = "bottom-right"
	WidgetBottomLeft  = "bottom-left"
	WidgetCenter      = "center"
)

// WidgetTrigger is one rule that makes the widget show a survey.
type WidgetTrigger struct {
	// Kind is WidgetPageView, WidgetEvent or WidgetTimeOnPage.
	Kind string `json:"kind"`
	// URL, when set, limits the trigger to pages whose address matches.
	URL *URLRule `json:"url,omitempty"`
	// Event names the custom event of an event trigger.
	Event string `json:"event,omitempty"`
	// Seconds is how long a time_on_page trigger waits on the page.
	Seconds int `json:"seconds,omitempty"`
}

// The ways a URLRule compares a page's address with its value.
const (
	URLExact    = "exact"
	URLPrefix   = "prefix"
	URLContains = "contains"
)

// URLRule matches a page's address. A Value that starts with "/" is
// compared with the page's path and query ("/checkout/done?step=2");
// any other value with the whole address ("https://shop.example/sale").
type URLRule struct {
	// Match is URLExact, URLPrefix or URLContains.
	Match string `json:"match"`
	Value string `json:"value"`
}

// Trigger invites a customer to a survey after an interaction of a type at
// a touchpoint, after a delay, through a channel.
type Trigger struct {
	InteractionType string `json:"interaction_type"`
	Touchpoint      string `json:"touchpoint"`
	// DelayMinutes waits after the interaction before inviting.
	DelayMinutes int `json:"delay_minutes"`
	// Channel is "email" (an invitation email) or "widget" (shown at the next visit).
	Channel string `json:"channel"`
}

// Question returns the question with key, or nil.
func (s *Survey) Question(key string) *Question {
	for i := range s.Questions {
		if s.Questions[i].Key == key {
			return &s.Questions[i]
		}
	}
	return nil
}

// Open reports whether the survey takes responses at now.
func (s *Survey) Open(now time.Time) bool {
	return s.Status == SurveyActive && (s.OpensAt == nil || !now.Before(*s.OpensAt)) &&
		(s.ClosesAt == nil || now.Before(*s.ClosesAt))
}

// SurveyFilter narrows a survey list.
type SurveyFilter struct {
	Status     SurveyStatus
	Touchpoint string
	Page
}

// SurveyService stores surveys.
type SurveyService interface {
	// CreateSurvey validates and stores s; a slug in use is EConflict.
	CreateSurvey(ctx context.Context, s *Survey) error
	FindSurvey(ctx context.Context, workspaceID, id int64) (*Survey, error)
	// FindSurveyBySlug finds a survey by its public slug, in any workspace,
	// for the public survey pages.
	FindSurveyBySlug(ctx context.Context, slug string) (*Survey, error)
	ListSurveys(ctx context.Context, workspaceID int64, f SurveyFilter) ([]*Survey, string, error)
	// UpdateSurvey replaces the survey's definition. Questions that already
	// have answers may change their texts but not their key or kind.
	UpdateSurvey(ctx context.Context, s *Survey) error
	// DeleteSurvey removes a survey without responses; otherwise EConflict (close it instead).
	DeleteSurvey(ctx context.Context, workspaceID, id int64) error
}
