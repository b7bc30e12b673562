package text

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// gramWeight is the weight of an unknown word's spelling against a known word's 0.5.
const gramWeight = 0.4

// Language bits of the detector's word table.
const (
	bitDE uint16 = 1 << iota
	bitEN
	bitOtherFirst // bits from here on are other languages
)

// detector tells German, English and other languages apart from function
// words, known vocabulary and spelling cues. It is read-only after
// construction.
type detector struct {
	words  map[string]uint16 // folded word → languages it is a function word of
	vocab  map[string]uint16 // folded word → bitDE/bitEN when a lexicon or topic knows it
	others int               // how many other languages the word table knows
	// grams holds, per character trigram of " word ", log P(de) - log P(en)
	// estimated from the two vocabularies.
	grams map[string]float64
}

// loadFunctionWords reads the function-word lists: folded word →
// language bits, and the number of other languages.
func loadFunctionWords() (map[string]uint16, int, error) {
	words := map[string]uint16{}
	f, err := data.ReadFile("data/stopwords.txt")
	if err != nil {
		return nil, 0, fmt.Errorf("text: read stopwords: %w", err)
	}
	next, others := bitOtherFirst, 0
	for _, line := range strings.Split(string(f), "\n") {
		code, list, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		var bit uint16
		switch strings.TrimSpace(code) {
		case "de":
			bit = bitDE
		case "en":
			bit = bitEN
		default:
			if next == 0 {
				return nil, 0, fmt.Errorf("text: too many languages in stopwords.txt")
			}
			bit = next
			next <<= 1
			others++
		}
		for _, w := range strings.Fields(list) {
			words[Fold(w)] |= bit
		}
	}
	return words, others, nil
}

// newDetector returns a detector with the function words and the
// vocabulary of the German and English lexicons; a word both know casts no vote.
func newDetector(words map[string]uint16, others int, de, en *lexicon) *detector {
	d := &detector{words: words, vocab: map[string]uint16{}, others: others}
	for w := range de.words {
		d.vocab[w] |= bitDE
	}
	for w := range en.words {
		d.vocab[w] |= bitEN
	}
	return d
}

// buildGrams estimates the trigram log-odds of German against English
// from the vocabulary, with add-one smoothing; call it after the last addVocab.
func (d *detector) buildGrams() {
	var count [2]map[string]float64
	var total [2]float64
	count[0], count[1] = map[string]float64{}, map[string]float64{}
	add := func(li int, w string) {
		p := " " + w + " "
		for i := 0; i+3 <= len(p); i++ {
			count[li][p[i:i+3]]++
			total[li]++
		}
	}
	for w, m := range d.vocab {
		if m&bitDE != 0 {
			add(0, w)
		}
		if m&bitEN != 0 {
			add(1, w)
		}
	}
	for w, m := range d.words {
		if m&bitDE != 0 {
			add(0, w)
		}
		if m&bitEN != 0 {
			add(1, w)
		}
	}
	v := float64(len(count[0]) + len(count[1]))
	d.grams = map[string]float64{}
	for _, c := range count {
		for g := range c {
			d.grams[g] = math.Log((count[0][g]+1)/(total[0]+v)) - math.Log((count[1][g]+1)/(total[1]+v))
		}
	}
}

// gramScore returns the trigram log-odds of German against English for a
// folded word, averaged over its trigrams and clipped to [-1, 1].
func (d *detector) gramScore(w string) float64 {
	if len(w) < 2 {
		return 0
	}
	sum, n := 0.0, 0
	for i := -1; i+2 <= len(w); i++ {
		var g string
		switch {
		case i < 0:
			g = " " + w[:2]
		case i+3 > len(w):
			g = w[i:] + " "
		default:
			g = w[i : i+3]
		}
		sum += d.grams[g]
		n++
	}
	return max(-1, min(1, sum/float64(n)))
}

// addVocab marks the words of term as vocabulary of lang.
func (d *detector) addVocab(lang Lang, term string) {
	bit := bitEN
	if lang == LangDE {
		bit = bitDE
	}
	for _, w := range entryWords(strings.TrimSuffix(term, "*")) {
		d.vocab[w] |= bit
	}
}

// detect returns the language of the word tokens, and fallback when the
// tokens do not tell German from English.
func (d *detector) detect(toks []Token, folded []string, fallback Lang) Lang {
	var de, en float64
	var other [16]float64
	latin, nonLatin := 0, 0
	for i, t := range toks {
		if t.Kind != KindWord {
			continue
		}
		w := folded[i]
		for _, r := range t.Norm {
			if r < 0x250 {
				latin++
			} else if unicode.IsLetter(r) {
				nonLatin++
			}
		}
		if m := d.words[w]; m != 0 {
			n := float64(popcount(m))
			if m&bitDE != 0 {
				de += 1 / n
			}
			if m&bitEN != 0 {
				en += 1 / n
			}
			for b := 0; b < d.others; b++ {
				if m&(bitOtherFirst<<b) != 0 {
					other[b] += 1 / n
				}
			}
		}
		switch d.vocab[w] {
		case bitDE:
			de += 0.5
		case bitEN:
			en += 0.5
		}
		if strings.ContainsAny(t.Norm, "äöüß") {
			de++
		} else if m := d.words[w] | d.vocab[w]; m&(bitDE|bitEN) == 0 {
			g := d.gramScore(w)
			de += max(0, g) * gramWeight
			en += max(0, -g) * gramWeight
		}
	}
	if nonLatin > latin {
		return LangOther
	}
	best := 0.0
	for _, o := range other[:d.others] {
		best = max(best, o)
	}
	switch {
	case best >= 1 && best > de && best > en:
		return LangOther
	case de > en:
		return LangDE
	case en > de:
		return LangEN
	}
	return fallback
}

// popcount returns the number of set bits in m.
func popcount(m uint16) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}
