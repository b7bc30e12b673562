package alert_test

import (
	"context"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/alert"
	"github.com/cxmhq/cxm/bus"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// signalNotifier records notifications and signals each on a channel.
type signalNotifier struct{ got chan *cxm.Notification }

func (n *signalNotifier) Notify(_ context.Context, x *cxm.Notification, _ []cxm.NotifyTarget) error {
	n.got <- x
	return nil
}

// TestTextRuleFiresAfterAnalysis follows a response with text through
// the bus: its topic rule does not decide at completion, and fires once
// the text analysis publishes response.analyzed.
func TestTextRuleFiresAfterAnalysis(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.SQLite(t)
	ws := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	s := &cxm.Survey{WorkspaceID: ws.ID, Slug: "s", Name: "S", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war es?"},
		Questions: []cxm.Question{{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Weiterempfehlen?"}},
			{Key: "why", Kind: cxm.KindText, Text: cxm.LocalizedText{"de": "Warum?"}}}}
	if err := db.CreateSurvey(ctx, s); err != nil {
		t.Fatal(err)
	}
	r := &cxm.Response{ID: "r-1", WorkspaceID: ws.ID, SurveyID: s.ID, AnonymousID: "a-1", Source: cxm.SourceAPI, Locale: "de", Completed: true,
		Answers: cxm.Answers{"nps": 3.0, "why": "Die Lieferung war eine Katastrophe, das Paket kam viel zu spät und beschädigt."}}
	r.Derive(s)
	if _, err := db.SubmitResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	rule := &cxm.AlertRule{WorkspaceID: ws.ID, Name: "Delivery anger", Enabled: true,
		Condition: `any(mentions, .topic == "delivery" && .sentiment < 0) && sentiment_label == "negative"`}
	if err := db.CreateAlertRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	b := bus.New(bus.Options{})
	defer b.Close()
	notes := &signalNotifier{got: make(chan *cxm.Notification, 4)}
	e, err := alert.NewEngine(alert.EngineConfig{Rules: db, Facts: db, Notifier: notes})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Subscribe(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := e.HandleCompleted(ctx, cxm.Event{Topic: cxm.TopicResponseCompleted, WorkspaceID: ws.ID, ID: "r-1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-notes.got:
		t.Fatalf("the topic rule fired before the analysis: %+v", n)
	default:
	}
	an, err := text.NewAnalyzer(text.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := textjob.New(textjob.Config{Texts: db, Jobs: db, Analyzer: an, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.RunBatch(ctx, ws.ID); err != nil || n != 1 {
		t.Fatalf("analysed %d, %v", n, err)
	}
	select {
	case n := <-notes.got:
		if n.RuleID != rule.ID || n.ResponseID != "r-1" || n.Data["sentiment_label"] != "negative" {
			t.Errorf("notification %+v", n)
		}
	case <-time.After(30 * time.Second): // a safety net against a hang, not a measurement
		t.Fatal("no alert after the analysis was published")
	}
}
