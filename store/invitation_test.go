package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// inviteFixture is a workspace with a touchpoint, a survey and customers
// for invitation tests.
type inviteFixture struct {
	db     *DB
	ws     *cxm.Workspace
	survey *cxm.Survey
	// anna agrees to email; ben has not agreed; cleo agrees but has no address.
	anna, ben, cleo *cxm.Customer
	start           time.Time
}

func newInviteFixture(t *testing.T, db *DB, slug string) *inviteFixture {
	t.Helper()
	f := &inviteFixture{db: db, start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.ws = mustCreateWorkspace(t, db, slug)
	mustCreateTouchpointAt(t, db, f.ws.ID, "delivery", "receipt")
	f.survey = mustCreateSurvey(t, db, testSurvey(f.ws.ID, slug+"-delivery", "delivery"))
	f.anna = mustCreateCustomer(t, db, f.ws.ID, &cxm.Customer{ExternalID: "anna", Email: "anna@example.de", Consent: cxm.Consent{Email: true}})
	f.ben = mustCreateCustomer(t, db, f.ws.ID, &cxm.Customer{ExternalID: "ben", Email: "ben@example.de"})
	f.cleo = mustCreateCustomer(t, db, f.ws.ID, &cxm.Customer{ExternalID: "cleo", Consent: cxm.Consent{Email: true}})
	return f
}

// invitation returns a scheduled invitation of customer c to survey s, due at due.
func (f *inviteFixture) invitation(s *cxm.Survey, c *cxm.Customer, channel string, due time.Time) *cxm.Invitation {
	return &cxm.Invitation{WorkspaceID: f.ws.ID, SurveyID: s.ID, CustomerID: c.ID, Touchpoint: "delivery",
		Channel: channel, Locale: "de", DueAt: due}
}

func (f *inviteFixture) mustCreate(t *testing.T, inv *cxm.Invitation) *cxm.Invitation {
	t.Helper()
	created, err := f.db.CreateInvitation(context.Background(), inv)
	if err != nil || !created {
		t.Fatalf("create invitation: created %v, %v", created, err)
	}
	return inv
}

// claim claims inv's contact at at and returns the invitation as stored.
func (f *inviteFixture) claim(t *testing.T, inv *cxm.Invitation, at time.Time) *cxm.Invitation {
	t.Helper()
	got, err := f.db.ClaimContact(context.Background(), f.ws.ID, inv.ID, cxm.InvitationScheduled, at)
	if err != nil {
		t.Fatalf("claim invitation %d: %v", inv.ID, err)
	}
	return got
}

func TestInvitationCreateFindListUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		db.now = func() time.Time { return f.start }
		other := newInviteFixture(t, db, "globex")

		inv := f.invitation(f.survey, f.anna, cxm.InviteEmail, f.start.Add(time.Hour))
		inv.Hidden = map[string]string{"order_id": "A-1"}
		f.mustCreate(t, inv)
		if inv.Status != cxm.InvitationScheduled || !inv.ExpiresAt.Equal(inv.DueAt.Add(cxm.DefaultInvitationTTL)) ||
			!inv.CreatedAt.Equal(f.start) {
			t.Errorf("created = %s, want scheduled, expiring after the default TTL", jsonOf(t, inv))
		}
		got, err := db.FindInvitation(ctx, f.ws.ID, inv.ID)
		if err != nil || jsonOf(t, got) != jsonOf(t, inv) {
			t.Fatalf("found %s (%v), want %s", jsonOf(t, got), err, jsonOf(t, inv))
		}
		if _, err := db.FindInvitation(ctx, other.ws.ID, inv.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("find from another workspace = %v, want not found", err)
		}

		// References must be the workspace's own.
		_, err = db.CreateInvitation(ctx, &cxm.Invitation{WorkspaceID: f.ws.ID, SurveyID: other.survey.ID, CustomerID: f.anna.ID,
			Channel: cxm.InviteEmail, Locale: "de", DueAt: f.start})
		checkError(t, err, cxm.EInvalid, "survey_id")
		_, err = db.CreateInvitation(ctx, &cxm.Invitation{WorkspaceID: f.ws.ID, SurveyID: f.survey.ID, CustomerID: other.anna.ID,
			Channel: cxm.InviteEmail, Locale: "de", DueAt: f.start})
		checkError(t, err, cxm.EInvalid, "customer_id")
		// Every bad field is named.
		_, err = db.CreateInvitation(ctx, &cxm.Invitation{WorkspaceID: f.ws.ID, SurveyID: f.survey.ID, Channel: "fax",
			Locale: "fr", Touchpoint: "Not A Key", Email: "nope", Status: cxm.InvitationSkipped})
		checkError(t, err, cxm.EInvalid, "channel", "locale", "touchpoint", "email", "skip_reason", "due_at")

		// Lists are newest first, filtered and paged.
		skipped := f.invitation(f.survey, f.ben, cxm.InviteEmail, f.start)
		skipped.Skip(cxm.SkipNoConsent)
		f.mustCreate(t, skipped)
		widget := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteWidget, f.start))
		list := func(fl cxm.InvitationFilter) []int64 {
			t.Helper()
			var ids []int64
			for {
				page, next, err := db.ListInvitations(ctx, f.ws.ID, fl)
				if err != nil {
					t.Fatal(err)
				}
				for _, i := range page {
					ids = append(ids, i.ID)
				}
				if next == "" {
					return ids
				}
				fl.Cursor = next
			}
		}
		if got, want := fmt.Sprint(list(cxm.InvitationFilter{Page: cxm.Page{Limit: 1}})), fmt.Sprint([]int64{widget.ID, skipped.ID, inv.ID}); got != want {
			t.Errorf("list = %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(list(cxm.InvitationFilter{CustomerID: f.anna.ID})), fmt.Sprint([]int64{widget.ID, inv.ID}); got != want {
			t.Errorf("list by customer = %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(list(cxm.InvitationFilter{Status: cxm.InvitationSkipped, SurveyID: f.survey.ID})), fmt.Sprint([]int64{skipped.ID}); got != want {
			t.Errorf("list skipped = %s, want %s", got, want)
		}
		if got := list(cxm.InvitationFilter{SurveyID: other.survey.ID}); len(got) != 0 {
			t.Errorf("list of another workspace's survey = %v, want none", got)
		}
		_, _, err = db.ListInvitations(ctx, f.ws.ID, cxm.InvitationFilter{Status: "lost"})
		checkError(t, err, cxm.EInvalid, "status")

		// An update needs the version it read.
		stale := *got
		sent := f.start.Add(2 * time.Hour)
		got.Status, got.SentAt, got.ContactedAt = cxm.InvitationSent, &sent, &sent
		if err := db.UpdateInvitation(ctx, got); err != nil {
			t.Fatal(err)
		}
		stale.Status = cxm.InvitationFailed
		checkError(t, db.UpdateInvitation(ctx, &stale), cxm.EConflict)
		again, _ := db.FindInvitation(ctx, f.ws.ID, inv.ID)
		if again.Status != cxm.InvitationSent || !again.SentAt.Equal(sent) || jsonOf(t, again) != jsonOf(t, got) {
			t.Errorf("after update = %s, want %s", jsonOf(t, again), jsonOf(t, got))
		}
		stale.WorkspaceID = other.ws.ID
		checkError(t, db.UpdateInvitation(ctx, &stale), cxm.ENotFound)

		// Only the first opening counts.
		for _, at := range []time.Time{f.start.Add(3 * time.Hour), f.start.Add(4 * time.Hour)} {
			if err := db.OpenInvitation(ctx, f.ws.ID, inv.ID, at); err != nil {
				t.Fatal(err)
			}
		}
		checkError(t, db.OpenInvitation(ctx, other.ws.ID, inv.ID, f.start), cxm.ENotFound)
		again, _ = db.FindInvitation(ctx, f.ws.ID, inv.ID)
		if again.OpenedAt == nil || !again.OpenedAt.Equal(f.start.Add(3*time.Hour)) {
			t.Errorf("opened_at = %v, want the first opening", again.OpenedAt)
		}
	})
}

