package cxm

import (
	"context"
	"time"
)

// NPSClass sorts an NPS answer: promoters answer 9–10, passives 7–8,
// detractors 0–6.
type NPSClass string

// The NPS classes.
const (
	Promoter  NPSClass = "promoter"
	Passive   NPSClass = "passive"
	Detractor NPSClass = "detractor"
)

// ClassifyNPS returns the class of an NPS answer from 0 to 10.
func ClassifyNPS(score int) NPSClass {
	switch {
	case score >= 9:
		return Promoter
	case score >= 7:
		return Passive
	}
	return Detractor
}

// Answers holds a response's answers by question key: a float64 for a
// scale, a string for a single choice or a text, a []string for a multi choice.
type Answers map[string]any

// Response sources: how a response was collected.
const (
	SourceLink   = "link"   // the hosted page, opened from a plain link
	SourceQR     = "qr"     // the hosted page, opened from a QR code
	SourceEmail  = "email"  // the hosted page, opened from an email invitation
	SourceWidget = "widget" // the website widget
	SourceAPI    = "api"    // posted to the API
	SourceImport = "import" // imported, such as reviews from another platform
)

// Response is one customer's answers to one survey.
type Response struct {
	// ID identifies the response; a repeated submit with the same id
	// updates a partial response and is answered as a duplicate once complete.
	ID          string `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	SurveyID    int64  `json:"survey_id"`
	// Customer is the customer's external id, AnonymousID a visitor's id;
	// CustomerID is resolved by the store.
	Customer     string `json:"customer,omitempty"`
	AnonymousID  string `json:"anonymous_id,omitempty"`
	CustomerID   int64  `json:"customer_id,omitempty"`
	InvitationID int64  `json:"invitation_id,omitempty"`
	// Touchpoint is the key of the touchpoint the answers are about; Channel
	// is that touchpoint's channel, resolved by the store.
	Touchpoint string  `json:"touchpoint,omitempty"`
	Channel    Channel `json:"channel,omitempty"`
	// Source says how the response was collected: link, qr, email, widget, api or import.
	Source  string            `json:"source"`
	Locale  string            `json:"locale"`
	Answers Answers           `json:"answers"`
	Hidden  map[string]string `json:"hidden,omitempty"`
	// Completed is set when every required question is answered and the
	// customer submitted the last page; partial answers are kept either way.
	Completed bool `json:"completed"`
	// Derived from the first question of each kind, for metrics.
	NPS      *int     `json:"nps,omitempty"`
	NPSClass NPSClass `json:"nps_class,omitempty"`
	CSAT     *int     `json:"csat,omitempty"`
	CES      *int     `json:"ces,omitempty"`
	Rating   *int     `json:"rating,omitempty"`
	// StartedAt is the first submit, UpdatedAt the latest, CompletedAt the completing one.
	StartedAt   time.Time  `json:"started_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	// Originals holds, by question key, the text answers as given before
	// personal data in them was masked, for a workspace that keeps them:
	// the store keeps them encrypted with the response, and never shows
	// them with it.
	Originals map[string]string `json:"-"`
}

// Derive fills the derived scores from the answers and the survey.
func (r *Response) Derive(s *Survey) {
	r.NPS, r.NPSClass, r.CSAT, r.CES, r.Rating = nil, "", nil, nil, nil
	for _, q := range s.Questions {
		v, ok := r.Answers[q.Key].(float64)
		if !ok {
			continue
		}
		n := int(v)
		switch {
		case q.Kind == KindNPS && r.NPS == nil:
			r.NPS, r.NPSClass = &n, ClassifyNPS(n)
		case q.Kind == KindCSAT && r.CSAT == nil:
			r.CSAT = &n
		case q.Kind == KindCES && r.CES == nil:
			r.CES = &n
		case q.Kind == KindRating && r.Rating == nil:
			r.Rating = &n
		}
	}
}

// ResponseFilter narrows a response list.
type ResponseFilter struct {
	SurveyID   int64
	Touchpoint string
	CustomerID int64
	From, To   time.Time
	// MinNPS and MaxNPS bound the NPS answer; nil means no bound.
	MinNPS, MaxNPS *int
	// Completed, when not nil, keeps only complete or only partial responses.
	Completed *bool
	Page
}

// SubmitResult tells what a submit did.
type SubmitResult struct {
	Response *Response `json:"response"`
	// Created is true for a new response, false for an update of a partial one.
	Created bool `json:"created"`
	// Duplicate is true when the response was already complete; nothing changed.
	Duplicate bool `json:"duplicate"`
}

// ResponseService stores responses.
type ResponseService interface {
	// SubmitResponse stores r, whose answers have been validated against
	// its survey and whose scores are derived. The same id again updates a
	// partial response; a completed response is never changed and is
	// answered as a duplicate.
	SubmitResponse(ctx context.Context, r *Response) (*SubmitResult, error)
	FindResponse(ctx context.Context, workspaceID int64, id string) (*Response, error)
	// ListResponses returns responses newest first.
	ListResponses(ctx context.Context, workspaceID int64, f ResponseFilter) ([]*Response, string, error)
	// DeleteResponse erases one response.
	DeleteResponse(ctx context.Context, workspaceID int64, id string) error
}
