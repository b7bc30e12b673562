package cxm_test

import (
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// TestContactSkipReason checks the contact rules at their boundaries.
func TestContactSkipReason(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	day := 24 * time.Hour
	tests := []struct {
		name                 string
		frequency, recontact int
		anySurvey, this      *time.Time
		want                 string
	}{
		{"never asked", 7, 30, nil, nil, ""},
		{"no limits", 0, 0, ago(time.Minute), ago(time.Minute), ""},
		{"other survey within the frequency", 7, 0, ago(7*day - time.Second), nil, cxm.SkipContactFrequency},
		{"other survey exactly the frequency ago", 7, 0, ago(7 * day), nil, ""},
		{"this survey within its recontact period", 0, 30, ago(29 * day), ago(29 * day), cxm.SkipRecontact},
		{"recontact wins over frequency", 7, 30, ago(day), ago(day), cxm.SkipRecontact},
		{"this survey after its recontact period", 7, 30, ago(31 * day), ago(31 * day), ""},
	}
	for _, tt := range tests {
		if got := cxm.ContactSkipReason(tt.frequency, tt.recontact, tt.anySurvey, tt.this, now); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestInvitationSkipReasonAt checks what stops an invitation before the
// contact rules.
func TestInvitationSkipReasonAt(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	open := &cxm.Survey{Status: cxm.SurveyActive}
	opensLater := &cxm.Survey{Status: cxm.SurveyActive, OpensAt: &later}
	paused := &cxm.Survey{Status: cxm.SurveyPaused}
	ok := &cxm.Customer{Email: "a@example.de", Consent: cxm.Consent{Email: true}}
	noConsent := &cxm.Customer{Email: "a@example.de"}
	noEmail := &cxm.Customer{Consent: cxm.Consent{Email: true}}
	tests := []struct {
		channel string
		s       *cxm.Survey
		c       *cxm.Customer
		want    string
	}{
		{cxm.InviteEmail, open, ok, ""},
		{cxm.InviteEmail, paused, ok, cxm.SkipSurveyNotOpen},
		{cxm.InviteEmail, opensLater, ok, cxm.SkipSurveyNotOpen},
		{cxm.InviteEmail, nil, ok, cxm.SkipSurveyNotOpen},
		{cxm.InviteEmail, open, nil, cxm.SkipCustomerGone},
		{cxm.InviteEmail, open, noConsent, cxm.SkipNoConsent},
		{cxm.InviteEmail, open, noEmail, cxm.SkipNoEmail},
		{cxm.InviteWidget, open, noConsent, ""},
		{cxm.InviteWidget, open, noEmail, ""},
	}
	for i, tt := range tests {
		inv := &cxm.Invitation{Channel: tt.channel}
		if got := inv.SkipReasonAt(tt.s, tt.c, now); got != tt.want {
			t.Errorf("case %d (%s): %q, want %q", i, tt.channel, got, tt.want)
		}
	}
}

// TestInvitationValidate fills defaults and names bad fields.
func TestInvitationValidate(t *testing.T) {
	due := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	inv := &cxm.Invitation{WorkspaceID: 1, SurveyID: 2, CustomerID: 3, Channel: cxm.InviteEmail, Locale: "de", DueAt: due}
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	if inv.Status != cxm.InvitationScheduled || !inv.ExpiresAt.Equal(due.Add(cxm.DefaultInvitationTTL)) || inv.Hidden == nil {
		t.Errorf("defaults = %+v", inv)
	}
	bad := &cxm.Invitation{WorkspaceID: 1, SurveyID: 2, Channel: cxm.InviteEmail, Locale: "de", DueAt: due,
		ExpiresAt: due.Add(-time.Hour), Hidden: map[string]string{"order_id": "a\x00b"}}
	err := bad.Validate()
	want := map[string]bool{"customer_id": true, "expires_at": true, "hidden.order_id": true}
	for _, f := range cxm.ErrorFields(err) {
		if !want[f.Field] {
			t.Errorf("unexpected field %s: %s", f.Field, f.Reason)
		}
		delete(want, f.Field)
	}
	if len(want) != 0 {
		t.Errorf("fields not named: %v (%v)", want, err)
	}
	anon := &cxm.Invitation{WorkspaceID: 1, SurveyID: 2, Channel: cxm.InviteWidget, Locale: "en", DueAt: due}
	anon.Skip(cxm.SkipAnonymous)
	if err := anon.Validate(); err != nil {
		t.Errorf("skipped anonymous invitation: %v", err)
	}
}
