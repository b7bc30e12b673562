package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/text"
)

func runText(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, "Usage: cxm text eval --data FILE [--lang de|en|auto] [--model FILE] [--json]\n"+
			"       cxm text train [--data FILE] [--out MODEL] [--workspace S] [--min-per-class N] [--lexicon-weight W]\n"+
			"       cxm text models --workspace S [--json]\n"+
			"       cxm text activate --workspace S --version N\n"+
			"       cxm text backfill --workspace S [--again]")
		return errUsage
	}
	switch args[0] {
	case "eval":
		return runTextEval(ctx, m, args[1:])
	case "train":
		return runTextTrain(ctx, m, args[1:])
	case "backfill":
		return runTextBackfill(ctx, m, args[1:])
	case "models":
		return runTextModels(ctx, m, args[1:])
	case "activate":
		return runTextActivate(ctx, m, args[1:])
	}
	fmt.Fprintf(m.Stderr, "cxm text: unknown subcommand %q; known: eval, train, models, activate, backfill\n", args[0])
	return errUsage
}

// labelled is one row of a label<TAB>text file.
type labelled struct {
	label text.Label
	text  string
}

// readLabelled reads a label<TAB>text file; empty lines and lines starting
// with # are skipped.
func readLabelled(path string) ([]labelled, error) {
	if path == "" {
		return nil, cxm.Invalid(cxm.FieldError{Field: "--data", Reason: "is required"})
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseLabelled(f, path)
}

// parseLabelled parses label<TAB>text lines from r; name is used in errors.
func parseLabelled(r io.Reader, name string) ([]labelled, error) {
	var out []labelled
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		l, t, ok := strings.Cut(line, "\t")
		lab, known := text.ParseLabel(strings.TrimSpace(l))
		if !ok || !known {
			return nil, fmt.Errorf("%s line %d: want negative|neutral|positive, a tab, then the text", name, n)
		}
		out = append(out, labelled{lab, t})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no labelled lines", name)
	}
	return out, nil
}

// textOptions returns analyzer options for --lang.
func textOptions(lang string) (text.Options, error) {
	switch lang {
	case "", "auto":
		return text.Options{}, nil
	case "de", "en":
		return text.Options{Language: text.Lang(lang), Fallback: text.Lang(lang)}, nil
	}
	return text.Options{}, cxm.Invalid(cxm.FieldError{Field: "--lang", Reason: fmt.Sprintf("must be de, en or auto, not %q", lang)})
}

func runTextEval(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("text eval", m, &cfg)
	dataPath := fs.String("data", "", "label<TAB>text file to evaluate on")
	lang := fs.String("lang", "auto", "language of the texts: de, en or auto")
	modelPath := fs.String("model", "", "model file from cxm text train, blended with the lexicon")
	weight := fs.Float64("lexicon-weight", 0, "lexicon share in the blend with --model, in (0, 1]; 0 means the default")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	opt, err := textOptions(*lang)
	if err != nil {
		return err
	}
	rows, err := readLabelled(*dataPath)
	if err != nil {
		return err
	}
	if *modelPath != "" {
		b, err := os.ReadFile(*modelPath)
		if err != nil {
			return err
		}
		if opt.Model, err = text.UnmarshalModel(b); err != nil {
			return fmt.Errorf("%s: %w", *modelPath, err)
		}
		opt.LexiconWeight = *weight
	}
	opt.KeepPII = true
	a, err := text.NewAnalyzer(opt)
	if err != nil {
		return err
	}
	gold := make([]text.Label, len(rows))
	pred := make([]text.Label, len(rows))
	start := time.Now()
	for i, r := range rows {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		gold[i] = r.label
		pred[i] = a.Analyze(r.text).Sentiment.Label
	}
	elapsed := time.Since(start)
	mt := text.Evaluate(gold, pred)
	return printResult(m, *asJSON, []benchField{
		{"n", mt.N},
		{"accuracy", mt.Accuracy},
		{"macro_f1", mt.MacroF1},
		{"f1", map[string]float64{"negative": mt.F1[text.Negative], "neutral": mt.F1[text.Neutral], "positive": mt.F1[text.Positive]}},
		{"docs_per_s", round2(float64(len(rows)) / elapsed.Seconds())},
	})
}

// defaultMinPerClass is how many examples each sentiment class needs
// before cxm text train fits a model.
const defaultMinPerClass = 10

