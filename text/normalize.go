package text

import (
	"strings"
	"unicode/utf8"

	sbenv "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/german"
	"github.com/kljensen/snowball/english"
)

// Lang is a language code: LangDE, LangEN or LangOther.
type Lang string

// The languages the package tells apart.
const (
	LangDE    Lang = "de"
	LangEN    Lang = "en"
	LangOther Lang = "other"
)

// ParseLang returns the Lang for "de", "en" or "other", and false for anything else.
func ParseLang(s string) (Lang, bool) {
	switch Lang(s) {
	case LangDE, LangEN, LangOther:
		return Lang(s), true
	}
	return "", false
}

// Fold returns the matching form of a lower-case word: German umlauts and
// ß are replaced by their base letters ("ä" and "ae" both become "a", "ß"
// becomes "ss") and the typographic apostrophe by the plain one, so
// "Verspätung", "Verspaetung" and "verspatung" fold alike.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if (c == 'e' && i > 0 && (s[i-1] == 'a' || s[i-1] == 'o' || s[i-1] == 'u' && (i < 2 || s[i-2] != 'q'))) || c >= 'A' && c <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	var prev rune
	for _, r := range s {
		switch r {
		case 'ä', 'Ä':
			r = 'a'
		case 'ö', 'Ö':
			r = 'o'
		case 'ü', 'Ü':
			r = 'u'
		case 'ß':
			b.WriteString("ss")
			prev = 's'
			continue
		case '’':
			r = '\''
		case 'e':
			if prev == 'a' || prev == 'o' || prev == 'u' && !strings.HasSuffix(b.String(), "qu") {
				prev = 0
				continue
			}
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// Stem returns the Snowball stem of a lower-case word in lang, folded for
// German so that spelling variants of umlauts stem alike. Words of other
// languages are returned unchanged.
func Stem(lang Lang, word string) string {
	switch lang {
	case LangDE:
		env := sbenv.NewEnv(word)
		german.Stem(env)
		return Fold(env.Current())
	case LangEN:
		return english.Stem(strings.ReplaceAll(word, "’", "'"), true)
	}
	return word
}

// stemCache holds the stems of the words the analyzer knows in advance;
// it is read-only after construction and so safe for concurrent use.
type stemCache map[string]string

// stem returns the stem of word in lang, from the cache when it is there.
func (c stemCache) stem(lang Lang, word string) string {
	if s, ok := c[string(lang[0])+word]; ok {
		return s
	}
	return Stem(lang, word)
}

// add computes and keeps the stem of word in lang.
func (c stemCache) add(lang Lang, word string) string {
	k := string(lang[0]) + word
	if s, ok := c[k]; ok {
		return s
	}
	s := Stem(lang, word)
	c[k] = s
	return s
}
