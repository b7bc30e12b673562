package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/demo"
	"github.com/cxmhq/cxm/metric"
)

// closedLoopServices are the services demo.Load writes the demo through,
// its closed loop included.
func closedLoopServices(db *DB) demo.Services {
	return demo.Services{Touchpoints: db, Customers: db, Interactions: db, Surveys: db, Responses: db,
		Users: db, Teams: db, AlertRules: db, Cases: db}
}

// allCases returns every case of the workspace.
func allCases(t *testing.T, db *DB, workspaceID int64) []*cxm.Case {
	t.Helper()
	var out []*cxm.Case
	for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
		cs, next, err := db.ListCases(context.Background(), workspaceID, cxm.CaseFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cs...)
		if next == "" {
			return out
		}
		page.Cursor = next
	}
}

// TestImportCasesStoresOnce loads the demo's closed loop twice: the
// second load adds no agent, team, rule or case, and the stored cases
// keep the generated timestamps, timelines and owners.
func TestImportCasesStoresOnce(t *testing.T) {
	d := demo.Generate(demoNow, demo.Options{Customers: 400})
	if len(d.Cases) == 0 {
		t.Fatal("the demo has no cases")
	}
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ws := &cxm.Workspace{Slug: "nordlicht", Name: demo.CompanyName, TimeZone: demo.TimeZone}
		if err := db.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
		sum, err := demo.Load(ctx, closedLoopServices(db), ws.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Cases != len(d.Cases) || sum.Agents != len(d.Agents) || sum.Teams != len(d.Teams) || sum.Rules != len(d.Rules) {
			t.Fatalf("first load: %d cases, %d agents, %d teams, %d rules; want %d, %d, %d, %d",
				sum.Cases, sum.Agents, sum.Teams, sum.Rules, len(d.Cases), len(d.Agents), len(d.Teams), len(d.Rules))
		}
		stored := allCases(t, db, ws.ID)
		again, err := demo.Load(ctx, closedLoopServices(db), ws.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		if again.Cases+again.Agents+again.Teams+again.Rules+again.Responses != 0 {
			t.Errorf("second load stored %+v, want nothing new", again)
		}
		if n := len(allCases(t, db, ws.ID)); n != len(stored) || n != len(d.Cases) {
			t.Errorf("%d cases after the second load, %d after the first, %d generated", n, len(stored), len(d.Cases))
		}

		byResponse := map[string]*demo.Case{}
		for i := range d.Cases {
			byResponse[d.Cases[i].ResponseID] = &d.Cases[i]
		}
		for _, c := range stored {
			g := byResponse[c.ResponseID]
			if g == nil {
				t.Fatalf("stored case %d names response %q, not a generated case's", c.ID, c.ResponseID)
			}
			if !c.CreatedAt.Equal(g.CreatedAt) || c.Status != g.Status || c.Priority != g.Priority || !slices.Equal(c.Breached, g.Breached) ||
				c.CustomerID == 0 || c.TeamID == 0 || c.RuleID == 0 || (g.Assignee != "") != (c.AssigneeID != 0) {
				t.Errorf("case %d = %+v, generated %+v", c.ID, c, g.Case)
			}
			if (c.Resolution == nil) != (g.Resolution == nil) || c.Resolution != nil && *c.Resolution != *g.Resolution {
				t.Errorf("case %d resolution %+v, generated %+v", c.ID, c.Resolution, g.Resolution)
			}
			events, err := db.CaseTimeline(ctx, ws.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != len(g.Events) {
				t.Fatalf("case %d has %d events, generated %d", c.ID, len(events), len(g.Events))
			}
			for k, e := range events {
				if ge := g.Events[k]; e.Kind != ge.Kind || !e.At.Equal(ge.At) || (ge.Actor != "") != (e.ActorUserID != 0) {
					t.Errorf("case %d event %d = %+v, generated %+v", c.ID, k, e, ge)
				}
			}
		}
		if c := stored[0]; c.AssigneeID != 0 {
			m, err := db.FindMember(ctx, ws.ID, c.AssigneeID)
			if err != nil || m.Role != cxm.RoleAgent {
				t.Errorf("assignee of case %d: %+v, %v; want an agent", c.ID, m, err)
			}
		}
	})
}

// TestImportCasesRejectsBadCases checks that a bad case is EInvalid
// naming its position and field, and that nothing is stored.
func TestImportCasesRejectsBadCases(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ws := &cxm.Workspace{Slug: "bad-cases", Name: "Bad cases"}
		if err := db.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
		good := func() *cxm.CaseImport {
			return &cxm.CaseImport{
				Case:   cxm.Case{Title: "Detraktor", Status: cxm.CaseNew, Priority: cxm.PriorityHigh, ResponseID: "r-1", CreatedAt: at},
				Events: []cxm.CaseEvent{{Kind: "created", New: "new", At: at}},
			}
		}
		resolved := good()
		resolved.Case.Status, resolved.Case.ResolvedAt = cxm.CaseResolved, &at
		disorder := good()
		disorder.Events = append(disorder.Events, cxm.CaseEvent{Kind: "note", Body: "x", At: at.Add(-time.Hour)})
		noResponse := good()
		noResponse.Case.ResponseID = ""
		badKind := good()
		badKind.Events[0].Kind = "exploded"
		_, err := db.ImportCases(ctx, ws.ID, []*cxm.CaseImport{resolved, disorder, noResponse, badKind})
		if cxm.ErrorCode(err) != cxm.EInvalid {
			t.Fatalf("import of bad cases: %v, want EInvalid", err)
		}
		var fields []string
		for _, f := range cxm.ErrorFields(err) {
			fields = append(fields, f.Field)
		}
		for _, want := range []string{"[0].resolution", "[1].events[1].at", "[2].response_id", "[3].events[0].kind"} {
			if !slices.Contains(fields, want) {
				t.Errorf("fields %v lack %s", fields, want)
			}
		}
		// A response of another workspace, or none, is EInvalid too.
		if _, err := db.ImportCases(ctx, ws.ID, []*cxm.CaseImport{good()}); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("import of a case for an unknown response: %v, want EInvalid", err)
		}
		if n := len(allCases(t, db, ws.ID)); n != 0 {
			t.Errorf("%d cases stored from bad imports", n)
		}
	})
}