func TestInvitationTriggerIsUnique(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		db.now = func() time.Time { return f.start }
		mustIngest(t, db, f.ws.ID, cxm.IngestOptions{}, event("ev-1", "anna", "", "delivery", f.start))
		refs, err := db.InteractionRefs(ctx, f.ws.ID, []string{"ev-1", "unknown"})
		if err != nil || len(refs) != 1 || refs["ev-1"].RowID == 0 {
			t.Fatalf("interaction refs = %v, %v; want the row of ev-1 only", refs, err)
		}
		rows := map[string]int64{"ev-1": refs["ev-1"].RowID}
		first := f.invitation(f.survey, f.anna, cxm.InviteEmail, f.start.Add(48*time.Hour))
		first.InteractionID = rows["ev-1"]
		created, err := db.ScheduleInvitation(ctx, first, cxm.JobSurveyInvite)
		if err != nil || !created {
			t.Fatalf("schedule = %v, %v", created, err)
		}
		replay := f.invitation(f.survey, f.anna, cxm.InviteWidget, f.start)
		replay.InteractionID = rows["ev-1"]
		created, err = db.ScheduleInvitation(ctx, replay, cxm.JobSurveyInvite)
		if err != nil || created || replay.ID != first.ID || replay.Channel != cxm.InviteEmail {
			t.Fatalf("replay = created %v, %v, %s; want the first invitation", created, err, jsonOf(t, replay))
		}
		jobs, _, err := db.ListJobs(ctx, f.ws.ID, cxm.JobFilter{Kind: cxm.JobSurveyInvite})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("jobs = %d, %v; want exactly one", len(jobs), err)
		}
		var p cxm.InvitationJob
		if err := json.Unmarshal(jobs[0].Payload, &p); err != nil || p.InvitationID != first.ID ||
			!jobs[0].RunAt.Equal(first.DueAt) || jobs[0].UniqueKey != fmt.Sprint(first.ID) {
			t.Errorf("job = %s, want one for invitation %d due at %s", jsonOf(t, jobs[0]), first.ID, first.DueAt)
		}
		// Another survey may be triggered by the same interaction.
		s2 := mustCreateSurvey(t, db, testSurvey(f.ws.ID, "second", "delivery"))
		inv2 := f.invitation(s2, f.anna, cxm.InviteEmail, f.start)
		inv2.InteractionID = rows["ev-1"]
		if created, err := db.CreateInvitation(ctx, inv2); err != nil || !created {
			t.Errorf("second survey's invitation = %v, %v; want created", created, err)
		}
		// A skipped invitation gets no job; an anonymous one needs no customer.
		anon := &cxm.Invitation{WorkspaceID: f.ws.ID, SurveyID: f.survey.ID, Channel: cxm.InviteEmail, Locale: "de", DueAt: f.start}
		anon.Skip(cxm.SkipAnonymous)
		if created, err := db.ScheduleInvitation(ctx, anon, cxm.JobSurveyInvite); err != nil || !created {
			t.Fatalf("anonymous = %v, %v", created, err)
		}
		if jobs, _, _ := db.ListJobs(ctx, f.ws.ID, cxm.JobFilter{Kind: cxm.JobSurveyInvite}); len(jobs) != 1 {
			t.Errorf("jobs after a skipped invitation = %d, want 1", len(jobs))
		}
		notAnon := &cxm.Invitation{WorkspaceID: f.ws.ID, SurveyID: f.survey.ID, Channel: cxm.InviteEmail, Locale: "de", DueAt: f.start}
		_, err = db.CreateInvitation(ctx, notAnon)
		checkError(t, err, cxm.EInvalid, "customer_id")
	})
}

func TestClaimContactRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		days := 7
		if _, err := db.UpdateWorkspace(ctx, f.ws.ID, cxm.WorkspaceUpdate{ContactFrequencyDays: &days}); err != nil {
			t.Fatal(err)
		}
		a := testSurvey(f.ws.ID, "a", "delivery")
		a.RecontactDays = 30
		a = mustCreateSurvey(t, db, a)
		b := mustCreateSurvey(t, db, testSurvey(f.ws.ID, "b", "delivery"))
		day := 24 * time.Hour
		t0 := f.start

		inv := f.mustCreate(t, f.invitation(a, f.anna, cxm.InviteEmail, t0))
		got := f.claim(t, inv, t0)
		if got.Status != cxm.InvitationScheduled || got.ContactedAt == nil || !got.ContactedAt.Equal(t0) || got.Email != "anna@example.de" {
			t.Fatalf("first claim = %s, want contacted at t0 with Anna's address", jsonOf(t, got))
		}
		// Claiming the same invitation again (a retried job) does not count itself.
		if again := f.claim(t, got, t0.Add(time.Minute)); again.Status == cxm.InvitationSkipped {
			t.Errorf("reclaim = skipped %s, want allowed", again.SkipReason)
		}
		tests := []struct {
			name    string
			survey  *cxm.Survey
			c       *cxm.Customer
			channel string
			at      time.Duration
			want    string
		}{
			{"other survey and channel within the workspace's days", b, f.anna, cxm.InviteWidget, day, cxm.SkipContactFrequency},
			{"other survey after the workspace's days", b, f.anna, cxm.InviteEmail, 8 * day, ""},
			{"same survey within its recontact period and the workspace's days", a, f.anna, cxm.InviteEmail, 10 * day, cxm.SkipRecontact},
			{"same survey within its recontact period only", a, f.anna, cxm.InviteEmail, 20 * day, cxm.SkipRecontact},
			{"same survey after its recontact period", a, f.anna, cxm.InviteEmail, 31 * day, ""},
			{"email without consent", b, f.ben, cxm.InviteEmail, 0, cxm.SkipNoConsent},
			{"widget without email consent", b, f.ben, cxm.InviteWidget, 0, ""},
			{"email without address", b, f.cleo, cxm.InviteEmail, 0, cxm.SkipNoEmail},
		}
		for _, tt := range tests {
			inv := f.mustCreate(t, f.invitation(tt.survey, tt.c, tt.channel, t0.Add(tt.at)))
			got := f.claim(t, inv, t0.Add(tt.at))
			switch {
			case tt.want == "" && (got.Status != cxm.InvitationScheduled || got.ContactedAt == nil):
				t.Errorf("%s: claim = %s %s, want allowed", tt.name, got.Status, got.SkipReason)
			case tt.want != "" && (got.Status != cxm.InvitationSkipped || got.SkipReason != tt.want || got.ContactedAt != nil):
				t.Errorf("%s: claim = %s %s, want skipped for %s", tt.name, got.Status, got.SkipReason, tt.want)
			}
			if stored, _ := db.FindInvitation(ctx, f.ws.ID, inv.ID); jsonOf(t, stored) != jsonOf(t, got) {
				t.Errorf("%s: stored %s, claim answered %s", tt.name, jsonOf(t, stored), jsonOf(t, got))
			}
		}
		anyAt, thisAt, err := db.LastContact(ctx, f.ws.ID, f.anna.ID, b.ID)
		if err != nil || anyAt == nil || !anyAt.Equal(t0.Add(31*day)) || thisAt == nil || !thisAt.Equal(t0.Add(8*day)) {
			t.Errorf("last contact = %v, %v (%v); want day 31 for any survey and day 8 for b", anyAt, thisAt, err)
		}

		// A completed response counts as a contact too.
		r := apiResponse(b, "r-ben", true, cxm.Answers{"nps": 3.0})
		r.Customer = "ben"
		db.now = func() time.Time { return t0 }
		mustSubmit(t, db, r)
		inv = f.mustCreate(t, f.invitation(a, f.ben, cxm.InviteWidget, t0.Add(day)))
		if got := f.claim(t, inv, t0.Add(day)); got.SkipReason != cxm.SkipContactFrequency {
			t.Errorf("claim after a response = %s %s, want skipped for contact_frequency", got.Status, got.SkipReason)
		}

		// A deleted customer is gone; a skipped invitation cannot be claimed.
		inv = f.mustCreate(t, f.invitation(b, f.cleo, cxm.InviteWidget, t0))
		if err := db.DeleteCustomer(ctx, f.ws.ID, f.cleo.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.claim(t, inv, t0); got.SkipReason != cxm.SkipCustomerGone {
			t.Errorf("claim for a deleted customer = %s %s, want customer_gone", got.Status, got.SkipReason)
		}
		_, err = db.ClaimContact(ctx, f.ws.ID, inv.ID, cxm.InvitationScheduled, t0)
		checkError(t, err, cxm.EConflict, "status")
		_, err = db.ClaimContact(ctx, f.ws.ID+1, inv.ID, cxm.InvitationScheduled, t0)
		checkError(t, err, cxm.ENotFound)
	})
}

