package demo

// Phrases about purchases, for the NPS survey after a purchase and the
// checkout rating in the widget.
var (
	aboutQuality = bank{
		langDE: {
			negative: {"{P} wirkt billig verarbeitet, die Qualität hat mich enttäuscht.", "Die Qualität passt leider nicht zum Preis.",
				"{P} war schon nach einer Woche kaputt, mangelhafte Qualität."},
			mixed: {"Die Qualität ist in Ordnung, aber nicht überragend.", "{P} ist okay, aber die Farbe weicht von den Fotos ab."},
			positive: {"{P} ist wunderschön und hochwertig verarbeitet.", "Die Qualität der Produkte überzeugt mich jedes Mal.",
				"{P} ist noch schöner als auf den Fotos, die Qualität ist top."},
		},
		langEN: {
			negative: {"{P} feels cheap and flimsy, the quality is disappointing.", "Sadly the quality doesn't match the price.",
				"{P} was already broken after a week, poor quality."},
			mixed: {"The quality is okay, but nothing special.", "{P} is fine, but the colour is different from the photos."},
			positive: {"{P} is beautiful and the quality is excellent.", "Great quality products every time.",
				"{P} looks even better than in the photos, great quality."},
		},
	}
	aboutPrice = bank{
		langDE: {
			negative: {"Für diese Qualität viel zu teuer.", "Die Versandkosten sind eine Frechheit.",
				"Die Preise sind in letzter Zeit deutlich gestiegen, das ärgert mich."},
			mixed:    {"Die Preise sind etwas hoch, aber noch fair.", "Preislich eher oberes Mittelfeld."},
			positive: {"Faire Preise und tolle Angebote.", "Das Preis-Leistungs-Verhältnis stimmt absolut.", "Im Sale ein echtes Schnäppchen gemacht, super Preis."},
		},
		langEN: {
			negative: {"Far too expensive for what you get.", "The shipping fee is a rip off.", "Prices have gone up a lot lately, which annoys me."},
			mixed:    {"Prices are a bit high, but still fair.", "Pricing is on the expensive side."},
			positive: {"Fair prices and great deals.", "Excellent value for money.", "Got a real bargain in the sale, great price."},
		},
	}
	aboutRange = bank{
		langDE: {
			negative: {"Die Auswahl ist mager, vieles war ausverkauft.", "Der Artikel, den ich wollte, war leider wieder nicht lieferbar."},
			mixed:    {"Die Auswahl könnte größer sein.", "Schönes Sortiment, aber manches ist oft ausverkauft."},
			positive: {"Wunderschöne Auswahl, genau mein Stil.", "Ich finde bei Ihnen immer schöne Dinge für die Wohnung."},
		},
		langEN: {
			negative: {"Poor selection, lots of things were sold out.", "Sadly the item I wanted was out of stock again."},
			mixed:    {"The range could be bigger.", "Nice range, but things are often sold out."},
			positive: {"Beautiful range, exactly my style.", "I always find lovely things for my home here."},
		},
	}
	aboutShop = bank{
		langDE: {
			negative: {"Die Website ist unübersichtlich und beim Bezahlen gab es einen Fehler.", "Der Onlineshop ist langsam und die Suche findet nichts."},
			mixed: {"Die Website ist okay, die Suche könnte besser sein.",
				"Die Bestellung hat geklappt, der Onlineshop ist aber etwas unübersichtlich."},
			positive: {"Der Onlineshop ist übersichtlich und die Bestellung ging ganz einfach.", "Bestellen geht schnell und unkompliziert."},
		},
		langEN: {
			negative: {"The website is confusing and payment failed on the first attempt.", "The online shop is slow and search finds nothing."},
			mixed:    {"The website is okay, search could be better.", "Ordering worked, but the online shop is a bit confusing."},
			positive: {"The online shop is easy to use and ordering was quick.", "Ordering is fast and simple."},
		},
	}
	aboutStore = bank{
		langDE: {
			negative: {"In der Filiale war niemand zu finden, und die Verkäuferin war unfreundlich.", "Lange Schlange an der Kasse und keine Beratung."},
			mixed:    {"Die Beratung in der Filiale war okay, aber es war sehr voll.", "Nette Filiale, aber an der Kasse musste ich lange warten."},
			positive: {"Die Mitarbeiterin in der Filiale {city} hat mich super freundlich und kompetent beraten.",
				"Tolle Beratung im Laden in {city}, vielen Dank!", "Sehr schöne Filiale und freundliches Personal."},
		},
		langEN: {
			negative: {"Nobody was around to help in the store and the cashier was rude.", "Long queue at the till and no advice at all."},
			mixed:    {"The advice in the store was fine, but it was very busy.", "Nice store, but I had to queue for ages at the till."},
			positive: {"The staff in the {city} store were really friendly and helpful.", "Great advice in the {city} store, thank you!",
				"Lovely store and friendly staff."},
		},
	}
	aboutPrevLate = bank{
		langDE: {
			negative: {"Schon die letzte Lieferung kam zu spät, und jetzt wieder Ärger.", "Die letzte Bestellung kam viel zu spät, das habe ich nicht vergessen."},
			mixed:    {"Beim letzten Mal kam die Lieferung zu spät, diesmal lief es besser."},
			positive: {"Nach der verspäteten Lieferung beim letzten Mal hat diesmal alles super geklappt."},
		},
		langEN: {
			negative: {"My last delivery was late as well, and now trouble again.", "My last order arrived far too late, I haven't forgotten that."},
			mixed:    {"Last time the delivery was late, this time it went better."},
			positive: {"After the late delivery last time, everything went perfectly this time."},
		},
	}
	aboutPrevComplaint = bank{
		langDE: {
			negative: {"Meine Reklamation vom letzten Mal wurde nie richtig geklärt.", "Nach der letzten Reklamation hatte ich auf mehr gehofft."},
			mixed:    {"Nach der Reklamation beim letzten Mal war ich skeptisch, diesmal war es okay."},
			positive: {"Meine Reklamation beim letzten Mal wurde toll gelöst, deshalb bestelle ich gerne wieder."},
		},
		langEN: {
			negative: {"My complaint last time was never properly sorted out.", "After my last complaint I had hoped for better."},
			mixed:    {"After my complaint last time I was sceptical, this time it was okay."},
			positive: {"My complaint last time was handled brilliantly, that's why I'm happy to order again."},
		},
	}
	aboutOverdue = bank{
		langDE: {
			negative: {"Meine Bestellung ist immer noch nicht da, obwohl sie längst geliefert sein sollte.",
				"Das Paket ist seit Tagen überfällig und niemand sagt mir etwas."},
			mixed:    {"Die Bestellung ist leider noch nicht angekommen, obwohl sie schon da sein sollte."},
			positive: {"Die Lieferung lässt leider noch auf sich warten, aber die Bestellung war super einfach."},
		},
		langEN: {
			negative: {"My order still hasn't arrived although it should have been here days ago.",
				"The parcel is days overdue and nobody tells me anything."},
			mixed:    {"Unfortunately the order hasn't arrived yet, although it should be here by now."},
			positive: {"Sadly I'm still waiting for the delivery, but ordering was really easy."},
		},
	}
	// aboutLate tells of a late delivery; every phrase names the delay as a bad thing.
	aboutLate = bank{
		langDE: {
			negative: {"Die Lieferung kam {days} zu spät.", "Das Paket kam {days} später als versprochen, sehr ärgerlich.",
				"Ich habe {days} länger als angekündigt auf mein Paket gewartet, das ist ärgerlich.",
				"Die Lieferung kam {days} zu spät, und niemand hat mich informiert."},
			mixed: {"Die Lieferung kam leider {days} zu spät, sonst war alles in Ordnung.",
				"Ärgerlich, dass das Paket {days} zu spät kam, die Ware selbst ist gut."},
			positive: {"Die Lieferung kam leider {days} zu spät, aber {p} ist wunderschön.",
				"Das Paket kam leider {days} zu spät, dafür war der Fahrer sehr freundlich."},
		},
		langEN: {
			negative: {"The parcel arrived {days} late.", "Delivery was {days} late, very annoying.",
				"I waited {days} longer than promised for my parcel, which is annoying.", "My order arrived {days} late and nobody told me."},
			mixed: {"Sadly the delivery was {days} late, otherwise everything was fine.",
				"Annoying that the parcel was {days} late, the product itself is good."},
			positive: {"Sadly the delivery was {days} late, but {p} is lovely.",
				"It arrived {days} late, unfortunately, but the driver was very friendly."},
		},
	}
	aboutQuickDelivery = bank{
		langDE: {
			mixed:    {"Die Lieferung hat etwas länger gedauert als gedacht."},
			positive: {"Die Lieferung kam schnell und gut verpackt.", "Schnelle Lieferung, alles heil angekommen."},
		},
		langEN: {
			mixed:    {"Delivery took a bit longer than I expected."},
			positive: {"Fast delivery, well packed.", "Quick delivery, everything arrived in one piece."},
		},
	}
)

