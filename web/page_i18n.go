package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// pageTexts holds every built-in text of the pages for people, per
// locale. Each locale has the same keys; a test checks.
var pageTexts = map[string]texts{
	"de": {
		"language":       "Sprache",
		"language.de":    "Deutsch",
		"language.en":    "English",
		"next":           "Weiter",
		"back":           "Zurück",
		"submit":         "Absenden",
		"optional":       "(optional)",
		"progress.one":   "Frage %d von %d",
		"progress.many":  "Fragen %d–%d von %d",
		"summary":        "Bitte prüfen Sie Ihre Antworten",
		"error.prefix":   "Fehler: ",
		"err.required":   "Bitte beantworten Sie diese Frage.",
		"err.range":      "Bitte wählen Sie einen Wert von %d bis %d.",
		"err.choice":     "Bitte wählen Sie eine der angebotenen Antworten.",
		"err.too_long":   "Bitte kürzen Sie Ihre Antwort auf höchstens %d Zeichen.",
		"err.check":      "Bitte prüfen Sie diese Antwort.",
		"scale.nps.low":  "Überhaupt nicht wahrscheinlich",
		"scale.nps.high": "Äußerst wahrscheinlich",
		"scale.csat.low": "Sehr unzufrieden", "scale.csat.high": "Sehr zufrieden",
		"scale.ces.low": "Sehr schwierig", "scale.ces.high": "Sehr einfach",
		"scale.rating.low": "Sehr schlecht", "scale.rating.high": "Ausgezeichnet",
		"thanks.title":           "Vielen Dank!",
		"thanks.body":            "Ihre Antworten sind bei uns angekommen.",
		"closed.title":           "Diese Umfrage ist beendet",
		"closed.body":            "Vielen Dank für Ihr Interesse. Die Umfrage nimmt keine Antworten mehr an.",
		"paused.title":           "Diese Umfrage ist pausiert",
		"paused.body":            "Die Umfrage nimmt gerade keine Antworten an. Bitte versuchen Sie es später noch einmal.",
		"notyet.title":           "Diese Umfrage hat noch nicht begonnen",
		"notyet.body":            "Bitte versuchen Sie es später noch einmal.",
		"answered.title":         "Sie haben bereits geantwortet",
		"answered.body":          "Über diesen Link wurden Ihre Antworten schon gesendet. Vielen Dank!",
		"expired.title":          "Dieser Link ist abgelaufen",
		"expired.body":           "Die Einladung zu dieser Umfrage ist nicht mehr gültig. Vielen Dank für Ihr Interesse.",
		"fields":                 "Betroffene Angaben: %s",
		"err.invalid.title":      "Dieser Link ist unvollständig",
		"err.invalid.body":       "Der Link oder das Formular enthält ungültige Angaben. Bitte prüfen Sie, ob der Link vollständig ist.",
		"err.not_found.title":    "Seite nicht gefunden",
		"err.not_found.body":     "Diese Seite gibt es nicht. Bitte prüfen Sie den Link.",
		"err.unauthorized.title": "Dieser Link ist ungültig",
		"err.unauthorized.body":  "Bitte prüfen Sie, ob der Link vollständig kopiert wurde.",
		"err.forbidden.title":    "Kein Zugriff",
		"err.forbidden.body":     "Dieser Link kann nicht mehr verwendet werden.",
		"err.conflict.title":     "Das hat sich überschnitten",
		"err.conflict.body":      "Die Seite ist nicht mehr aktuell. Bitte öffnen Sie den Link noch einmal.",
		"err.too_large.title":    "Zu viel Text",
		"err.too_large.body":     "Ihre Eingabe ist zu lang. Bitte kürzen Sie sie und versuchen Sie es noch einmal.",
		"err.rate_limited.title": "Bitte einen Moment Geduld",
		"err.rate_limited.body":  "Es kamen gerade zu viele Antworten. Bitte versuchen Sie es in %d Sekunden noch einmal.",
		"err.unsupported.title":  "Unbekanntes Format",
		"err.unsupported.body":   "Das Formular wurde in einem Format gesendet, das wir nicht lesen können.",
		"err.internal.title":     "Da ist etwas schiefgegangen",
		"err.internal.body":      "Bei uns ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.",
	},
	"en": {
		"language":       "Language",
		"language.de":    "Deutsch",
		"language.en":    "English",
		"next":           "Next",
		"back":           "Back",
		"submit":         "Submit",
		"optional":       "(optional)",
		"progress.one":   "Question %d of %d",
		"progress.many":  "Questions %d–%d of %d",
		"summary":        "Please check your answers",
		"error.prefix":   "Error: ",
		"err.required":   "Please answer this question.",
		"err.range":      "Please choose a value from %d to %d.",
		"err.choice":     "Please choose one of the answers offered.",
		"err.too_long":   "Please shorten your answer to at most %d characters.",
		"err.check":      "Please check this answer.",
		"scale.nps.low":  "Not at all likely",
		"scale.nps.high": "Extremely likely",
		"scale.csat.low": "Very dissatisfied", "scale.csat.high": "Very satisfied",
		"scale.ces.low": "Very difficult", "scale.ces.high": "Very easy",
		"scale.rating.low": "Very poor", "scale.rating.high": "Excellent",
		"thanks.title":           "Thank you!",
		"thanks.body":            "We have received your answers.",
		"closed.title":           "This survey has ended",
		"closed.body":            "Thank you for your interest. The survey no longer takes answers.",
		"paused.title":           "This survey is paused",
		"paused.body":            "The survey is not taking answers right now. Please try again later.",
		"notyet.title":           "This survey has not started yet",
		"notyet.body":            "Please try again later.",
		"answered.title":         "You have already answered",
		"answered.body":          "Your answers were already sent through this link. Thank you!",
		"expired.title":          "This link has expired",
		"expired.body":           "The invitation to this survey is no longer valid. Thank you for your interest.",
		"fields":                 "Concerns: %s",
		"err.invalid.title":      "This link is incomplete",
		"err.invalid.body":       "The link or the form holds values we cannot accept. Please check that the link is complete.",
		"err.not_found.title":    "Page not found",
		"err.not_found.body":     "This page does not exist. Please check the link.",
		"err.unauthorized.title": "This link is not valid",
		"err.unauthorized.body":  "Please check that the link was copied completely.",
		"err.forbidden.title":    "No access",
		"err.forbidden.body":     "This link can no longer be used.",
		"err.conflict.title":     "Something changed meanwhile",
		"err.conflict.body":      "This page is out of date. Please open the link again.",
		"err.too_large.title":    "Too much text",
		"err.too_large.body":     "Your input is too long. Please shorten it and try again.",
		"err.rate_limited.title": "Please wait a moment",
		"err.rate_limited.body":  "Too many answers arrived just now. Please try again in %d seconds.",
		"err.unsupported.title":  "Unknown format",
		"err.unsupported.body":   "The form was sent in a format we cannot read.",
		"err.internal.title":     "Something went wrong",
		"err.internal.body":      "An error occurred on our side. Please try again later.",
	},
}

