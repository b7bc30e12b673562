package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

// caseFixture is a workspace in UTC with a customer, a touchpoint, a
// detractor's response and a clock that the test moves.
type caseFixture struct {
	db       *DB
	ws       *cxm.Workspace
	customer *cxm.Customer
	tp       *cxm.Touchpoint
	now      time.Time
}

// newCaseFixture builds the fixture; the clock starts on Friday 2026-03-06 15:00 UTC.
func newCaseFixture(t *testing.T, db *DB) *caseFixture {
	t.Helper()
	f := &caseFixture{db: db, now: time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)}
	db.now = func() time.Time { return f.now }
	f.ws = &cxm.Workspace{Slug: "acme", Name: "Acme", TimeZone: "UTC"}
	if err := db.CreateWorkspace(context.Background(), f.ws); err != nil {
		t.Fatal(err)
	}
	f.tp = mustCreateTouchpointAt(t, db, f.ws.ID, "delivery", "receipt")
	f.customer = mustCreateCustomer(t, db, f.ws.ID, &cxm.Customer{ExternalID: "c-1", Email: "anna@example.com", Name: "Anna"})
	s := mustCreateSurvey(t, db, testSurvey(f.ws.ID, "survey", "delivery"))
	r := apiResponse(s, "r-1", true, cxm.Answers{"nps": 2.0})
	r.Customer = "c-1"
	mustSubmit(t, db, r)
	return f
}

// timelineKinds returns "kind:old>new" for each event of the case.
func timelineKinds(t *testing.T, db *DB, ws, id int64) []string {
	t.Helper()
	es, err := db.CaseTimeline(context.Background(), ws, id)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range es {
		out = append(out, e.Kind+":"+e.Old+">"+e.New)
	}
	return out
}

func TestCaseCreateLinksAndDeadlines(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newCaseFixture(t, db)
		c := &cxm.Case{WorkspaceID: f.ws.ID, Title: " Detractor on delivery ", ResponseID: "r-1"}
		if err := db.CreateCase(ctx, c, 0); err != nil {
			t.Fatal(err)
		}
		if c.Status != cxm.CaseNew || c.Priority != cxm.PriorityNormal || c.CustomerID != f.customer.ID ||
			c.TouchpointID != f.tp.ID || c.Title != "Detractor on delivery" {
			t.Errorf("created %+v", c)
		}
		// Normal: first response in 8 business hours, resolution in 5 days,
		// Monday to Friday 09:00–17:00: Friday 15:00 + 2h + 6h = Monday 15:00.
		want := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
		if c.FirstResponseDue == nil || !c.FirstResponseDue.Equal(want) {
			t.Errorf("first response due %v, want %v", c.FirstResponseDue, want)
		}
		if c.ResolutionDue == nil || !c.ResolutionDue.Equal(time.Date(2026, 3, 13, 15, 0, 0, 0, time.UTC)) {
			t.Errorf("resolution due %v, want Friday a week later 15:00", c.ResolutionDue)
		}
		found, err := db.FindCase(ctx, f.ws.ID, c.ID)
		if err != nil || jsonOf(t, found) != jsonOf(t, c) {
			t.Errorf("found %s (%v), created %s", jsonOf(t, found), err, jsonOf(t, c))
		}
		if got := timelineKinds(t, db, f.ws.ID, c.ID); !slices.Equal(got, []string{"created:>new"}) {
			t.Errorf("timeline = %v", got)
		}

		err = db.CreateCase(ctx, &cxm.Case{WorkspaceID: f.ws.ID, Title: "Again", ResponseID: "r-1"}, 0)
		checkError(t, err, cxm.EConflict, "response_id")
		err = db.CreateCase(ctx, &cxm.Case{WorkspaceID: f.ws.ID, Title: "", Priority: "asap", ResponseID: "nope"}, 0)
		checkError(t, err, cxm.EInvalid, "title", "priority")
		err = db.CreateCase(ctx, &cxm.Case{WorkspaceID: f.ws.ID, Title: "x", ResponseID: "nope"}, 0)
		checkError(t, err, cxm.EInvalid, "response_id")
		err = db.CreateCase(ctx, &cxm.Case{WorkspaceID: f.ws.ID, Title: "x", TeamID: 42, AssigneeID: 43}, 0)
		checkError(t, err, cxm.EInvalid, "team_id", "assignee_id")
		if cs, _, _ := db.ListCases(ctx, f.ws.ID, cxm.CaseFilter{}); len(cs) != 1 {
			t.Errorf("refused cases were stored: %d cases", len(cs))
		}
		if _, err := db.FindCase(ctx, f.ws.ID+1, c.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("case found in another workspace: %v", err)
		}
	})
}

func TestCaseLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newCaseFixture(t, db)
		agent := mustMember(t, db, f.ws.ID, "agent@acme.example", cxm.RoleAgent)
		team := mustCreateTeam(t, db, f.ws.ID, "hotline", agent.ID)
		c := &cxm.Case{WorkspaceID: f.ws.ID, Title: "Broken cup", CustomerID: f.customer.ID}
		if err := db.CreateCase(ctx, c, 0); err != nil {
			t.Fatal(err)
		}
		st := func(s cxm.CaseStatus) *cxm.CaseStatus { return &s }

		f.now = f.now.Add(10 * time.Minute)
		got, err := db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseInProgress), TeamID: &team.ID, AssigneeID: &agent.ID}, agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstRespondedAt == nil || !got.FirstRespondedAt.Equal(f.now) || got.TeamID != team.ID || got.AssigneeID != agent.ID {
			t.Errorf("after taking the case: %+v", got)
		}
		// A forbidden move names the status; nothing changes.
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseNew)}, agent.ID)
		checkError(t, err, cxm.EConflict, "status")
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st("done")}, agent.ID)
		checkError(t, err, cxm.EInvalid, "status")
		// Resolving needs a valid resolution.
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseResolved)}, agent.ID)
		checkError(t, err, cxm.EInvalid, "resolution")
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseResolved),
			Resolution: &cxm.CaseResolution{RootCause: "moon_phase", Type: cxm.ResolutionRefund, Amount: -5}}, agent.ID)
		checkError(t, err, cxm.EInvalid, "resolution.root_cause", "resolution.amount", "resolution.currency")
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseResolved),
			Resolution: &cxm.CaseResolution{RootCause: "product_defect", Type: "gift"}}, agent.ID)
		checkError(t, err, cxm.EInvalid, "resolution.type")
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{
			Resolution: &cxm.CaseResolution{RootCause: "product_defect", Type: cxm.ResolutionApology}}, agent.ID)
		checkError(t, err, cxm.EInvalid, "resolution")

		f.now = f.now.Add(time.Hour)
		res := &cxm.CaseResolution{RootCause: "product_defect", Type: cxm.ResolutionRefund, Amount: 12.5, Currency: "EUR", Note: "sent"}
		got, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseResolved), Resolution: res}, agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != cxm.CaseResolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(f.now) || got.Resolution == nil || *got.Resolution != *res {
			t.Errorf("resolved = %s", jsonOf(t, got))
		}
		// Reopen, then close: a closed case changes no more.
		if _, err := db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseInProgress)}, agent.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseClosed)}, 0); err != nil {
			t.Fatal(err)
		}
		title := "New title"
		_, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Title: &title}, 0)
		checkError(t, err, cxm.EConflict, "status")

		want := []string{"created:>new",
			"team:>" + idText(team.ID), "assignee:>" + idText(agent.ID), "status:new>in_progress",
			"status:in_progress>resolved", "resolution:>refund (product_defect) 12.5 EUR",
			"status:resolved>in_progress", "status:in_progress>closed"}
		if got := timelineKinds(t, db, f.ws.ID, c.ID); !slices.Equal(got, want) {
			t.Errorf("timeline =\n%v\nwant\n%v", got, want)
		}
		es, _ := db.CaseTimeline(ctx, f.ws.ID, c.ID)
		if es[1].ActorUserID != agent.ID || es[len(es)-1].ActorUserID != 0 {
			t.Errorf("actors = %d, %d; want the agent, then the system", es[1].ActorUserID, es[len(es)-1].ActorUserID)
		}
		if _, err := db.CaseTimeline(ctx, f.ws.ID+1, c.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("timeline from another workspace: %v", err)
		}
	})
}