// Phrases about the checkout, for the widget's rating.
var (
	aboutCheckout = bank{
		langDE: {
			negative: {"Der Bestellvorgang ist umständlich und viel zu lang.", "Der Checkout ist unübersichtlich, schlecht gemacht."},
			mixed:    {"Der Bestellvorgang ist okay, aber etwas lang.", "Die Bestellung hat funktioniert, aber die vielen Schritte nerven."},
			positive: {"Übersichtlicher Checkout, in zwei Minuten bestellt.", "Schnell und einfach bestellt.", "Alles super einfach."},
		},
		langEN: {
			negative: {"Checkout is cumbersome and far too long.", "The checkout is confusing and badly designed."},
			mixed:    {"Checkout is okay, but a bit long.", "Ordering worked, but too many steps."},
			positive: {"Clear checkout, ordered in two minutes.", "Quick and easy to order.", "Really easy checkout."},
		},
	}
	aboutPayment = bank{
		langDE: {positive: {"Bezahlen per {pay} ging schnell und einfach.", "Schön, dass man per {pay} zahlen kann."}},
		langEN: {positive: {"Paying by {pay} was quick and easy.", "Great that I can pay by {pay}."}},
	}
	aboutSlowSite = bank{
		langDE: {
			negative: {"Die Seite hat beim Bezahlen ewig geladen.", "Die Website war total überlastet, ich musste dreimal neu laden."},
			mixed:    {"Die Seite war etwas langsam, hat aber geklappt."},
			positive: {"Die Seite war kurz langsam, sonst alles super."},
		},
		langEN: {
			negative: {"The page took forever to load at checkout.", "The website was completely overloaded, I had to reload three times."},
			mixed:    {"The site was a bit slow, but it worked."},
			positive: {"The site was slow for a moment, otherwise great."},
		},
	}
	aboutPaymentFailed = bank{
		langDE: {
			negative: {"Die Zahlung per {pay} ist zweimal fehlgeschlagen.", "Beim Bezahlen per {pay} kam eine Fehlermeldung, sehr ärgerlich."},
			mixed:    {"Die Zahlung per {pay} hat erst im zweiten Versuch geklappt."},
			positive: {"Die Zahlung hat im zweiten Versuch geklappt, sonst alles prima."},
		},
		langEN: {
			negative: {"Payment by {pay} failed twice.", "I got an error when paying by {pay}, very annoying."},
			mixed:    {"Payment by {pay} only worked on the second try."},
			positive: {"Payment worked on the second try, otherwise all good."},
		},
	}
	aboutCoupon = bank{
		langDE: {
			negative: {"Mein Gutscheincode wurde nicht akzeptiert, das ist enttäuschend."},
			mixed:    {"Den Gutscheincode musste ich zweimal eingeben."},
			positive: {"Der Gutscheincode hat nach kurzem Hin und Her funktioniert, danke!"},
		},
		langEN: {
			negative: {"My voucher code wasn't accepted, which is disappointing."},
			mixed:    {"I had to enter my discount code twice."},
			positive: {"The voucher code worked in the end, thanks!"},
		},
	}
	aboutShippingCost = bank{
		langDE: {
			negative: {"Die Versandkosten tauchen erst ganz am Ende auf, das ärgert mich."},
			mixed:    {"Die Versandkosten hätte ich gern früher gesehen."},
			positive: {"Versandkosten fair, Bestellung einfach."},
		},
		langEN: {
			negative: {"Shipping costs only show up at the very end, annoying."},
			mixed:    {"I would have liked to see the shipping costs earlier."},
			positive: {"Fair shipping costs, easy ordering."},
		},
	}
)

