package text

import "strings"

// phoneContext are words that announce a phone number, so that a number
// after them needs no leading 0 or +.
var phoneContext = [...]string{"tel", "telefon", "phone", "handy", "mobil", "mobile", "fon", "fax", "call", "ruf", "anrufen", "whatsapp", "nummer", "number", "erreichbar unter"}

// findPhones appends the phone numbers in text: international numbers
// starting with "+", national numbers starting with "0" or "(",
// North-American 3-3-4 numbers, and numbers announced by a word such as
// "Tel." or "phone". Dates, prices and order numbers are not phone numbers.
func findPhones(found []PII, text string) []PII {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !(c == '+' || c == '(' || isDigit(c)) || wordBefore(text, i) || i > 0 && (isDigit(text[i-1]) || text[i-1] == '+') {
			continue
		}
		if (c == '+' || c == '(') && (i+1 >= len(text) || !isDigit(text[i+1])) || afterDigitGroup(text, i) {
			continue
		}
		end, digits, seps := scanPhone(text, i)
		if end <= i || wordAfter(text, end) || overlaps(found, i, end) {
			continue
		}
		n := len(digits)
		ok := false
		switch {
		case c == '+':
			ok = n >= 8 && n <= 15
		case c == '(' || digits[0] == '0':
			ok = n >= 7 && n <= 13 && !looksLikeDate(text[i:end])
		case n == 10 && seps >= 2 && northAmerican(text[i:end]):
			ok = true
		default:
			ok = n >= 6 && n <= 15 && announced(text, i) && !looksLikeDate(text[i:end])
		}
		if !ok {
			continue
		}
		found = append(found, PII{PIIPhone, i, end})
		i = end - 1
	}
	return found
}

// scanPhone scans a phone number at i: digits with single separators
// (space, -, /, ., brackets); it returns the end, the digits and the
// number of separator runs.
func scanPhone(text string, i int) (end int, digits []byte, seps int) {
	j := i
	if text[j] == '+' {
		j++
	}
	end = i
	for j < len(text) && len(digits) <= 16 {
		c := text[j]
		if isDigit(c) {
			digits = append(digits, c)
			j++
			end = j
			if j < len(text) && text[j] == ')' {
				j++
				end = j
			}
			continue
		}
		// a run of at most three separators, followed by a digit
		k := j
		for k < len(text) && k-j < 3 && strings.IndexByte(" -/.()", text[k]) >= 0 {
			k++
		}
		if k == j || k >= len(text) || !isDigit(text[k]) || strings.Count(text[j:k], " ") > 1 && !strings.Contains(text[j:k], "/") {
			break
		}
		if strings.ContainsAny(text[j:k], ".") && strings.ContainsAny(text[j:k], " -/") {
			break
		}
		seps++
		j = k
	}
	if len(digits) == 0 {
		return i, nil, 0
	}
	if text[i] == '(' && !strings.Contains(text[i:end], ")") {
		return i, nil, 0
	}
	return end, digits, seps
}

// northAmerican reports whether s is written as 3-3-4 digits.
func northAmerican(s string) bool {
	s = strings.TrimPrefix(s, "(")
	groups := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '.' || r == ')' || r == '(' })
	return len(groups) == 3 && len(groups[0]) == 3 && len(groups[1]) == 3 && len(groups[2]) == 4
}

// looksLikeDate reports whether s is a date or time such as 01.02.2024,
// 1/2/24, 2024-03-12 or 10.30.
func looksLikeDate(s string) bool {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '/' || r == '-' || r == ':' })
	if len(parts) < 2 || len(parts) > 3 || strings.ContainsAny(s, " ()") {
		return false
	}
	for _, p := range parts {
		if len(p) > 4 {
			return false
		}
	}
	if len(parts) == 2 {
		return len(parts[0]) <= 2 && len(parts[1]) <= 2
	}
	return len(parts[0]) <= 2 && len(parts[1]) <= 2 && (len(parts[2]) == 2 || len(parts[2]) == 4) ||
		len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2
}

// announced reports whether a phone word ends shortly before i.
func announced(text string, i int) bool {
	before := strings.ToLower(text[max(0, i-24):i])
	for _, w := range phoneContext {
		k := strings.LastIndex(before, w)
		if k < 0 {
			continue
		}
		rest := before[k+len(w):]
		if strings.Trim(rest, " .:-/()#nr") == "" || strings.TrimSpace(strings.Trim(rest, " .:")) == "at" || strings.TrimSpace(strings.Trim(rest, " .:")) == "unter" {
			return true
		}
	}
	return false
}

// afterDigitGroup reports whether a group of digits and one space or
// hyphen stand before i, so a number at i continues a longer one.
func afterDigitGroup(text string, i int) bool {
	return i >= 2 && (text[i-1] == ' ' || text[i-1] == '-') && isDigit(text[i-2])
}
