package textjob_test

import (
	"context"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// trainedBlob trains a model that calls the phrase label and a few other
// texts the other labels, and returns it encoded.
func trainedBlob(t *testing.T, phrase string, label text.Label) []byte {
	t.Helper()
	var ex []text.Example
	others := []text.Label{text.Negative, text.Neutral, text.Positive}
	for i := range 30 {
		ex = append(ex, text.Example{Text: phrase, Label: label})
		for _, o := range others {
			if o != label {
				ex = append(ex, text.Example{Text: "Etwas ganz anderes Nummer " + string(rune('a'+i%26)) + " " + string(o), Label: o})
			}
		}
	}
	m, err := text.Train(ex, text.TrainOptions{Bits: 12})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWorkerUsesEachWorkspacesActiveModel checks that a workspace with an
// active model gets analyses from it, named by its version, that another
// workspace keeps the lexicon, and that activating another version takes
// effect at the next batch.
func TestWorkerUsesEachWorkspacesActiveModel(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "acme")
		other := newWorld(t, db, "globex")
		const phrase = "Der Karton kam am Dienstag mit der Post."
		for _, v := range []text.Label{text.Positive, text.Negative} {
			if err := db.SaveTextModel(ctx, &cxm.TextModel{WorkspaceID: w.ws.ID, Examples: 90, Source: cxm.ModelSourceFile,
				LexiconWeight: 0.05, Blob: trainedBlob(t, phrase, v)}); err != nil {
				t.Fatal(err)
			}
		}
		a, err := text.NewAnalyzer(text.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wk, err := textjob.New(textjob.Config{Texts: db, Jobs: db, Analyzer: a, Models: db,
			Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		analyse := func(w *world) *cxm.TextAnalysis {
			t.Helper()
			if _, err := db.MarkTextsPending(ctx, w.ws.ID, true); err != nil {
				t.Fatal(err)
			}
			if _, err := wk.RunBatch(ctx, w.ws.ID); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindTextAnalysis(ctx, w.ws.ID, "r-1")
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		w.submit(t, "r-1", true, cxm.Answers{"csat": 3.0, "why": phrase})
		other.submit(t, "r-1", true, cxm.Answers{"csat": 3.0, "why": phrase})

		lex := analyse(other)
		if got := analyse(w); got.Model != "v2" || got.SentimentLabel != "negative" {
			t.Errorf("with version 2 active: model %q label %q, want v2 negative", got.Model, got.SentimentLabel)
		}
		if lex.Model != "lexicon" {
			t.Errorf("workspace without a model: model %q, want lexicon", lex.Model)
		}
		if _, err := db.ActivateTextModel(ctx, w.ws.ID, 1); err != nil {
			t.Fatal(err)
		}
		if got := analyse(w); got.Model != "v1" || got.SentimentLabel != "positive" {
			t.Errorf("with version 1 restored: model %q label %q, want v1 positive", got.Model, got.SentimentLabel)
		}
		if got := analyse(other); got.Model != "lexicon" || got.SentimentLabel != lex.SentimentLabel {
			t.Errorf("the other workspace changed: %+v", got)
		}
	})
}
