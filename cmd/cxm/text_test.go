package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runTextCmd runs the text command with args and returns its error, stdout and stderr.
func runTextCmd(t *testing.T, args ...string) (error, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now}
	err := runText(context.Background(), m, args)
	return err, out.String(), errb.String()
}

func TestTextEvalAndTrain(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 40 {
		lines = append(lines,
			"negative\tDie Lieferung war eine Katastrophe, Auftrag "+string(rune('A'+i%26)),
			"positive\tSuper Beratung, vielen Dank!",
			"neutral\tIch habe am Montag bestellt.",
			"negative\tparcel still stuck in transit",
		)
	}
	data := filepath.Join(dir, "train.tsv")
	if err := os.WriteFile(data, []byte("# comment\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err, out, errs := runTextCmd(t, "eval", "--data", data, "--json")
	if err != nil {
		t.Fatalf("eval: %v %s", err, errs)
	}
	var res struct {
		N        int                `json:"n"`
		Accuracy float64            `json:"accuracy"`
		MacroF1  float64            `json:"macro_f1"`
		F1       map[string]float64 `json:"f1"`
		DocsPerS float64            `json:"docs_per_s"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("eval output %q: %v", out, err)
	}
	if res.N != 160 || len(res.F1) != 3 || res.DocsPerS <= 0 || res.Accuracy <= 0 || res.Accuracy > 1 {
		t.Errorf("eval result %+v", res)
	}
	lexAcc := res.Accuracy

	model := filepath.Join(dir, "model.bin")
	if err, _, errs := runTextCmd(t, "train", "--data", data, "--out", model); err != nil {
		t.Fatalf("train: %v %s", err, errs)
	}
	err, out, errs = runTextCmd(t, "eval", "--data", data, "--model", model, "--json")
	if err != nil {
		t.Fatalf("eval --model: %v %s", err, errs)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Accuracy < lexAcc || res.Accuracy < 0.9 {
		t.Errorf("blend accuracy %v on its training data, lexicon %v", res.Accuracy, lexAcc)
	}
	if err, out, _ := runTextCmd(t, "eval", "--data", data, "--lang", "de"); err != nil || !strings.Contains(out, "macro_f1") {
		t.Errorf("eval --lang de: %v %q", err, out)
	}
}

func TestTextBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("positive\tgut\ngreat\tnot a label\n"), 0o644)
	notModel := filepath.Join(dir, "model.bin")
	os.WriteFile(notModel, []byte("nope"), 0o644)
	good := filepath.Join(dir, "good.tsv")
	os.WriteFile(good, []byte("positive\tgut\nnegative\tschlecht\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "usage"},
		{[]string{"frobnicate"}, "usage"},
		{[]string{"eval"}, "--data"},
		{[]string{"eval", "--data", bad}, "line 2"},
		{[]string{"eval", "--data", good, "--lang", "fr"}, "--lang"},
		{[]string{"eval", "--data", good, "--model", notModel}, "model"},
		{[]string{"train", "--data", good}, "--out"},
		{[]string{"eval", "--data", filepath.Join(dir, "missing.tsv")}, "missing.tsv"},
	}
	for _, tt := range tests {
		err, _, _ := runTextCmd(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("text %v: err = %v, want one mentioning %q", tt.args, err, tt.want)
		}
	}
}