// runTextTrain fits a sentiment model on a label<TAB>text file or, with
// --workspace and no --data, on the workspace's corrected labels with
// their redacted texts. The model goes to --out, and with --workspace
// into the workspace as its next, active version.
func runTextTrain(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("text train", m, &cfg)
	dataPath := fs.String("data", "", "label<TAB>text file to train on; without it, the workspace's corrected labels")
	out := fs.String("out", "", "file to write the model to")
	slug := fs.String("workspace", "", "workspace slug: train on its corrections (without --data) and store the model as its active version")
	lang := fs.String("lang", "auto", "language of the texts: de, en or auto")
	epochs := fs.Int("epochs", 0, "training passes; 0 means the default")
	minPerClass := fs.Int("min-per-class", defaultMinPerClass, "examples each of negative, neutral and positive needs at least")
	weight := fs.Float64("lexicon-weight", text.DefaultLexiconWeight, "lexicon share in the blend with the model, in (0, 1]")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	var fe cxm.FieldErrors
	if *out == "" && *slug == "" {
		fe.Add("--out", "is required without --workspace")
	}
	if *dataPath == "" && *slug == "" {
		fe.Add("--data", "is required without --workspace")
	}
	if *minPerClass < 1 {
		fe.Add("--min-per-class", "must be at least 1")
	}
	if !(*weight > 0 && *weight <= 1) {
		fe.Add("--lexicon-weight", "must be in (0, 1]")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	opt, err := textOptions(*lang)
	if err != nil {
		return err
	}
	var db *store.DB
	var ws *cxm.Workspace
	if *slug != "" {
		if db, ws, err = cfg.openWorkspace(ctx, m, *slug); err != nil {
			return err
		}
		defer db.Close()
	}
	source := cxm.ModelSourceFile
	var ex []text.Example
	if *dataPath != "" {
		rows, err := readLabelled(*dataPath)
		if err != nil {
			return err
		}
		for _, r := range rows {
			ex = append(ex, text.Example{Text: r.text, Label: r.label})
		}
	} else {
		source = cxm.ModelSourceCorrections
		texts, err := db.CorrectedTexts(ctx, ws.ID)
		if err != nil {
			return err
		}
		for _, t := range texts {
			ex = append(ex, text.Example{Text: t.Text, Label: text.Label(t.Label)})
		}
	}
	if err := enoughExamples(ex, *minPerClass, source); err != nil {
		return err
	}
	a, err := text.NewAnalyzer(opt)
	if err != nil {
		return err
	}
	start := time.Now()
	model, err := text.Train(ex, text.TrainOptions{Analyzer: a, Epochs: *epochs})
	if err != nil {
		return err
	}
	b, err := model.MarshalBinary()
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "trained on %d examples in %s (%d bytes)\n", len(ex), time.Since(start).Round(time.Millisecond), len(b))
	if *out != "" {
		if err := writeFileAtomic(*out, b); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "wrote %s\n", *out)
	}
	if ws != nil {
		tm := &cxm.TextModel{WorkspaceID: ws.ID, Examples: len(ex), Source: source, LexiconWeight: *weight, Blob: b}
		if err := db.SaveTextModel(ctx, tm); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "stored as version %d of workspace %s, now active; cxm text backfill --workspace %s --again analyses older answers with it\n",
			tm.Version, ws.Slug, ws.Slug)
	}
	return nil
}

// enoughExamples refuses to train below min examples per sentiment class,
// saying how many of each there are.
func enoughExamples(ex []text.Example, min int, source string) error {
	counts := map[text.Label]int{}
	for _, e := range ex {
		counts[e.Label]++
	}
	short := false
	for _, l := range text.Labels() {
		short = short || counts[l] < min
	}
	if !short {
		return nil
	}
	what := "the file has"
	if source == cxm.ModelSourceCorrections {
		what = "the workspace's corrections have"
	}
	return cxm.Invalid(cxm.FieldError{Field: "examples", Reason: fmt.Sprintf(
		"too few to train: %s %d negative, %d neutral and %d positive; each class needs at least %d (--min-per-class)",
		what, counts[text.Negative], counts[text.Neutral], counts[text.Positive], min)})
}

// writeFileAtomic writes b to a temporary file beside path and renames it
// into place, so a crash never leaves half a model.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
