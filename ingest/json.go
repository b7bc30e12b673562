package ingest

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON lexer. It reads the flat records cxm
// accepts in one pass, without reflection, and tells a syntax error (with
// its byte offset) apart from a well-formed value of the wrong kind (with
// the field's name). Nested values such as properties are validated and
// kept as raw bytes.

// maxDepth bounds the nesting of JSON values, so that a hostile body
// cannot exhaust the stack.
const maxDepth = 1000

// maxFieldName bounds how much of an unknown field's name an error repeats.
const maxFieldName = 64

// syntaxError is malformed JSON at a byte offset of the lexer's input.
type syntaxError struct {
	msg string
	off int
}

// Error returns the problem and where it is.
func (e *syntaxError) Error() string { return e.msg + " at byte " + strconv.Itoa(e.off) }

// fieldError is a well-formed record with one wrong field.
type fieldError struct {
	field, reason string
}

// Error returns the field and the reason.
func (e *fieldError) Error() string { return e.field + ": " + e.reason }

// lexer reads JSON values from data, starting at pos.
type lexer struct {
	data []byte
	pos  int
	// buf holds the last unescaped string.
	buf []byte
}

// isSpace reports whether c is JSON white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// space skips white space.
func (l *lexer) space() {
	for l.pos < len(l.data) && isSpace(l.data[l.pos]) {
		l.pos++
	}
}

// peek returns the byte at pos, or 0 at the end of the input.
func (l *lexer) peek() byte {
	if l.pos < len(l.data) {
		return l.data[l.pos]
	}
	return 0
}

// atEnd reports whether only white space is left.
func (l *lexer) atEnd() bool {
	l.space()
	return l.pos >= len(l.data)
}

// expected returns a syntax error saying what was expected at pos and what
// was found instead.
func (l *lexer) expected(what string) *syntaxError {
	return &syntaxError{msg: "expected " + what + ", found " + describeByte(l.data, l.pos), off: l.pos}
}

// describeByte names the byte at i for an error message, without repeating
// anything that is not printable ASCII.
func describeByte(data []byte, i int) string {
	if i >= len(data) {
		return "end of input"
	}
	c := data[i]
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}

// stringBytes reads the string at pos (which holds '"') and returns its
// unescaped contents. The result aliases data or l.buf and is valid only
// until the next call.
func (l *lexer) stringBytes() ([]byte, error) {
	d := l.data
	start := l.pos + 1
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			l.pos = i + 1
			return d[start:i], nil
		case c == '\\':
			return l.unescape(start, i)
		case c < 0x20:
			l.pos = i
			return nil, &syntaxError{msg: "control character in string", off: i}
		}
	}
	l.pos = len(d)
	return nil, &syntaxError{msg: "unexpected end of input in string", off: len(d)}
}

