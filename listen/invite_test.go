package listen_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/listen"
)

const day = 24 * time.Hour

// TestEmailInvitationsEndToEnd follows deliveries through the trigger, the
// invitation job and SMTP to the mail each customer gets: German for
// Anna, English for John, none for Ben without consent, a signed survey
// link and an unsubscribe link in each; then exactly one reminder, and
// none for the customer who answered.
func TestEmailInvitationsEndToEnd(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		s := f.survey("lieferung", cxm.InviteEmail, func(s *cxm.Survey) { s.ReminderDays = 3 })
		t0 := f.clock.Now()
		var invs []*cxm.Invitation
		for _, c := range []*cxm.Customer{f.anna, f.john, f.ben} {
			invs = append(invs, f.deliver("d-"+c.ExternalID, c.ExternalID, t0.Add(-time.Hour))...)
		}
		if len(invs) != 3 {
			t.Fatalf("%d invitations, want 3", len(invs))
		}
		anna, john, ben := f.of(invs, f.anna), f.of(invs, f.john), f.of(invs, f.ben)
		for _, inv := range invs {
			if inv.Status != cxm.InvitationScheduled || !inv.DueAt.Equal(t0.Add(2*day-time.Hour)) || inv.Channel != cxm.InviteEmail ||
				inv.Touchpoint != "delivery" || inv.InteractionID == 0 || !strings.HasPrefix(inv.Hidden["order_id"], "A-d-") {
				t.Errorf("invitation = %+v, want scheduled two days after the delivery with its order id", inv)
			}
		}
		if anna.Locale != "de" || john.Locale != "en" {
			t.Errorf("locales = %s, %s; want the customers' de and en", anna.Locale, john.Locale)
		}

		// A replay of the same interactions changes nothing.
		if again := f.deliver("d-anna", "anna", t0.Add(-time.Hour)); len(again) != 0 {
			t.Errorf("replay created %d invitations", len(again))
		}
		if n := f.runDue(); n != 0 {
			t.Fatalf("%d jobs ran before the due time", n)
		}
		f.clock.Add(2 * day)
		if n := f.runDue(); n != 3 {
			t.Fatalf("%d jobs ran at the due time, want 3", n)
		}
		sentAt := f.clock.Now()
		if got := f.find(ben.ID); got.Status != cxm.InvitationSkipped || got.SkipReason != cxm.SkipNoConsent || len(f.mailTo("ben@example.de")) != 0 {
			t.Errorf("Ben = %s %s with %d mails, want skipped for no_consent and no mail", got.Status, got.SkipReason, len(f.mailTo("ben@example.de")))
		}
		tests := []struct {
			inv                          *cxm.Invitation
			to, subject, greeting, unsub string
		}{
			{anna, "anna@example.de", "Ihre Meinung zählt: Ihre Lieferung", "Hallo Kunde anna,", "Hier abmelden"},
			{john, "john@example.com", "We'd love your feedback: Your delivery", "Hi Kunde john,", "Unsubscribe here"},
		}
		for _, tt := range tests {
			got := f.find(tt.inv.ID)
			if got.Status != cxm.InvitationSent || got.SentAt == nil || !got.SentAt.Equal(sentAt) || got.ContactedAt == nil || got.Email != tt.to {
				t.Errorf("%s: invitation = %+v, want sent to %s", tt.to, got, tt.to)
			}
			msgs := f.mailTo(tt.to)
			if len(msgs) != 1 {
				t.Fatalf("%s got %d mails, want 1", tt.to, len(msgs))
			}
			m := msgs[0]
			if m.Subject != tt.subject || !strings.Contains(m.Text, tt.greeting) || !strings.Contains(m.Text, tt.unsub) ||
				!strings.Contains(m.Text, "Kaffeehaus Müller") || !strings.Contains(m.HTML, "Kaffeehaus Müller") {
				t.Errorf("%s: mail %q\n%s", tt.to, m.Subject, m.Text)
			}
			link := surveyLinkPattern.FindStringSubmatch(m.Text)
			if link == nil || link[1] != s.Slug || !strings.Contains(m.HTML, link[0]) {
				t.Fatalf("%s: no survey link to %s in\n%s", tt.to, s.Slug, m.Text)
			}
			ref, err := f.signer.Verify(link[2], cxm.PurposeSurvey, f.clock.Now())
			if err != nil || ref.ID != tt.inv.ID || ref.WorkspaceID != f.ws.ID || !ref.Expires.Equal(got.ExpiresAt.Truncate(time.Second)) {
				t.Errorf("%s: survey token = %+v, %v; want invitation %d until it expires", tt.to, ref, err, tt.inv.ID)
			}
			unsub := unsubscribeLinkPattern.FindStringSubmatch(m.Text)
			if unsub == nil {
				t.Fatalf("%s: no unsubscribe link in\n%s", tt.to, m.Text)
			}
			if ref, err := f.signer.Verify(unsub[1], cxm.PurposeUnsubscribe, f.clock.Now().Add(300*day)); err != nil || ref.ID != tt.inv.ID {
				t.Errorf("%s: unsubscribe token = %+v, %v; want invitation %d, valid for a year", tt.to, ref, err, tt.inv.ID)
			}
			if _, err := f.signer.Verify(unsub[1], cxm.PurposeSurvey, f.clock.Now()); err == nil {
				t.Errorf("%s: the unsubscribe token opens the survey", tt.to)
			}
			if h := m.Get("List-Unsubscribe"); h != "<"+unsub[0]+">" || m.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Errorf("%s: List-Unsubscribe = %q, want <%s> with one-click", tt.to, h, unsub[0])
			}
		}

		// Anna answers through her link; John does not.
		r := &cxm.Response{ID: "r-anna", WorkspaceID: f.ws.ID, SurveyID: s.ID, InvitationID: anna.ID, Source: cxm.SourceEmail,
			Locale: "de", Answers: cxm.Answers{"csat": 5.0}, Completed: true}
		r.Derive(s)
		if _, err := f.db.SubmitResponse(f.ctx, r); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(3*day - time.Minute)
		if n := f.runDue(); n != 0 {
			t.Errorf("%d jobs ran before the reminder is due", n)
		}
		f.clock.Add(time.Minute)
		if n := f.runDue(); n != 2 {
			t.Errorf("%d reminder jobs ran, want 2 (one finds Anna answered)", n)
		}
		if n := len(f.mailTo("anna@example.de")); n != 1 {
			t.Errorf("Anna, who answered, got %d mails, want only the invitation", n)
		}
		reminders := f.mailTo("john@example.com")
		if len(reminders) != 2 || reminders[1].Subject != `Reminder: your feedback on "Your delivery"` ||
			surveyLinkPattern.FindString(reminders[1].Text) == "" || reminders[1].Get("List-Unsubscribe") == "" {
			t.Fatalf("John's mails = %d, want the invitation and one English reminder with link and unsubscribe", len(reminders))
		}
		if got := f.find(john.ID); got.RemindedAt == nil || !got.RemindedAt.Equal(f.clock.Now()) || got.Status != cxm.InvitationSent {
			t.Errorf("John's invitation = %+v, want still sent and reminded now", got)
		}
		// Exactly one reminder, however long we wait.
		for i := 0; i < 3; i++ {
			f.clock.Add(5 * day)
			f.runDue()
		}
		if n := len(f.mailTo("john@example.com")); n != 2 {
			t.Errorf("John got %d mails in the end, want 2", n)
		}
		if got := f.find(anna.ID); got.Status != cxm.InvitationAnswered || got.ResponseID != "r-anna" {
			t.Errorf("Anna's invitation = %s %q, want answered by r-anna", got.Status, got.ResponseID)
		}
	})
}

