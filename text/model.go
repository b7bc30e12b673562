package text

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cxmhq/cxm"
)

// DefaultLexiconWeight is the lexicon's share when a model is blended in.
const DefaultLexiconWeight = 0.3

// Example is one labelled text to learn from.
type Example struct {
	Text  string `json:"text"`
	Label Label  `json:"label"`
}

// TrainOptions configure Train. The zero value uses the defaults.
type TrainOptions struct {
	// Analyzer scores the texts with the lexicon, a feature of the
	// model; nil means a default Analyzer.
	Analyzer *Analyzer
	// Epochs is the number of passes over the examples; 0 means 15.
	Epochs int
	// LearningRate is AdaGrad's step size; 0 means 0.5.
	LearningRate float64
	// L2 is the weight decay; 0 means 1e-5.
	L2 float64
	// Bits is the number of hash bits of the features, 10 to 22; 0 means 18.
	Bits int
	// Seed makes the shuffling of examples repeatable; 0 means 1.
	Seed uint64
	// Unbalanced turns off the weighting of examples inversely to the
	// frequency of their label.
	Unbalanced bool
}

// Model is a multinomial logistic-regression sentiment model over hashed
// word, word-pair and character n-gram features and the lexicon score.
// It is immutable after Train or UnmarshalModel and safe for concurrent use.
type Model struct {
	bits     uint
	bias     [3]float32
	weights  [][3]float32 // (1<<bits)+numDense rows
	examples int
}

// Prediction is a model's class probabilities for one text.
type Prediction struct {
	// P holds the probabilities of negative, neutral and positive, in
	// the order of Labels().
	P     [3]float64 `json:"p"`
	Label Label      `json:"label"`
	// Score is P(positive) - P(negative), in [-1, 1].
	Score float64 `json:"score"`
}

// Examples returns the number of examples the model was trained on.
func (m *Model) Examples() int { return m.examples }

// Train fits a model to examples. It fails with EInvalid when there are
// no examples, a label is unknown, or fewer than two labels occur.
func Train(examples []Example, opt TrainOptions) (*Model, error) {
	var fe cxm.FieldErrors
	if len(examples) == 0 {
		fe.Add("examples", "are required")
	}
	var counts [3]int
	for i, ex := range examples {
		c := labelIndex(ex.Label)
		if c < 0 {
			fe.Add(fmt.Sprintf("examples[%d].label", i), fmt.Sprintf("must be negative, neutral or positive, not %q", ex.Label))
			continue
		}
		counts[c]++
	}
	if opt.Bits != 0 && (opt.Bits < 10 || opt.Bits > 22) {
		fe.Add("bits", "must be between 10 and 22")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	classes := 0
	for _, n := range counts {
		if n > 0 {
			classes++
		}
	}
	if classes < 2 {
		return nil, cxm.Invalid(cxm.FieldError{Field: "examples", Reason: "need at least two different labels"})
	}
	opt = opt.withDefaults()
	a := opt.Analyzer
	if a == nil {
		var err error
		if a, err = NewAnalyzer(Options{KeepPII: true}); err != nil {
			return nil, err
		}
	}
	m := &Model{bits: uint(opt.Bits), examples: len(examples)}
	m.weights = make([][3]float32, (1<<m.bits)+numDense)
	feats := make([][]feature, len(examples))
	for i, ex := range examples {
		feats[i] = featurize(nil, ex.Text, a.Sentiment(ex.Text), m.bits)
	}
	var classWeight [3]float64
	for c, n := range counts {
		classWeight[c] = 1
		if !opt.Unbalanced && n > 0 {
			classWeight[c] = float64(len(examples)) / (3 * float64(n))
		}
	}
	m.fit(feats, examples, classWeight, opt)
	return m, nil
}

// withDefaults fills the zero fields of o.
func (o TrainOptions) withDefaults() TrainOptions {
	if o.Epochs <= 0 {
		o.Epochs = 15
	}
	if o.LearningRate <= 0 {
		o.LearningRate = 0.5
	}
	if o.L2 <= 0 {
		o.L2 = 1e-5
	}
	if o.Bits == 0 {
		o.Bits = 18
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// fit runs AdaGrad on the cross-entropy loss.
func (m *Model) fit(feats [][]feature, examples []Example, classWeight [3]float64, opt TrainOptions) {
	g2 := make([][3]float32, len(m.weights))
	var biasG2 [3]float64
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	const eps = 1e-8
	for range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			y := labelIndex(examples[k].Label)
			p := m.probs(feats[k])
			cw := classWeight[y]
			for c := range 3 {
				grad := p[c]
				if c == y {
					grad--
				}
				grad *= cw
				biasG2[c] += grad * grad
				m.bias[c] -= float32(opt.LearningRate * grad / math.Sqrt(biasG2[c]+eps))
				for _, f := range feats[k] {
					w := &m.weights[f.index][c]
					g := grad*float64(f.value) + opt.L2*float64(*w)
					g2[f.index][c] += float32(g * g)
					*w -= float32(opt.LearningRate * g / math.Sqrt(float64(g2[f.index][c])+eps))
				}
			}
		}
	}
}

// probs returns the class probabilities of a feature vector.
func (m *Model) probs(fs []feature) [3]float64 {
	var z [3]float64
	for c := range 3 {
		z[c] = float64(m.bias[c])
	}
	for _, f := range fs {
		if int(f.index) >= len(m.weights) {
			continue
		}
		w := m.weights[f.index]
		for c := range 3 {
			z[c] += float64(w[c]) * float64(f.value)
		}
	}
	mx := max(z[0], z[1], z[2])
	var p [3]float64
	sum := 0.0
	for c := range 3 {
		p[c] = math.Exp(z[c] - mx)
		sum += p[c]
	}
	for c := range 3 {
		p[c] /= sum
	}
	return p
}

// Predict returns the model's probabilities for text, given the lexicon
// sentiment of the same text (Analyzer.Sentiment).
func (m *Model) Predict(text string, lex Sentiment) Prediction {
	p := m.probs(featurize(make([]feature, 0, 8*len(text)/5+16), text, lex, m.bits))
	return predictionOf(p)
}

// predictionOf returns the Prediction of class probabilities p.
func predictionOf(p [3]float64) Prediction {
	best := 1
	for c := range 3 {
		if p[c] > p[best] {
			best = c
		}
	}
	return Prediction{P: p, Label: Labels()[best], Score: round4(p[2] - p[0])}
}

// Blend combines the lexicon sentiment and a model prediction: the
// lexicon's label counts as 0.8 probability of its class and 0.1 of each
// other, mixed with the model's probabilities in the share lexWeight.
// The label is the most probable class and the score P(positive) -
// P(negative).
func Blend(lex Sentiment, p Prediction, lexWeight float64) Sentiment {
	lexWeight = max(0, min(1, lexWeight))
	var q [3]float64
	li := labelIndex(lex.Label)
	for c := range 3 {
		pl := 0.1
		if c == li {
			pl = 0.8
		}
		q[c] = lexWeight*pl + (1-lexWeight)*p.P[c]
	}
	r := predictionOf(q)
	return Sentiment{Score: r.Score, Label: r.Label}
}