// texts are the built-in texts of one locale by key.
type texts map[string]string

// textsIn returns the built-in texts of locale, or of the first locale
// cxm speaks when it speaks no such locale.
func textsIn(locale string) texts {
	if t, ok := pageTexts[locale]; ok {
		return t
	}
	return pageTexts[cxm.Locales[0]]
}

// f returns the text of key with args filled in. A missing key shows as
// the key, which the completeness test prevents.
func (t texts) f(key string, args ...any) string {
	s, ok := t[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// acceptLanguage returns the locale cxm speaks that the Accept-Language
// header prefers most, by quality value and then by order, or "" when it
// names none of them. "de-AT" counts as "de"; q=0 refuses a language.
func acceptLanguage(header string) string {
	best, bestQ := "", 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if q > bestQ && cxm.ValidLocale(primary) {
			best, bestQ = primary, q
		}
	}
	return best
}

// explicitLocale returns the locale asked for with ?lang=, or "" when
// none, or one cxm does not speak, is asked for.
func explicitLocale(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); cxm.ValidLocale(l) {
		return l
	}
	return ""
}

// firstLocale returns the first of candidates that cxm speaks, or the
// first locale cxm speaks.
func firstLocale(candidates ...string) string {
	for _, l := range candidates {
		if cxm.ValidLocale(l) {
			return l
		}
	}
	return cxm.Locales[0]
}
