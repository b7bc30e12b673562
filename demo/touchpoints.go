package demo

import "github.com/cxmhq/cxm"

// Touchpoint keys of the demo company. Interactions refer to them.
const (
	tpSearchAds   = "search-ads"
	tpInstagram   = "instagram"
	tpInfluencer  = "influencer"
	tpNewsletter  = "newsletter"
	tpWebsite     = "website"
	tpApp         = "app"
	tpCheckoutWeb = "checkout-web"
	tpCheckoutApp = "checkout-app"
	tpDelivery    = "delivery"
	tpReturns     = "returns"
	tpHotline     = "hotline"
	tpServiceDesk = "service-desk"
	tpReviews     = "reviews"
	tpReferral    = "referral"
)

// branch is one of the company's stores.
type branch struct {
	city, key string
}

// branches are the company's four stores, each a touchpoint of its own.
var branches = []branch{
	{"Hamburg", "store-hamburg"},
	{"Berlin", "store-berlin"},
	{"München", "store-muenchen"},
	{"Köln", "store-koeln"},
}

// storeOf returns the key of the store in city, or "" when there is none.
func storeOf(city string) string {
	for _, s := range branches {
		if s.city == city {
			return s.key
		}
	}
	return ""
}

// touchpoints returns the demo company's touchpoints along the five stages
// of the default journey.
func touchpoints() []cxm.Touchpoint {
	tp := func(key, stage string, ch cxm.Channel, name, desc string) cxm.Touchpoint {
		return cxm.Touchpoint{Key: key, StageKey: stage, Channel: ch, Online: ch.Online(), Name: name, Description: desc}
	}
	out := []cxm.Touchpoint{
		tp(tpSearchAds, "awareness", cxm.ChannelWeb, "Suchmaschinenanzeigen",
			"Bezahlte Anzeigen in Suchmaschinen, die auf den Onlineshop führen."),
		tp(tpInstagram, "awareness", cxm.ChannelSocial, "Instagram",
			"Beiträge und Anzeigen auf dem Instagram-Kanal von Nordlicht Living."),
		tp(tpInfluencer, "awareness", cxm.ChannelSocial, "Influencer-Kooperationen",
			"Empfehlungen von Wohn- und Lifestyle-Influencern mit persönlichem Rabattcode."),
		tp(tpNewsletter, "consideration", cxm.ChannelEmail, "Newsletter",
			"Wöchentlicher Newsletter mit Neuheiten, Wohnideen und Angeboten."),
		tp(tpWebsite, "consideration", cxm.ChannelWeb, "Onlineshop",
			"Die Website mit Sortiment, Produktseiten und Kundenkonto."),
		tp(tpApp, "consideration", cxm.ChannelApp, "Nordlicht-App",
			"Die Shopping-App für iOS und Android mit Merkliste und Push-Angeboten."),
	}
	for _, s := range branches {
		out = append(out, tp(s.key, "purchase", cxm.ChannelStore, "Filiale "+s.city,
			"Die Filiale in "+s.city+" mit Ausstellung, Beratung und Verkauf."))
	}
	return append(out,
		tp(tpCheckoutWeb, "purchase", cxm.ChannelWeb, "Checkout Onlineshop",
			"Warenkorb, Bezahlung und Bestellabschluss auf der Website."),
		tp(tpCheckoutApp, "purchase", cxm.ChannelApp, "Checkout App",
			"Warenkorb, Bezahlung und Bestellabschluss in der App."),
		tp(tpDelivery, "receipt", cxm.ChannelDelivery, "Lieferung",
			"Versand und Zustellung der Pakete durch die Paketdienste."),
		tp(tpReturns, "receipt", cxm.ChannelMail, "Retouren",
			"Rücksendungen per Post über das Retourenportal, mit Erstattung."),
		tp(tpHotline, "receipt", cxm.ChannelPhone, "Kundenhotline",
			"Telefonischer Kundenservice, Montag bis Samstag von 8 bis 20 Uhr."),
		tp(tpServiceDesk, "receipt", cxm.ChannelStore, "Servicetheke",
			"Servicetheke in den Filialen für Abholung, Umtausch und Reklamationen."),
		tp(tpReviews, "advocacy", cxm.ChannelWeb, "Produktbewertungen",
			"Bewertungen mit Sternen und Titel auf den Produktseiten."),
		tp(tpReferral, "advocacy", cxm.ChannelWeb, "Freunde werben Freunde",
			"Empfehlungsprogramm: Kundinnen und Kunden laden Freunde mit einem Gutscheincode ein."),
	)
}
