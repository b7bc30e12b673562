package text

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/cxmhq/cxm"
)

// shopCorpus returns n labelled German and English texts in the idiom of
// a shop's customers, which the general lexicon mostly cannot read.
func shopCorpus(n int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 7))
	templates := map[Label][]string{
		Negative: {
			"Paket nach %d Wochen immer noch nicht da", "Bestellung %d seit %d Tagen unterwegs", "Ware kam ohne Zubehör, Auftrag %d",
			"Rechnung %d doppelt abgebucht", "Hotline legt nach %d Minuten einfach auf", "parcel still stuck in transit after %d days",
			"charged twice for order %d", "item %d arrived without the charger", "Sendung %d liegt seit %d Tagen im Depot",
		},
		Neutral: {
			"Ich habe %d Artikel bestellt", "Bestellung %d am Montag aufgegeben", "Frage zur Rechnung %d", "Größe %d gewählt",
			"ordered %d items on Monday", "question about invoice %d", "Kundennummer %d, Adresse geändert", "size %d chosen for order %d",
		},
		Positive: {
			"Ware am nächsten Tag da, Auftrag %d", "Bestellung %d in %d Stunden geliefert", "passt wie angegossen, Größe %d",
			"genau wie beschrieben, Artikel %d", "arrived next morning, order %d", "fits like a glove, size %d",
			"exactly as described, item %d", "Sendung %d lag schon am Folgetag im Briefkasten",
		},
	}
	out := make([]Example, n)
	for i := range out {
		l := Labels()[rng.IntN(3)]
		ts := templates[l]
		tpl := ts[rng.IntN(len(ts))]
		out[i] = Example{Text: fmt.Sprintf(tpl, 1+rng.IntN(900), 1+rng.IntN(30)), Label: l}
		out[i].Text = fmt.Sprintf("%s%s", out[i].Text, [...]string{"", ".", "!", " …"}[rng.IntN(4)])
	}
	return out
}

// accuracy returns the share of examples whose predicted label is right.
func accuracy(ex []Example, predict func(string) Label) float64 {
	ok := 0
	for _, e := range ex {
		if predict(e.Text) == e.Label {
			ok++
		}
	}
	return float64(ok) / float64(len(ex))
}

func TestTrainImprovesHeldOutAccuracy(t *testing.T) {
	a := analyzer(t)
	all := shopCorpus(600, 1)
	train, test := all[:420], all[420:]
	m, err := Train(train, TrainOptions{Analyzer: a})
	if err != nil {
		t.Fatal(err)
	}
	lex := accuracy(test, func(s string) Label { return a.Sentiment(s).Label })
	model := accuracy(test, func(s string) Label { return m.Predict(s, a.Sentiment(s)).Label })
	blended, err := NewAnalyzer(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	blend := accuracy(test, func(s string) Label { return blended.Analyze(s).Sentiment.Label })
	t.Logf("held-out accuracy: lexicon %.3f, model %.3f, blend %.3f", lex, model, blend)
	if model < lex+0.2 || blend < lex+0.2 {
		t.Errorf("training did not help: lexicon %.3f, model %.3f, blend %.3f", lex, model, blend)
	}
	if m.Examples() != len(train) {
		t.Errorf("Examples() = %d, want %d", m.Examples(), len(train))
	}
}

func TestModelRoundTrip(t *testing.T) {
	a := analyzer(t)
	m, err := Train(shopCorpus(200, 2), TrainOptions{Analyzer: a, Bits: 14, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := UnmarshalModel(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range shopCorpus(50, 3) {
		lex := a.Sentiment(e.Text)
		if p, q := m.Predict(e.Text, lex), m2.Predict(e.Text, lex); p != q {
			t.Fatalf("prediction changed after round trip: %+v vs %+v", p, q)
		}
	}
	b2, _ := m2.MarshalBinary()
	if string(b2) != string(b) {
		t.Error("re-encoding differs")
	}
	bad := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXXXXX"), b[7:]...),
		"truncated": b[:len(b)/2],
		"flipped":   flip(b, len(b)/2),
		"version":   withVersion(b, 99),
	}
	for name, x := range bad {
		if _, err := UnmarshalModel(x); !errors.Is(err, ErrModelFormat) {
			t.Errorf("%s: err = %v, want ErrModelFormat", name, err)
		}
	}
}

// flip returns a copy of b with byte i inverted.
func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0xff
	return c
}

// withVersion returns a copy of b with the version byte set to v and a fresh checksum.
func withVersion(b []byte, v byte) []byte {
	c := append([]byte(nil), b...)
	c[len(modelMagic)] = v
	body := c[:len(c)-4]
	sum := crc(body)
	copy(c[len(c)-4:], sum)
	return c
}

func TestTrainRejectsBadExamples(t *testing.T) {
	tests := []struct {
		name  string
		ex    []Example
		field string
	}{
		{"none", nil, "examples"},
		{"bad label", []Example{{"gut", Positive}, {"x", "great"}}, "examples[1].label"},
		{"one class", []Example{{"gut", Positive}, {"toll", Positive}}, "examples"},
	}
	for _, tt := range tests {
		_, err := Train(tt.ex, TrainOptions{Analyzer: analyzer(t)})
		if cxm.ErrorCode(err) != cxm.EInvalid || len(cxm.ErrorFields(err)) == 0 || cxm.ErrorFields(err)[0].Field != tt.field {
			t.Errorf("%s: err = %v, want EInvalid on %s", tt.name, err, tt.field)
		}
	}
}

func TestBlend(t *testing.T) {
	p := Prediction{P: [3]float64{0.1, 0.1, 0.8}}
	if got := Blend(Sentiment{Score: -0.6, Label: Negative}, p, 0.2); got.Label != Positive {
		t.Errorf("model-heavy blend = %+v, want positive", got)
	}
	if got := Blend(Sentiment{Score: -0.6, Label: Negative}, p, 0.9); got.Label != Negative {
		t.Errorf("lexicon-heavy blend = %+v, want negative", got)
	}
}

func TestEvaluate(t *testing.T) {
	gold := []Label{Negative, Negative, Neutral, Positive, Positive, Neutral}
	pred := []Label{Negative, Neutral, Neutral, Positive, Negative, Neutral}
	m := Evaluate(gold, pred)
	if m.N != 6 || m.Accuracy != 0.6667 {
		t.Errorf("N %d accuracy %v", m.N, m.Accuracy)
	}
	// negative: tp 1 fp 1 fn 1 → 0.5; neutral: tp 2 fp 1 fn 0 → 0.8; positive: tp 1 fp 0 fn 1 → 0.6667
	if m.F1[Negative] != 0.5 || m.F1[Neutral] != 0.8 || m.F1[Positive] != 0.6667 || m.MacroF1 != 0.6556 {
		t.Errorf("F1 %v macro %v", m.F1, m.MacroF1)
	}
}

// crc returns the little-endian CRC-32 of b.
func crc(b []byte) []byte {
	s := crc32.ChecksumIEEE(b)
	return []byte{byte(s), byte(s >> 8), byte(s >> 16), byte(s >> 24)}
}