func TestCaseNotesRepliesAndPriority(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newCaseFixture(t, db)
		c := &cxm.Case{WorkspaceID: f.ws.ID, Title: "Rude driver", Priority: cxm.PriorityLow}
		if err := db.CreateCase(ctx, c, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddCaseNote(ctx, f.ws.ID, c.ID, "note", "called the depot", 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindCase(ctx, f.ws.ID, c.ID); got.FirstRespondedAt != nil {
			t.Errorf("an internal note counted as first response")
		}
		_, err := db.AddCaseNote(ctx, f.ws.ID, c.ID, "note", "  ", 0)
		checkError(t, err, cxm.EInvalid, "body")
		_, err = db.AddCaseNote(ctx, f.ws.ID+1, c.ID, "note", "x", 0)
		checkError(t, err, cxm.ENotFound)

		// A reply and its email job are stored together.
		f.now = f.now.Add(30 * time.Minute)
		job := &cxm.Job{Kind: "case.reply", Payload: json.RawMessage(`{"case_id":1}`)}
		e, err := db.AddCaseReply(ctx, f.ws.ID, c.ID, "We are sorry.", 0, job)
		if err != nil || e.Kind != "reply" || job.ID == 0 {
			t.Fatalf("reply = %+v, job %d (%v)", e, job.ID, err)
		}
		if got, _ := db.FindCase(ctx, f.ws.ID, c.ID); got.FirstRespondedAt == nil || !got.FirstRespondedAt.Equal(f.now) {
			t.Errorf("first reply did not mark the first response: %v", got.FirstRespondedAt)
		}
		_, err = db.AddCaseReply(ctx, f.ws.ID, c.ID+999, "lost", 0, &cxm.Job{Kind: "case.reply"})
		checkError(t, err, cxm.ENotFound)
		jobs, _, _ := db.ListJobs(ctx, f.ws.ID, cxm.JobFilter{Kind: "case.reply"})
		if len(jobs) != 1 {
			t.Errorf("jobs = %d, want only the stored reply's", len(jobs))
		}

		// Raising the priority counts the deadlines again from the creation.
		urgent := cxm.PriorityUrgent
		got, err := db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Priority: &urgent}, 0)
		if err != nil {
			t.Fatal(err)
		}
		settings, _ := db.CaseSettings(ctx, f.ws.ID)
		_, res, _ := sla.Deadlines(settings, time.UTC, cxm.PriorityUrgent, c.CreatedAt)
		if got.ResolutionDue == nil || !got.ResolutionDue.Equal(res) || !got.ResolutionDue.Before(*c.ResolutionDue) {
			t.Errorf("urgent resolution due %v, want %v (before the low %v)", got.ResolutionDue, res, c.ResolutionDue)
		}
		if !got.FirstResponseDue.Equal(*c.FirstResponseDue) {
			t.Errorf("first response due moved after the first response: %v", got.FirstResponseDue)
		}
		want := []string{"created:>new", "note:>", "reply:>", "priority:low>urgent"}
		if kinds := timelineKinds(t, db, f.ws.ID, c.ID); !slices.Equal(kinds, want) {
			t.Errorf("timeline = %v, want %v", kinds, want)
		}
	})
}

