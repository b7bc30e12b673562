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
	"github.com/cxmhq/cxm/text"
)

func runText(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, "Usage: cxm text eval --data FILE [--lang de|en|auto] [--model FILE] [--json]\n       cxm text train --data FILE --out MODEL\n       cxm text backfill --workspace S [--again]")
		return errUsage
	}
	switch args[0] {
	case "eval":
		return runTextEval(ctx, m, args[1:])
	case "train":
		return runTextTrain(ctx, m, args[1:])
	case "backfill":
		return runTextBackfill(ctx, m, args[1:])
	}
	fmt.Fprintf(m.Stderr, "cxm text: unknown subcommand %q; known: eval, train, backfill\n", args[0])
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

func runTextTrain(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("text train", m, &cfg)
	dataPath := fs.String("data", "", "label<TAB>text file to train on")
	out := fs.String("out", "", "file to write the model to")
	lang := fs.String("lang", "auto", "language of the texts: de, en or auto")
	epochs := fs.Int("epochs", 0, "training passes; 0 means the default")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	if *out == "" {
		return cxm.Invalid(cxm.FieldError{Field: "--out", Reason: "is required"})
	}
	opt, err := textOptions(*lang)
	if err != nil {
		return err
	}
	rows, err := readLabelled(*dataPath)
	if err != nil {
		return err
	}
	a, err := text.NewAnalyzer(opt)
	if err != nil {
		return err
	}
	ex := make([]text.Example, len(rows))
	for i, r := range rows {
		ex[i] = text.Example{Text: r.text, Label: r.label}
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
	if err := writeFileAtomic(*out, b); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "trained on %d examples in %s; wrote %s (%d bytes)\n", len(ex), time.Since(start).Round(time.Millisecond), *out, len(b))
	return nil
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
