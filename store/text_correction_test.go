package store

import (
	"context"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// textFixture makes a workspace with a survey and one completed response
// r-1 with free text, analysed as negative.
func textFixture(t *testing.T, db *DB, slug string) *cxm.Workspace {
	t.Helper()
	ctx := context.Background()
	ws := &cxm.Workspace{Slug: slug, Name: slug}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	sv := &cxm.Survey{WorkspaceID: ws.ID, Slug: slug + "-s", Name: "S", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title:     cxm.LocalizedText{"de": "Wie war es?"},
		Questions: []cxm.Question{{Key: "why", Kind: cxm.KindText, Required: true, Text: cxm.LocalizedText{"de": "Warum?"}}}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	r := &cxm.Response{ID: "r-1", WorkspaceID: ws.ID, SurveyID: sv.ID, Source: cxm.SourceAPI, Locale: "de",
		Answers: cxm.Answers{"why": "Viel zu spät."}, Completed: true}
	r.Derive(sv)
	if _, err := db.SubmitResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	analyse(t, db, ws.ID)
	return ws
}

// analyse stores a negative analysis of r-1.
func analyse(t *testing.T, db *DB, ws int64) {
	t.Helper()
	a := &cxm.TextAnalysis{WorkspaceID: ws, ResponseID: "r-1", Language: "de", Sentiment: -0.6, SentimentLabel: "negative",
		Redacted: map[string]string{"why": "Viel zu spät."}, Model: "lexicon", AnalyzedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := db.SaveTextAnalyses(context.Background(), []*cxm.TextAnalysis{a}); err != nil {
		t.Fatal(err)
	}
}

// TestSentimentCorrections stores corrections and checks their history,
// that another workspace's response is not found, that a new analysis
// keeps them and that erasing the response erases them.
func TestSentimentCorrections(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ws := textFixture(t, db, "acme")
		other := textFixture(t, db, "globex")
		for i, label := range []string{"positive", "neutral"} {
			c := &cxm.SentimentCorrection{WorkspaceID: ws.ID, ResponseID: "r-1", Label: label, UserID: 7}
			if err := db.CorrectSentiment(ctx, c); err != nil {
				t.Fatal(err)
			}
			if want := []string{"negative", "positive"}[i]; c.PreviousLabel != want {
				t.Errorf("correction %d: previous %q, want %q", i, c.PreviousLabel, want)
			}
		}
		err := db.CorrectSentiment(ctx, &cxm.SentimentCorrection{WorkspaceID: ws.ID, ResponseID: "r-1", Label: "furious"})
		if cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("unknown label: %v", err)
		}
		err = db.CorrectSentiment(ctx, &cxm.SentimentCorrection{WorkspaceID: ws.ID, ResponseID: "r-2", Label: "positive"})
		if cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("unknown response: %v", err)
		}
		analyse(t, db, ws.ID) // analysed again
		a, err := db.FindTextAnalysis(ctx, ws.ID, "r-1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Label != "neutral" || a.CorrectedLabel != "neutral" || a.SentimentLabel != "negative" || a.Correction.UserID != 7 {
			t.Errorf("after a new analysis: %+v", a)
		}
		b, err := db.FindTextAnalysis(ctx, other.ID, "r-1")
		if err != nil || b.Label != "negative" || b.Correction != nil {
			t.Errorf("the other workspace's r-1: %+v %v", b, err)
		}
		if texts, err := db.CorrectedTexts(ctx, other.ID); err != nil || len(texts) != 0 {
			t.Errorf("other workspace's corrected texts: %v %v", texts, err)
		}
		if err := db.DeleteResponse(ctx, ws.ID, "r-1"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM text_corrections WHERE workspace_id = ?", ws.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("corrections left after erasing the response: %d %v", n, err)
		}
	})
}
