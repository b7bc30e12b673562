package text

// DefaultTaxonomy returns a fresh copy of cxm's default customer-experience
// taxonomy, with German and English terms for thirteen topics.
func DefaultTaxonomy() Taxonomy {
	return Taxonomy{Topics: []Topic{
		{Key: "delivery", Name: Names{DE: "Lieferung & Versand", EN: "Delivery & shipping"}, Terms: Terms{
			DE: []string{"lieferung", "liefern", "geliefert", "liefer*", "versand", "versendet", "verschickt", "versandkosten",
				"paket", "päckchen", "zustellung", "zusteller", "zugestellt", "kurier", "paketdienst", "dhl", "hermes", "dpd",
				"sendung", "sendungsverfolgung", "ankunft", "angekommen", "verpackung", "verpackt", "spedition"},
			EN: []string{"delivery", "deliver", "delivered", "shipping", "shipped", "shipment", "parcel", "package", "courier",
				"tracking", "arrived", "arrival", "packaging", "dispatch", "dispatched", "postage", "dhl", "fedex", "ups"},
		}},
		{Key: "waiting_time", Name: Names{DE: "Wartezeit", EN: "Waiting time"}, Terms: Terms{
			DE: []string{"wartezeit", "warten", "gewartet", "wartet", "warteschlange", "schlange", "dauer", "dauert", "gedauert",
				"zu lange", "so lange", "ewig", "stundenlang", "tagelang", "wochenlang", "verzögerung", "verzögert", "verspätung",
				"verspätet", "pünktlich", "unpünktlich"},
			EN: []string{"wait", "waiting", "waited", "wait time", "queue", "delay", "delayed", "took forever", "took ages",
				"long time", "too long", "on time", "late"},
		}},
		{Key: "price", Name: Names{DE: "Preis & Leistung", EN: "Price & value"}, Terms: Terms{
			DE: []string{"preis", "preis*", "teuer", "günstig", "billig", "kosten", "kostet", "gebühr", "rabatt", "gutschein",
				"angebot", "preiswert", "überteuert", "preis-leistung", "aufpreis", "sparen", "abzocke"},
			EN: []string{"price", "prices", "pricing", "priced", "expensive", "cheap", "cost", "costs", "value for money", "fee", "fees",
				"discount", "coupon", "voucher", "deal", "overpriced", "affordable", "rip off", "bargain"},
		}},
		{Key: "product_quality", Name: Names{DE: "Produktqualität", EN: "Product quality"}, Terms: Terms{
			DE: []string{"qualität", "produkt", "ware", "artikel", "material", "verarbeitung", "verarbeitet", "defekt", "kaputt",
				"beschädigt", "mangelhaft", "hochwertig", "minderwertig", "haltbar", "haltbarkeit", "passform", "größe", "frisch"},
			EN: []string{"quality", "product", "products", "item", "items", "material", "build quality", "defective", "broken",
				"damaged", "faulty", "durable", "fit", "size", "fresh", "flimsy"},
		}},
		{Key: "staff_friendliness", Name: Names{DE: "Freundlichkeit des Personals", EN: "Staff friendliness"}, Terms: Terms{
			DE: []string{"freundlich", "unfreundlich", "freundlichkeit", "nett", "höflich", "unhöflich", "personal", "mitarbeiter",
				"mitarbeiterin", "verkäufer", "verkäuferin", "bedienung", "angestellte", "hilfsbereit", "zuvorkommend",
				"herzlich", "arrogant", "frech", "respektlos"},
			EN: []string{"friendly", "unfriendly", "friendliness", "nice", "polite", "impolite", "rude", "staff", "employee",
				"employees", "salesperson", "cashier", "helpful", "unhelpful", "courteous", "attitude", "arrogant", "disrespectful"},
		}},
		{Key: "competence", Name: Names{DE: "Kompetenz & Beratung", EN: "Competence & advice"}, Terms: Terms{
			DE: []string{"kompetent", "inkompetent", "kompetenz", "beratung", "beraten", "berater", "beraterin", "fachkundig",
				"ahnung", "ahnungslos", "fachwissen", "erklärt", "erklärung", "empfehlung", "lösung", "gelöst", "geholfen", "hilfe"},
			EN: []string{"competent", "incompetent", "competence", "advice", "advised", "advisor", "knowledgeable", "expertise",
				"knowledge", "explained", "explanation", "recommendation", "clueless", "solution", "solved", "helped", "help"},
		}},
		{Key: "hotline", Name: Names{DE: "Hotline & Erreichbarkeit", EN: "Hotline & reachability"}, Terms: Terms{
			DE: []string{"hotline", "kundenservice", "kundendienst", "service", "support", "erreichbar", "erreichbarkeit",
				"unerreichbar", "telefon", "telefonisch", "anruf", "angerufen", "anrufen", "rückruf", "warteschleife",
				"callcenter", "durchkommen", "chat", "ticket"},
			EN: []string{"hotline", "customer service", "service", "support", "reach", "reachable", "phone", "call", "called",
				"calling", "callback", "call back", "on hold", "call center", "chat", "ticket", "helpdesk", "agent"},
		}},
		{Key: "website_app", Name: Names{DE: "Website & App", EN: "Website & app"}, Terms: Terms{
			DE: []string{"website", "webseite", "homepage", "internetseite", "app", "onlineshop", "online-shop", "webshop",
				"benutzerfreundlich", "navigation", "suchfunktion", "login", "einloggen", "kundenkonto", "konto", "absturz",
				"abgestürzt", "ladezeit", "unübersichtlich", "übersichtlich"},
			EN: []string{"website", "site", "web site", "app", "online shop", "webshop", "user friendly", "navigation", "search",
				"login", "log in", "account", "crash", "crashed", "crashes", "loading", "bug", "interface"},
		}},
		{Key: "checkout_payment", Name: Names{DE: "Bestellung & Bezahlung", EN: "Checkout & payment"}, Terms: Terms{
			DE: []string{"bezahlung", "bezahlen", "bezahlt", "zahlung", "zahlungsart", "kasse", "checkout", "warenkorb",
				"bestellung", "bestellen", "bestellt", "bestellvorgang", "paypal", "kreditkarte", "rechnung", "lastschrift",
				"abbuchung", "abgebucht", "klarna", "vorkasse"},
			EN: []string{"payment", "pay", "paid", "checkout", "check out", "cart", "basket", "order", "ordered", "ordering",
				"paypal", "credit card", "invoice", "billing", "charged", "klarna"},
		}},
		{Key: "returns_refunds", Name: Names{DE: "Retoure & Erstattung", EN: "Returns & refunds"}, Terms: Terms{
			DE: []string{"retoure", "retour*", "rücksendung", "zurückschicken", "zurückgeschickt", "zurücksenden", "umtausch",
				"umtauschen", "rückgabe", "erstattung", "erstattet", "rückerstattung", "gutschrift", "geld zurück",
				"reklamation", "reklamiert", "widerruf", "storno", "stornierung", "storniert"},
			EN: []string{"return", "returns", "returned", "refund", "refunded", "exchange", "exchanged", "money back",
				"reimbursement", "credit note", "complaint", "cancellation", "cancelled", "canceled"},
		}},
		{Key: "communication", Name: Names{DE: "Kommunikation & Information", EN: "Communication & information"}, Terms: Terms{
			DE: []string{"information", "informationen", "info", "infos", "informiert", "kommunikation", "antwort", "antworten",
				"beantwortet", "rückmeldung", "mail", "e-mail", "email", "nachricht", "benachrichtigung", "newsletter",
				"bescheid", "auskunft", "transparenz"},
			EN: []string{"information", "info", "informed", "communication", "communicate", "answer", "answered", "reply",
				"replied", "response", "email", "e-mail", "mail", "message", "notification", "newsletter", "update", "updates"},
		}},
		{Key: "availability", Name: Names{DE: "Verfügbarkeit & Lager", EN: "Availability & stock"}, Terms: Terms{
			DE: []string{"verfügbar", "verfügbarkeit", "nicht verfügbar", "lieferbar", "nicht lieferbar", "vorrätig", "lager",
				"lagerbestand", "ausverkauft", "vergriffen", "nachschub", "sortiment", "auswahl", "bestand"},
			EN: []string{"available", "availability", "unavailable", "in stock", "out of stock", "stock", "sold out",
				"backorder", "selection", "assortment", "range"},
		}},
		{Key: "store_ambience", Name: Names{DE: "Filiale & Ambiente", EN: "Store & ambience"}, Terms: Terms{
			DE: []string{"filiale", "laden", "geschäft", "ladenlokal", "atmosphäre", "ambiente", "sauber", "sauberkeit",
				"schmutzig", "dreckig", "einrichtung", "parkplatz", "parkplätze", "öffnungszeiten", "umkleide",
				"umkleidekabine", "musik", "beleuchtung", "gemütlich", "überfüllt"},
			EN: []string{"store", "shop", "branch", "atmosphere", "ambience", "ambiance", "clean", "cleanliness", "dirty",
				"parking", "opening hours", "fitting room", "changing room", "music", "lighting", "cozy", "crowded", "layout"},
		}},
	}}
}
