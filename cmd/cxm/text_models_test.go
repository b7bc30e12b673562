package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/text"
)

// domainExamples returns a few hundred synthetic delivery comments in
// German and English, labelled by what they say: subjects crossed with
// predicates that a general sentiment lexicon hardly knows.
func domainExamples() []labelled {
	subjects := map[string][]string{
		"de": {"Die Lieferung", "Mein Paket", "Die Bestellung", "Die Sendung", "Der Karton"},
		"en": {"The delivery", "My parcel", "The order", "The shipment", "The box"},
	}
	predicates := map[string]map[string][]string{
		"de": {
			"negative": {"kam zerdrückt an", "hing zwei Wochen im Zoll fest", "wurde zweimal storniert", "lag beim Nachbarn im Regen",
				"kam ohne Ware an", "ging an die falsche Filiale", "kam nur halb an", "war aufgerissen und leer"},
			"positive": {"kam einen Tag früher als angekündigt", "war schon am nächsten Morgen da", "kam genau zum Geburtstag",
				"wurde sogar samstags gebracht", "kam liebevoll verpackt", "lag sicher im Paketkasten", "kam trotz Streik rechtzeitig",
				"war ruckzuck da"},
			"neutral": {"kam am Dienstag an", "wurde mit DHL verschickt", "ging an die Packstation", "kam in zwei Teilen",
				"wurde am Montag bestellt", "hatte die Nummer 4711", "kam mit Hermes", "wurde per Vorkasse bezahlt"},
		},
		"en": {
			"negative": {"arrived crushed", "sat in customs for two weeks", "was cancelled twice", "was left in the rain next door",
				"arrived without the item", "went to the wrong branch", "arrived half empty", "was torn open and empty"},
			"positive": {"came a day earlier than announced", "was here the next morning", "arrived right on the birthday",
				"was even brought on Saturday", "came lovingly packed", "sat safely in the parcel box", "came on time despite the strike",
				"was here in no time"},
			"neutral": {"arrived on Tuesday", "was shipped with DHL", "went to the parcel locker", "came in two parts",
				"was ordered on Monday", "had the number 4711", "came with Hermes", "was paid in advance"},
		},
	}
	var out []labelled
	for _, lang := range []string{"de", "en"} {
		for _, label := range []string{"negative", "neutral", "positive"} {
			for _, p := range predicates[lang][label] {
				for _, s := range subjects[lang] {
					out = append(out, labelled{label: text.Label(label), text: s + " " + p + "."})
				}
			}
		}
	}
	return out
}

