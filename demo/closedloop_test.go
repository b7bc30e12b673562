package demo

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/alert"
	"github.com/cxmhq/cxm/sla"
)

func TestClosedLoopIsDeterministic(t *testing.T) {
	a := Generate(testNow, Options{Customers: 800})
	b := Generate(testNow.Add(2*time.Hour), Options{Customers: 800})
	if len(a.Cases) == 0 || !reflect.DeepEqual(a.Cases, b.Cases) || !reflect.DeepEqual(a.Rules, b.Rules) || !reflect.DeepEqual(a.Agents, b.Agents) {
		t.Fatalf("two datasets of the same seed and day have different cases (%d, %d)", len(a.Cases), len(b.Cases))
	}
	c := Generate(testNow, Options{Customers: 800, Seed: 7})
	if reflect.DeepEqual(a.Cases, c.Cases) {
		t.Error("datasets of different seeds have the same cases")
	}
}

// TestClosedLoopRulesCompile checks that the demo's rules are valid
// conditions that open cases for known teams.
func TestClosedLoopRulesCompile(t *testing.T) {
	teams, agents, rules := closedLoopSetup()
	keys := map[string]int{}
	for _, a := range agents {
		keys[a.Team]++
		if u := (cxm.User{Email: a.Email, Name: a.Name}); u.Validate() != nil {
			t.Errorf("agent %s: %v", a.Email, u.Validate())
		}
	}
	for _, tm := range teams {
		if keys[tm.Key] == 0 {
			t.Errorf("team %s has no agent", tm.Key)
		}
	}
	for _, r := range rules {
		if _, err := alert.Compile(r.Condition); err != nil {
			t.Errorf("rule %s: %v", r.Name, err)
		}
		if keys[r.Team] == 0 || !r.Priority.Valid() {
			t.Errorf("rule %s opens %s cases for team %s", r.Name, r.Priority, r.Team)
		}
	}
}

