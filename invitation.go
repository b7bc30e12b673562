package cxm

import (
	"context"
	"time"
)

// Invitation channels: how a customer is asked.
const (
	// InviteEmail sends an email with a signed, single-use link.
	InviteEmail = "email"
	// InviteWidget shows the survey in the website widget at the
	// customer's next visit.
	InviteWidget = "widget"
)

// InvitationStatus is where an invitation stands.
type InvitationStatus string

// The statuses of an invitation. Scheduled waits for its due time; the
// others are what became of it.
const (
	InvitationScheduled InvitationStatus = "scheduled" // waits for DueAt
	InvitationSkipped   InvitationStatus = "skipped"   // not sent; SkipReason says why
	InvitationSent      InvitationStatus = "sent"      // the mail server accepted the email
	InvitationWaiting   InvitationStatus = "waiting"   // a widget invitation waits for the next visit
	InvitationShown     InvitationStatus = "shown"     // the widget showed the survey
	InvitationBounced   InvitationStatus = "bounced"   // the mail server refused the address for good
	InvitationFailed    InvitationStatus = "failed"    // sending failed after every retry
	InvitationAnswered  InvitationStatus = "answered"  // a complete response used it
	InvitationExpired   InvitationStatus = "expired"   // nobody answered before ExpiresAt
)

// Valid reports whether s is a known status.
func (s InvitationStatus) Valid() bool {
	switch s {
	case InvitationScheduled, InvitationSkipped, InvitationSent, InvitationWaiting, InvitationShown,
		InvitationBounced, InvitationFailed, InvitationAnswered, InvitationExpired:
		return true
	}
	return false
}

// Why an invitation was skipped. Every skipped invitation records one.
const (
	SkipSampling         = "sampling"          // not drawn by the survey's sampling percentage
	SkipNoConsent        = "no_consent"        // the customer has not agreed to email
	SkipNoEmail          = "no_email"          // the customer has no email address
	SkipContactFrequency = "contact_frequency" // asked by any survey within the workspace's N days
	SkipRecontact        = "recontact"         // asked by this survey within its recontact period
	SkipSurveyNotOpen    = "survey_not_open"   // the survey is not active or outside its dates
	SkipCustomerGone     = "customer_gone"     // the customer was deleted meanwhile
	SkipAnonymous        = "anonymous"         // the interaction names no known customer
)

// DefaultInvitationTTL is how long an invitation link stays valid.
const DefaultInvitationTTL = 30 * 24 * time.Hour

// Invitation asks one customer to answer one survey through one channel:
// an email with a signed link, or the widget at the next visit.
type Invitation struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	SurveyID    int64 `json:"survey_id"`
	CustomerID  int64 `json:"customer_id,omitempty"`
	// Touchpoint is the key of the touchpoint the survey asks about.
	Touchpoint string `json:"touchpoint"`
	// Channel is InviteEmail or InviteWidget.
	Channel string `json:"channel"`
	// InteractionID is the interaction that triggered the invitation, if any.
	InteractionID int64 `json:"interaction_id,omitempty"`
	// Locale is the language of the email and of the survey page it opens.
	Locale string `json:"locale"`
	// Hidden are the survey's hidden fields, such as the order id.
	Hidden map[string]string `json:"hidden,omitempty"`
	// Email is the address the invitation went to.
	Email      string           `json:"email,omitempty"`
	Status     InvitationStatus `json:"status"`
	SkipReason string           `json:"skip_reason,omitempty"`
	// LastError is the last failure to send, kept for bounces and failures.
	LastError  string `json:"last_error,omitempty"`
	ResponseID string `json:"response_id,omitempty"`
	// DueAt is when it is sent or shown; ExpiresAt when its link stops working.
	DueAt     time.Time `json:"due_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// ContactedAt is when the customer was really asked: the email went
	// out or the widget showed. Contact-frequency rules count it.
	ContactedAt *time.Time `json:"contacted_at,omitempty"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
	OpenedAt    *time.Time `json:"opened_at,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Usable reports whether a customer may still answer through the
// invitation at now: it was sent or shown, not yet answered, not expired.
func (inv *Invitation) Usable(now time.Time) bool {
	switch inv.Status {
	case InvitationSent, InvitationShown, InvitationWaiting:
		return now.Before(inv.ExpiresAt)
	}
	return false
}

// InvitationFilter narrows an invitation list.
type InvitationFilter struct {
	SurveyID   int64
	CustomerID int64
	Status     InvitationStatus
	Page
}

// InvitationService stores invitations and answers the contact questions
// that decide whether a customer may be asked.
type InvitationService interface {
	// CreateInvitation validates and stores inv, scheduled or skipped with
	// its reason. With InteractionID set, a second invitation for the same
	// survey and interaction stores nothing, sets inv to the first and
	// reports false.
	CreateInvitation(ctx context.Context, inv *Invitation) (bool, error)
	// FindInvitation returns the workspace's invitation with id, or ENotFound.
	FindInvitation(ctx context.Context, workspaceID, id int64) (*Invitation, error)
	// ListInvitations returns one page of invitations, newest first, and
	// the cursor of the next page.
	ListInvitations(ctx context.Context, workspaceID int64, f InvitationFilter) ([]*Invitation, string, error)
	// UpdateInvitation stores the status, reason, error, response and
	// timestamps of inv, which was read from the store.
	UpdateInvitation(ctx context.Context, inv *Invitation) error
	// OpenInvitation records the first time the invitation's link was
	// opened; later opens change nothing.
	OpenInvitation(ctx context.Context, workspaceID, id int64, at time.Time) error
	// NextWidgetInvitation returns the customer's oldest due widget
	// invitation that is waiting or shown and still usable, or ENotFound.
	NextWidgetInvitation(ctx context.Context, workspaceID, customerID int64, now time.Time) (*Invitation, error)
	// LastContact returns when the customer was last asked by any survey
	// (an invitation that reached them, or a completed response) and when
	// by survey surveyID; nil where never.
	LastContact(ctx context.Context, workspaceID, customerID, surveyID int64) (anySurvey, thisSurvey *time.Time, err error)
	// Unsubscribe withdraws the email consent of the invitation's customer
	// and returns the invitation.
	Unsubscribe(ctx context.Context, workspaceID, id int64) (*Invitation, error)
}
