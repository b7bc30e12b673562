package demo

import (
	"time"

	"github.com/cxmhq/cxm"
)

// The demo's surveys, by their position in Dataset.Surveys.
const (
	svPurchase = iota // NPS after a purchase
	svDelivery        // CSAT after a delivery
	svHotline         // CSAT after a hotline call
	svReturns         // CES after a return
	svCheckout        // star rating of the web checkout, in the widget
	svReviews         // product reviews from the shop, imported
	surveyCount
)

// ContactFrequencyDays is the demo workspace's contact-frequency rule: a
// customer is asked at most once in this many days across all surveys.
// Each survey's own recontact period applies on top. Generate follows the
// rule when it decides who was invited.
const ContactFrequencyDays = 2

// Question keys of the demo's surveys.
const (
	qNPS      = "nps"
	qWhy      = "why"
	qMattered = "mattered"
	qCSAT     = "csat"
	qSolved   = "solved"
	qComment  = "comment"
	qCES      = "ces"
	qRating   = "rating"
	qTitle    = "title"
	qReview   = "review"
)

// Choices of the purchase survey's "what mattered most" question and of
// the hotline survey's "was your issue solved" question.
const (
	mQuality   = "quality"
	mPrice     = "price"
	mRange     = "range"
	mDelivery  = "delivery"
	mAdvice    = "advice"
	mEasy      = "easy_shopping"
	solvedYes  = "yes"
	solvedPart = "partly"
	solvedNo   = "no"
)

// lt returns a text in German and English.
func lt(de, en string) cxm.LocalizedText { return cxm.LocalizedText{"de": de, "en": en} }