// TestTrainWorkspaceModelImprovesHeldOutAccuracy trains a workspace's
// model on two thirds of a labelled file and checks that the workspace's
// analyses of the held-back third become more accurate, that they name
// the model version, and that versions can be listed, trained from
// corrections, refused below the minimum per class, and restored.
func TestTrainWorkspaceModelImprovesHeldOutAccuracy(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	if code, _, errs := run(t, env, "", "workspace", "create", "--slug", "acme", "--name", "ACME"); code != 0 {
		t.Fatalf("workspace create: %d %s", code, errs)
	}
	examples := domainExamples()
	var train, held []labelled
	for i, ex := range examples {
		if i%3 == 0 {
			held = append(held, ex)
		} else {
			train = append(train, ex)
		}
	}
	var lines []string
	for _, ex := range train {
		lines = append(lines, string(ex.label)+"\t"+ex.text)
	}
	data := filepath.Join(dir, "train.tsv")
	if err := os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.FindWorkspaceBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	sv := &cxm.Survey{WorkspaceID: ws.ID, Slug: "delivery", Name: "Delivery", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title:     cxm.LocalizedText{"de": "Wie war die Lieferung?"},
		Questions: []cxm.Question{{Key: "why", Kind: cxm.KindText, Required: true, Text: cxm.LocalizedText{"de": "Warum?"}}}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	for i, ex := range held {
		r := &cxm.Response{ID: fmt.Sprintf("h-%d", i), WorkspaceID: ws.ID, SurveyID: sv.ID, Source: cxm.SourceAPI, Locale: "de",
			Answers: cxm.Answers{"why": ex.text}, Completed: true}
		r.Derive(sv)
		if _, err := db.SubmitResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// accuracy analyses the held-back responses with backfill and
	// returns the share whose label is right, and the models named.
	accuracy := func(again bool) (float64, map[string]int) {
		t.Helper()
		args := []string{"text", "backfill", "--workspace", "acme"}
		if again {
			args = append(args, "--again")
		}
		if code, _, errs := run(t, env, "", args...); code != 0 {
			t.Fatalf("backfill: %d %s", code, errs)
		}
		right, models := 0, map[string]int{}
		for i, ex := range held {
			a, err := db.FindTextAnalysis(ctx, ws.ID, fmt.Sprintf("h-%d", i))
			if err != nil {
				t.Fatal(err)
			}
			models[a.Model]++
			if a.SentimentLabel == string(ex.label) {
				right++
			}
		}
		return float64(right) / float64(len(held)), models
	}
	before, models := accuracy(false)
	if models["lexicon"] != len(held) {
		t.Errorf("before training the analyses name %v, want the lexicon", models)
	}

	code, out, errs := run(t, env, "", "text", "train", "--workspace", "acme", "--data", data)
	if code != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("train: %d %q %q", code, out, errs)
	}
	after, models := accuracy(true)
	t.Logf("held-back accuracy of %d texts: lexicon %.3f, with the workspace's model %.3f", len(held), before, after)
	if after <= before {
		t.Errorf("held-back accuracy %.3f with the model, %.3f without: training did not help", after, before)
	}
	if models["v1"] != len(held) {
		t.Errorf("after training the analyses name %v, want v1", models)
	}

	// Too few examples per class are refused, and nothing is stored.
	small := filepath.Join(dir, "small.tsv")
	os.WriteFile(small, []byte("negative\tkam zerdrückt an\npositive\twar ruckzuck da\nneutral\tkam am Dienstag\n"), 0o644)
	if code, _, errs := run(t, env, "", "text", "train", "--workspace", "acme", "--data", small); code == 0 ||
		!strings.Contains(errs, "each class needs at least 10") || !strings.Contains(errs, "1 negative") {
		t.Errorf("train on 3 examples: %d %q; want a refusal naming the counts", code, errs)
	}
	// Corrections: none yet, so the workspace's corrections are refused too.
	if code, _, errs := run(t, env, "", "text", "train", "--workspace", "acme"); code == 0 || !strings.Contains(errs, "corrections") {
		t.Errorf("train on no corrections: %d %q", code, errs)
	}
	for i := 0; i < 9; i++ {
		c := &cxm.SentimentCorrection{WorkspaceID: ws.ID, ResponseID: fmt.Sprintf("h-%d", i*9), Label: string(held[i*9].label)}
		if err := db.CorrectSentiment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errs := run(t, env, "", "text", "train", "--workspace", "acme", "--min-per-class", "2"); code != 0 || !strings.Contains(out, "version 2") {
		t.Fatalf("train on corrections: %d %q %q", code, out, errs)
	}

	code, out, errs = run(t, env, "", "text", "models", "--workspace", "acme", "--json")
	var listed []cxm.TextModel
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil {
		t.Fatalf("models: %d %q %q", code, out, errs)
	}
	if len(listed) != 2 || listed[0].Version != 2 || !listed[0].Active || listed[0].Source != cxm.ModelSourceCorrections ||
		listed[0].Examples != 9 || listed[1].Version != 1 || listed[1].Active || listed[1].Examples != len(train) ||
		listed[1].Source != cxm.ModelSourceFile {
		t.Errorf("models = %+v", listed)
	}
	if code, out, errs := run(t, env, "", "text", "activate", "--workspace", "acme", "--version", "1"); code != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("activate 1: %d %q %q", code, out, errs)
	}
	if v, err := db.ActiveTextModelVersion(ctx, ws.ID); err != nil || v != 1 {
		t.Errorf("active version after restoring 1 = %d, %v", v, err)
	}
	if code, _, errs := run(t, env, "", "text", "activate", "--workspace", "acme", "--version", "9"); code == 0 || !strings.Contains(errs, "not found") {
		t.Errorf("activate 9: %d %q", code, errs)
	}
	if v, err := db.ActiveTextModelVersion(ctx, ws.ID); err != nil || v != 1 {
		t.Errorf("active version after a failed activation = %d, %v", v, err)
	}
	if code, out, _ := run(t, env, "", "text", "models", "--workspace", "acme"); code != 0 || !strings.Contains(out, "version") {
		t.Errorf("models table: %d %q", code, out)
	}
}
