package text

import (
	"fmt"
	"sync"
	"unicode"
)

// Options configure an Analyzer. The zero value analyses German and
// English with the default taxonomy, detects the language, and redacts PII.
type Options struct {
	// Taxonomy is the topic taxonomy; nil means DefaultTaxonomy().
	Taxonomy *Taxonomy
	// Language forces the language of every text when it is LangDE or
	// LangEN; empty means detect it.
	Language Lang
	// Fallback is the language assumed when a text does not tell (for
	// "Super!" or "OK"); empty means LangDE.
	Fallback Lang
	// Model, when set, is blended with the lexicon for each response's
	// sentiment.
	Model *Model
	// LexiconWeight is the lexicon's share in the blend with Model, in
	// [0, 1]; zero means DefaultLexiconWeight.
	LexiconWeight float64
	// KeepPII turns redaction off: Result.Redacted is empty and PII nil.
	KeepPII bool
}

// Analyzer analyses feedback texts. It is immutable after NewAnalyzer and
// safe for concurrent use.
type Analyzer struct {
	opt     Options
	de, en  *lexicon
	symbols map[string]float64
	det     *detector
	stems   stemCache
	topics  *matcher
	tax     Taxonomy
	pool    sync.Pool
}

// Result is the analysis of one text. Byte offsets refer to the text given
// to Analyze, not to Redacted.
type Result struct {
	Language  Lang       `json:"language"`
	Sentiment Sentiment  `json:"sentiment"`
	Sentences []Sentence `json:"sentences"`
	Mentions  []Mention  `json:"mentions"`
	Redacted  string     `json:"redacted,omitempty"`
	PII       []PII      `json:"pii,omitempty"`
}

// Sentence is one sentence of a text with its sentiment.
type Sentence struct {
	Start     int       `json:"start"`
	End       int       `json:"end"`
	Sentiment Sentiment `json:"sentiment"`
}

// NewAnalyzer reads the embedded word lists and compiles the taxonomy.
func NewAnalyzer(opt Options) (*Analyzer, error) {
	switch opt.Language {
	case "", LangDE, LangEN:
	default:
		return nil, fmt.Errorf("text: language must be de, en or empty, not %q", opt.Language)
	}
	if opt.Fallback == "" {
		opt.Fallback = LangDE
	}
	if opt.Fallback != LangDE && opt.Fallback != LangEN {
		return nil, fmt.Errorf("text: fallback language must be de or en, not %q", opt.Fallback)
	}
	if opt.LexiconWeight < 0 || opt.LexiconWeight > 1 {
		return nil, fmt.Errorf("text: lexicon weight must be in [0, 1], not %g", opt.LexiconWeight)
	}
	if opt.LexiconWeight == 0 {
		opt.LexiconWeight = DefaultLexiconWeight
	}
	a := &Analyzer{opt: opt, stems: stemCache{}}
	fw, others, err := loadFunctionWords()
	if err != nil {
		return nil, err
	}
	if a.de, a.en, a.symbols, err = loadLexicons(a.stems, fw); err != nil {
		return nil, err
	}
	a.det = newDetector(fw, others, a.de, a.en)
	if opt.Taxonomy != nil {
		a.tax = opt.Taxonomy.Clone()
	} else {
		a.tax = DefaultTaxonomy()
	}
	if err := a.tax.Validate(); err != nil {
		return nil, fmt.Errorf("text: taxonomy: %w", err)
	}
	a.topics = compileTaxonomy(&a.tax, a.stems)
	for _, t := range a.tax.Topics {
		for _, term := range t.Terms.DE {
			a.det.addVocab(LangDE, term)
		}
		for _, term := range t.Terms.EN {
			a.det.addVocab(LangEN, term)
		}
	}
	a.det.buildGrams()
	for w := range a.det.words {
		a.stems.add(LangDE, w)
		a.stems.add(LangEN, w)
	}
	a.pool.New = func() any { return &doc{} }
	return a, nil
}

// Taxonomy returns a copy of the analyzer's taxonomy.
func (a *Analyzer) Taxonomy() Taxonomy { return a.tax.Clone() }

// doc is the working state of one analysis; docs are pooled.
type doc struct {
	text    string
	lang    Lang
	lex     *lexicon
	toks    []Token
	info    []tokInfo
	vals    []float64
	sents   []span
	capDiff bool
}

// tokInfo is what the scorer knows about one token.
type tokInfo struct {
	fold     string  // folded lower-case form of a word, Norm otherwise
	stem     string  // stem of a word, computed on demand
	val      float64 // lexicon valence
	boost    float64 // booster (+) or diminisher (-) strength
	neg      bool    // a negation
	contrast bool    // a contrast word such as "aber" or "but"
	brk      bool    // a clause break: , ; : dash or bracket
	caps     bool    // an all-capitals word
	inPhrase bool    // a later word of a matched phrase
}

// prepare tokenises text into d and decides its language.
func (a *Analyzer) prepare(d *doc, text string) {
	d.text = text
	d.toks = AppendTokens(d.toks[:0], text)
	n := len(d.toks)
	d.info = growInfo(d.info, n)
	d.vals = growFloats(d.vals, n)
	d.sents = splitSentences(d.sents[:0], d.toks)
	caps, words := 0, 0
	for i := range d.toks {
		t := &d.toks[i]
		in := &d.info[i]
		*in = tokInfo{fold: t.Norm}
		switch t.Kind {
		case KindWord, KindHashtag:
			in.fold = Fold(t.Norm)
			words++
			if t.Kind == KindWord && isAllCaps(t.Text) {
				in.caps = true
				caps++
			}
		case KindPunct:
			switch t.Text {
			case ",", ";", ":", "–", "—", "-", "(", ")", "/":
				in.brk = true
			}
		}
	}
	d.capDiff = caps > 0 && caps < words
	d.lang = a.opt.Language
	if d.lang == "" {
		folded := make([]string, 0, 32)
		for i := range d.info {
			folded = append(folded, d.info[i].fold)
		}
		d.lang = a.det.detect(d.toks, folded, a.opt.Fallback)
	}
	d.lex = a.de
	if d.lang == LangEN || d.lang == LangOther && a.opt.Fallback == LangEN {
		d.lex = a.en
	}
	a.annotate(d)
}