func TestCasesDueAndEscalation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newCaseFixture(t, db)
		boss := mustMember(t, db, f.ws.ID, "boss@acme.example", cxm.RoleAdmin)
		team := mustCreateTeam(t, db, f.ws.ID, "escalations", boss.ID)
		c := &cxm.Case{WorkspaceID: f.ws.ID, Title: "Waiting for refund", Priority: cxm.PriorityHigh}
		if err := db.CreateCase(ctx, c, 0); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.CasesDue(ctx, c.FirstResponseDue.Add(-time.Second), 10); len(due) != 0 {
			t.Errorf("%d cases due before the deadline", len(due))
		}
		due, err := db.CasesDue(ctx, *c.FirstResponseDue, 10)
		if err != nil || len(due) != 1 || due[0].ID != c.ID {
			t.Fatalf("due at the deadline = %v (%v)", due, err)
		}
		e := cxm.Escalation{Target: "first_response", RaisePriority: true, TeamID: team.ID, AssigneeID: boss.ID, At: *c.FirstResponseDue}
		got, err := db.EscalateCase(ctx, f.ws.ID, c.ID, e)
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority != cxm.PriorityUrgent || got.TeamID != team.ID || got.AssigneeID != boss.ID || !slices.Equal(got.Breached, []string{"first_response"}) {
			t.Errorf("escalated = %s", jsonOf(t, got))
		}
		again, err := db.EscalateCase(ctx, f.ws.ID, c.ID, e)
		if err != nil || jsonOf(t, again) != jsonOf(t, got) {
			t.Errorf("second escalation changed %s into %s (%v)", jsonOf(t, got), jsonOf(t, again), err)
		}
		want := []string{"created:>new", "breach:>first_response", "escalation:high>urgent", "escalation:>" + idText(team.ID), "escalation:>" + idText(boss.ID)}
		if kinds := timelineKinds(t, db, f.ws.ID, c.ID); !slices.Equal(kinds, want) {
			t.Errorf("timeline = %v, want %v", kinds, want)
		}
		if due, _ := db.CasesDue(ctx, *c.FirstResponseDue, 10); len(due) != 0 {
			t.Errorf("a recorded breach is due again: %d", len(due))
		}
		_, err = db.EscalateCase(ctx, f.ws.ID, c.ID, cxm.Escalation{Target: "lunch"})
		checkError(t, err, cxm.EInvalid, "target")
		breached, _, _ := db.ListCases(ctx, f.ws.ID, cxm.CaseFilter{Breached: true})
		if len(breached) != 1 {
			t.Errorf("breached list = %d cases", len(breached))
		}

		// Waiting on the customer pauses the clock: the deadline moves by
		// the business time waited, and waiting cases are never due.
		st := func(s cxm.CaseStatus) *cxm.CaseStatus { return &s }
		before := *got.ResolutionDue
		if _, err := db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseWaiting)}, 0); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.CasesDue(ctx, before.Add(time.Hour), 10); len(due) != 0 {
			t.Errorf("a waiting case is due")
		}
		f.now = time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC) // Monday 11:00: Friday 2h and Monday 2h waited
		got, err = db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: st(cxm.CaseInProgress)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		settings, _ := db.CaseSettings(ctx, f.ws.ID)
		cal, _ := sla.NewCalendar(time.UTC, settings.Hours, settings.Holidays)
		if wantDue := cal.Add(before, 4*time.Hour); got.ResolutionDue == nil || !got.ResolutionDue.Equal(wantDue) {
			t.Errorf("resolution due after waiting = %v, want %v (was %v)", got.ResolutionDue, wantDue, before)
		}
	})
}

func TestListCasesFiltersAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newCaseFixture(t, db)
		agent := mustMember(t, db, f.ws.ID, "agent@acme.example", cxm.RoleAgent)
		a := mustCreateTeam(t, db, f.ws.ID, "a")
		b := mustCreateTeam(t, db, f.ws.ID, "b")
		mk := func(title string, team, assignee int64, p cxm.CasePriority) *cxm.Case {
			c := &cxm.Case{WorkspaceID: f.ws.ID, Title: title, TeamID: team, AssigneeID: assignee, Priority: p}
			if err := db.CreateCase(ctx, c, 0); err != nil {
				t.Fatal(err)
			}
			return c
		}
		ca := mk("of a", a.ID, 0, cxm.PriorityHigh)
		cb := mk("of b", b.ID, 0, cxm.PriorityLow)
		cbMine := mk("of b, mine", b.ID, agent.ID, cxm.PriorityLow)
		none := mk("of nobody", 0, 0, cxm.PriorityNormal)
		list := func(filter cxm.CaseFilter) []int64 {
			cs, _, err := db.ListCases(ctx, f.ws.ID, filter)
			if err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name   string
			filter cxm.CaseFilter
			want   []int64
		}{
			{"all, newest first", cxm.CaseFilter{}, []int64{none.ID, cbMine.ID, cb.ID, ca.ID}},
			{"team a", cxm.CaseFilter{TeamIDs: []int64{a.ID}}, []int64{ca.ID}},
			{"agent's view", cxm.CaseFilter{TeamIDs: []int64{a.ID}, Unowned: true, OrAssignedTo: agent.ID}, []int64{none.ID, cbMine.ID, ca.ID}},
			{"low", cxm.CaseFilter{Priorities: []cxm.CasePriority{cxm.PriorityLow}}, []int64{cbMine.ID, cb.ID}},
			{"assignee", cxm.CaseFilter{AssigneeID: agent.ID}, []int64{cbMine.ID}},
			{"closed", cxm.CaseFilter{Statuses: []cxm.CaseStatus{cxm.CaseClosed}}, []int64{}},
			{"customer", cxm.CaseFilter{CustomerID: f.customer.ID}, []int64{}},
		} {
			if got := list(tc.filter); !slices.Equal(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
			}
		}
		var seen []int64
		page := cxm.Page{Limit: 3}
		for {
			cs, next, err := db.ListCases(ctx, f.ws.ID, cxm.CaseFilter{Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				seen = append(seen, c.ID)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if !slices.Equal(seen, []int64{none.ID, cbMine.ID, cb.ID, ca.ID}) {
			t.Errorf("paged = %v", seen)
		}
		_, _, err := db.ListCases(ctx, f.ws.ID, cxm.CaseFilter{Page: cxm.Page{Cursor: "junk!"}})
		checkError(t, err, cxm.EInvalid, "cursor")
		if other, _, _ := db.ListCases(ctx, f.ws.ID+1, cxm.CaseFilter{}); len(other) != 0 {
			t.Errorf("another workspace lists %d cases", len(other))
		}
	})
}

