package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func TestAlertRuleCRUD(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := mustCreateWorkspace(t, db, "acme"), mustCreateWorkspace(t, db, "globex")
		r := &cxm.AlertRule{WorkspaceID: a.ID, Name: "Detractors", Condition: `nps_class == "detractor"`, Enabled: true,
			DigestMinutes: 30, Actions: cxm.AlertActions{OpenCase: &cxm.AlertOpenCase{Priority: cxm.PriorityHigh, TeamID: 5, Title: "Call back"},
				Notify: []cxm.NotifyTarget{{Kind: "email", Email: "team@acme.example"}, {Kind: "webhook", WebhookID: 9}}}}
		if err := db.CreateAlertRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindAlertRule(ctx, a.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(t, got) != jsonOf(t, r) {
			t.Errorf("found %s\nwant  %s", jsonOf(t, got), jsonOf(t, r))
		}
		if _, err := db.FindAlertRule(ctx, b.ID, r.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("another workspace finds the rule: %v", err)
		}
		dup := &cxm.AlertRule{WorkspaceID: a.ID, Name: "Detractors", Condition: "true"}
		if err := db.CreateAlertRule(ctx, dup); cxm.ErrorCode(err) != cxm.EConflict {
			t.Errorf("a second rule of the same name: %v, want conflict", err)
		}
		bad := &cxm.AlertRule{WorkspaceID: a.ID, Name: "Bad", Condition: "true", DigestMinutes: -1,
			Actions: cxm.AlertActions{OpenCase: &cxm.AlertOpenCase{Priority: "asap"}, Notify: []cxm.NotifyTarget{{Kind: "pigeon"}}}}
		err = db.CreateAlertRule(ctx, bad)
		var fields []string
		for _, f := range cxm.ErrorFields(err) {
			fields = append(fields, f.Field)
		}
		if want := []string{"digest_minutes", "actions.open_case.priority", "actions.notify[0].kind"}; !slices.Equal(fields, want) {
			t.Errorf("bad rule fields %v, want %v", fields, want)
		}
		other := &cxm.AlertRule{WorkspaceID: a.ID, Name: "Another", Condition: "nps <= 6"}
		if err := db.CreateAlertRule(ctx, other); err != nil {
			t.Fatal(err)
		}
		all, _ := db.ListAlertRules(ctx, a.ID, false)
		on, _ := db.ListAlertRules(ctx, a.ID, true)
		none, _ := db.ListAlertRules(ctx, b.ID, false)
		if len(all) != 2 || all[0].Name != "Another" || len(on) != 1 || on[0].ID != r.ID || len(none) != 0 {
			t.Errorf("lists: all %d, enabled %d, other workspace %d", len(all), len(on), len(none))
		}
		r.Enabled, r.Condition, r.Actions.OpenCase = false, "nps <= 3", nil
		if err := db.UpdateAlertRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindAlertRule(ctx, a.ID, r.ID)
		if got.Enabled || got.Condition != "nps <= 3" || got.Actions.OpenCase != nil || len(got.Actions.Notify) != 2 {
			t.Errorf("updated %+v", got)
		}
		stranger := *r
		stranger.WorkspaceID = b.ID
		if err := db.UpdateAlertRule(ctx, &stranger); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("update from another workspace: %v", err)
		}
		if err := db.DeleteAlertRule(ctx, b.ID, r.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("delete from another workspace: %v", err)
		}
		if err := db.DeleteAlertRule(ctx, a.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindAlertRule(ctx, a.ID, r.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("deleted rule found: %v", err)
		}
	})
}