// TestCaseFiguresOnDemoData computes the closed-loop figures, as GET
// /api/v1/metrics/cases does, over a year of the seeded demo: there are
// open cases, some missed their SLA, and the recovery rate rests on
// enough resolved detractors who answered again.
func TestCaseFiguresOnDemoData(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data")
	}
	db := testDBs(t)["sqlite"]
	ctx := context.Background()
	ws := &cxm.Workspace{Slug: "nordlicht", Name: demo.CompanyName, TimeZone: demo.TimeZone}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	d := demo.Generate(demoNow, demo.Options{})
	if _, err := demo.Load(ctx, closedLoopServices(db), ws.ID, d); err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Cases(ctx, db, ws.ID, analysis.CaseRequest{From: d.Start, To: d.End, Loc: ws.Location(), Now: d.End}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 1 {
		t.Fatalf("%d groups, want 1", len(rep.Groups))
	}
	g := rep.Groups[0]
	var open int64
	for _, b := range rep.Backlog {
		open += b.Cases
	}
	t.Logf("%d cases, %d open; SLA hit rate %v; recovery rate %v; resolutions %+v", g.Opened, open, g.SLAHitRate, g.RecoveryRate, g.Resolutions)
	if g.Opened != int64(len(d.Cases)) || open == 0 || open > g.Opened/4 {
		t.Errorf("%d cases opened, %d open; generated %d", g.Opened, open, len(d.Cases))
	}
	if hit := g.SLAHitRate; !hit.Sufficient() || hit.Value >= 95 || hit.Value <= 50 {
		t.Errorf("SLA hit rate %v, want some breaches among mostly met targets", hit)
	}
	if rr := g.RecoveryRate; !rr.Sufficient() || rr.N < 30 || rr.Value <= 0 || rr.Value >= 100 {
		t.Errorf("recovery rate %v, want a share of at least 30 resolved detractors", rr)
	}
	if g.Resolution.Status != metric.StatusOK || g.Resolution.N == 0 {
		t.Errorf("time to resolution %+v", g.Resolution)
	}
	var money bool
	for _, r := range g.Resolutions {
		money = money || r.Amounts["EUR"] > 0
	}
	if !money {
		t.Errorf("resolutions %+v: no refund or voucher in EUR", g.Resolutions)
	}
}