// TestBounceAndTemporaryFailure sends to an address the server refuses
// for good (550) and one it refuses for now (451): the first becomes
// bounced at once and its job is done; the second is retried after the
// backoff and goes out once the server takes it.
func TestBounceAndTemporaryFailure(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.survey("lieferung", cxm.InviteEmail, func(s *cxm.Survey) { s.Trigger.DelayMinutes = 0 })
		gone := f.deliver("d-gone", "gone", f.clock.Now())[0]
		busy := f.deliver("d-busy", "busy", f.clock.Now())[0]
		if busy.Locale != "de" {
			t.Errorf("locale of a customer without one = %q, want the workspace's de", busy.Locale)
		}
		if n := f.runDue(); n != 2 {
			t.Fatalf("%d jobs ran, want 2", n)
		}
		got := f.find(gone.ID)
		if got.Status != cxm.InvitationBounced || !strings.Contains(got.LastError, "550") || got.ContactedAt != nil {
			t.Errorf("bounced invitation = %s %q contacted %v, want bounced with the 550 and no contact", got.Status, got.LastError, got.ContactedAt)
		}
		if j := f.job(cxm.JobSurveyInvite, gone); j.Status != cxm.JobDone || j.Attempts != 1 {
			t.Errorf("bounced job = %s after %d attempts, want done after 1", j.Status, j.Attempts)
		}
		got = f.find(busy.ID)
		if got.Status != cxm.InvitationScheduled || !strings.Contains(got.LastError, "451") {
			t.Errorf("temporarily failed invitation = %s %q, want scheduled with the 451", got.Status, got.LastError)
		}
		if j := f.job(cxm.JobSurveyInvite, busy); j.Status != cxm.JobFailed || !j.RunAt.Equal(f.clock.Now().Add(30*time.Second)) {
			t.Errorf("temporarily failed job = %s due %s, want failed and due after the 30 s backoff", j.Status, j.RunAt)
		}
		f.smtp.Reject("busy@example.de", 0)
		f.clock.Add(29 * time.Second)
		if n := f.runDue(); n != 0 {
			t.Errorf("%d jobs ran before the backoff ended", n)
		}
		f.clock.Add(time.Second)
		if n := f.runDue(); n != 1 {
			t.Fatalf("%d jobs ran after the backoff, want 1", n)
		}
		if got := f.find(busy.ID); got.Status != cxm.InvitationSent || got.LastError != "" {
			t.Errorf("retried invitation = %s %q, want sent", got.Status, got.LastError)
		}
		if n := len(f.mailTo("busy@example.de")); n != 1 {
			t.Errorf("busy got %d mails, want 1", n)
		}
		if n := len(f.mailTo("gone@example.de")); n != 0 {
			t.Errorf("the bounced address got %d mails", n)
		}
	})
}

