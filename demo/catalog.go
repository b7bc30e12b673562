package demo

import "time"

// product is an article of the demo shop.
type product struct {
	sku, name, category string
}

// Read-only tables of what the shop sells and says.
var (
	catalog = []product{
		{"NL-10012", "Sofakissen Leinen", "wohnen"},
		{"NL-10047", "Wolldecke Fjord", "wohnen"},
		{"NL-10103", "Beistelltisch Eiche", "wohnen"},
		{"NL-20015", "Steingut-Geschirrset", "kueche"},
		{"NL-20032", "Geschirrtücher Leinen (3er)", "kueche"},
		{"NL-20088", "Kaffeebereiter Glas", "kueche"},
		{"NL-30007", "Handtuchset Waffelpiqué", "bad"},
		{"NL-30021", "Badematte Baumwolle", "bad"},
		{"NL-40010", "Bettwäsche Satin", "schlafen"},
		{"NL-40026", "Daunenkissen", "schlafen"},
		{"NL-50003", "Stehleuchte Bogen", "leuchten"},
		{"NL-50019", "Tischleuchte Opal", "leuchten"},
		{"NL-50044", "Lichterkette Tropfen", "leuchten"},
		{"NL-60008", "Vase Keramik", "deko"},
		{"NL-60031", "Kerzenhalter Messing", "deko"},
		{"NL-60057", "Bilderrahmen Eiche", "deko"},
		{"NL-70002", "Korb Seegras", "aufbewahren"},
		{"NL-70018", "Wandregal Kiefer", "aufbewahren"},
		{"NL-80005", "Pflanzkübel Terrakotta", "balkon"},
		{"NL-80023", "Balkonstuhl Akazie", "balkon"},
	}
	pages       = []string{"/", "/", "/neuheiten", "/wohnen", "/kueche", "/schlafen", "/leuchten", "/deko", "/sale", "/inspiration"}
	creators    = []string{"@wohnliebe.hh", "@nordic.nest", "@kleine.wohnung", "@hygge.home.de", "@altbau.liebe"}
	postFormats = []string{"reel", "reel", "story", "carousel", "post"}
	carriers    = []weighted[string]{{"DHL", 55}, {"Hermes", 25}, {"DPD", 20}}
	payments    = []weighted[string]{{"paypal", 38}, {"klarna", 22}, {"card", 18}, {"invoice", 14}, {"apple_pay", 8}}
	callReasons = []string{"product_question", "product_question", "invoice", "payment", "order_change"}
	shareVia    = []string{"link", "whatsapp", "email"}
)

// carrierLateness is how much more often than average a carrier is late
// with a parcel shipped on date, in data that ends at end: one of them
// causes most of the trouble, and more and more so since its depot
// trouble began, which holds up the others a little too.
func carrierLateness(carrier string, date, end time.Time) float64 {
	trouble := depotTrouble(date, end)
	switch carrier {
	case "Hermes":
		return 1.35 * (1 + 3.5*trouble)
	case "DHL":
		return 0.9 * (1 + 1.5*trouble)
	}
	return 1 + 1.5*trouble
}

// depotWeeks is how many weeks before the end of the data the trouble at
// the Hermes depot that serves the warehouse began: its parcels are late
// more and more often, more of them arrive damaged or end up with a
// neighbour, and the jam at the warehouse gate delays the other carriers
// too, so that delivery deteriorates in the last weeks of the data.
const depotWeeks = 8

// depotTrouble returns how bad the depot trouble was on date, in data
// that ends at end: 0 before it began, rising to 1 over its first half
// and staying there.
func depotTrouble(date, end time.Time) float64 {
	span := time.Duration(depotWeeks) * 7 * 24 * time.Hour
	since := date.Sub(end.Add(-span))
	if since <= 0 {
		return 0
	}
	return min(1, 2*float64(since)/float64(span))
}

// campaign returns the search campaign running on date.
func campaign(date time.Time, pick func(n int) int) string {
	switch {
	case inBlackWeek(date):
		return "black-week"
	case date.Month() == time.December || date.Month() == time.November && date.Day() > 10:
		return []string{"weihnachtsgeschenke", "adventsdeko", "marke"}[pick(3)]
	case date.Month() >= time.May && date.Month() <= time.August:
		return []string{"balkon-sommer", "marke", "wohnideen"}[pick(3)]
	}
	return []string{"marke", "wohnideen", "kuechenhelfer", "bettwaesche"}[pick(4)]
}

// reviewTitles are review titles per locale and star rating (index 0 is one star).
var reviewTitles = map[string][5][]string{
	"de": {
		{"Nie wieder", "Sehr enttäuscht", "Leider gar nicht zufrieden"},
		{"Enttäuschend", "Nicht wie beschrieben", "Qualität lässt zu wünschen übrig"},
		{"Ganz okay", "Geht so", "In Ordnung, aber nicht mehr"},
		{"Schönes Produkt", "Gute Qualität", "Gerne wieder"},
		{"Wunderschön!", "Absolut empfehlenswert", "Tolle Qualität, schnell geliefert"},
	},
	"en": {
		{"Never again", "Very disappointed", "Not happy at all"},
		{"Disappointing", "Not as described", "Quality could be better"},
		{"It's okay", "Average", "Fine, nothing special"},
		{"Nice product", "Good quality", "Would buy again"},
		{"Beautiful!", "Highly recommended", "Great quality, fast delivery"},
	},
}

// lateTitles are review titles about a late delivery.
var lateTitles = map[string][]string{
	"de": {"Lieferung viel zu spät", "Paket kam eine Woche zu spät", "Schönes Produkt, aber ewig gewartet", "Versand eine Katastrophe"},
	"en": {"Delivery far too late", "Parcel arrived a week late", "Nice product, but waited forever", "Shipping was a disaster"},
}
