package alert_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/alert"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
)

// facts is a fake fact source holding facts by response id.
type facts struct {
	mu sync.Mutex
	m  map[string]*cxm.AlertFacts
}

func (f *facts) put(a *cxm.AlertFacts) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[a.ResponseID] = a
}

func (f *facts) AlertFacts(_ context.Context, ws int64, ids []string) ([]*cxm.AlertFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*cxm.AlertFacts
	for _, id := range ids {
		if a := f.m[id]; a != nil && a.WorkspaceID == ws {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *facts) RecentAlertFacts(context.Context, int64, time.Time, time.Time, int) ([]*cxm.AlertFacts, error) {
	return nil, nil
}

// cases is a fake case service that records created cases; it refuses
// a second open case for a response, as the real one does.
type cases struct {
	cxm.CaseService
	mu      sync.Mutex
	created []*cxm.Case
}

func (c *cases) CreateCase(_ context.Context, k *cxm.Case, actor int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.created {
		if o.ResponseID == k.ResponseID {
			return cxm.Errorf(cxm.EConflict, "the response has an open case")
		}
	}
	k.ID = int64(900 + len(c.created))
	c.created = append(c.created, k)
	return nil
}

// notifier is a fake notifier that records what it is asked to send.
type notifier struct {
	mu      sync.Mutex
	sent    []*cxm.Notification
	targets [][]cxm.NotifyTarget
}

func (n *notifier) Notify(_ context.Context, x *cxm.Notification, t []cxm.NotifyTarget) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	x.ID = int64(len(n.sent) + 1)
	n.sent = append(n.sent, x)
	n.targets = append(n.targets, t)
	return nil
}

// fixture is an engine over a real SQLite store for rules, firings and
// jobs, with fake facts, cases and notifier.
type fixture struct {
	db     *store.DB
	ws     int64
	facts  *facts
	cases  *cases
	notes  *notifier
	engine *alert.Engine
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.SQLite(t)
	ws := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{db: db, ws: ws.ID, facts: &facts{m: map[string]*cxm.AlertFacts{}}, cases: &cases{}, notes: &notifier{},
		now: time.Date(2026, 11, 20, 10, 7, 0, 0, time.UTC)}
	e, err := alert.NewEngine(alert.EngineConfig{Rules: db, Facts: fx.facts, Cases: fx.cases, Notifier: fx.notes, Jobs: db,
		Now: func() time.Time { return fx.now }})
	if err != nil {
		t.Fatal(err)
	}
	fx.engine = e
	return fx
}

func (fx *fixture) rule(t *testing.T, r *cxm.AlertRule) *cxm.AlertRule {
	t.Helper()
	r.WorkspaceID, r.Enabled = fx.ws, true
	if err := fx.db.CreateAlertRule(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// answer stores the facts of a response and returns its event.
func (fx *fixture) answer(id string, nps int, text string) cxm.Event {
	f := &cxm.AlertFacts{WorkspaceID: fx.ws, ResponseID: id, SurveyID: 5, TouchpointID: 6, TouchpointKey: "delivery",
		NPS: &nps, NPSClass: cxm.ClassifyNPS(nps), Answers: cxm.Answers{"nps": float64(nps)}, CustomerID: 77,
		CustomerExternalID: "K-77", CompletedAt: fx.now}
	if text != "" {
		f.Answers["why"], f.HasText = text, true
	}
	fx.facts.put(f)
	data, _ := json.Marshal(map[string]any{"id": id})
	return cxm.Event{Topic: cxm.TopicResponseCompleted, WorkspaceID: fx.ws, ID: id, Data: data}
}

func TestEngineOpensOneCaseAndNotifies(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	target := []cxm.NotifyTarget{{Kind: "email", Email: "team@acme.example"}}
	r := fx.rule(t, &cxm.AlertRule{Name: "Detractors at delivery", Condition: `nps_class == "detractor" && touchpoint.key == "delivery"`,
		Actions: cxm.AlertActions{OpenCase: &cxm.AlertOpenCase{Priority: cxm.PriorityHigh, TeamID: 12}, Notify: target}})
	fx.rule(t, &cxm.AlertRule{Name: "Switched off", Condition: `true`})
	off, _ := fx.db.ListAlertRules(ctx, fx.ws, false)
	for _, o := range off {
		if o.Name == "Switched off" {
			o.Enabled = false
			if err := fx.db.UpdateAlertRule(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
	}
	detractor := fx.answer("r-det", 2, "")
	promoter := fx.answer("r-pro", 10, "")
	for _, ev := range []cxm.Event{detractor, promoter, detractor} { // the detractor's event is redelivered
		if err := fx.engine.HandleCompleted(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(fx.cases.created) != 1 {
		t.Fatalf("%d cases, want 1", len(fx.cases.created))
	}
	c := fx.cases.created[0]
	want := cxm.Case{WorkspaceID: fx.ws, Title: r.Name, Status: cxm.CaseNew, Priority: cxm.PriorityHigh, TeamID: 12,
		ResponseID: "r-det", CustomerID: 77, TouchpointID: 6, RuleID: r.ID, ID: c.ID}
	if c.Title != want.Title || c.Status != want.Status || c.Priority != want.Priority || c.TeamID != want.TeamID ||
		c.ResponseID != want.ResponseID || c.CustomerID != want.CustomerID || c.TouchpointID != want.TouchpointID || c.RuleID != want.RuleID {
		t.Errorf("case %+v, want %+v", *c, want)
	}
	if len(fx.notes.sent) != 1 {
		t.Fatalf("%d notifications, want 1", len(fx.notes.sent))
	}
	n := fx.notes.sent[0]
	if n.Kind != "alert" || n.RuleID != r.ID || n.CaseID != c.ID || n.ResponseID != "r-det" || n.CustomerID != 77 || n.Data["nps"] != 2 {
		t.Errorf("notification %+v", n)
	}
	if !slices.Equal(fx.notes.targets[0], target) {
		t.Errorf("targets %+v, want %+v", fx.notes.targets[0], target)
	}
	// A second rule on the same response finds its open case: no second
	// case, but a notification.
	fx.rule(t, &cxm.AlertRule{Name: "Any low score", Condition: `nps <= 6`,
		Actions: cxm.AlertActions{OpenCase: &cxm.AlertOpenCase{Priority: cxm.PriorityNormal}}})
	if err := fx.engine.HandleCompleted(ctx, detractor); err != nil {
		t.Fatal(err)
	}
	if len(fx.cases.created) != 1 || len(fx.notes.sent) != 2 || fx.notes.sent[1].CaseID != 0 {
		t.Errorf("after a second rule: %d cases, %d notifications", len(fx.cases.created), len(fx.notes.sent))
	}
}

func TestEngineTextRulesWaitForAnalysis(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	r := fx.rule(t, &cxm.AlertRule{Name: "Negative delivery", Condition: `any(mentions, .topic == "delivery" && .sentiment < 0)`})
	plain := fx.rule(t, &cxm.AlertRule{Name: "Lawyer", Condition: `text contains "Anwalt"`})
	ev := fx.answer("r-text", 4, "Die Lieferung war eine Katastrophe, mein Anwalt meldet sich.")
	if err := fx.engine.HandleCompleted(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(fx.notes.sent); !slices.Equal(got, []int64{plain.ID}) {
		t.Fatalf("at completion rules %v fired, want only the text-word rule %d", got, plain.ID)
	}
	// The analysis is stored and announced.
	f := fx.facts.m["r-text"]
	f.Analysis = &cxm.TextAnalysis{Language: "de", Sentiment: -0.8, SentimentLabel: "negative", Label: "negative",
		Mentions: []cxm.TopicMention{{Topic: "delivery", Term: "Lieferung", Sentiment: -0.8, SentimentLabel: "negative"}}}
	ev.Topic = cxm.TopicResponseAnalyzed
	if err := fx.engine.HandleAnalyzed(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(fx.notes.sent); !slices.Equal(got, []int64{plain.ID, r.ID}) {
		t.Errorf("after the analysis rules %v fired, want %v", got, []int64{plain.ID, r.ID})
	}
	// A response without text is never analysed: its text rules decide at completion.
	if err := fx.engine.HandleCompleted(ctx, fx.answer("r-notext", 1, "")); err != nil {
		t.Fatal(err)
	}
	if len(fx.notes.sent) != 2 {
		t.Errorf("a response without text fired %d more alerts", len(fx.notes.sent)-2)
	}
}

func TestEngineDigest(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	r := fx.rule(t, &cxm.AlertRule{Name: "Detractor digest", Condition: `nps <= 6`, DigestMinutes: 15,
		Actions: cxm.AlertActions{Notify: []cxm.NotifyTarget{{Kind: "webhook", WebhookID: 3}}}})
	for _, id := range []string{"d-1", "d-2", "d-3"} {
		if err := fx.engine.HandleCompleted(ctx, fx.answer(id, 3, "")); err != nil {
			t.Fatal(err)
		}
	}
	if len(fx.notes.sent) != 0 {
		t.Fatalf("%d notifications before the window ended, want 0", len(fx.notes.sent))
	}
	js, _, err := fx.db.ListJobs(ctx, fx.ws, cxm.JobFilter{Kind: cxm.JobAlertDigest})
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 {
		t.Fatalf("%d digest jobs, want one per rule and window", len(js))
	}
	wantRun := time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC)
	if !js[0].RunAt.Equal(wantRun) {
		t.Errorf("digest due %v, want the window's end %v", js[0].RunAt, wantRun)
	}
	if err := fx.engine.HandleDigest(ctx, js[0]); err != nil {
		t.Fatal(err)
	}
	if len(fx.notes.sent) != 1 {
		t.Fatalf("%d notifications, want one digest", len(fx.notes.sent))
	}
	n := fx.notes.sent[0]
	if n.Kind != "digest" || n.RuleID != r.ID || n.Data["count"] != 3 || !slices.Equal(n.Data["response_ids"].([]string), []string{"d-1", "d-2", "d-3"}) {
		t.Errorf("digest %+v", n)
	}
	// The next window starts empty; a retried job sends the same digest.
	fx.now = fx.now.Add(15 * time.Minute)
	if err := fx.engine.HandleCompleted(ctx, fx.answer("d-4", 0, "")); err != nil {
		t.Fatal(err)
	}
	if err := fx.engine.HandleDigest(ctx, js[0]); err != nil {
		t.Fatal(err)
	}
	if len(fx.notes.sent) != 2 || fx.notes.sent[1].Data["count"] != 3 {
		t.Errorf("a retry of the first window sent %+v", fx.notes.sent[len(fx.notes.sent)-1])
	}
	js, _, _ = fx.db.ListJobs(ctx, fx.ws, cxm.JobFilter{Kind: cxm.JobAlertDigest})
	if len(js) != 2 {
		t.Errorf("%d digest jobs after a second window, want 2", len(js))
	}
}

func ruleIDs(ns []*cxm.Notification) []int64 {
	out := []int64{}
	for _, n := range ns {
		out = append(out, n.RuleID)
	}
	return out
}

// TestEngineOnStoredResponse runs the engine on facts and cases of a real
// store: a detractor who complained last week opens one case, linked to
// the response, the customer, the touchpoint and the rule.
func TestEngineOnStoredResponse(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	ws := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	tp := &cxm.Touchpoint{WorkspaceID: ws.ID, Key: "delivery", Name: "Delivery", StageKey: "receipt", Channel: cxm.ChannelDelivery}
	if err := db.CreateTouchpoint(ctx, tp); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertCustomers(ctx, ws.ID, []*cxm.Customer{{ExternalID: "K-1"}}); err != nil {
		t.Fatal(err)
	}
	complaint := &cxm.Interaction{ID: "c-1", Customer: "K-1", Touchpoint: "delivery", Type: "complaint", OccurredAt: time.Now().Add(-7 * 24 * time.Hour)}
	if _, err := db.IngestInteractions(ctx, ws.ID, []*cxm.Interaction{complaint}, cxm.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	s := &cxm.Survey{WorkspaceID: ws.ID, Slug: "after-delivery", Name: "After delivery", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title:       cxm.LocalizedText{"de": "Wie war es?"},
		Questions:   []cxm.Question{{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Weiterempfehlen?"}}},
		Touchpoints: []string{"delivery"}}
	if err := db.CreateSurvey(ctx, s); err != nil {
		t.Fatal(err)
	}
	for id, nps := range map[string]float64{"r-angry": 1, "r-happy": 10} {
		r := &cxm.Response{ID: id, WorkspaceID: ws.ID, SurveyID: s.ID, Customer: "K-1", Touchpoint: "delivery", Source: cxm.SourceAPI,
			Locale: "de", Completed: true, Answers: cxm.Answers{"nps": nps}}
		r.Derive(s)
		if _, err := db.SubmitResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	rule := &cxm.AlertRule{WorkspaceID: ws.ID, Name: "Complaining detractor", Enabled: true,
		Condition: `nps <= 6 && customer.complaints_30d >= 1 && touchpoint.stage == "receipt"`,
		Actions:   cxm.AlertActions{OpenCase: &cxm.AlertOpenCase{Priority: cxm.PriorityUrgent}}}
	if err := db.CreateAlertRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	notes := &notifier{}
	e, err := alert.NewEngine(alert.EngineConfig{Rules: db, Facts: db, Cases: db, Notifier: notes, Jobs: db})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"r-angry", "r-happy", "r-angry"} {
		if err := e.HandleCompleted(ctx, cxm.Event{Topic: cxm.TopicResponseCompleted, WorkspaceID: ws.ID, ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	cs, _, err := db.ListCases(ctx, ws.ID, cxm.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("%d cases, want 1", len(cs))
	}
	c := cs[0]
	if c.ResponseID != "r-angry" || c.CustomerID == 0 || c.TouchpointID != tp.ID || c.RuleID != rule.ID || c.Priority != cxm.PriorityUrgent || c.Status != cxm.CaseNew {
		t.Errorf("case %+v", c)
	}
	if len(notes.sent) != 1 || notes.sent[0].CaseID != c.ID {
		t.Errorf("notifications %+v, want one for the case", notes.sent)
	}
}
