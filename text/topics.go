package text

import (
	"strings"
	"unicode/utf8"
)

// Mention is one place where a text speaks of a topic, with the sentiment
// of the clause it stands in.
type Mention struct {
	Topic     string    `json:"topic"`    // the topic's key
	Sentence  int       `json:"sentence"` // index into Result.Sentences
	Term      string    `json:"term"`     // the matched text
	Start     int       `json:"start"`    // byte offsets of Term in the text
	End       int       `json:"end"`
	Sentiment Sentiment `json:"sentiment"`
}

// termRef is one compiled term of a topic.
type termRef struct {
	topic int
	words []string // stems of the words; the first is the index key
}

// matcher finds the terms of a taxonomy in tokens. It is read-only after
// compileTaxonomy.
type matcher struct {
	keys     []string
	byStem   [2]map[string][]termRef // per language (0 German, 1 English): first-word stem → terms
	heads    map[string][]termRef    // German one-word stems that may end a compound
	prefixes map[string][]termRef    // German folded prefixes from terms ending in "*"
}

// langIndex returns 1 for English and 0 otherwise.
func langIndex(l Lang) int {
	if l == LangEN {
		return 1
	}
	return 0
}

// minHead is the shortest stem that may match as the end of a compound.
const minHead = 4

// compileTaxonomy compiles a valid taxonomy for matching.
func compileTaxonomy(t *Taxonomy, sc stemCache) *matcher {
	m := &matcher{byStem: [2]map[string][]termRef{{}, {}}, heads: map[string][]termRef{}, prefixes: map[string][]termRef{}}
	for ti, tp := range t.Topics {
		m.keys = append(m.keys, tp.Key)
		for li, terms := range [2][]string{tp.Terms.DE, tp.Terms.EN} {
			lang := [2]Lang{LangDE, LangEN}[li]
			for _, term := range terms {
				w := termWords(term)
				if len(w) == 1 && strings.HasSuffix(w[0], "*") {
					p := Fold(strings.TrimSuffix(w[0], "*"))
					m.prefixes[p] = append(m.prefixes[p], termRef{topic: ti, words: []string{p}})
					continue
				}
				ref := termRef{topic: ti, words: make([]string, len(w))}
				for i, x := range w {
					ref.words[i] = sc.add(lang, x)
				}
				m.byStem[li][ref.words[0]] = append(m.byStem[li][ref.words[0]], ref)
				if lang == LangDE && len(w) == 1 && len(ref.words[0]) >= minHead {
					m.heads[ref.words[0]] = append(m.heads[ref.words[0]], ref)
				}
			}
		}
	}
	return m
}

// stemAt returns the stem of word token i of d, computing it once.
func (a *Analyzer) stemAt(d *doc, i int) string {
	in := &d.info[i]
	if in.stem == "" {
		in.stem = a.stems.stem(d.lex.lang, d.toks[i].Norm)
	}
	return in.stem
}

// isFunctionWord reports whether the folded word is a German or English function word.
func (a *Analyzer) isFunctionWord(w string) bool {
	return a.det.words[w]&(bitDE|bitEN) != 0
}

// mentions returns the topic mentions of d, at most one per topic and sentence.
func (a *Analyzer) mentions(d *doc) []Mention {
	var out []Mention
	m := a.topics
	li := langIndex(d.lex.lang)
	for si, s := range d.sents {
		first := len(out)
		for i := s.a; i < s.b; i++ {
			if d.toks[i].Kind != KindWord && d.toks[i].Kind != KindHashtag {
				continue
			}
			w := d.info[i].fold
			if len(w) < 2 || len(w) > maxWordLen {
				continue
			}
			topic, end := a.matchAt(d, i, s, li, a.isFunctionWord(w))
			if topic < 0 {
				continue
			}
			dup := false
			for _, x := range out[first:] {
				if x.Topic == m.keys[topic] {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			out = append(out, Mention{
				Topic: m.keys[topic], Sentence: si, Term: d.text[d.toks[i].Start:d.toks[end-1].End],
				Start: d.toks[i].Start, End: d.toks[end-1].End, Sentiment: sentimentOf(d.clauseSum(i, s)),
			})
		}
	}
	return out
}

// matchAt returns the topic of the longest term that starts at word token
// i, and the end of its tokens; topic is -1 when none matches. A function
// word only starts phrases ("in stock"), so "war" does not match "Ware".
func (a *Analyzer) matchAt(d *doc, i int, s span, li int, function bool) (topic, end int) {
	m := a.topics
	stem := a.stemAt(d, i)
	topic, end = -1, i
	bestLen := 0
	for _, ref := range m.byStem[li][stem] {
		n := len(ref.words)
		if n <= bestLen || i+n > s.b || function && n == 1 {
			continue
		}
		ok := true
		for k := 1; k < n; k++ {
			if d.toks[i+k].Kind != KindWord || a.stemAt(d, i+k) != ref.words[k] {
				ok = false
				break
			}
		}
		if ok {
			topic, end, bestLen = ref.topic, i+n, n
		}
	}
	if topic >= 0 || li != 0 || function {
		return topic, end
	}
	return a.matchCompound(d.info[i].fold, stem), i + 1
}

// matchCompound returns the topic of a German compound whose last part is
// a one-word term ("Kundenservice") or whose first part is a term ending
// in "*" ("Lieferzeit"), preferring the longest part; -1 if none.
func (a *Analyzer) matchCompound(fold, stem string) int {
	m := a.topics
	for k := 3; k+minHead <= len(stem); k++ {
		if !utf8.RuneStart(stem[k]) {
			continue
		}
		if refs := m.heads[stem[k:]]; refs != nil {
			return refs[0].topic
		}
	}
	for k := len(fold); k >= 3; k-- {
		if k < len(fold) && !utf8.RuneStart(fold[k]) {
			continue
		}
		if refs := m.prefixes[fold[:k]]; refs != nil {
			return refs[0].topic
		}
	}
	return -1
}