// unescape reads the rest of a string that has an escape at i, building
// its contents in l.buf. Invalid surrogates become U+FFFD, as in
// encoding/json.
func (l *lexer) unescape(start, i int) ([]byte, error) {
	d := l.data
	b := append(l.buf[:0], d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			l.pos = i + 1
			l.buf = b
			return b, nil
		case c < 0x20:
			return nil, &syntaxError{msg: "control character in string", off: i}
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			break
		}
		switch d[i+1] {
		case '"', '\\', '/':
			b = append(b, d[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(d[i+2:])
			if !ok {
				return nil, &syntaxError{msg: `invalid \u escape in string`, off: i}
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					r2, ok = hex4(d[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return nil, &syntaxError{msg: "invalid escape in string", off: i}
		}
		i += 2
	}
	l.pos = len(d)
	l.buf = b
	return nil, &syntaxError{msg: "unexpected end of input in string", off: len(d)}
}

// hex4 decodes the four hex digits that start b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads the number at pos and returns its text.
func (l *lexer) number() ([]byte, error) {
	d, i := l.data, l.pos
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		l.pos = i
		return nil, l.expected("a digit")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			l.pos = i
			return nil, l.expected("a digit after the decimal point")
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			l.pos = i
			return nil, l.expected("a digit in the exponent")
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	l.pos = i
	return d[start:i], nil
}

// literal reads the word true, false or null at pos.
func (l *lexer) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if p := l.pos + i; p >= len(l.data) || l.data[p] != word[i] {
			return &syntaxError{msg: "expected the literal " + word + ", found " + describeByte(l.data, p), off: p}
		}
	}
	l.pos += len(word)
	return nil
}

// skip reads and checks the value at pos, nested depth levels deep.
func (l *lexer) skip(depth int) error {
	switch c := l.peek(); c {
	case '{', '[':
		if depth >= maxDepth {
			return &syntaxError{msg: "value nested more than " + strconv.Itoa(maxDepth) + " levels deep", off: l.pos}
		}
		if c == '{' {
			return l.object(func([]byte) error { return l.skip(depth + 1) })
		}
		return l.array(func() error { return l.skip(depth + 1) })
	case '"':
		_, err := l.stringBytes()
		return err
	case 't':
		return l.literal("true")
	case 'f':
		return l.literal("false")
	case 'n':
		return l.literal("null")
	default:
		if c == '-' || isDigit(c) {
			_, err := l.number()
			return err
		}
		return l.expected("a JSON value")
	}
}

// object reads the object at pos (which holds '{'), calling member with
// each field's name and pos at the field's value, which member must read.
// The name is valid only until member reads a string.
func (l *lexer) object(member func(name []byte) error) error {
	l.pos++
	l.space()
	if l.peek() == '}' {
		l.pos++
		return nil
	}
	for {
		if l.peek() != '"' {
			return l.expected("a field name")
		}
		name, err := l.stringBytes()
		if err != nil {
			return err
		}
		l.space()
		if l.peek() != ':' {
			return l.expected("':' after a field name")
		}
		l.pos++
		l.space()
		if err := member(name); err != nil {
			return err
		}
		l.space()
		switch l.peek() {
		case ',':
			l.pos++
			l.space()
		case '}':
			l.pos++
			return nil
		default:
			return l.expected("',' or '}' after a field")
		}
	}
}

// array reads the array at pos (which holds '['), calling elem with pos at
// each element, which elem must read.
func (l *lexer) array(elem func() error) error {
	l.pos++
	l.space()
	if l.peek() == ']' {
		l.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		l.space()
		switch l.peek() {
		case ',':
			l.pos++
			l.space()
		case ']':
			l.pos++
			return nil
		default:
			return l.expected("',' or ']' after an element")
		}
	}
}

// fieldName returns name for an error message, cut to maxFieldName bytes
// at a rune boundary; an empty name is shown as "".
func fieldName(name []byte) string {
	if len(name) == 0 {
		return `""`
	}
	if len(name) <= maxFieldName {
		return string(name)
	}
	n := maxFieldName
	for n > 0 && !utf8.RuneStart(name[n]) {
		n--
	}
	return string(name[:n]) + "…"
}

// text reads a string or null (as "") for field.
func (l *lexer) text(field string) (string, error) {
	b, err := l.textBytes(field)
	if err != nil || b == nil {
		return "", err
	}
	return string(b), nil
}

// textBytes reads a string or null (nil) for field; the result is valid
// only until the next string is read. A string holding U+0000 is refused:
// no database column keeps it.
func (l *lexer) textBytes(field string) ([]byte, error) {
	switch l.peek() {
	case '"':
		b, err := l.stringBytes()
		if err != nil {
			return nil, err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil, &fieldError{field: field, reason: "must not contain the character U+0000"}
		}
		if b == nil {
			b = []byte{}
		}
		return b, nil
	case 'n':
		return nil, l.literal("null")
	}
	return nil, l.wrongKind(field, "must be a string")
}

// wrongKind skips the value at pos and, if it is well-formed, returns a
// field error with reason.
func (l *lexer) wrongKind(field, reason string) error {
	if err := l.skip(0); err != nil {
		return err
	}
	return &fieldError{field: field, reason: reason}
}

// number64 reads a number or null for field; ok is false for null.
func (l *lexer) number64(field string) (f float64, ok bool, err error) {
	switch c := l.peek(); {
	case c == 'n':
		return 0, false, l.literal("null")
	case c == '-' || isDigit(c):
		b, err := l.number()
		if err != nil {
			return 0, false, err
		}
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return 0, false, &fieldError{field: field, reason: "must be a finite number"}
		}
		return f, true, nil
	}
	return 0, false, l.wrongKind(field, "must be a number")
}

// boolean reads true, false or null (as false) for field.
func (l *lexer) boolean(field string) (bool, error) {
	switch l.peek() {
	case 't':
		return true, l.literal("true")
	case 'f':
		return false, l.literal("false")
	case 'n':
		return false, l.literal("null")
	}
	return false, l.wrongKind(field, "must be true or false")
}

// scalar reads a string, number, boolean or null for field, as a string,
// float64, bool or nil.
func (l *lexer) scalar(field string) (any, error) {
	switch c := l.peek(); {
	case c == '"':
		return l.text(field)
	case c == 't' || c == 'f':
		return l.boolean(field)
	case c == 'n':
		return nil, l.literal("null")
	case c == '-' || isDigit(c):
		f, _, err := l.number64(field)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, l.wrongKind(field, "must be a string, number, boolean or null")
}

// appendJSONString appends s to b as a JSON string. s must be valid UTF-8.
// Unlike encoding/json it leaves <, > and & alone.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			if c < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
