package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// germanStreetSuffixes end German street names ("Musterstraße", "Birkenweg").
var germanStreetSuffixes = [...]string{"straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm",
	"ufer", "chaussee", "steig", "pfad", "promenade", "zeile", "markt", "graben", "kamp", "stieg", "wall"}

// englishStreetTypes end English street names ("Baker Street").
var englishStreetTypes = [...]string{"Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Ln", "Drive", "Dr",
	"Boulevard", "Blvd", "Way", "Court", "Ct", "Place", "Pl", "Square", "Sq", "Terrace", "Close", "Crescent",
	"Parkway", "Pkwy", "Highway", "Hwy", "Row", "Gardens", "Mews"}

// notPlaces are capitalised words after "Am", "Im" … that name a time or
// a thing, not a street ("Am Montag 3 Pakete", "Im Jahr 2023").
var notPlaces = [...]string{"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "wochenende",
	"anfang", "ende", "morgen", "abend", "mittag", "nachmittag", "vormittag", "tag", "jahr", "monat", "woche", "sommer",
	"winter", "herbst", "frühling", "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
	"oktober", "november", "dezember", "durchschnitt", "moment", "schnitt", "grunde", "prinzip", "vergleich", "kapitel",
	"abschnitt", "schritt", "zimmer", "raum", "gleis", "bus", "zug", "team", "alter", "telefon", "ganzen", "allgemeinen",
	"gegenteil", "rahmen", "laufe", "zuge", "voraus", "nachhinein", "übrigen", "folgenden", "vorfeld", "warenkorb", "paket"}

// findAddresses appends German and English street addresses: a street
// name with a house number ("Musterstraße 12", "Hauptstr. 5a", "Am Markt 3",
// "221B Baker Street"), with the postcode and town that follow it.
func findAddresses(found []PII, text string) []PII {
	toks := Tokenize(text)
	for i := 0; i < len(toks); i++ {
		start, end := -1, -1
		if s, e, ok := germanStreet(toks, i); ok {
			start, end = s, e
		} else if s, e, ok := englishStreet(toks, i); ok {
			start, end = s, e
		}
		if start < 0 || overlaps(found, toks[start].Start, toks[end-1].End) {
			continue
		}
		end = withTown(toks, end)
		found = append(found, PII{PIIAddress, toks[start].Start, toks[end-1].End})
		i = end - 1
	}
	return found
}

// capitalised reports whether a token is a word starting with an upper-case letter.
func capitalised(t Token) bool {
	if t.Kind != KindWord {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.Text)
	return unicode.IsUpper(r)
}

// houseNumber reports whether t is a house number: 1 to 4 digits with an
// optional letter, or a range such as 12-14.
func houseNumber(t Token, maxDigits int) bool {
	if t.Kind != KindNumber {
		return false
	}
	s := t.Text
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n == 0 || n > maxDigits || s[0] == '0' {
		return false
	}
	rest := s[n:]
	return rest == "" || len(rest) == 1 && rest[0]|0x20 >= 'a' && rest[0]|0x20 <= 'z'
}

// afterNumber returns the token index after the house number at k: it
// takes a range ("12-14") or a detached letter ("12 a").
func afterNumber(toks []Token, k int) int {
	if k+2 < len(toks) && toks[k+1].Text == "-" && toks[k+1].Start == toks[k].End && houseNumber(toks[k+2], 4) {
		return k + 3
	}
	if k+1 < len(toks) && toks[k+1].Kind == KindWord && len(toks[k+1].Text) == 1 && toks[k+1].Text[0] >= 'a' && toks[k+1].Text[0] <= 'z' &&
		(k+2 >= len(toks) || toks[k+2].Kind == KindPunct || toks[k+2].Newline) {
		return k + 2
	}
	return k + 1
}

// addressEnds reports whether the address may end before token k: at the
// end, a line break, punctuation, a postcode, or "in"/"bei".
func addressEnds(toks []Token, k int) bool {
	if k >= len(toks) || toks[k].Newline {
		return true
	}
	t := toks[k]
	switch {
	case t.Kind == KindPunct:
		return t.Text != "%" && t.Text != "€" && t.Text != "$" && t.Text != "&"
	case t.Kind == KindNumber:
		return len(t.Text) == 5 && isAllDigits(t.Text)
	case t.Kind == KindWord:
		return t.Text == "in" || t.Text == "bei" || t.Text == "und" || t.Text == "and" || t.Text == "oder"
	}
	return t.Kind == KindEmoji || t.Kind == KindEmoticon
}