// TestClaimContactIsRaceFree claims many invitations of one customer to
// different surveys at once: the workspace allows one contact a week, so
// exactly one claim may win, whatever the interleaving.
func TestClaimContactIsRaceFree(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		days := 7
		if _, err := db.UpdateWorkspace(ctx, f.ws.ID, cxm.WorkspaceUpdate{ContactFrequencyDays: &days}); err != nil {
			t.Fatal(err)
		}
		const n = 12
		invs := make([]*cxm.Invitation, n)
		for i := range invs {
			s := mustCreateSurvey(t, db, testSurvey(f.ws.ID, fmt.Sprintf("s%d", i), "delivery"))
			channel := cxm.InviteEmail
			if i%2 == 1 {
				channel = cxm.InviteWidget
			}
			invs[i] = f.mustCreate(t, f.invitation(s, f.anna, channel, f.start))
		}
		var wg sync.WaitGroup
		results := make([]*cxm.Invitation, n)
		errs := make([]error, n)
		for i := range invs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = db.ClaimContact(ctx, f.ws.ID, invs[i].ID, cxm.InvitationScheduled, f.start)
			}()
		}
		wg.Wait()
		won := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("claim %d: %v", i, errs[i])
			}
			switch {
			case r.Status == cxm.InvitationScheduled && r.ContactedAt != nil:
				won++
			case r.SkipReason != cxm.SkipContactFrequency:
				t.Errorf("claim %d = %s %s, want won or contact_frequency", i, r.Status, r.SkipReason)
			}
		}
		if won != 1 {
			t.Errorf("%d claims won, want exactly 1", won)
		}
	})
}

