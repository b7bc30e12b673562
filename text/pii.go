package text

import (
	"slices"
	"strings"
)

// PIIKind names a kind of personal data.
type PIIKind string

// The kinds of personal data Redact finds.
const (
	PIIEmail   PIIKind = "email"
	PIIPhone   PIIKind = "phone"
	PIIIBAN    PIIKind = "iban"
	PIICard    PIIKind = "card"
	PIIAddress PIIKind = "address"
)

// Mask returns the placeholder that replaces data of kind k, such as "[EMAIL]".
func (k PIIKind) Mask() string { return "[" + strings.ToUpper(string(k)) + "]" }

// PII is one piece of personal data found in a text, by byte offsets.
type PII struct {
	Kind  PIIKind `json:"kind"`
	Start int     `json:"start"`
	End   int     `json:"end"`
}

// FindPII returns the email addresses, phone numbers, IBANs (checksum
// valid), payment card numbers (Luhn valid) and street addresses in text,
// in order and without overlaps.
func FindPII(text string) []PII {
	var found []PII
	found = findEmails(found, text)
	found = findIBANs(found, text)
	found = findCards(found, text)
	found = findPhones(found, text)
	found = findAddresses(found, text)
	slices.SortFunc(found, func(a, b PII) int { return a.Start - b.Start })
	out := found[:0]
	for _, p := range found {
		if n := len(out); n > 0 && p.Start < out[n-1].End {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Redact returns text with every finding of FindPII replaced by its mask,
// and the findings, whose offsets refer to text.
func Redact(text string) (string, []PII) {
	found := FindPII(text)
	if len(found) == 0 {
		return text, nil
	}
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for _, p := range found {
		b.WriteString(text[at:p.Start])
		b.WriteString(p.Kind.Mask())
		at = p.End
	}
	b.WriteString(text[at:])
	return b.String(), found
}

// overlaps reports whether [start, end) overlaps a finding.
func overlaps(found []PII, start, end int) bool {
	for _, p := range found {
		if start < p.End && p.Start < end {
			return true
		}
	}
	return false
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' }

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// wordBefore reports whether the byte before i continues a word or a code
// such as "A-100234", so a number at i is part of something else.
func wordBefore(text string, i int) bool {
	if i == 0 {
		return false
	}
	c := text[i-1]
	if isAlnum(c) || c >= 0x80 || c == '_' || c == '@' {
		return true
	}
	return (c == '-' || c == '/' || c == '#' || c == '.' || c == ',') && i >= 2 && (isAlnum(text[i-2]) || text[i-2] >= 0x80)
}

// wordAfter reports whether the byte at i continues a word or number.
func wordAfter(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	c := text[i]
	return isAlnum(c) || c >= 0x80 || c == '_' || c == '@' ||
		(c == '.' || c == ',' || c == '-' || c == '/') && i+1 < len(text) && isDigit(text[i+1])
}

// findEmails appends the email addresses in text.
func findEmails(found []PII, text string) []PII {
	last := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '@' {
			continue
		}
		start := i
		for start > last && i-start < 64 && isLocalByte(text[start-1]) {
			start--
		}
		for start < i && text[start] == '.' {
			start++
		}
		if start == i {
			continue
		}
		end := scanEmail(text, start, i)
		if end == i {
			continue
		}
		found = append(found, PII{PIIEmail, start, end})
		i, last = end-1, end
	}
	return found
}

// isLocalByte reports whether c may appear in the local part of an address.
func isLocalByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("._%+-'", c) >= 0
}

// ibanLengths are the IBAN lengths of the countries cxm recognises.
var ibanLengths = map[string]int{
	"DE": 22, "AT": 20, "CH": 21, "LI": 21, "LU": 20, "NL": 18, "BE": 16, "FR": 27, "MC": 27, "IT": 27, "SM": 27,
	"ES": 24, "PT": 25, "GB": 22, "IE": 22, "PL": 28, "CZ": 24, "SK": 24, "HU": 28, "DK": 18, "SE": 24, "NO": 15,
	"FI": 18, "EE": 20, "LV": 21, "LT": 20, "SI": 19, "HR": 21, "GR": 27, "CY": 28, "MT": 31, "RO": 24, "BG": 22,
	"IS": 26, "TR": 26,
}

// findIBANs appends the IBANs with a valid checksum, written with or
// without spaces between groups.
func findIBANs(found []PII, text string) []PII {
	for i := 0; i+15 <= len(text); i++ {
		c0, c1 := text[i]&^0x20, text[i+1]&^0x20
		if c0 < 'A' || c0 > 'Z' || c1 < 'A' || c1 > 'Z' || !isDigit(text[i+2]) || !isDigit(text[i+3]) || wordBefore(text, i) {
			continue
		}
		n, ok := ibanLengths[string([]byte{c0, c1})]
		if !ok {
			continue
		}
		var chars []byte
		j := i
		for j < len(text) && len(chars) < n {
			c := text[j]
			if isAlnum(c) {
				if c >= 'a' && c <= 'z' {
					c -= 'a' - 'A'
				}
				chars = append(chars, c)
				j++
				continue
			}
			if c == ' ' && j+1 < len(text) && isAlnum(text[j+1]) && len(chars) > 0 {
				j++
				continue
			}
			break
		}
		if len(chars) != n || wordAfter(text, j) || !ibanValid(chars) || overlaps(found, i, j) {
			continue
		}
		found = append(found, PII{PIIIBAN, i, j})
		i = j - 1
	}
	return found
}

// ibanValid checks the ISO 13616 mod-97 checksum of upper-case IBAN characters.
func ibanValid(s []byte) bool {
	r := 0
	add := func(c byte) bool {
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range s[4:] {
		if !add(c) {
			return false
		}
	}
	for _, c := range s[:4] {
		if !add(c) {
			return false
		}
	}
	return r == 1
}

// digitRun scans digits from i allowing single separators from seps
// between them; it returns the end and the digits.
func digitRun(text string, i int, seps string, maxDigits int) (int, []byte) {
	var d []byte
	j := i
	for j < len(text) && len(d) <= maxDigits {
		c := text[j]
		if isDigit(c) {
			d = append(d, c)
			j++
			continue
		}
		if strings.IndexByte(seps, c) >= 0 && j+1 < len(text) && isDigit(text[j+1]) && j > i {
			j++
			continue
		}
		break
	}
	return j, d
}

// findCards appends the payment card numbers: 13 to 19 digits, optionally
// grouped by spaces or hyphens, that pass the Luhn check.
func findCards(found []PII, text string) []PII {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || text[i] < '2' || text[i] > '6' || wordBefore(text, i) || i > 0 && isDigit(text[i-1]) {
			continue
		}
		if ibanPrefixBefore(text, i) {
			continue
		}
		end, d := digitRun(text, i, " -", 19)
		if len(d) < 13 || len(d) > 19 || wordAfter(text, end) || !luhn(d) || overlaps(found, i, end) {
			continue
		}
		found = append(found, PII{PIICard, i, end})
		i = end - 1
	}
	return found
}

// luhn reports whether the digits pass the Luhn check.
func luhn(d []byte) bool {
	sum := 0
	for k := range d {
		n := int(d[len(d)-1-k] - '0')
		if k%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// ibanPrefixBefore reports whether an IBAN country and check digits
// ("DE89 ") stand right before i, so the digits at i belong to an IBAN.
func ibanPrefixBefore(text string, i int) bool {
	if i < 5 || text[i-1] != ' ' {
		return false
	}
	p := text[i-5 : i-1]
	return p[0]&^0x20 >= 'A' && p[0]&^0x20 <= 'Z' && p[1]&^0x20 >= 'A' && p[1]&^0x20 <= 'Z' && isDigit(p[2]) && isDigit(p[3])
}