// TestFailedAfterLastAttempt keeps a temporary failure up until the job
// has no attempts left: the invitation ends failed.
func TestFailedAfterLastAttempt(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.survey("lieferung", cxm.InviteEmail, func(s *cxm.Survey) { s.Trigger.DelayMinutes = 0 })
		busy := f.deliver("d-busy", "busy", f.clock.Now())[0]
		for i := 0; i < cxm.DefaultJobMaxAttempts; i++ {
			if n := f.runDue(); n != 1 {
				t.Fatalf("attempt %d: %d jobs ran", i+1, n)
			}
			f.clock.Add(7 * time.Hour)
		}
		if got := f.find(busy.ID); got.Status != cxm.InvitationFailed || !strings.Contains(got.LastError, "451") || got.ContactedAt != nil {
			t.Errorf("invitation = %s %q contacted %v, want failed with the 451 and no contact", got.Status, got.LastError, got.ContactedAt)
		}
		if j := f.job(cxm.JobSurveyInvite, busy); j.Status != cxm.JobDead {
			t.Errorf("job = %s, want dead", j.Status)
		}
	})
}

// TestContactRulesAcrossSurveys triggers two email surveys and a widget
// survey with the same delivery while the workspace allows one contact a
// week: one email goes out, the others record contact_frequency.
func TestContactRulesAcrossSurveys(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		days := 7
		if _, err := f.db.UpdateWorkspace(f.ctx, f.ws.ID, cxm.WorkspaceUpdate{ContactFrequencyDays: &days}); err != nil {
			t.Fatal(err)
		}
		f.survey("first", cxm.InviteEmail, nil)
		f.survey("second", cxm.InviteEmail, nil)
		f.survey("third", cxm.InviteWidget, func(s *cxm.Survey) { s.Trigger.DelayMinutes = 3 * 24 * 60 })
		invs := f.deliver("d-1", "anna", f.clock.Now())
		if len(invs) != 3 {
			t.Fatalf("%d invitations, want 3", len(invs))
		}
		f.clock.Add(3 * day)
		if n := f.runDue(); n != 3 {
			t.Fatalf("%d jobs ran, want 3", n)
		}
		reasons := map[string]int{}
		for _, inv := range invs {
			got := f.find(inv.ID)
			reasons[string(got.Status)+" "+got.SkipReason]++
		}
		if reasons["sent "] != 1 || reasons["skipped contact_frequency"] != 2 {
			t.Errorf("outcomes = %v, want one sent and two skipped for contact_frequency", reasons)
		}
		if n := len(f.mailTo("anna@example.de")); n != 1 {
			t.Errorf("Anna got %d mails, want 1", n)
		}
		// A week later she may be asked again.
		f.clock.Add(7 * day)
		later := f.deliver("d-2", "anna", f.clock.Now().Add(-2*day))
		f.runDue()
		sent := 0
		for _, inv := range later {
			if f.find(inv.ID).Status == cxm.InvitationSent {
				sent++
			}
		}
		if sent != 1 {
			t.Errorf("%d invitations sent a week later, want 1", sent)
		}
	})
}

