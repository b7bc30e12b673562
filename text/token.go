package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind says what a token is.
type TokenKind uint8

// The kinds of token.
const (
	KindWord     TokenKind = iota + 1 // letters, with inner apostrophes
	KindNumber                        // digits, with inner separators and a letter suffix ("221B")
	KindPunct                         // punctuation or a symbol; a run of one character ("!!!") is one token
	KindEmoji                         // an emoji with its modifiers
	KindEmoticon                      // a text emoticon such as ":-)"
	KindURL                           // a web address
	KindMention                       // an @mention
	KindHashtag                       // a #hashtag
	KindEmail                         // an email address
)

// String returns the kind's name.
func (k TokenKind) String() string {
	switch k {
	case KindWord:
		return "word"
	case KindNumber:
		return "number"
	case KindPunct:
		return "punct"
	case KindEmoji:
		return "emoji"
	case KindEmoticon:
		return "emoticon"
	case KindURL:
		return "url"
	case KindMention:
		return "mention"
	case KindHashtag:
		return "hashtag"
	case KindEmail:
		return "email"
	}
	return "unknown"
}

// Token is one token of a text. Start and End are byte offsets into the
// text, so Text is always text[Start:End].
type Token struct {
	Kind       TokenKind
	Start, End int
	Text       string
	// Norm is the lower-cased text of words, hashtags without the "#", and
	// emoji without variation selectors and skin tones; otherwise Text.
	Norm string
	// Hyphen reports that a hyphen joins this word to the previous one, as
	// in "Online-Shop".
	Hyphen bool
	// Space reports that the text between the previous token and this one
	// has white space in it; Newline that it has a line break.
	Space, Newline bool
}

// Tokenize splits text into tokens. It never fails: bytes that are not
// valid UTF-8 are skipped.
func Tokenize(text string) []Token {
	return AppendTokens(make([]Token, 0, len(text)/5+1), text)
}

// AppendTokens appends the tokens of text to dst and returns the result.
func AppendTokens(dst []Token, text string) []Token {
	i := 0
	space, newline := false, false
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && w <= 1 {
			i++
			space = true
			continue
		}
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
				newline = true
			}
			i += w
			continue
		}
		tok := scanToken(text, i, r, w)
		tok.Text = text[tok.Start:tok.End]
		if tok.Norm == "" {
			tok.Norm = tok.Text
		}
		tok.Space, tok.Newline = space || i == 0, newline
		if tok.Kind == KindWord && i > 0 && text[i-1] == '-' && len(dst) > 0 {
			// "Online-Shop": the hyphen token before this word follows a word.
			if n := len(dst); n >= 2 && dst[n-1].Text == "-" && dst[n-1].End == i && dst[n-2].Kind == KindWord && dst[n-2].End == i-1 {
				dst = dst[:n-1]
				tok.Hyphen = true
			}
		}
		dst = append(dst, tok)
		space, newline = false, false
		i = tok.End
	}
	return dst
}

// scanToken scans the token that starts at i with rune r of width w.
func scanToken(text string, i int, r rune, w int) Token {
	prevSpace := i == 0 || isBoundary(text, i)
	switch {
	case (r == 'h' || r == 'H' || r == 'w' || r == 'W') && hasURLPrefix(text[i:]):
		return Token{Kind: KindURL, Start: i, End: scanURL(text, i)}
	case r == '@' && prevSpace && i+1 < len(text) && isNameByte(text[i+1]):
		end := i + 1
		for end < len(text) && isNameByte(text[end]) {
			end++
		}
		return Token{Kind: KindMention, Start: i, End: end}
	case r == '#' && prevSpace && i+1 < len(text):
		if end := scanLetters(text, i+1); end > i+1 {
			return Token{Kind: KindHashtag, Start: i, End: end, Norm: lower(text[i+1 : end])}
		}
	case isLetter(r) || r >= '0' && r <= '9':
		if at := scanLocalPart(text, i); at > i {
			if e := scanEmail(text, i, at); e > at {
				return Token{Kind: KindEmail, Start: i, End: e}
			}
		}
	}
	switch {
	case isLetter(r):
		end := scanWord(text, i)
		if end-i <= 3 && prevSpace {
			if n := matchEmoticon(text, i); n > 0 && n >= end-i {
				return Token{Kind: KindEmoticon, Start: i, End: i + n, Norm: normEmoticon(text[i : i+n])}
			}
		}
		return Token{Kind: KindWord, Start: i, End: end, Norm: lower(text[i:end])}
	case r >= '0' && r <= '9':
		if prevSpace {
			if n := matchEmoticon(text, i); n > 0 {
				return Token{Kind: KindEmoticon, Start: i, End: i + n, Norm: normEmoticon(text[i : i+n])}
			}
		}
		return Token{Kind: KindNumber, Start: i, End: scanNumber(text, i)}
	case isEmoji(r):
		end, norm := scanEmoji(text, i)
		return Token{Kind: KindEmoji, Start: i, End: end, Norm: norm}
	}
	if prevSpace && r < utf8.RuneSelf {
		if n := matchEmoticon(text, i); n > 0 {
			return Token{Kind: KindEmoticon, Start: i, End: i + n, Norm: normEmoticon(text[i : i+n])}
		}
	}
	end := i + w
	for end < len(text) && strings.HasPrefix(text[end:], string(r)) && r != '(' && r != ')' {
		end += w
	}
	return Token{Kind: KindPunct, Start: i, End: end}
}