// Checkout issues a customer may meet.
const (
	issueNone = iota
	issueSlowSite
	issuePaymentFailed
	issueCoupon
	issueShippingCost
)

// purchaseText returns the reason given for a purchase's NPS answer.
func (l *listener) purchaseText(st *story) string {
	v := l.newVoice(st)
	v.maybe(0.5, &openings)
	switch {
	case st.waiting:
		v.maybe(0.85, &aboutOverdue)
	case st.late:
		v.maybe(0.85, &aboutLate)
	}
	if st.band != positive {
		if st.prevLate {
			v.maybe(0.5, &aboutPrevLate)
		} else if st.prevComplaint {
			v.maybe(0.5, &aboutPrevComplaint)
		}
	}
	for _, m := range st.mattered {
		if l.chance(0.6) {
			v.say(v.purchaseAspect(m))
		}
	}
	for len(v.parts) == 0 || len(v.used) < 2 && l.chance(0.45) {
		pool := []string{mQuality, mQuality, mRange, mPrice, mEasy, mDelivery}
		if st.store != "" {
			pool = []string{mQuality, mQuality, mRange, mPrice, mAdvice, mAdvice}
		}
		v.say(v.purchaseAspect(pick(l.gen, pool)))
		if len(v.used) >= 3 {
			break
		}
	}
	v.maybe(0.25, &closings)
	return v.text()
}