// isAllDigits reports whether s is made of ASCII digits only.
func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// germanStreet matches a German street and house number starting at
// token i and returns its token range.
func germanStreet(toks []Token, i int) (start, end int, ok bool) {
	t := toks[i]
	if !capitalised(t) {
		return 0, 0, false
	}
	lw := strings.ToLower(t.Text)
	k := i + 1
	switch {
	case streetWord(lw, toks, i):
		if strings.HasSuffix(lw, "str") {
			if k >= len(toks) || toks[k].Text != "." {
				return 0, 0, false
			}
			k++
		}
		start = i
		for start > 0 && toks[start].Hyphen && capitalised(toks[start-1]) {
			start--
		}
		if start == i && isStandaloneType(lw) {
			if i == 0 || !capitalised(toks[i-1]) || isSentenceWord(toks[i-1]) {
				return 0, 0, false
			}
			start = i - 1
		}
		if k < len(toks) && houseNumber(toks[k], 4) {
			e := afterNumber(toks, k)
			if addressEnds(toks, e) || strongStreet(lw) && !isUnit(toks, e) {
				return start, e, true
			}
		}
	case isPlacePreposition(t.Text):
		if k < len(toks) && isArticle(toks[k].Text) && t.Text != "Am" && t.Text != "Im" && t.Text != "Zum" && t.Text != "Zur" {
			k++
		} else if t.Text == "An" || t.Text == "Auf" || t.Text == "In" || t.Text == "Unter" || t.Text == "Hinter" || t.Text == "Vor" {
			return 0, 0, false
		}
		n := 0
		for k < len(toks) && n < 2 && capitalised(toks[k]) && !isNotPlace(toks[k].Text) {
			k++
			n++
		}
		if n > 0 && k < len(toks) && houseNumber(toks[k], 3) {
			e := afterNumber(toks, k)
			if e >= len(toks) || toks[e].Newline || toks[e].Text == "," || toks[e].Text == ";" || toks[e].Text == ")" ||
				toks[e].Kind == KindNumber && len(toks[e].Text) == 5 || toks[e].Text == "." && (e+1 >= len(toks) || toks[e+1].Newline || capitalised(toks[e+1])) {
				return i, e, true
			}
		}
	}
	return 0, 0, false
}

// streetWord reports whether the lower-case word lw at token i names a street.
func streetWord(lw string, toks []Token, i int) bool {
	for _, s := range germanStreetSuffixes {
		if strings.HasSuffix(lw, s) && (len(lw) > len(s)+2 || lw == s && isStandaloneType(lw) || toks[i].Hyphen && lw == s) {
			return true
		}
	}
	return isStandaloneType(lw)
}

// isStandaloneType reports whether lw is a street type written as its own
// word after a name ("Berliner Straße").
func isStandaloneType(lw string) bool {
	switch lw {
	case "straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "chaussee", "steig", "pfad", "promenade":
		return true
	}
	return false
}

// isSentenceWord reports whether a capitalised token is a function word
// that starts sentences rather than a street name ("Der Weg 3 ...").
func isSentenceWord(t Token) bool {
	switch strings.ToLower(t.Text) {
	case "der", "die", "das", "den", "dem", "ein", "eine", "mein", "meine", "unser", "unsere", "dieser", "diese", "the", "a":
		return true
	}
	return false
}

// isPlacePreposition reports whether w starts German street names such as "Am Markt".
func isPlacePreposition(w string) bool {
	switch w {
	case "Am", "Im", "An", "Auf", "Zum", "Zur", "In", "Unter", "Hinter", "Vor", "Alt":
		return true
	}
	return false
}

// isArticle reports whether w is a German definite article.
func isArticle(w string) bool {
	return w == "der" || w == "dem" || w == "den" || w == "die" || w == "des"
}

// isNotPlace reports whether a capitalised word after a place preposition names a time or thing.
func isNotPlace(w string) bool {
	lw := strings.ToLower(w)
	for _, x := range notPlaces {
		if x == lw {
			return true
		}
	}
	return false
}

// englishStreet matches "221B Baker Street" or "3 Main St." starting at
// token i and returns its token range.
func englishStreet(toks []Token, i int) (start, end int, ok bool) {
	if !houseNumber(toks[i], 5) {
		return 0, 0, false
	}
	k := i + 1
	for n := 0; k < len(toks) && n < 4 && capitalised(toks[k]); n++ {
		for _, st := range englishStreetTypes {
			if toks[k].Text == st && n > 0 {
				e := k + 1
				if e < len(toks) && toks[e].Text == "." && toks[e].Start == toks[k].End && len(st) <= 4 {
					e++
				}
				return i, e, true
			}
		}
		k++
	}
	return 0, 0, false
}

// withTown extends an address ending before token k over a following
// ", 12345 Town" or "12345 Town".
func withTown(toks []Token, k int) int {
	j := k
	if j < len(toks) && toks[j].Text == "," {
		j++
	}
	if j+1 < len(toks) && toks[j].Kind == KindNumber && len(toks[j].Text) == 5 && isAllDigits(toks[j].Text) && capitalised(toks[j+1]) {
		j += 2
		for j < len(toks) && toks[j].Hyphen {
			j++
		}
		return j
	}
	return k
}

// strongStreet reports whether lw ends in a suffix that hardly occurs
// outside street names, so that any word may follow the house number.
func strongStreet(lw string) bool {
	for _, s := range [...]string{"straße", "strasse", "str", "allee", "gasse", "chaussee", "promenade"} {
		if strings.HasSuffix(lw, s) {
			return true
		}
	}
	return false
}

// isUnit reports whether token k is a unit or a counted noun, so the number
// before it is a quantity ("3 km", "5 Minuten") rather than a house number.
func isUnit(toks []Token, k int) bool {
	if k >= len(toks) {
		return false
	}
	switch strings.ToLower(toks[k].Text) {
	case "km", "m", "meter", "kilometer", "min", "minuten", "minute", "std", "stunden", "stunde", "tage", "tag", "wochen",
		"monate", "jahre", "euro", "eur", "€", "%", "stück", "pakete", "mal", "x", "kg", "g", "cm", "mm", "sterne", "prozent":
		return true
	}
	return false
}