func TestAlertFiringsOncePerResponse(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "acme")
		t0 := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
		fire := func(resp string, at time.Time) bool {
			t.Helper()
			ok, err := db.RecordAlertFiring(ctx, &cxm.AlertFiring{WorkspaceID: a.ID, RuleID: 7, ResponseID: resp, FiredAt: at})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !fire("r-1", t0) || fire("r-1", t0.Add(time.Second)) {
			t.Error("a rule fired twice for one response")
		}
		if !fire("r-2", t0.Add(time.Minute)) || !fire("r-3", t0.Add(20*time.Minute)) {
			t.Error("other responses were refused")
		}
		if err := db.SetAlertFiringCase(ctx, a.ID, 7, "r-1", 4242); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkAlertFiringNotified(ctx, a.ID, 7, "r-2", t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		until := t0.Add(15 * time.Minute)
		got, err := db.TakeAlertDigest(ctx, a.ID, 7, until)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ResponseID != "r-1" || got[0].CaseID != 4242 {
			t.Fatalf("digest %s, want r-1 with its case only", jsonOf(t, got))
		}
		again, _ := db.TakeAlertDigest(ctx, a.ID, 7, until)
		if len(again) != 1 || again[0].ResponseID != "r-1" {
			t.Errorf("a retried digest took %s, want the same", jsonOf(t, again))
		}
		next, _ := db.TakeAlertDigest(ctx, a.ID, 7, until.Add(15*time.Minute))
		if len(next) != 1 || next[0].ResponseID != "r-3" {
			t.Errorf("the next window took %s, want r-3", jsonOf(t, next))
		}
	})
}

func TestAlertFacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return now }
		a, b := mustCreateWorkspace(t, db, "acme"), mustCreateWorkspace(t, db, "globex")
		mustCreateTouchpointAt(t, db, a.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, a.ID, "shop", "purchase")
		hotline := &cxm.Touchpoint{WorkspaceID: a.ID, Key: "hotline", Name: "Hotline", StageKey: "receipt", Channel: cxm.ChannelPhone}
		if err := db.CreateTouchpoint(ctx, hotline); err != nil {
			t.Fatal(err)
		}
		mustCreateCustomer(t, db, a.ID, &cxm.Customer{ExternalID: "c-1", Attributes: cxm.Attributes{"tier": "gold"}})
		day := 24 * time.Hour
		order := func(id string, ago time.Duration, v float64) *cxm.Interaction {
			return &cxm.Interaction{ID: id, Customer: "c-1", Touchpoint: "shop", Type: "order", OccurredAt: now.Add(-ago), Value: &v}
		}
		at := func(id, typ string, ago time.Duration) *cxm.Interaction {
			return &cxm.Interaction{ID: id, Customer: "c-1", Touchpoint: "hotline", Type: typ, OccurredAt: now.Add(-ago)}
		}
		mustIngest(t, db, a.ID, cxm.IngestOptions{}, order("o-1", 60*day, 100), order("o-2", 5*day, 50.5),
			at("x-1", "complaint", 10*day), at("x-2", "call", 2*day), at("x-3", "call", 3*day), at("x-4", "call", 200*day))

		s := mustCreateSurvey(t, db, testSurvey(a.ID, "after-delivery", "delivery"))
		r := apiResponse(s, "r-1", true, cxm.Answers{"nps": 2.0, "why": "Die Lieferung kam zu spät."})
		r.Customer, r.Touchpoint = "c-1", "delivery"
		mustSubmit(t, db, r)
		anon := apiResponse(s, "r-anon", true, cxm.Answers{"nps": 10.0})
		now = now.Add(time.Hour)
		mustSubmit(t, db, anon)
		mustSubmit(t, db, apiResponse(s, "r-partial", false, cxm.Answers{"csat": 1.0}))
		// A call after the answer is not before it.
		mustIngest(t, db, a.ID, cxm.IngestOptions{}, at("x-5", "call", -30*time.Minute))
		if err := db.SaveTextAnalyses(ctx, []*cxm.TextAnalysis{{WorkspaceID: a.ID, ResponseID: "r-1", Language: "de",
			Sentiment: -0.6, SentimentLabel: "negative", Model: "lexicon", AnalyzedAt: now, Redacted: map[string]string{"why": "x"},
			Mentions: []cxm.TopicMention{{Question: "why", Topic: "delivery", Term: "Lieferung", Start: 4, End: 13, Sentiment: -0.6, SentimentLabel: "negative"}}}}); err != nil {
			t.Fatal(err)
		}
		sb := mustCreateSurvey(t, db, testSurvey(b.ID, "globex-survey"))
		mustSubmit(t, db, apiResponse(sb, "r-1", true, cxm.Answers{"nps": 9.0}))

		fs, err := db.AlertFacts(ctx, a.ID, []string{"r-1", "r-anon", "r-partial", "r-unknown"})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]*cxm.AlertFacts{}
		for _, f := range fs {
			byID[f.ResponseID] = f
		}
		if len(fs) != 2 || byID["r-1"] == nil || byID["r-anon"] == nil {
			t.Fatalf("facts of %d responses, want r-1 and r-anon", len(fs))
		}
		f := byID["r-1"]
		if f.WorkspaceID != a.ID || f.SurveyID != s.ID || f.SurveySlug != "after-delivery" || f.TouchpointKey != "delivery" ||
			f.Stage != "receipt" || f.Channel != cxm.ChannelWeb || f.NPS == nil || *f.NPS != 2 || f.NPSClass != cxm.Detractor ||
			f.CSAT != nil || !f.HasText || f.Answers["why"] != "Die Lieferung kam zu spät." || f.CustomerExternalID != "c-1" ||
			f.CustomerAttributes["tier"] != "gold" || !f.CompletedAt.Equal(now.Add(-time.Hour)) {
			t.Errorf("facts of r-1: %s", jsonOf(t, f))
		}
		if f.Analysis == nil || f.Analysis.Sentiment != -0.6 || len(f.Analysis.Mentions) != 1 || f.Analysis.Mentions[0].Topic != "delivery" {
			t.Errorf("analysis of r-1: %s", jsonOf(t, f.Analysis))
		}
		want := []cxm.AlertInteractionCount{
			{Type: "call", Channel: cxm.ChannelPhone, Last7: 2, Last30: 2, Last90: 2, All: 3},
			{Type: "complaint", Channel: cxm.ChannelPhone, Last7: 0, Last30: 1, Last90: 1, All: 1},
			{Type: "order", Channel: cxm.ChannelWeb, Last7: 1, Last30: 1, Last90: 2, All: 2, Value: 150.5},
		}
		if jsonOf(t, f.Interactions) != jsonOf(t, want) {
			t.Errorf("interactions of r-1:\n got %s\nwant %s", jsonOf(t, f.Interactions), jsonOf(t, want))
		}
		if g := byID["r-anon"]; g.CustomerID != 0 || g.HasText || g.Analysis != nil || len(g.Interactions) != 0 {
			t.Errorf("facts of r-anon: %s", jsonOf(t, g))
		}
		recent, err := db.RecentAlertFacts(ctx, a.ID, now.Add(-2*time.Hour), now.Add(time.Second), 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range recent {
			ids = append(ids, f.ResponseID)
		}
		if !slices.Equal(ids, []string{"r-anon", "r-1"}) {
			t.Errorf("recent %v, want newest first [r-anon r-1]", ids)
		}
		if recent, _ := db.RecentAlertFacts(ctx, a.ID, now.Add(-30*time.Minute), now.Add(time.Second), 10); len(recent) != 1 {
			t.Errorf("a window of 30 minutes holds %d responses, want 1", len(recent))
		}
		if recent, _ := db.RecentAlertFacts(ctx, b.ID, now.Add(-2*time.Hour), now.Add(time.Second), 10); len(recent) != 1 || recent[0].NPSClass != cxm.Promoter {
			t.Errorf("B's recent facts: %s", jsonOf(t, recent))
		}
	})
}