// surveys returns the demo company's surveys, open from start: NPS after
// a purchase, CSAT after deliveries and hotline calls, CES after returns,
// a star rating of the checkout in the website widget, and the shop's
// product reviews, imported as feedback. Their slugs begin with prefix,
// because slugs are unique across a server.
func surveys(prefix string, start time.Time) []cxm.Survey {
	opens := start
	base := func(slug, name string) cxm.Survey {
		return cxm.Survey{Slug: prefix + slug, Name: name, Status: cxm.SurveyActive, DefaultLocale: "de",
			OpensAt: &opens, HiddenFields: []string{"order_id"}}
	}
	out := make([]cxm.Survey, surveyCount)

	s := base("kauf", "NPS nach dem Einkauf")
	s.Title = lt("Ihr Einkauf bei Nordlicht Living", "Your purchase at Nordlicht Living")
	s.Intro = lt("Vielen Dank für Ihren Einkauf! Die Umfrage dauert weniger als eine Minute.",
		"Thank you for shopping with us! This survey takes less than a minute.")
	s.ThankYou = lt("Herzlichen Dank für Ihre Meinung – sie hilft uns, jeden Tag ein bisschen besser zu werden.",
		"Thank you for your feedback – it helps us get a little better every day.")
	s.Questions = []cxm.Question{
		{Key: qNPS, Kind: cxm.KindNPS, Required: true,
			Text: lt("Wie wahrscheinlich ist es, dass Sie Nordlicht Living einer Freundin, einem Freund oder einem Kollegen weiterempfehlen?",
				"How likely are you to recommend Nordlicht Living to a friend or colleague?"),
			LowLabel: lt("Äußerst unwahrscheinlich", "Not at all likely"), HighLabel: lt("Äußerst wahrscheinlich", "Extremely likely")},
		{Key: qWhy, Kind: cxm.KindText, MaxLength: 2000,
			Text: lt("Was ist der wichtigste Grund für Ihre Bewertung?", "What is the main reason for your score?")},
		{Key: qMattered, Kind: cxm.KindMulti,
			Text: lt("Was war Ihnen bei diesem Einkauf am wichtigsten?", "What mattered most to you in this purchase?"),
			Choices: []cxm.Choice{
				{Key: mQuality, Label: lt("Qualität der Produkte", "Product quality")},
				{Key: mPrice, Label: lt("Preis-Leistungs-Verhältnis", "Value for money")},
				{Key: mRange, Label: lt("Auswahl und Design", "Range and design")},
				{Key: mDelivery, Label: lt("Schnelle Lieferung", "Fast delivery")},
				{Key: mAdvice, Label: lt("Freundliche Beratung", "Friendly advice")},
				{Key: mEasy, Label: lt("Einfaches Einkaufen", "Easy shopping")},
			}},
	}
	s.Touchpoints = []string{tpCheckoutWeb}
	for _, b := range branches {
		s.Touchpoints = append(s.Touchpoints, b.key)
	}
	s.Trigger = &cxm.Trigger{InteractionType: "order", Touchpoint: tpCheckoutWeb, DelayMinutes: 2 * 24 * 60, Channel: cxm.InviteEmail}
	s.SamplingPercent, s.RecontactDays, s.ReminderDays = 50, 90, 3
	out[svPurchase] = s

	s = base("lieferung", "CSAT Lieferung")
	s.Title = lt("Wie war Ihre Lieferung?", "How was your delivery?")
	s.Intro = lt("Ihr Paket ist angekommen. Zwei kurze Fragen dazu.", "Your parcel has arrived. Two quick questions about it.")
	s.ThankYou = lt("Danke! Wir geben Ihr Feedback an unser Logistikteam weiter.",
		"Thank you! We pass your feedback on to our logistics team.")
	s.Questions = []cxm.Question{
		{Key: qCSAT, Kind: cxm.KindCSAT, Required: true,
			Text:     lt("Wie zufrieden sind Sie mit der Lieferung Ihrer Bestellung?", "How satisfied are you with the delivery of your order?"),
			LowLabel: lt("Sehr unzufrieden", "Very dissatisfied"), HighLabel: lt("Sehr zufrieden", "Very satisfied")},
		{Key: qComment, Kind: cxm.KindText, MaxLength: 2000,
			Text: lt("Möchten Sie uns noch etwas zur Lieferung sagen?", "Is there anything you would like to tell us about the delivery?")},
	}
	s.Touchpoints = []string{tpDelivery}
	s.Trigger = &cxm.Trigger{InteractionType: "delivered", Touchpoint: tpDelivery, DelayMinutes: 24 * 60, Channel: cxm.InviteEmail}
	s.SamplingPercent, s.RecontactDays, s.ReminderDays = 100, 30, 3
	out[svDelivery] = s

	s = base("hotline", "CSAT Kundenhotline")
	s.Title = lt("Ihr Anruf bei unserer Hotline", "Your call to our hotline")
	s.Intro = lt("Sie haben kürzlich mit unserem Kundenservice telefoniert. Wie war es?",
		"You recently spoke to our customer service. How did it go?")
	s.ThankYou = lt("Vielen Dank! Ihr Feedback hilft unserem Serviceteam.", "Thank you! Your feedback helps our service team.")
	s.Questions = []cxm.Question{
		{Key: qCSAT, Kind: cxm.KindCSAT, Required: true,
			Text:     lt("Wie zufrieden waren Sie mit Ihrem Anruf bei unserer Kundenhotline?", "How satisfied were you with your call to our customer hotline?"),
			LowLabel: lt("Sehr unzufrieden", "Very dissatisfied"), HighLabel: lt("Sehr zufrieden", "Very satisfied")},
		{Key: qSolved, Kind: cxm.KindSingle, Required: true,
			Text: lt("Wurde Ihr Anliegen gelöst?", "Was your issue solved?"),
			Choices: []cxm.Choice{
				{Key: solvedYes, Label: lt("Ja", "Yes")},
				{Key: solvedPart, Label: lt("Teilweise", "Partly")},
				{Key: solvedNo, Label: lt("Nein", "No")},
			}},
		{Key: qComment, Kind: cxm.KindText, MaxLength: 2000,
			Text: lt("Was hätten wir besser machen können?", "What could we have done better?")},
	}
	s.Touchpoints = []string{tpHotline}
	s.Trigger = &cxm.Trigger{InteractionType: "call", Touchpoint: tpHotline, DelayMinutes: 60, Channel: cxm.InviteEmail}
	// Every call is a contact of its own, so the recontact period is short.
	s.SamplingPercent, s.RecontactDays, s.ReminderDays = 100, 3, 2
	out[svHotline] = s

	s = base("retoure", "CES Retoure")
	s.Title = lt("Ihre Rücksendung", "Your return")
	s.Intro = lt("Wir haben Ihre Rücksendung erhalten. Wie einfach war es für Sie?",
		"We have received your return. How easy was it for you?")
	s.ThankYou = lt("Danke für Ihre Rückmeldung! Wir arbeiten daran, Rücksendungen so einfach wie möglich zu machen.",
		"Thanks for your feedback! We keep working on making returns as easy as possible.")
	s.Questions = []cxm.Question{
		{Key: qCES, Kind: cxm.KindCES, Required: true,
			Text:     lt("Wie einfach war es, Ihre Bestellung zurückzusenden?", "How easy was it to return your order?"),
			LowLabel: lt("Sehr schwierig", "Very difficult"), HighLabel: lt("Sehr einfach", "Very easy")},
		{Key: qComment, Kind: cxm.KindText, MaxLength: 2000,
			Text: lt("Was hat die Rücksendung leicht oder schwer gemacht?", "What made the return easy or hard?")},
	}
	s.Touchpoints = []string{tpReturns}
	s.Trigger = &cxm.Trigger{InteractionType: "return", Touchpoint: tpReturns, DelayMinutes: 24 * 60, Channel: cxm.InviteEmail}
	s.SamplingPercent, s.RecontactDays, s.ReminderDays = 100, 60, 3
	out[svReturns] = s

	s = base("checkout", "Bewertung Checkout (Widget)")
	s.Title = lt("Kurze Frage zu Ihrer Bestellung", "A quick question about your order")
	s.ThankYou = lt("Danke für Ihre Bewertung!", "Thanks for your rating!")
	s.Questions = []cxm.Question{
		{Key: qRating, Kind: cxm.KindRating, Required: true,
			Text:     lt("Wie bewerten Sie den Bestellvorgang?", "How would you rate the checkout?"),
			LowLabel: lt("Sehr schlecht", "Very poor"), HighLabel: lt("Ausgezeichnet", "Excellent")},
		{Key: qComment, Kind: cxm.KindText, MaxLength: 1000,
			Text: lt("Was können wir verbessern?", "What can we improve?")},
	}
	s.Touchpoints = []string{tpCheckoutWeb}
	// The widget asks on the order confirmation page of the web shop.
	s.Widget = &cxm.WidgetSettings{Position: cxm.WidgetBottomRight, Touchpoint: tpCheckoutWeb,
		Triggers: []cxm.WidgetTrigger{{Kind: cxm.WidgetPageView, URL: &cxm.URLRule{Match: cxm.URLPrefix, Value: "/checkout/danke"}}}}
	s.SamplingPercent, s.RecontactDays = 100, 60
	out[svCheckout] = s

	s = base("bewertungen", "Produktbewertungen (Import)")
	// Imported feedback is not asked for: the public page says the survey has ended.
	s.Status = cxm.SurveyClosed
	s.Title = lt("Ihre Produktbewertung", "Your product review")
	s.Intro = lt("Bewertungen aus dem Onlineshop, importiert als Feedback.", "Reviews from the online shop, imported as feedback.")
	s.Questions = []cxm.Question{
		{Key: qRating, Kind: cxm.KindRating, Required: true,
			Text:     lt("Wie viele Sterne geben Sie dem Produkt?", "How many stars do you give the product?"),
			LowLabel: lt("1 Stern", "1 star"), HighLabel: lt("5 Sterne", "5 stars")},
		{Key: qTitle, Kind: cxm.KindText, Required: true, MaxLength: 120,
			Text: lt("Titel Ihrer Bewertung", "Title of your review")},
		{Key: qReview, Kind: cxm.KindText, MaxLength: 2000,
			Text: lt("Ihre Bewertung", "Your review")},
	}
	s.Touchpoints = []string{tpReviews}
	out[svReviews] = s
	return out
}
