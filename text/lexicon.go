package text

import (
	"bufio"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// data holds the embedded word lists; see data/LICENSES.md.
//
//go:embed data/*.tsv data/*.txt
var data embed.FS

// Scales that bring each source onto the VADER valence scale (-4..4).
const (
	afinnScale    = 0.8 // AFINN runs from -5 to 5
	senticonScale = 4.0 // senticon polarity runs from -1 to 1
	minValence    = 0.3 // weaker entries are noise
	minStemWord   = 5   // shorter words are looked up only as they are, not by stem
	minCompound   = 8   // shorter words are not split as compounds
	minHeadWord   = 5   // the shortest last part of a compound that carries its sentiment
	maxWordLen    = 48  // longer "words" (hashes, garbage) are not looked up at all
)

// phrase is a lexicon or modifier entry of several words, in folded form.
type phrase struct {
	words []string
	value float64
}

// lexicon holds the sentiment words and modifiers of one language. It is
// read-only after construction.
type lexicon struct {
	lang     Lang
	words    map[string]float64  // folded word → valence
	stems    map[string]float64  // stem → valence
	phrases  map[string][]phrase // first folded word → phrases with a valence
	negate   map[string]bool
	skip     map[string][]phrase // first word → sequences that are not negations
	boost    map[string]float64
	boostPh  map[string][]phrase
	contrast map[string]bool
}

// newLexicon returns an empty lexicon for lang.
func newLexicon(lang Lang) *lexicon {
	return &lexicon{lang: lang, words: map[string]float64{}, stems: map[string]float64{},
		phrases: map[string][]phrase{}, negate: map[string]bool{}, skip: map[string][]phrase{},
		boost: map[string]float64{}, boostPh: map[string][]phrase{}, contrast: map[string]bool{}}
}

// readTSV calls fn with the fields of every line of the embedded file name
// that is neither empty nor a # comment.
func readTSV(name string, fn func(fields []string) error) error {
	f, err := data.Open("data/" + name)
	if err != nil {
		return fmt.Errorf("text: open %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(strings.Split(line, "\t")); err != nil {
			return fmt.Errorf("text: %s line %d: %w", name, n, err)
		}
	}
	return sc.Err()
}

// valueField parses the valence in field i of fields.
func valueField(fields []string, i int) (float64, error) {
	if len(fields) <= i {
		return 0, fmt.Errorf("missing value")
	}
	return strconv.ParseFloat(strings.TrimSpace(fields[i]), 64)
}

// words splits an entry into folded lower-case words.
func entryWords(s string) []string {
	f := strings.Fields(strings.ToLower(strings.TrimSpace(s)))
	for i := range f {
		f[i] = Fold(f[i])
	}
	return f
}

// addWord records the valence v of entry, a word or a phrase. Single words
// also set their stem unless keepStem holds and the stem has a value.
func (l *lexicon) addWord(entry string, v float64, sc stemCache, override bool) {
	w := entryWords(entry)
	switch {
	case len(w) == 0 || math.Abs(v) < minValence && !override:
		return
	case len(w) > 1:
		l.phrases[w[0]] = append(l.phrases[w[0]], phrase{words: w, value: v})
		return
	}
	if _, ok := l.words[w[0]]; ok && !override {
		return
	}
	l.words[w[0]] = v
	if l.lang == LangDE && len(w[0]) >= 4 {
		s := sc.add(l.lang, strings.ToLower(strings.TrimSpace(entry)))
		if _, ok := l.stems[s]; !ok || override {
			l.stems[s] = v
		}
	}
}

// loadModifiers reads negations, boosters, contrasts and skips from name.
func (l *lexicon) loadModifiers(name string) error {
	return readTSV(name, func(f []string) error {
		if len(f) < 2 {
			return fmt.Errorf("want kind and word")
		}
		w := entryWords(f[1])
		if len(w) == 0 {
			return fmt.Errorf("empty word")
		}
		switch f[0] {
		case "negate":
			l.negate[w[0]] = true
		case "skip":
			l.skip[w[0]] = append(l.skip[w[0]], phrase{words: w})
		case "contrast":
			if len(w) == 1 {
				l.contrast[w[0]] = true
			}
		case "boost":
			v, err := valueField(f, 2)
			if err != nil {
				return err
			}
			if len(w) == 1 {
				l.boost[w[0]] = v
			} else {
				l.boostPh[w[0]] = append(l.boostPh[w[0]], phrase{words: w, value: v})
			}
		default:
			return fmt.Errorf("unknown kind %q", f[0])
		}
		return nil
	})
}

// loadLexicons builds the German and English lexicons and the shared
// table of emoji and emoticon valences.
//
// Function words (fw) carry no sentiment unless cxm's own lists give them
// one: the translated AFINN list, for one, scores "ja" and "würde".
func loadLexicons(sc stemCache, fw map[string]uint16) (de, en *lexicon, symbols map[string]float64, err error) {
	own := map[string]bool{}
	de, en = newLexicon(LangDE), newLexicon(LangEN)
	symbols = map[string]float64{}
	// English: VADER, then cxm's own entries.
	err = readTSV("vader_en.tsv", func(f []string) error {
		v, err := valueField(f, 1)
		if err != nil {
			return err
		}
		if isSymbolEntry(f[0]) {
			symbols[f[0]] = v
			return nil
		}
		en.addWord(f[0], v, sc, true)
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	// cxm's own entries win, then VADER (above) or the AFINN-de words, then senticon stems.
	for _, s := range []struct {
		lex      *lexicon
		name     string
		scale    float64
		override bool
	}{
		{en, "cx_en.tsv", 1, true},
		{de, "cx_de.tsv", 1, true},
		{de, "afinn_de.tsv", afinnScale, false},
	} {
		err := readTSV(s.name, func(f []string) error {
			v, err := valueField(f, 1)
			if err != nil {
				return err
			}
			s.lex.addWord(f[0], v*s.scale, sc, s.override)
			if s.override {
				own[string(s.lex.lang)+" "+Fold(strings.ToLower(f[0]))] = true
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	err = readTSV("senticon_de.tsv", func(f []string) error {
		v, err := valueField(f, 1)
		if err != nil {
			return err
		}
		v *= senticonScale
		k := Fold(f[0])
		if _, ok := de.stems[k]; !ok && math.Abs(v) >= minValence {
			de.stems[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	err = readTSV("emoji.tsv", func(f []string) error {
		v, err := valueField(f, 1)
		if err != nil {
			return err
		}
		symbols[normEmoji(f[0])] = v
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := de.loadModifiers("words_de.tsv"); err != nil {
		return nil, nil, nil, err
	}
	if err := en.loadModifiers("words_en.tsv"); err != nil {
		return nil, nil, nil, err
	}
	for _, l := range []*lexicon{de, en} {
		bit := bitDE
		if l.lang == LangEN {
			bit = bitEN
		}
		for w := range l.words {
			if fw[w]&bit != 0 && !own[string(l.lang)+" "+w] {
				delete(l.words, w)
			}
		}
		for w := range l.boost {
			delete(l.words, w)
		}
		for w := range l.negate {
			delete(l.words, w)
		}
	}
	return de, en, symbols, nil
}

// isSymbolEntry reports whether a VADER entry is an emoticon rather than a word.
func isSymbolEntry(s string) bool {
	for _, r := range s {
		if isLetter(r) {
			return len(s) <= 3 && strings.ContainsAny(s, ":;=<>^_-()[]/\\|*'@")
		}
	}
	return true
}

// compoundValence returns the valence of a German compound from its last
// part ("Zugausfall" from "Ausfall", "Lieferverzögerung" from
// "Verzögerung"), trying the longest part first; 0 if no part is known.
func (l *lexicon) compoundValence(w string) float64 {
	for k := 3; k+minHeadWord <= len(w); k++ {
		if !utf8.RuneStart(w[k]) {
			continue
		}
		if v, ok := l.words[w[k:]]; ok {
			return v
		}
	}
	return 0
}
