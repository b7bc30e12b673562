package text

import (
	"strings"
	"unicode/utf8"
)

// emoticons are the text emoticons the tokenizer knows, longest first
// within each shared prefix; a trailing repeat of the last character
// (":-)))") is part of the token.
var emoticons = [...]string{
	":-)", ":)", ":-(", ":(", ":-D", ":D", ";-)", ";)", ";-D", ";D", ":-P", ":P", ":-p", ":p",
	":'-(", ":'(", ":'-)", ":')", ":-/", ":/", ":-\\", ":\\", ":-|", ":|", ":-o", ":o", ":-O", ":O",
	":-*", ":*", ":-S", ":S", ":-@", ":@", ":-]", ":]", ":-[", ":[", ":->", ":>", ":-<", ":<",
	"=)", "=(", "=D", "=/", "=]", "=[", "8-)", "B-)", "xD", "XD", "xP", "XP", "<3", "</3",
	"^^", "^_^", "^.^", "-_-", "o_O", "O_o", "o.O", ">:(", ">:-(", "D:", ":-))", ":))", ":-((", ":((",
	":o)", ":c)", ":^)", ":3", ":-*", ";-*", "\\o/", ">:)", ">:-)", "(:", "(-:", "):", ")-:", "(;", "=p", "=P", ":d", ":-d", ";D", ">.<",
}

// matchEmoticon returns the length of the emoticon at i, or 0. An
// emoticon must end at white space, the end of the text or punctuation
// that is not part of it.
func matchEmoticon(text string, i int) int {
	best := 0
	for _, e := range emoticons {
		if len(e) > best && strings.HasPrefix(text[i:], e) {
			best = len(e)
		}
	}
	if best == 0 {
		return 0
	}
	last := text[i+best-1]
	if last == ')' || last == '(' || last == 'D' || last == '/' {
		for i+best < len(text) && text[i+best] == last {
			best++
		}
	}
	if i+best < len(text) {
		r, _ := utf8.DecodeRuneInString(text[i+best:])
		if isLetter(r) || r >= '0' && r <= '9' {
			return 0
		}
	}
	return best
}

// normEmoticon returns an emoticon without the repeats of its last
// character, so ":-)))" looks up as ":-)".
func normEmoticon(e string) string {
	if len(e) < 3 {
		return e
	}
	last := e[len(e)-1]
	j := len(e) - 1
	for j > 1 && e[j-1] == last {
		j--
	}
	if j < len(e)-1 {
		n := e[:j+1]
		for _, k := range emoticons {
			if k == n {
				return n
			}
		}
		return e[:j+2]
	}
	return e
}

// isEmoji reports whether r starts an emoji.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F300 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x1F000 && r <= 0x1F2FF:
		return true
	case r == 0x2B50 || r == 0x2B55 || r == 0x2B06 || r == 0x2B07 || r == 0x2B05 || r == 0x2934 || r == 0x2935:
		return true
	case r == 0x203C || r == 0x2049 || r == 0x2122 || r == 0x2139 || r >= 0x2194 && r <= 0x21AA || r == 0x231A || r == 0x231B || r == 0x23F0 || r == 0x23F3:
		return true
	}
	return false
}

// isEmojiModifier reports whether r continues the emoji before it:
// variation selectors, skin tones, the zero-width joiner, tags and the
// combining keycap.
func isEmojiModifier(r rune) bool {
	return r == 0xFE0F || r == 0xFE0E || r >= 0x1F3FB && r <= 0x1F3FF || r == 0x200D || r >= 0xE0020 && r <= 0xE007F || r == 0x20E3
}

// scanEmoji returns the end of the emoji sequence at i and its normal form
// without variation selectors and skin tones.
func scanEmoji(text string, i int) (int, string) {
	start := i
	first, w := utf8.DecodeRuneInString(text[i:])
	i += w
	plain := true
	regional := first >= 0x1F1E6 && first <= 0x1F1FF
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if regional {
			if r >= 0x1F1E6 && r <= 0x1F1FF {
				i += w
			}
			break
		}
		if r == 0x200D {
			if n, nw := utf8.DecodeRuneInString(text[i+w:]); i+w < len(text) && (isEmoji(n) || n == 0x2640 || n == 0x2642) {
				i += w + nw
				plain = false
				continue
			}
			break
		}
		if !isEmojiModifier(r) {
			break
		}
		plain = false
		i += w
	}
	s := text[start:i]
	if plain {
		return i, s
	}
	return i, normEmoji(s)
}

// normEmoji removes variation selectors and skin tones from an emoji sequence.
func normEmoji(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == 0xFE0F || r == 0xFE0E || r >= 0x1F3FB && r <= 0x1F3FF {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