// TestWidgetAndAnonymousAndOld: a widget invitation waits for the next
// visit and sends nothing; an anonymous delivery is recorded as skipped;
// a delivery too long ago invites nobody.
func TestWidgetAndAnonymousAndOld(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.survey("widget", cxm.InviteWidget, func(s *cxm.Survey) { s.Trigger.DelayMinutes = 60 })
		w := f.deliver("d-1", "anna", f.clock.Now())
		anon := f.deliver("d-2", "", f.clock.Now())
		old := f.deliver("d-3", "john", f.clock.Now().Add(-8*day))
		if len(w) != 1 || len(anon) != 1 || len(old) != 0 {
			t.Fatalf("invitations = %d, %d, %d; want 1, 1, 0", len(w), len(anon), len(old))
		}
		if anon[0].Status != cxm.InvitationSkipped || anon[0].SkipReason != cxm.SkipAnonymous || anon[0].CustomerID != 0 {
			t.Errorf("anonymous = %+v, want skipped for anonymous", anon[0])
		}
		f.clock.Add(time.Hour)
		if n := f.runDue(); n != 1 {
			t.Fatalf("%d jobs ran, want 1", n)
		}
		got := f.find(w[0].ID)
		if got.Status != cxm.InvitationWaiting || got.ContactedAt != nil {
			t.Errorf("widget invitation = %s contacted %v, want waiting, not yet contacted", got.Status, got.ContactedAt)
		}
		next, err := f.db.NextWidgetInvitation(f.ctx, f.ws.ID, f.anna.ID, f.clock.Now())
		if err != nil || next.ID != got.ID {
			t.Errorf("next widget invitation = %v, %v; want %d", next, err, got.ID)
		}
		if n := len(f.smtp.Messages()); n != 0 {
			t.Errorf("%d mails sent for a widget survey", n)
		}
	})
}

// TestSkipsAtSendTime: a survey closed, a customer deleted, or consent
// withdrawn after the trigger skips the invitation when it is due.
func TestSkipsAtSendTime(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		s := f.survey("closing", cxm.InviteEmail, nil)
		open := f.survey("open", cxm.InviteEmail, func(s *cxm.Survey) { s.Trigger.InteractionType = "returned" })
		closed := f.deliver("d-1", "anna", f.clock.Now())[0]
		returned := func(id, ext string) *cxm.Invitation {
			t.Helper()
			in := &cxm.Interaction{ID: id, Customer: ext, Touchpoint: "delivery", Type: "returned", OccurredAt: f.clock.Now()}
			if _, err := f.db.IngestInteractions(f.ctx, f.ws.ID, []*cxm.Interaction{in}, cxm.IngestOptions{}); err != nil {
				t.Fatal(err)
			}
			invs, err := f.l.Trigger(f.ctx, f.ws.ID, []*cxm.Interaction{in})
			if err != nil || len(invs) != 1 || invs[0].SurveyID != open.ID {
				t.Fatalf("trigger = %v, %v", invs, err)
			}
			return invs[0]
		}
		deleted := returned("ret-1", "gone")
		withdrawn := returned("ret-2", "john")

		s.Status = cxm.SurveyClosed
		if err := f.db.UpdateSurvey(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteCustomer(f.ctx, f.ws.ID, f.gone.ID); err != nil {
			t.Fatal(err)
		}
		no := false
		if _, err := f.db.UpdateCustomer(f.ctx, f.ws.ID, f.john.ID, cxm.CustomerUpdate{Consent: &struct {
			Email     *bool `json:"email"`
			Analytics *bool `json:"analytics"`
		}{Email: &no}}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(2 * day)
		if n := f.runDue(); n != 3 {
			t.Fatalf("%d jobs ran, want 3", n)
		}
		for _, tt := range []struct {
			inv  *cxm.Invitation
			want string
		}{{closed, cxm.SkipSurveyNotOpen}, {deleted, cxm.SkipCustomerGone}, {withdrawn, cxm.SkipNoConsent}} {
			if got := f.find(tt.inv.ID); got.Status != cxm.InvitationSkipped || got.SkipReason != tt.want {
				t.Errorf("invitation %d = %s %s, want skipped for %s", tt.inv.ID, got.Status, got.SkipReason, tt.want)
			}
		}
		if n := len(f.smtp.Messages()); n != 0 {
			t.Errorf("%d mails sent, want none", n)
		}
	})
}

// TestNoMailServer: without a mail server an email invitation stays
// scheduled with a clear error and is retried, and claims no contact.
func TestNoMailServer(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/cxm.db", func(c *listen.Config) { c.Mailer = nil })
	f.survey("lieferung", cxm.InviteEmail, func(s *cxm.Survey) { s.Trigger.DelayMinutes = 0 })
	inv := f.deliver("d-1", "anna", f.clock.Now())[0]
	f.runDue()
	got := f.find(inv.ID)
	if got.Status != cxm.InvitationScheduled || !strings.Contains(got.LastError, "--smtp-host") || got.ContactedAt != nil {
		t.Errorf("invitation = %s %q contacted %v, want scheduled with the error and no contact", got.Status, got.LastError, got.ContactedAt)
	}
	if j := f.job(cxm.JobSurveyInvite, inv); j.Status != cxm.JobFailed {
		t.Errorf("job = %s, want failed for a retry", j.Status)
	}
}