func TestUnsubscribe(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		other := newInviteFixture(t, db, "globex")
		inv := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteEmail, f.start))
		if _, err := db.Unsubscribe(ctx, other.ws.ID, inv.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("unsubscribe from another workspace = %v, want not found", err)
		}
		got, err := db.Unsubscribe(ctx, f.ws.ID, inv.ID)
		if err != nil || got.ID != inv.ID {
			t.Fatalf("unsubscribe = %v, %v", got, err)
		}
		c, _ := db.FindCustomer(ctx, f.ws.ID, f.anna.ID)
		if c.Consent.Email {
			t.Error("consent to email still given after unsubscribing")
		}
		// A second unsubscribe is harmless; the next claim skips for consent.
		if _, err := db.Unsubscribe(ctx, f.ws.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.claim(t, inv, f.start); got.SkipReason != cxm.SkipNoConsent {
			t.Errorf("claim after unsubscribing = %s %s, want no_consent", got.Status, got.SkipReason)
		}
		if oc, _ := db.FindCustomer(ctx, other.ws.ID, other.anna.ID); !oc.Consent.Email {
			t.Error("another workspace's customer lost consent")
		}
	})
}

func TestNextWidgetInvitation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		if _, err := db.NextWidgetInvitation(ctx, f.ws.ID, f.anna.ID, f.start); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Fatalf("next without any = %v, want not found", err)
		}
		email := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteEmail, f.start))
		email.Status = cxm.InvitationSent
		if err := db.UpdateInvitation(ctx, email); err != nil {
			t.Fatal(err)
		}
		later := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteWidget, f.start.Add(time.Hour)))
		early := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteWidget, f.start))
		for _, inv := range []*cxm.Invitation{later, early} {
			inv.Status = cxm.InvitationWaiting
			if err := db.UpdateInvitation(ctx, inv); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.NextWidgetInvitation(ctx, f.ws.ID, f.anna.ID, f.start.Add(2*time.Hour))
		if err != nil || got.ID != early.ID {
			t.Fatalf("next = %v, %v; want the earliest due widget invitation %d", got, err, early.ID)
		}
		if got, err := db.NextWidgetInvitation(ctx, f.ws.ID, f.anna.ID, f.start.Add(-time.Minute)); err == nil {
			t.Errorf("next before due = %d, want none", got.ID)
		}
		if got, err := db.NextWidgetInvitation(ctx, f.ws.ID, f.anna.ID, early.ExpiresAt.Add(30*time.Minute)); err != nil || got.ID != later.ID {
			t.Errorf("next after the first expired = %v, %v; want %d", got, err, later.ID)
		}
		if _, err := db.NextWidgetInvitation(ctx, f.ws.ID+1, f.anna.ID, f.start.Add(2*time.Hour)); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("next in another workspace = %v, want not found", err)
		}
	})
}

// TestInvitationsFollowMergeAndErasure: merging customers moves their
// invitations to the kept profile; erasing a customer keeps the
// invitations for the statistics but forgets who and where.
func TestInvitationsFollowMergeAndErasure(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		inv := f.mustCreate(t, f.invitation(f.survey, f.ben, cxm.InviteEmail, f.start))
		sent := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteEmail, f.start))
		sent = f.claim(t, sent, f.start)
		sent.Status = cxm.InvitationSent
		if err := db.UpdateInvitation(ctx, sent); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MergeCustomers(ctx, f.ws.ID, f.anna.ID, f.ben.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindInvitation(ctx, f.ws.ID, inv.ID); got.CustomerID != f.anna.ID {
			t.Errorf("after the merge the invitation names customer %d, want the kept %d", got.CustomerID, f.anna.ID)
		}
		if err := db.DeleteCustomer(ctx, f.ws.ID, f.anna.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindInvitation(ctx, f.ws.ID, sent.ID)
		if got.CustomerID != 0 || got.Email != "" || got.Status != cxm.InvitationSent {
			t.Errorf("after erasure = %s, want still sent without customer or address", jsonOf(t, got))
		}
		// It can still be updated, such as to expired.
		got.Status = cxm.InvitationExpired
		if err := db.UpdateInvitation(ctx, got); err != nil {
			t.Errorf("update after erasure: %v", err)
		}
		if got := f.claim(t, inv, f.start); got.SkipReason != cxm.SkipCustomerGone {
			t.Errorf("claim after erasure = %s %s, want customer_gone", got.Status, got.SkipReason)
		}
	})
}
