package demo

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Free-text answers are put together from a phrase bank: an opening that
// sets the tone, one or two sentences about what happened (the aspects),
// and now and then a closing. Every phrase exists per language and per
// band of the score, so that the text reads like the score; facts such as
// the days a parcel was late or the carrier fill placeholders.

// band is the tone of an answer.
type band int

// The bands: a low, a middling and a high score.
const (
	negative band = iota
	mixed
	positive
)

// Languages of the phrase banks.
const (
	langDE = iota
	langEN
)

// bank holds alternative phrases per language and band.
type bank [2][3][]string

// story is what one free-text answer may tell.
type story struct {
	lang int
	band band
	// product is what the customer bought, as a subject: "Die Wolldecke".
	product noun
	// Delivery: how late and why.
	late      bool
	delayDays int
	// waiting is an overdue parcel that has not arrived when answering.
	waiting  bool
	early    bool
	handling int
	carrier  string
	// Purchase: where and what came before.
	store, city             string
	prevLate, prevComplaint bool
	mattered                []string
	// Hotline and returns.
	reason     string
	repeat     int
	solved     string
	holdMins   int
	refundDays int
	method     int
	// Checkout.
	payment string
	issue   int
}

// noun is a product in German and English, as the subject of a sentence.
type noun [2]string

// products are what the texts mention, German with its article.
var products = []noun{
	{"Die Wolldecke", "The wool blanket"}, {"Der Beistelltisch", "The side table"}, {"Das Geschirrset", "The tableware set"},
	{"Die Bettwäsche", "The bed linen"}, {"Die Stehleuchte", "The floor lamp"}, {"Die Tischleuchte", "The table lamp"},
	{"Die Vase", "The vase"}, {"Das Wandregal", "The wall shelf"}, {"Die Badematte", "The bath mat"},
	{"Das Daunenkissen", "The down pillow"}, {"Der Balkonstuhl", "The balcony chair"}, {"Der Kaffeebereiter", "The coffee maker"},
	{"Das Handtuchset", "The towel set"}, {"Der Bilderrahmen", "The picture frame"},
}

// voice writes one text.
type voice struct {
	l     *listener
	st    *story
	parts []string
	used  map[*bank]bool
}

// newVoice starts a text telling st.
func (l *listener) newVoice(st *story) *voice {
	st.product = pick(l.gen, products)
	return &voice{l: l, st: st, used: map[*bank]bool{}}
}

// say adds a phrase of b in the story's language and band, once per bank.
func (v *voice) say(b *bank) {
	if v.used[b] {
		return
	}
	list := b[v.st.lang][v.st.band]
	if len(list) == 0 {
		return
	}
	v.used[b] = true
	v.parts = append(v.parts, v.fill(pick(v.l.gen, list)))
}

// sayIn adds a phrase of b in band bd, whatever the story's band.
func (v *voice) sayIn(b *bank, bd band) {
	saved := v.st.band
	v.st.band = bd
	v.say(b)
	v.st.band = saved
}

// maybe adds a phrase of b with probability p.
func (v *voice) maybe(p float64, b *bank) {
	if v.l.chance(p) {
		v.say(b)
	}
}

// fill replaces the placeholders of s with the story's facts.
func (v *voice) fill(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	st, en := v.st, v.st.lang == langEN
	r := strings.NewReplacer(
		"{P}", st.product[st.lang],
		"{p}", lowerFirst(st.product[st.lang]),
		"{days}", dayWords(st.delayDays, en),
		"{carrier}", st.carrier,
		"{city}", st.city,
		"{nth}", nthWord(st.repeat+1, en),
		"{mins}", strconv.Itoa(st.holdMins),
		"{refund}", strconv.Itoa(st.refundDays),
		"{pay}", paymentName(st.payment, en),
	)
	return r.Replace(s)
}