// isBoundary reports whether the byte before i ends a token run: white
// space or an opening bracket or quote.
func isBoundary(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsSpace(r) || r == '(' || r == '"' || r == '\'' || r == '[' || r == '„' || r == '“'
}

// isLetter reports whether r starts or continues a word.
func isLetter(r rune) bool {
	return r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z') || r >= utf8.RuneSelf && unicode.IsLetter(r)
}

// isNameByte reports whether b may appear in an @mention.
func isNameByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'z'
}

// scanLetters returns the end of the run of letters and digits at i.
func scanLetters(text string, i int) int {
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if !isLetter(r) && !(r >= '0' && r <= '9') && r != '_' {
			break
		}
		i += w
	}
	return i
}

// scanWord returns the end of the word at i: letters, digits, combining
// marks, and apostrophes between letters ("don't").
func scanWord(text string, i int) int {
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		switch {
		case isLetter(r) || r >= '0' && r <= '9' || r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r):
			i += w
			continue
		case r == '\'' || r == '’':
			if n, _ := utf8.DecodeRuneInString(text[i+w:]); i+w < len(text) && isLetter(n) {
				i += w
				continue
			}
		}
		break
	}
	return i
}

// scanNumber returns the end of the number at i: digits with inner . , :
// and / between digits, and a short letter suffix ("5a", "221B", "2nd").
func scanNumber(text string, i int) int {
	for i < len(text) {
		c := text[i]
		if c >= '0' && c <= '9' {
			i++
			continue
		}
		if (c == '.' || c == ',' || c == ':' || c == '/') && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	j := i
	for j < len(text) && j-i < 3 && (text[j]|0x20 >= 'a' && text[j]|0x20 <= 'z') {
		j++
	}
	if j > i && (j == len(text) || !isLetterAt(text, j)) {
		return j
	}
	return i
}

// isLetterAt reports whether a letter starts at byte j.
func isLetterAt(text string, j int) bool {
	r, _ := utf8.DecodeRuneInString(text[j:])
	return isLetter(r)
}

// hasURLPrefix reports whether s starts with http://, https:// or www.
func hasURLPrefix(s string) bool {
	return hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://") || hasPrefixFold(s, "www.") && len(s) > 5
}

// hasPrefixFold reports whether s starts with the ASCII prefix p, ignoring case.
func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// scanURL returns the end of the URL at i: up to white space, without
// trailing punctuation.
func scanURL(text string, i int) int {
	end := i
	for end < len(text) {
		r, w := utf8.DecodeRuneInString(text[end:])
		if unicode.IsSpace(r) || r == utf8.RuneError || r == '<' || r == '>' || r == '"' {
			break
		}
		end += w
	}
	for end > i+1 && strings.IndexByte(".,;:!?)'\"]", text[end-1]) >= 0 {
		end--
	}
	return end
}

// scanEmail returns the end of the email address whose local part is
// text[i:at] and whose '@' is at at, or at if there is none.
func scanEmail(text string, i, at int) int {
	end, dot := at+1, -1
	for end < len(text) {
		c := text[end]
		if c == '.' && end > at+1 && end+1 < len(text) && isDomainByte(text[end+1]) {
			dot = end
			end++
			continue
		}
		if !isDomainByte(c) {
			break
		}
		end++
	}
	if dot < 0 || end-dot < 3 {
		return at
	}
	return end
}

// scanLocalPart returns the position of the '@' that ends an email local
// part of at most 64 bytes starting at i, or i if there is none.
func scanLocalPart(text string, i int) int {
	j := i
	for j < len(text) && j-i <= 64 && (isDomainByte(text[j]) || text[j] == '.' || text[j] == '_' || text[j] == '+' || text[j] == '%') {
		j++
	}
	if j < len(text) && text[j] == '@' && j > i && text[j-1] != '.' {
		return j
	}
	return i
}

// isDomainByte reports whether c may appear in a host name label.
func isDomainByte(c byte) bool {
	return c == '-' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// lower returns s in lower case, without allocating when s is already lower-case ASCII.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
