package text

import "strings"

// span is a half-open range of token indexes.
type span struct{ a, b int }

// isAbbrev reports whether a lower-case word followed by a full stop is a
// common abbreviation rather than the end of a sentence.
func isAbbrev(w string) bool {
	if len(w) == 1 || strings.HasSuffix(w, "str") {
		return true
	}
	switch w {
	case "bzw", "ca", "nr", "str", "dr", "prof", "mr", "mrs", "ms", "st", "usw", "etc", "vgl", "ggf", "inkl",
		"zzgl", "evtl", "bspw", "tel", "co", "jr", "sr", "vs", "ggü", "mind", "max", "min", "ab", "abs", "hr", "fr",
		"no", "approx", "incl", "dept", "jan", "feb", "mär", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "dez", "dec":
		return true
	}
	return false
}

// splitSentences appends to dst the token ranges of the sentences of toks.
func splitSentences(dst []span, toks []Token) []span {
	start := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i > start && t.Newline {
			dst = append(dst, span{start, i})
			start = i
		}
		if t.Kind != KindPunct || !strings.ContainsAny(t.Text, ".!?…") {
			continue
		}
		if t.Text == "." && i > 0 && toks[i-1].End == t.Start && toks[i-1].Kind == KindWord && isAbbrev(toks[i-1].Norm) {
			continue
		}
		if t.Text == "." && i+1 < len(toks) && !toks[i+1].Newline && (toks[i+1].Kind == KindNumber || startsLower(toks[i+1].Text)) {
			continue
		}
		if (t.Text == "..." || t.Text == "…") && i+1 < len(toks) && !startsUpper(toks[i+1].Text) {
			continue
		}
		end := i + 1
		for end < len(toks) && !toks[end].Newline && (toks[end].Kind == KindEmoji || toks[end].Kind == KindEmoticon ||
			toks[end].Kind == KindPunct && strings.ContainsAny(toks[end].Text, ".!?…)\"'“”»«")) {
			end++
		}
		dst = append(dst, span{start, end})
		start = end
		i = end - 1
	}
	if start < len(toks) {
		dst = append(dst, span{start, len(toks)})
	}
	return dst
}

// startsUpper reports whether s starts with an upper-case ASCII or German letter.
func startsUpper(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c >= 'A' && c <= 'Z' || strings.HasPrefix(s, "Ä") || strings.HasPrefix(s, "Ö") || strings.HasPrefix(s, "Ü")
}

// startsLower reports whether s starts with a lower-case ASCII or German letter.
func startsLower(s string) bool {
	return s != "" && (s[0] >= 'a' && s[0] <= 'z' || strings.HasPrefix(s, "ä") || strings.HasPrefix(s, "ö") || strings.HasPrefix(s, "ü"))
}
