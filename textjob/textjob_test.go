package textjob_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// forEachDB runs fn on SQLite and, when CXM_TEST_DATABASE_URL is set, on PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t)
		if db == nil {
			t.Skip("CXM_TEST_DATABASE_URL is not set")
		}
		fn(t, db)
	})
}

// world is a workspace with one survey, ready for responses.
type world struct {
	db *store.DB
	ws *cxm.Workspace
	sv *cxm.Survey
}

func newWorld(t *testing.T, db *store.DB, slug string) *world {
	t.Helper()
	ctx := context.Background()
	ws := &cxm.Workspace{Slug: slug, Name: slug}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	sv := &cxm.Survey{WorkspaceID: ws.ID, Slug: slug + "-csat", Name: "CSAT", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war es?"},
		Questions: []cxm.Question{
			{Key: "csat", Kind: cxm.KindCSAT, Required: true, Text: cxm.LocalizedText{"de": "Zufrieden?"}},
			{Key: "solved", Kind: cxm.KindSingle, Text: cxm.LocalizedText{"de": "Gelöst?"}, Choices: []cxm.Choice{
				{Key: "yes", Label: cxm.LocalizedText{"de": "Ja"}}, {Key: "no", Label: cxm.LocalizedText{"de": "Nein"}}}},
			{Key: "why", Kind: cxm.KindText, Text: cxm.LocalizedText{"de": "Warum?"}},
		}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	return &world{db: db, ws: ws, sv: sv}
}

// submit stores a response with answers.
func (w *world) submit(t *testing.T, id string, complete bool, answers cxm.Answers) {
	t.Helper()
	r := &cxm.Response{ID: id, WorkspaceID: w.ws.ID, SurveyID: w.sv.ID, Source: cxm.SourceAPI, Locale: "de",
		Answers: answers, Completed: complete}
	r.Derive(w.sv)
	if _, err := w.db.SubmitResponse(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func newWorker(t *testing.T, db *store.DB) *textjob.Worker {
	t.Helper()
	a, err := text.NewAnalyzer(text.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := textjob.New(textjob.Config{Texts: db, Jobs: db, Analyzer: a, BatchSize: 2,
		Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return wk
}

// TestAnalysesCompletedResponsesOnce stores responses in several states,
// runs the job and checks that exactly the completed ones with text are
// analysed, once, with topic sentiment per sentence, masked personal data,
// and nothing of another workspace touched.
func TestAnalysesCompletedResponsesOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "acme")
		other := newWorld(t, db, "other")
		w.submit(t, "late", true, cxm.Answers{"csat": 2.0, "solved": "no",
			"why": "Die Lieferung kam drei Tage zu spät, aber der Kundenservice war sehr freundlich. Rufen Sie mich an: 0171 1234567"})
		w.submit(t, "choice-only", true, cxm.Answers{"csat": 5.0, "solved": "yes"})
		w.submit(t, "partial", false, cxm.Answers{"csat": 4.0, "why": "Noch nicht fertig"})
		w.submit(t, "english", true, cxm.Answers{"csat": 5.0, "why": "Fast delivery and great quality, thank you!"})
		other.submit(t, "theirs", true, cxm.Answers{"csat": 1.0, "why": "Schrecklich langsame Lieferung"})

		ids, err := db.WorkspacesWithPendingTexts(ctx)
		if err != nil || len(ids) != 2 {
			t.Fatalf("workspaces with pending texts = %v, %v; want both", ids, err)
		}
		wk := newWorker(t, db)
		if err := wk.Handle(ctx, &cxm.Job{WorkspaceID: w.ws.ID, Kind: cxm.JobTextAnalyze}); err != nil {
			t.Fatal(err)
		}
		if left, err := db.PendingTexts(ctx, w.ws.ID, 10); err != nil || len(left) != 0 {
			t.Fatalf("pending after the job = %d, %v; want none (batches of 2 until done)", len(left), err)
		}
		a, err := db.FindTextAnalysis(ctx, w.ws.ID, "late")
		if err != nil {
			t.Fatal(err)
		}
		if a.Language != "de" || a.Redacted["why"] == "" || a.Redacted["solved"] != "" {
			t.Errorf("analysis = %+v; want German, the text answer redacted, the choice left out", a)
		}
		if want := "Rufen Sie mich an: [PHONE]"; len(a.Redacted["why"]) < len(want) || a.Redacted["why"][len(a.Redacted["why"])-len(want):] != want {
			t.Errorf("redacted = %q, want the phone number masked", a.Redacted["why"])
		}
		labels := map[string]string{}
		for _, m := range a.Mentions {
			if m.Question != "why" {
				t.Errorf("mention %+v names question %q, want why", m, m.Question)
			}
			labels[m.Topic] = m.SentimentLabel
		}
		if labels["delivery"] != "negative" || labels["staff_friendliness"] != "positive" {
			t.Errorf("topic sentiments = %v; want delivery negative and staff friendliness positive", labels)
		}
		if en, err := db.FindTextAnalysis(ctx, w.ws.ID, "english"); err != nil || en.Language != "en" || en.SentimentLabel != "positive" {
			t.Errorf("english analysis = %+v, %v", en, err)
		}
		for _, id := range []string{"choice-only", "partial"} {
			if _, err := db.FindTextAnalysis(ctx, w.ws.ID, id); cxm.ErrorCode(err) != cxm.ENotFound {
				t.Errorf("%s: analysis error = %v, want none stored", id, err)
			}
		}
		if _, err := db.FindTextAnalysis(ctx, w.ws.ID, "theirs"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("another workspace's response is visible: %v", err)
		}
		if left, _ := db.PendingTexts(ctx, other.ws.ID, 10); len(left) != 1 {
			t.Errorf("the other workspace's pending texts = %d, want its 1 untouched", len(left))
		}

		// Completing the partial response makes it pending again, once.
		w.submit(t, "partial", true, cxm.Answers{"why": "Jetzt fertig, alles gut"})
		if n, err := wk.RunBatch(ctx, w.ws.ID); err != nil || n != 1 {
			t.Fatalf("second batch took %d, %v; want the one completed response", n, err)
		}
		if n, err := wk.RunBatch(ctx, w.ws.ID); err != nil || n != 0 {
			t.Errorf("third batch took %d, %v; want nothing analysed twice", n, err)
		}

		// Deleting the response deletes its analysis.
		if err := db.DeleteResponse(ctx, w.ws.ID, "late"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindTextAnalysis(ctx, w.ws.ID, "late"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("analysis of a deleted response = %v, want gone", err)
		}
	})
}

// TestSweepEnqueuesOneJobPerWorkspace checks that the sweep enqueues a
// text.analyze job for a workspace with pending text, and only one however
// often it runs.
func TestSweepEnqueuesOneJobPerWorkspace(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "acme")
		quiet := newWorld(t, db, "quiet")
		w.submit(t, "r1", true, cxm.Answers{"csat": 3.0, "why": "Geht so"})
		wk := newWorker(t, db)
		for range 3 {
			if err := wk.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		jobs, _, err := db.ListJobs(ctx, w.ws.ID, cxm.JobFilter{Kind: cxm.JobTextAnalyze})
		if err != nil || len(jobs) != 1 || jobs[0].Status != cxm.JobPending {
			t.Errorf("jobs after 3 sweeps = %+v, %v; want one pending", jobs, err)
		}
		if jobs, _, _ := db.ListJobs(ctx, quiet.ws.ID, cxm.JobFilter{}); len(jobs) != 0 {
			t.Errorf("a workspace without pending text got %d jobs", len(jobs))
		}
	})
}

// countingJobs counts the enqueues that reach the job store.
type countingJobs struct {
	cxm.JobStore
	enqueues int
}

// EnqueueJob counts the call and stores the job.
func (c *countingJobs) EnqueueJob(ctx context.Context, j *cxm.Job) (bool, error) {
	c.enqueues++
	return c.JobStore.EnqueueJob(ctx, j)
}

// TestBurstOfCompletionsEnqueuesOnce checks that many completed responses
// cost one enqueue while the workspace's job waits, that the job takes
// all their texts, and that the next completion after the job enqueues
// again.
func TestBurstOfCompletionsEnqueuesOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "acme")
		a, err := text.NewAnalyzer(text.Options{})
		if err != nil {
			t.Fatal(err)
		}
		jobs := &countingJobs{JobStore: db}
		wk, err := textjob.New(textjob.Config{Texts: db, Jobs: jobs, Analyzer: a, BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			w.submit(t, fmt.Sprint("r", i), true, cxm.Answers{"csat": 2.0, "why": "Zu spät"})
			if err := wk.Enqueue(ctx, w.ws.ID); err != nil {
				t.Fatal(err)
			}
		}
		if jobs.enqueues != 1 {
			t.Fatalf("5 completions enqueued %d times, want once", jobs.enqueues)
		}
		if err := wk.Handle(ctx, &cxm.Job{WorkspaceID: w.ws.ID, Kind: cxm.JobTextAnalyze}); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := db.FindTextAnalysis(ctx, w.ws.ID, fmt.Sprint("r", i)); err != nil {
				t.Errorf("r%d not analysed by the one job: %v", i, err)
			}
		}
		if err := wk.Enqueue(ctx, w.ws.ID); err != nil || jobs.enqueues != 2 {
			t.Errorf("after the job: %d enqueues, %v; want a second", jobs.enqueues, err)
		}
	})
}
