package cxm

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
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
	// Version counts the store's changes of the invitation;
	// UpdateInvitation refuses to overwrite a newer one (EConflict).
	Version int64 `json:"-"`
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
	// UpdateInvitation stores the status, reason, error, email, response
	// and timestamps of inv, which was read from the store; when the
	// invitation changed since (another Version), it stores nothing and
	// is EConflict.
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

	// ScheduleInvitation stores inv like CreateInvitation and, when it
	// stored a new scheduled invitation, enqueues in the same transaction
	// the job of kind (such as JobSurveyInvite) that acts on it at DueAt,
	// with InvitationJob as its payload and the invitation's id as its
	// unique key. So an invitation is never scheduled without its job.
	ScheduleInvitation(ctx context.Context, inv *Invitation, kind string) (bool, error)
	// ClaimContact decides, in one transaction that serialises every claim
	// for the same customer, whether the customer of invitation id may be
	// asked at now. For an email invitation the customer must still exist,
	// agree to email and have an address; then neither the workspace's
	// contact frequency (any survey, any channel: invitations that reached
	// the customer and completed responses) nor the survey's recontact
	// period may forbid it. When all holds it sets the invitation's status
	// to status, its contacted_at to now and its email to the customer's
	// address; otherwise it marks the invitation skipped with the reason.
	// It returns the invitation as stored. Only a scheduled or waiting
	// invitation can be claimed; any other is EConflict.
	ClaimContact(ctx context.Context, workspaceID, id int64, status InvitationStatus, now time.Time) (*Invitation, error)
}

// InteractionRef is a stored interaction as the trigger engine reads it:
// the row id that invitations name, and the properties that fill the
// hidden fields of the survey.
type InteractionRef struct {
	RowID      int64
	Properties json.RawMessage
}

// Kinds of the durable jobs that carry invitations out.
const (
	// JobSurveyInvite sends an email invitation, or makes a widget
	// invitation wait for the next visit, at the invitation's due time.
	JobSurveyInvite = "survey.invite"
	// JobSurveyReminder sends the one reminder of an unanswered email
	// invitation.
	JobSurveyReminder = "survey.reminder"
)

// InvitationJob is the payload of the invitation jobs.
type InvitationJob struct {
	InvitationID int64 `json:"invitation_id"`
}

// Limits of an invitation's fields.
const (
	// MaxInvitationHidden bounds the hidden fields of one invitation.
	MaxInvitationHidden = 20
	// MaxInvitationDelay is how far ahead an invitation may be scheduled.
	MaxInvitationDelay = 365 * 24 * time.Hour
)

// Validate fills defaults (status scheduled, expiry DefaultInvitationTTL
// after the due time, empty hidden fields) and checks every field a caller
// sets. A skipped invitation needs its reason, and only a skipped one may
// be created without a customer (an anonymous interaction).
func (inv *Invitation) Validate() error {
	if inv.Status == "" {
		inv.Status = InvitationScheduled
	}
	if inv.Hidden == nil {
		inv.Hidden = map[string]string{}
	}
	if !inv.DueAt.IsZero() && inv.ExpiresAt.IsZero() {
		inv.ExpiresAt = inv.DueAt.Add(DefaultInvitationTTL)
	}
	var errs FieldErrors
	if inv.WorkspaceID <= 0 {
		errs.Add("workspace_id", "is required")
	}
	if inv.SurveyID <= 0 {
		errs.Add("survey_id", "is required")
	}
	// A stored invitation loses its customer when the customer is erased.
	if inv.CustomerID < 0 || (inv.CustomerID == 0 && inv.ID == 0 && inv.Status != InvitationSkipped) {
		errs.Add("customer_id", "is required")
	}
	if inv.Touchpoint != "" && !ValidSlug(inv.Touchpoint) {
		errs.Add("touchpoint", "must be a touchpoint key")
	}
	if inv.Channel != InviteEmail && inv.Channel != InviteWidget {
		errs.Add("channel", "must be email or widget")
	}
	if inv.InteractionID < 0 {
		errs.Add("interaction_id", "must be positive")
	}
	if !ValidLocale(inv.Locale) {
		errs.Add("locale", "must be de or en")
	}
	if len(inv.Hidden) > MaxInvitationHidden {
		errs.Add("hidden", "must have at most 20 fields")
	}
	for _, k := range slices.Sorted(maps.Keys(inv.Hidden)) {
		if k == "" || !ValidText(k, 64) {
			errs.Add("hidden", "names must be valid text of 1-64 bytes")
		} else if !ValidText(inv.Hidden[k], MaxTextLength) {
			errs.Add("hidden."+k, "must be valid text of at most 200 bytes")
		}
	}
	if inv.Email != "" && !ValidEmail(inv.Email) {
		errs.Add("email", "must be an email address")
	}
	if !inv.Status.Valid() {
		errs.Add("status", "is not a known status")
	}
	if (inv.Status == InvitationSkipped) != (inv.SkipReason != "") {
		errs.Add("skip_reason", "is required for a skipped invitation and only for one")
	}
	if !ValidText(inv.SkipReason, 64) {
		errs.Add("skip_reason", "must be valid text of at most 64 bytes")
	}
	if !ValidText(inv.LastError, 2000) {
		errs.Add("last_error", "must be valid text of at most 2000 bytes")
	}
	if !ValidText(inv.ResponseID, MaxIDLength) {
		errs.Add("response_id", "must be valid text of at most 128 bytes")
	}
	switch {
	case inv.DueAt.IsZero():
		errs.Add("due_at", "is required")
	case !inv.ExpiresAt.After(inv.DueAt):
		errs.Add("expires_at", "must lie after due_at")
	}
	return errs.Err()
}

// SkipReasonAt returns why the invitation cannot go out at now, judged
// by what needs no contact history: the survey must be open, the customer
// must exist (customer nil means gone), and an email invitation needs the
// customer's consent to email and an address. It returns "" when nothing
// forbids it; the contact rules are the store's part (ClaimContact).
func (inv *Invitation) SkipReasonAt(s *Survey, c *Customer, now time.Time) string {
	switch {
	case s == nil || !s.Open(now):
		return SkipSurveyNotOpen
	case c == nil:
		return SkipCustomerGone
	case inv.Channel == InviteEmail && !c.Consent.Email:
		return SkipNoConsent
	case inv.Channel == InviteEmail && c.Email == "":
		return SkipNoEmail
	}
	return ""
}

// Skip marks the invitation skipped for reason.
func (inv *Invitation) Skip(reason string) {
	inv.Status, inv.SkipReason = InvitationSkipped, reason
}

// ContactSkipReason applies the contact rules at now to a customer who
// was last asked by any survey at anySurvey and by this survey at
// thisSurvey (nil where never): SkipRecontact within the survey's
// recontactDays, else SkipContactFrequency within the workspace's
// frequencyDays, else "". Zero days means no limit.
func ContactSkipReason(frequencyDays, recontactDays int, anySurvey, thisSurvey *time.Time, now time.Time) string {
	const day = 24 * time.Hour
	switch {
	case recontactDays > 0 && thisSurvey != nil && now.Before(thisSurvey.Add(time.Duration(recontactDays)*day)):
		return SkipRecontact
	case frequencyDays > 0 && anySurvey != nil && now.Before(anySurvey.Add(time.Duration(frequencyDays)*day)):
		return SkipContactFrequency
	}
	return ""
}