// purchaseAspect returns the phrases about what mattered, m.
func (v *voice) purchaseAspect(m string) *bank {
	switch m {
	case mQuality:
		return &aboutQuality
	case mPrice:
		return &aboutPrice
	case mRange:
		return &aboutRange
	case mAdvice:
		return &aboutStore
	case mEasy:
		return &aboutShop
	case mDelivery:
		switch {
		case v.st.waiting:
			return &aboutOverdue
		case v.st.late:
			return &aboutLate
		case v.st.band != negative:
			return &aboutQuickDelivery
		}
	}
	return &aboutQuality
}

// checkoutText returns the comment on a checkout rating.
func (l *listener) checkoutText(st *story) string {
	v := l.newVoice(st)
	v.maybe(0.35, &openings)
	switch st.issue {
	case issueSlowSite:
		v.say(&aboutSlowSite)
	case issuePaymentFailed:
		v.say(&aboutPaymentFailed)
	case issueCoupon:
		v.say(&aboutCoupon)
	case issueShippingCost:
		v.say(&aboutShippingCost)
	}
	if len(v.parts) == 0 || l.chance(0.3) {
		v.say(&aboutCheckout)
	}
	if st.band == positive && st.issue == issueNone && l.chance(0.35) {
		v.say(&aboutPayment)
	}
	return v.text()
}

// reviewText returns the body of a product review.
func (l *listener) reviewText(st *story) string {
	v := l.newVoice(st)
	v.say(&aboutQuality)
	if st.late && (st.band != positive || l.chance(0.5)) {
		v.say(&aboutLate)
	}
	switch x := l.r.Float64(); {
	case x < 0.25:
		v.say(&aboutPrice)
	case x < 0.4:
		v.say(&aboutRange)
	}
	v.maybe(0.2, &closings)
	return v.text()
}