// annotate looks up the lexicon entries and modifiers of d's tokens.
func (a *Analyzer) annotate(d *doc) {
	lex := d.lex
	for i := range d.toks {
		t := &d.toks[i]
		in := &d.info[i]
		if in.inPhrase {
			continue
		}
		switch t.Kind {
		case KindEmoji, KindEmoticon:
			in.val = a.symbols[t.Norm]
			continue
		case KindWord, KindHashtag:
		default:
			continue
		}
		w := in.fold
		if len(w) > maxWordLen {
			continue
		}
		if ph := lex.skip[w]; ph != nil && a.matchPhrase(d, i, ph) > 0 {
			continue // "nicht nur", "not only": no negation
		}
		if ph := lex.phrases[w]; ph != nil {
			if n, v := a.bestPhrase(d, i, ph); n > 0 {
				in.val = v
				for k := i + 1; k < i+n; k++ {
					d.info[k].inPhrase = true
				}
				continue
			}
		}
		if ph := lex.boostPh[w]; ph != nil {
			if n, v := a.bestPhrase(d, i, ph); n > 0 {
				d.info[i+n-1].boost = v
				for k := i; k < i+n-1; k++ {
					d.info[k].inPhrase = true
				}
				continue
			}
		}
		switch {
		case lex.negate[w]:
			in.neg = true
		case lex.contrast[w]:
			in.contrast = true
		case lex.boost[w] != 0:
			in.boost = lex.boost[w]
		default:
			if v, ok := lex.words[w]; ok {
				in.val = v
			} else if len(lex.stems) > 0 && len(w) >= minStemWord && a.det.words[w] == 0 {
				in.stem = a.stems.stem(lex.lang, t.Norm)
				in.val = lex.stems[in.stem]
				if in.val == 0 && len(w) >= minCompound {
					in.val = lex.compoundValence(w)
				}
			}
		}
	}
}

// matchPhrase returns the length of the longest phrase of ph that starts at token i.
func (a *Analyzer) matchPhrase(d *doc, i int, ph []phrase) int {
	n, _ := a.bestPhrase(d, i, ph)
	return n
}

// bestPhrase returns the length and value of the longest phrase of ph that
// starts at token i, or 0.
func (a *Analyzer) bestPhrase(d *doc, i int, ph []phrase) (int, float64) {
	best, val := 0, 0.0
	for _, p := range ph {
		if len(p.words) <= best || i+len(p.words) > len(d.toks) {
			continue
		}
		ok := true
		for k, w := range p.words[1:] {
			if d.info[i+1+k].fold != w {
				ok = false
				break
			}
		}
		if ok {
			best, val = len(p.words), p.value
		}
	}
	return best, val
}

// isAllCaps reports whether a word has at least two letters, all upper case.
func isAllCaps(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n >= 2
}

// growInfo returns s resized to n entries.
func growInfo(s []tokInfo, n int) []tokInfo {
	if cap(s) < n {
		return make([]tokInfo, n)
	}
	return s[:n]
}

// growFloats returns s resized to n entries.
func growFloats(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// get returns a pooled doc; put returns it.
func (a *Analyzer) get() *doc { return a.pool.Get().(*doc) }

func (a *Analyzer) put(d *doc) {
	if cap(d.toks) > 4096 {
		return
	}
	d.text = ""
	a.pool.Put(d)
}

// Sentiment returns the lexicon sentiment of text as a whole, without
// sentences, topics, redaction or a model.
func (a *Analyzer) Sentiment(text string) Sentiment {
	d := a.get()
	defer a.put(d)
	a.prepare(d, text)
	sum := 0.0
	for _, s := range d.sents {
		sum += d.scoreSentence(s)
	}
	return sentimentOf(sum)
}

// DetectLanguage returns the language of text: LangDE, LangEN or
// LangOther, and the fallback language when the text does not tell.
func (a *Analyzer) DetectLanguage(text string) Lang {
	d := a.get()
	defer a.put(d)
	a.prepare(d, text)
	return d.lang
}

// Analyze returns the language, sentiment, sentences, topic mentions and
// redaction of text.
func (a *Analyzer) Analyze(text string) Result {
	d := a.get()
	defer a.put(d)
	a.prepare(d, text)
	res := Result{Language: d.lang, Sentences: make([]Sentence, 0, len(d.sents))}
	sum := 0.0
	for _, s := range d.sents {
		ss := d.scoreSentence(s)
		sum += ss
		res.Sentences = append(res.Sentences, Sentence{Start: d.toks[s.a].Start, End: d.toks[s.b-1].End, Sentiment: sentimentOf(ss)})
	}
	res.Sentiment = sentimentOf(sum)
	res.Mentions = a.mentions(d)
	if res.Mentions == nil {
		res.Mentions = []Mention{}
	}
	if a.opt.Model != nil {
		res.Sentiment = Blend(res.Sentiment, a.opt.Model.Predict(text, res.Sentiment), a.opt.LexiconWeight)
	}
	if !a.opt.KeepPII {
		res.Redacted, res.PII = Redact(text)
	}
	return res
}