// text returns the finished text: the parts joined, now and then written
// hastily in lower case or with an emoji.
func (v *voice) text() string {
	s := strings.Join(v.parts, " ")
	switch x := v.l.r.Float64(); {
	case x < 0.05:
		s = strings.TrimSuffix(strings.ToLower(s), ".")
	case x < 0.08 && v.st.band == positive:
		s += " " + pick(v.l.gen, []string{"👍", "😊", "❤️", "🙂"})
	case x < 0.10 && v.st.band == negative:
		s += " " + pick(v.l.gen, []string{"😡", "👎", "😞"})
	}
	return s
}

// lowerFirst returns s with its first letter in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// dayWords returns a number of days as words: "drei Tage", "three days".
func dayWords(n int, en bool) string {
	de := []string{"einen Tag", "zwei Tage", "drei Tage", "vier Tage", "fünf Tage", "sechs Tage"}
	eng := []string{"a day", "two days", "three days", "four days", "five days", "six days"}
	switch {
	case n >= 7 && en:
		return "over a week"
	case n >= 7:
		return "über eine Woche"
	case n < 1:
		n = 1
	}
	if en {
		return eng[n-1]
	}
	return de[n-1]
}

// nthWord returns an ordinal: "zweiten", "second".
func nthWord(n int, en bool) string {
	de := []string{"ersten", "zweiten", "dritten", "vierten"}
	eng := []string{"first", "second", "third", "fourth"}
	n = max(1, min(n, 4))
	if en {
		return eng[n-1]
	}
	return de[n-1]
}

// paymentName returns how customers call a payment method.
func paymentName(p string, en bool) string {
	switch p {
	case "paypal":
		return "PayPal"
	case "klarna":
		return "Klarna"
	case "apple_pay":
		return "Apple Pay"
	case "invoice":
		if en {
			return "invoice"
		}
		return "Rechnung"
	}
	if en {
		return "credit card"
	}
	return "Kreditkarte"
}

// Openings and closings for every survey.
var (
	openings = bank{
		langDE: {
			negative: {"Leider sehr enttäuschend.", "Ich bin wirklich enttäuscht.", "Das war leider nichts.", "Sehr ärgerlich.",
				"Schade, so nicht.", "Ehrlich gesagt bin ich unzufrieden.", "Schlechte Erfahrung."},
			mixed: {"Insgesamt ganz okay, aber nicht mehr.", "Geht so.", "Im Großen und Ganzen in Ordnung, aber es gibt Luft nach oben.",
				"Durchwachsen.", "Mittelmäßig."},
			positive: {"Super, vielen Dank!", "Alles bestens.", "Sehr zufrieden!", "Wirklich toll.", "Rundum zufrieden.", "Top!",
				"Ich bin begeistert."},
		},
		langEN: {
			negative: {"Really disappointed.", "Not good, unfortunately.", "Very frustrating.", "Poor experience.",
				"Sadly, a bad experience.", "Honestly, I'm unhappy."},
			mixed: {"It was okay, nothing more.", "Mixed feelings.", "Average.", "Fine overall, but there is room for improvement."},
			positive: {"Great, thank you!", "Very happy!", "Excellent as always.", "Lovely experience.", "All good!",
				"Really impressed."},
		},
	}
	closings = bank{
		langDE: {
			negative: {"So werde ich nicht wieder bestellen.", "Bitte bessern Sie da nach.", "Eine Empfehlung kann ich so nicht geben.",
				"Wirklich schade."},
			mixed:    {"Da ist noch Luft nach oben.", "Nächstes Mal hoffentlich besser."},
			positive: {"Gerne wieder!", "Ich empfehle Nordlicht Living gerne weiter.", "Weiter so!", "Vielen Dank!"},
		},
		langEN: {
			negative: {"I won't order again like this.", "Please sort this out.", "I can't recommend you like this.", "A real shame."},
			mixed:    {"There is room for improvement.", "Hopefully better next time."},
			positive: {"Will definitely order again!", "Happy to recommend you.", "Keep it up!", "Thank you!"},
		},
	}
)
