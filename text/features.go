package text

import (
	"math"
	"slices"
)

// Feature layout of the model: hashed word, word-pair and character
// n-gram features, then a few dense features from the lexicon.
const (
	denseLexScore = iota // the lexicon score
	denseLexAbs          // its magnitude
	denseLexNeg          // 1 when the lexicon says negative
	denseLexNeu          // 1 when it says neutral
	denseLexPos          // 1 when it says positive
	denseBang            // 1 when the text has "!"
	denseQuestion        // 1 when it has "?"
	numDense
)

// feature is one non-zero entry of a sparse feature vector.
type feature struct {
	index uint32
	value float32
}

// FNV-1a constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashBytes continues the FNV-1a hash h over s.
func hashBytes(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// hashByte continues the FNV-1a hash h over one byte.
func hashByte(h uint64, c byte) uint64 {
	h ^= uint64(c)
	return h * fnvPrime
}

// featurize returns the sparse features of text with bits hash bits and
// the lexicon sentiment lex, sorted by index, duplicates summed, and the
// hashed part scaled to unit length.
func featurize(dst []feature, text string, lex Sentiment, bits uint) []feature {
	mask := uint64(1)<<bits - 1
	add := func(h uint64, v float32) { dst = append(dst, feature{uint32(h & mask), v}) }
	toks := Tokenize(text)
	prev := ""
	negLeft := 0
	bang, question := false, false
	for _, t := range toks {
		switch t.Kind {
		case KindWord, KindHashtag:
			w := Fold(t.Norm)
			add(hashBytes(hashBytes(fnvOffset, "w:"), w), 1)
			if prev != "" {
				add(hashBytes(hashByte(hashBytes(hashBytes(fnvOffset, "b:"), prev), ' '), w), 1)
			}
			if negLeft > 0 {
				add(hashBytes(hashBytes(fnvOffset, "n:"), w), 1)
				negLeft--
			}
			if isNegationWord(w) {
				negLeft = 3
			}
			addCharGrams(add, w)
			prev = w
		case KindEmoji, KindEmoticon:
			add(hashBytes(hashBytes(fnvOffset, "e:"), t.Norm), 1)
			prev = ""
		case KindPunct:
			bang = bang || containsByte(t.Text, '!')
			question = question || containsByte(t.Text, '?')
			prev, negLeft = "", 0
		default:
			prev = ""
		}
	}
	slices.SortFunc(dst, func(a, b feature) int { return int(a.index) - int(b.index) })
	out := dst[:0]
	for _, f := range dst {
		if n := len(out); n > 0 && out[n-1].index == f.index {
			out[n-1].value += f.value
			continue
		}
		out = append(out, f)
	}
	norm := 0.0
	for _, f := range out {
		norm += float64(f.value) * float64(f.value)
	}
	if norm > 0 {
		s := float32(1 / math.Sqrt(norm))
		for i := range out {
			out[i].value *= s
		}
	}
	base := uint32(1) << bits
	dense := [numDense]float32{denseLexScore: float32(lex.Score), denseLexAbs: float32(math.Abs(lex.Score))}
	dense[denseLexNeu] = 1
	switch lex.Label {
	case Negative:
		dense[denseLexNeg], dense[denseLexNeu] = 1, 0
	case Positive:
		dense[denseLexPos], dense[denseLexNeu] = 1, 0
	}
	if bang {
		dense[denseBang] = 1
	}
	if question {
		dense[denseQuestion] = 1
	}
	for i, v := range dense {
		if v != 0 {
			out = append(out, feature{base + uint32(i), v})
		}
	}
	return out
}

// addCharGrams adds the character 3- to 5-grams of " w ", for words of
// four or more bytes.
func addCharGrams(add func(uint64, float32), w string) {
	if len(w) < 4 {
		return
	}
	p := " " + w + " "
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(p); i++ {
			add(hashBytes(hashByte(fnvOffset, byte('0'+n)), p[i:i+n]), 0.3)
		}
	}
}

// isNegationWord reports whether a folded word negates what follows, in
// German or English.
func isNegationWord(w string) bool {
	switch w {
	case "nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "nichts", "ohne",
		"not", "no", "never", "nothing", "without", "don't", "dont", "didn't", "didnt", "isn't", "isnt",
		"wasn't", "wasnt", "can't", "cant", "won't", "wont", "doesn't", "doesnt", "aren't", "arent":
		return true
	}
	return false
}

// containsByte reports whether s contains c.
func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