func TestCasesOnCustomerTimelineMergeAndErase(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newCaseFixture(t, db)
		mustIngest(t, db, f.ws.ID, cxm.IngestOptions{}, event("i-1", "c-1", "", "delivery", f.now.Add(-time.Hour)), event("i-2", "c-1", "", "delivery", f.now.Add(2*time.Hour)))
		c := &cxm.Case{WorkspaceID: f.ws.ID, Title: "Detractor", ResponseID: "r-1"}
		if err := db.CreateCase(ctx, c, 0); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(3 * time.Hour)
		resolved := cxm.CaseResolved
		if _, err := db.UpdateCase(ctx, f.ws.ID, c.ID, cxm.CaseUpdate{Status: &resolved,
			Resolution: &cxm.CaseResolution{RootCause: "delivery_delay", Type: cxm.ResolutionApology}}, 0); err != nil {
			t.Fatal(err)
		}
		kinds := func(p cxm.Page) ([]string, string) {
			es, next, err := db.Timeline(ctx, f.ws.ID, f.customer.ID, p)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, e := range es {
				switch {
				case e.Interaction != nil:
					out = append(out, e.Interaction.ID)
				case e.Case != nil && e.Case.ID == c.ID && e.Case.Status == cxm.CaseResolved:
					out = append(out, e.Kind)
				default:
					out = append(out, "bad "+e.Kind)
				}
			}
			return out, next
		}
		want := []string{"i-1", "case_created", "i-2", "case_resolved"}
		if got, _ := kinds(cxm.Page{}); !slices.Equal(got, want) {
			t.Errorf("timeline = %v, want %v", got, want)
		}
		var paged []string
		p := cxm.Page{Limit: 1}
		for {
			got, next := kinds(p)
			paged = append(paged, got...)
			if next == "" {
				break
			}
			p.Cursor = next
		}
		if !slices.Equal(paged, want) {
			t.Errorf("paged timeline = %v, want %v", paged, want)
		}

		// A merge moves the case, and the notification about it, to the
		// surviving profile.
		note := &cxm.Notification{WorkspaceID: f.ws.ID, Kind: "alert", Title: "Detractor", Body: "Viel zu spät!", CustomerID: f.customer.ID, CaseID: c.ID}
		if err := db.CreateNotification(ctx, note); err != nil {
			t.Fatal(err)
		}
		into := mustCreateCustomer(t, db, f.ws.ID, &cxm.Customer{ExternalID: "c-main"})
		if _, err := db.MergeCustomers(ctx, f.ws.ID, into.ID, f.customer.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindCase(ctx, f.ws.ID, c.ID); got.CustomerID != into.ID {
			t.Errorf("case customer after merge = %d, want %d", got.CustomerID, into.ID)
		}
		if got, err := db.FindNotification(ctx, f.ws.ID, note.ID); err != nil || got.CustomerID != into.ID {
			t.Errorf("notification after merge = %+v, %v; want customer %d", got, err, into.ID)
		}
		// Erasing the customer erases the case, its timeline and the
		// notification that quotes them.
		if err := db.DeleteCustomer(ctx, f.ws.ID, into.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindCase(ctx, f.ws.ID, c.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("case survived the erasure: %v", err)
		}
		if _, err := db.FindNotification(ctx, f.ws.ID, note.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("notification survived the erasure: %v", err)
		}
		var n int
		if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM case_events WHERE workspace_id = ? AND case_id = ?", f.ws.ID, c.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d case events survived the erasure (%v)", n, err)
		}
	})
}