// TestClosedLoopTellsTheStory checks the cases of the default dataset:
// most detractors get one, their timelines are in order and agree with
// the case, old cases are resolved with refunds and vouchers, some
// missed their SLA, recent ones are open, and some detractors come back
// as passives or promoters.
func TestClosedLoopTellsTheStory(t *testing.T) {
	seen := map[cxm.CaseStatus]int{}
	for _, c := range []struct {
		seed uint64
		now  time.Time
	}{
		{DefaultSeed, testNow},
		{5, time.Date(2025, time.August, 1, 10, 0, 0, 0, time.UTC)},
		{6, time.Date(2025, time.November, 20, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(fmt.Sprintf("seed %d at %s", c.seed, c.now.Format(time.DateOnly)), func(t *testing.T) {
			d := Generate(c.now, Options{Seed: c.seed})
			for s, n := range checkClosedLoop(t, d, c.seed == DefaultSeed) {
				seen[s] += n
			}
		})
	}
	for _, s := range []cxm.CaseStatus{cxm.CaseNew, cxm.CaseInProgress, cxm.CaseWaiting, cxm.CaseResolved, cxm.CaseClosed} {
		if seen[s] == 0 {
			t.Errorf("no %s case in any world", s)
		}
	}
}

// checkClosedLoop checks the cases of d and returns how many there are
// of each status; with recovery it checks that enough resolved
// detractors answered again for a recovery rate.
func checkClosedLoop(t *testing.T, d *Dataset, recovery bool) map[cxm.CaseStatus]int {
	t.Helper()
	settings := sla.DefaultSettings(0)
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	causes := map[string]bool{}
	for _, rc := range settings.RootCauses {
		causes[rc.Key] = true
	}
	agents := map[string]string{}
	for _, a := range d.Agents {
		agents[a.Email] = a.Team
	}
	rules := map[string]Rule{}
	for _, r := range d.Rules {
		rules[r.Name] = r
	}
	byID := map[string]*Response{}
	for i := range d.Responses {
		byID[d.Responses[i].ID] = &d.Responses[i]
	}
	statuses := map[cxm.CaseStatus]int{}
	var breached, amounts, oldCases, oldDone, legal int
	withCase := map[string]bool{}
	for k := range d.Cases {
		c := &d.Cases[k]
		r, ok := byID[c.ResponseID]
		if !ok || !r.Completed {
			t.Fatalf("case %d names response %q, which is not a completed response", k, c.ResponseID)
		}
		if withCase[c.ResponseID] {
			t.Fatalf("response %s has two cases", c.ResponseID)
		}
		withCase[c.ResponseID] = true
		rule, ok := rules[c.Rule]
		if !ok || rule.Team != c.Team {
			t.Fatalf("case %d: rule %q of team %q", k, c.Rule, c.Team)
		}
		if c.Rule == ruleLegal {
			legal++
			if why, _ := r.Answers[qWhy].(string); !strings.Contains(why, "Anwalt") && !strings.Contains(why, "Betrug") {
				t.Errorf("case %d of the legal rule: comment %q", k, why)
			}
		}
		if lag := c.CreatedAt.Sub(*r.CompletedAt); lag <= 0 || lag > 5*time.Minute {
			t.Errorf("case %d opened %v after its response", k, lag)
		}
		fr, res, _ := sla.Deadlines(settings, loc, rule.Priority, c.CreatedAt)
		if c.FirstResponseDue == nil || !c.FirstResponseDue.Equal(fr) || c.ResolutionDue == nil || !c.ResolutionDue.Equal(res) {
			t.Errorf("case %d: deadlines %v %v, want %v %v", k, c.FirstResponseDue, c.ResolutionDue, fr, res)
		}
		if c.Assignee != "" && agents[c.Assignee] != c.Team {
			t.Errorf("case %d of team %s assigned to %s", k, c.Team, c.Assignee)
		}
		statuses[c.Status]++
		if len(c.Breached) > 0 {
			breached++
		}
		checkCaseTimeline(t, d, c)
		if c.Resolution != nil {
			rs := c.Resolution
			if !causes[rs.RootCause] || !rs.Type.Valid() {
				t.Errorf("case %d: resolution %+v", k, rs)
			}
			money := rs.Type == cxm.ResolutionRefund || rs.Type == cxm.ResolutionDiscount
			if money != (rs.Amount > 0 && rs.Currency == "EUR") {
				t.Errorf("case %d: %s of %v %s", k, rs.Type, rs.Amount, rs.Currency)
			}
			if money {
				amounts++
			}
		}
		if d.End.Sub(c.CreatedAt) > 30*24*time.Hour {
			oldCases++
			if !c.Status.Open() {
				oldDone++
			}
		}
	}
	// Detractors' answers after a resolved case of theirs are the loop's
	// follow-ups, not new complaints.
	followUp := func(r *Response) bool {
		for k := range d.Cases {
			c := &d.Cases[k]
			if c.ResolvedAt != nil && byID[c.ResponseID].Customer == r.Customer && r.StartedAt.After(*c.ResolvedAt) &&
				r.StartedAt.Sub(*c.ResolvedAt) < 90*24*time.Hour {
				return true
			}
		}
		return false
	}
	var detractors, covered int
	for i := range d.Responses {
		r := &d.Responses[i]
		if r.Completed && r.NPS != nil && *r.NPS <= 6 && !followUp(r) {
			detractors++
			if withCase[r.ID] {
				covered++
			}
		}
	}
	t.Logf("%d cases: %v; %d breached, %d with money, %d legal; %d of %d detractors with a case; %d of %d old cases done",
		len(d.Cases), statuses, breached, amounts, legal, covered, detractors, oldDone, oldCases)
	// About three in four, give or take the noise of some 60 detractors.
	checkShare(t, "detractors with a case", share(covered, detractors), 0.55, 0.88)
	checkShare(t, "breached cases", share(breached, len(d.Cases)), 0.08, 0.35)
	checkShare(t, "old cases resolved or closed", share(oldDone, oldCases), 0.95, 1)
	if open := statuses[cxm.CaseNew] + statuses[cxm.CaseInProgress] + statuses[cxm.CaseWaiting]; open == 0 || open > len(d.Cases)/5 {
		t.Errorf("%d open cases of %d, want a few recent ones", open, len(d.Cases))
	}
	if statuses[cxm.CaseClosed] < len(d.Cases)/2 || amounts == 0 || recovery && legal == 0 {
		t.Errorf("%d closed cases of %d, %d refunds or vouchers, %d legal threats", statuses[cxm.CaseClosed], len(d.Cases), amounts, legal)
	}

	// The recovery rate as the closed-loop figures define it.
	var asked, recovered int
	for k := range d.Cases {
		c := &d.Cases[k]
		r := byID[c.ResponseID]
		if c.ResolvedAt == nil || r.NPS == nil || *r.NPS > 6 {
			continue
		}
		var next *Response
		for i := range d.Responses {
			n := &d.Responses[i]
			if n.Customer == r.Customer && n.Completed && n.NPS != nil && n.CompletedAt.After(*c.ResolvedAt) &&
				(next == nil || n.CompletedAt.Before(*next.CompletedAt)) {
				next = n
			}
		}
		if next != nil {
			asked++
			if *next.NPS >= 7 {
				recovered++
			}
		}
	}
	t.Logf("recovery: %d of %d", recovered, asked)
	if recovery {
		if asked < 30 {
			t.Errorf("%d resolved detractors answered again, want at least 30", asked)
		}
		checkShare(t, "recovered detractors", share(recovered, asked), 0.2, 0.55)
	} else if asked == 0 || recovered == 0 || recovered == asked {
		t.Errorf("%d of %d resolved detractors recovered", recovered, asked)
	}
	return statuses
}

// checkCaseTimeline checks that c's events are in time order, begin with
// its creation, and agree with its status, first response, resolution
// and breaches.
func checkCaseTimeline(t *testing.T, d *Dataset, c *Case) {
	t.Helper()
	evs := c.Events
	if len(evs) == 0 || evs[0].Kind != "created" || !evs[0].At.Equal(c.CreatedAt) {
		t.Fatalf("case of %s: timeline does not begin with its creation: %+v", c.ResponseID, evs)
	}
	status := cxm.CaseNew
	var breaches []string
	for i, e := range evs {
		if i > 0 && e.At.Before(evs[i-1].At) {
			t.Fatalf("case of %s: event %d (%s) at %v before the one before", c.ResponseID, i, e.Kind, e.At)
		}
		if !e.At.Before(d.End) {
			t.Errorf("case of %s: event %s at %v after the data", c.ResponseID, e.Kind, e.At)
		}
		switch e.Kind {
		case "status":
			if e.Old != string(status) || !status.CanMoveTo(cxm.CaseStatus(e.New)) {
				t.Errorf("case of %s: move %s→%s from %s", c.ResponseID, e.Old, e.New, status)
			}
			if status == cxm.CaseNew && (c.FirstRespondedAt == nil || !c.FirstRespondedAt.Equal(e.At)) {
				t.Errorf("case of %s: first response %v, left new at %v", c.ResponseID, c.FirstRespondedAt, e.At)
			}
			status = cxm.CaseStatus(e.New)
			if status == cxm.CaseResolved && (c.ResolvedAt == nil || !c.ResolvedAt.Equal(e.At)) {
				t.Errorf("case of %s: resolved at %v, event at %v", c.ResponseID, c.ResolvedAt, e.At)
			}
		case "breach":
			due := c.FirstResponseDue
			if e.New == "resolution" {
				due = c.ResolutionDue
			}
			if !e.At.Equal(*due) {
				t.Errorf("case of %s: %s breached at %v, due %v", c.ResponseID, e.New, e.At, due)
			}
			breaches = append(breaches, e.New)
		}
	}
	if status != c.Status || !slices.Equal(breaches, c.Breached) || c.UpdatedAt != evs[len(evs)-1].At {
		t.Errorf("case of %s: status %s, breached %v after its events %s, %v", c.ResponseID, c.Status, c.Breached, status, breaches)
	}
	if c.FirstRespondedAt != nil && c.FirstResponseDue.Before(*c.FirstRespondedAt) != slices.Contains(c.Breached, "first_response") {
		t.Errorf("case of %s: first response %v, due %v, breached %v", c.ResponseID, c.FirstRespondedAt, c.FirstResponseDue, c.Breached)
	}
}
