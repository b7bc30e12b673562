package demo

// Handling problems of a delivery.
const (
	handlingNone = iota
	handlingDamaged
	handlingNeighbour
	handlingNoRing
)

// Return methods and their trouble.
const (
	returnPortal = iota
	returnQR
	returnLabelProblem
)

// Phrases about deliveries.
var (
	aboutOnTime = bank{
		langDE: {
			negative: {"Die Zustellung war chaotisch, der Bote hat das Paket einfach vor die Tür gestellt.", "Der Paketbote war unfreundlich."},
			mixed:    {"Pünktlich geliefert, aber das Zeitfenster war sehr ungenau.", "Die Lieferung war okay, mehr nicht."},
			positive: {"Pünktlich wie angekündigt geliefert.", "Schnelle und zuverlässige Lieferung.", "Die Lieferung kam schnell und in einwandfreiem Zustand."},
		},
		langEN: {
			negative: {"The delivery was chaotic, the courier just left the parcel outside the door.", "The courier was rude."},
			mixed:    {"Delivered on time, but the delivery window was very vague.", "The delivery was okay, nothing more."},
			positive: {"Delivered on time as promised.", "Fast and reliable delivery.", "Quick delivery, everything in perfect condition."},
		},
	}
	aboutEarly = bank{
		langDE: {
			mixed:    {"Kam früher als angekündigt, nur leider war niemand zu Hause."},
			positive: {"Das Paket kam sogar einen Tag früher als angekündigt, super."},
		},
		langEN: {
			mixed:    {"It came earlier than announced, but unfortunately nobody was home."},
			positive: {"The parcel even arrived a day earlier than announced, great."},
		},
	}
	aboutDamaged = bank{
		langDE: {
			negative: {"Der Karton war eingedrückt und {p} beschädigt.", "Das Paket kam völlig zerdrückt an."},
			mixed:    {"Das Paket hatte eine Delle, der Inhalt war aber in Ordnung."},
			positive: {"Das Paket hatte eine kleine Delle, aber alles heil."},
		},
		langEN: {
			negative: {"The box was crushed and {p} was damaged.", "The parcel arrived completely squashed."},
			mixed:    {"The parcel was dented, but the contents were fine."},
			positive: {"The box had a small dent, but everything was intact."},
		},
	}
	aboutNeighbour = bank{
		langDE: {
			negative: {"Das Paket wurde einfach beim Nachbarn abgegeben, ohne Benachrichtigung.",
				"Ich war zu Hause, trotzdem landete das Paket bei einem Nachbarn drei Häuser weiter, sehr ärgerlich."},
			mixed:    {"Das Paket lag beim Nachbarn, das ist nicht ideal."},
			positive: {"Paket beim Nachbarn abgegeben, hat aber gut geklappt."},
		},
		langEN: {
			negative: {"The parcel was left with a neighbour without any notice.",
				"I was at home, yet the parcel ended up with a neighbour three doors down, very annoying."},
			mixed:    {"The parcel was left with a neighbour, which isn't ideal."},
			positive: {"Left with a neighbour, but that worked fine."},
		},
	}
	aboutNoRing = bank{
		langDE: {
			negative: {"Der Zusteller hat nicht einmal geklingelt, nur eine Karte eingeworfen.",
				"Statt zu klingeln lag nur ein Zettel im Briefkasten, ich musste das Paket selbst abholen. Unmöglich."},
			mixed:    {"Es wurde nicht geklingelt, ich musste das Paket im Paketshop abholen."},
			positive: {"Musste das Paket im Paketshop abholen, ging aber schnell."},
		},
		langEN: {
			negative: {"The courier didn't even ring the bell, just left a card.",
				"Instead of ringing they left a note and I had to collect the parcel myself. Terrible."},
			mixed:    {"Nobody rang the bell, so I had to pick the parcel up at a parcel shop."},
			positive: {"Had to collect it at a parcel shop, but that was quick."},
		},
	}
	aboutTracking = bank{
		langDE: {
			negative: {"Die Sendungsverfolgung zeigte tagelang keinen neuen Status.", "Über die Verspätung wurde ich gar nicht informiert, schlecht."},
			mixed:    {"Die Sendungsverfolgung war etwas ungenau."},
			positive: {"Die Sendungsverfolgung war super, ich wusste immer Bescheid."},
		},
		langEN: {
			negative: {"Tracking showed no update for days.", "Nobody told me about the delay, poor."},
			mixed:    {"Tracking was a bit vague."},
			positive: {"Tracking was great, I always knew where my parcel was."},
		},
	}
	aboutCarrier = bank{
		langDE: {
			negative: {"Mit {carrier} habe ich immer wieder Probleme.", "{carrier} ist leider unzuverlässig."},
			mixed:    {"{carrier} war diesmal okay."},
			positive: {"{carrier} war wie immer zuverlässig.", "Netter Fahrer von {carrier}."},
		},
		langEN: {
			negative: {"I keep having problems with {carrier}.", "{carrier} is unreliable, unfortunately."},
			mixed:    {"{carrier} was okay this time."},
			positive: {"{carrier} was reliable as always.", "Friendly {carrier} driver."},
		},
	}
	aboutPackaging = bank{
		langDE: {
			negative: {"Viel zu viel Plastik in der Verpackung."},
			mixed:    {"Viel zu viel Verpackung für so einen kleinen Artikel."},
			positive: {"Sehr schön und nachhaltig verpackt."},
		},
		langEN: {
			negative: {"Way too much plastic in the packaging."},
			mixed:    {"Far too much packaging for such a small item."},
			positive: {"Beautifully packed, and with little plastic."},
		},
	}
)

// Phrases about hotline calls.
var (
	aboutHold = bank{
		langDE: {
			negative: {"Ich hing über {mins} Minuten in der Warteschleife.", "Ewig in der Warteschleife, das geht gar nicht."},
			mixed:    {"Die Wartezeit war mit {mins} Minuten etwas lang."},
			positive: {"Ich wurde sofort durchgestellt, kaum Wartezeit.", "Kurze Wartezeit, sehr angenehm."},
		},
		langEN: {
			negative: {"I was on hold for over {mins} minutes.", "Ages on hold, that's unacceptable."},
			mixed:    {"Waiting {mins} minutes on hold was a bit long."},
			positive: {"I got through straight away, hardly any waiting.", "Short waiting time, very pleasant."},
		},
	}
	aboutAgent = bank{
		langDE: {
			negative: {"Der Mitarbeiter war unfreundlich und genervt.", "Die Dame am Telefon war leider sehr unhöflich."},
			mixed:    {"Die Mitarbeiterin war nett, konnte mir aber kaum helfen."},
			positive: {"Die Mitarbeiterin war sehr freundlich und hilfsbereit.", "Sehr netter und kompetenter Mitarbeiter."},
		},
		langEN: {
			negative: {"The agent was rude and impatient.", "The lady on the phone was very impolite, unfortunately."},
			mixed:    {"The agent was nice but couldn't really help me."},
			positive: {"The agent was very friendly and helpful.", "Very nice and competent agent."},
		},
	}
	aboutSolved = bank{
		langDE: {
			negative: {"Gelöst ist es jetzt, aber der Weg dahin war mühsam."},
			mixed:    {"Am Ende wurde es gelöst, aber es hat gedauert."},
			positive: {"Mein Problem wurde sofort gelöst.", "Kompetente Beratung, alles geklärt."},
		},
		langEN: {
			negative: {"It's solved now, but getting there was painful."},
			mixed:    {"It got solved in the end, but it took a while."},
			positive: {"My problem was solved right away.", "Competent advice, all sorted."},
		},
	}
	aboutPartlySolved = bank{
		langDE: {
			negative: {"Mein Anliegen ist nur halb gelöst, auf die versprochene Rückmeldung warte ich noch."},
			mixed:    {"Teilweise geklärt, ich warte noch auf eine Rückmeldung."},
			positive: {"Fast alles geklärt, den Rest regeln wir per E-Mail."},
		},
		langEN: {
			negative: {"My issue is only half solved, I'm still waiting for the promised reply."},
			mixed:    {"Partly sorted, I'm still waiting to hear back."},
			positive: {"Almost everything sorted, the rest is being handled by email."},
		},
	}
	aboutUnsolved = bank{
		langDE: {
			negative: {"Mein Problem ist immer noch nicht gelöst.", "Der versprochene Rückruf kam nie.", "Man hat mich nur vertröstet."},
			mixed:    {"Gelöst ist leider noch nichts, aber man hat sich bemüht."},
			positive: {"Gelöst ist es noch nicht, aber man hat sich sehr bemüht."},
		},
		langEN: {
			negative: {"My problem still isn't solved.", "The promised callback never came.", "They just fobbed me off."},
			mixed:    {"Nothing is solved yet, but they did try."},
			positive: {"It isn't solved yet, but they really tried."},
		},
	}
	aboutRepeatCall = bank{
		langDE: {
			negative: {"Ich musste jetzt schon zum {nth} Mal anrufen.", "Jedes Mal erzählt man mir etwas anderes, und ich rufe jetzt zum {nth} Mal an."},
			mixed:    {"Erst beim {nth} Anruf konnte mir geholfen werden."},
			positive: {"Beim {nth} Anruf hat es endlich geklappt, danke an die nette Kollegin."},
		},
		langEN: {
			negative: {"This is the {nth} time I've had to call.", "Every time I'm told something different, and this is my {nth} call."},
			mixed:    {"It took a {nth} call to get help."},
			positive: {"On my {nth} call it finally worked out, thanks to the friendly agent."},
		},
	}
	aboutParcelQuestion = bank{
		langDE: {
			negative: {"Niemand konnte mir sagen, wo mein Paket ist."},
			mixed:    {"Man konnte mir nur sagen, dass das Paket unterwegs ist."},
			positive: {"Man hat mir gleich gesagt, wann mein Paket kommt."},
		},
		langEN: {
			negative: {"Nobody could tell me where my parcel was."},
			mixed:    {"All they could tell me was that the parcel is on its way."},
			positive: {"They told me right away when my parcel would arrive."},
		},
	}
	aboutComplaintCall = bank{
		langDE: {
			negative: {"Für meine Reklamation fühlte sich niemand zuständig."},
			mixed:    {"Die Reklamation wurde aufgenommen, mal sehen, was passiert."},
			positive: {"Meine Reklamation wurde unkompliziert aufgenommen, Ersatz ist schon unterwegs."},
		},
		langEN: {
			negative: {"Nobody felt responsible for my complaint."},
			mixed:    {"My complaint was noted, let's see what happens."},
			positive: {"My complaint was handled without fuss and a replacement is already on its way."},
		},
	}
	aboutInvoiceCall = bank{
		langDE: {
			negative: {"Die Rechnung ist immer noch falsch."},
			mixed:    {"Die Frage zur Rechnung ist halbwegs geklärt."},
			positive: {"Die Frage zur Rechnung war schnell geklärt."},
		},
		langEN: {
			negative: {"The invoice is still wrong."},
			mixed:    {"My invoice question is more or less sorted."},
			positive: {"My invoice question was sorted quickly."},
		},
	}
	aboutProductCall = bank{
		langDE: {
			negative: {"Auf meine Frage zum Produkt gab es keine brauchbare Antwort."},
			mixed:    {"Die Produktberatung war okay."},
			positive: {"Sehr gute Beratung zu meiner Frage zum Produkt."},
		},
		langEN: {
			negative: {"I got no useful answer to my product question."},
			mixed:    {"The product advice was okay."},
			positive: {"Very good advice on my product question."},
		},
	}
	aboutChangeCall = bank{
		langDE: {
			negative: {"Meine Bestellung konnte nicht mehr geändert werden, obwohl sie noch nicht verschickt war."},
			mixed:    {"Die Änderung hat geklappt, war aber kompliziert."},
			positive: {"Meine Bestellung wurde problemlos geändert."},
		},
		langEN: {
			negative: {"My order couldn't be changed even though it hadn't shipped yet."},
			mixed:    {"The change worked, but it was complicated."},
			positive: {"My order was changed without any problem."},
		},
	}
)

// Phrases about returns.
var (
	aboutPortal = bank{
		langDE: {
			negative: {"Das Retourenportal ist umständlich und unübersichtlich."},
			mixed:    {"Das Retourenlabel aus dem Portal hat funktioniert, war aber etwas umständlich."},
			positive: {"Die Rücksendung war ganz einfach: Label im Portal ausgedruckt und fertig.", "Retourenlabel in zwei Minuten erstellt, super einfach."},
		},
		langEN: {
			negative: {"The returns portal is cumbersome and confusing."},
			mixed:    {"The label from the returns portal worked, but it was a bit fiddly."},
			positive: {"Returning was really easy: printed the label from the portal and done.", "Created the return label in two minutes, super easy."},
		},
	}
	aboutReturnQR = bank{
		langDE: {
			negative: {"Im Paketshop kannte niemand den QR-Code, sehr ärgerlich."},
			mixed:    {"Rücksendung per QR-Code im Paketshop, aber dort war eine lange Schlange."},
			positive: {"Retoure per QR-Code im Paketshop, ganz ohne Drucker – super unkompliziert."},
		},
		langEN: {
			negative: {"Nobody at the parcel shop knew what to do with the QR code, very annoying."},
			mixed:    {"Returned with a QR code at the parcel shop, but there was a long queue."},
			positive: {"Returned with a QR code at the parcel shop, no printer needed – no hassle at all."},
		},
	}
	aboutLabelProblem = bank{
		langDE: {
			negative: {"Das Retourenlabel ließ sich nicht ausdrucken, ich musste zweimal beim Kundenservice anrufen.",
				"Kein Retourenschein im Paket und das Portal hat nicht funktioniert."},
			mixed:    {"Das Label ging erst im zweiten Versuch, dann hat es geklappt."},
			positive: {"Mit dem Label gab es erst ein Problem, der Kundenservice hat aber sofort geholfen."},
		},
		langEN: {
			negative: {"The return label wouldn't print, I had to call customer service twice.",
				"No returns slip in the parcel and the portal didn't work."},
			mixed:    {"The label only worked on the second try, then it was fine."},
			positive: {"There was a problem with the label at first, but customer service helped right away."},
		},
	}
	aboutRefund = bank{
		langDE: {
			negative: {"Auf die Erstattung habe ich {refund} Tage gewartet, viel zu lange.", "Die Rückerstattung hat ewig gedauert."},
			mixed:    {"Die Erstattung kam nach {refund} Tagen."},
			positive: {"Das Geld war schon nach {refund} Tagen wieder auf dem Konto.", "Die Erstattung kam super schnell."},
		},
		langEN: {
			negative: {"I waited {refund} days for my refund, far too long.", "The refund took ages."},
			mixed:    {"The refund came after {refund} days."},
			positive: {"The refund was in my account after just {refund} days.", "The refund came really quickly."},
		},
	}
	aboutFaultyReturn = bank{
		langDE: {
			negative: {"Dass ich für einen fehlerhaften Artikel selbst so viel Aufwand habe, ist ärgerlich.",
				"Erst die falsche Ware und dann auch noch der Aufwand mit der Rücksendung."},
			mixed:    {"Der Artikel war fehlerhaft, die Rücksendung ging aber."},
			positive: {"Der Artikel war leider fehlerhaft, aber die Rücksendung war kein Problem."},
		},
		langEN: {
			negative: {"Annoying that I had to do all the work for a faulty item.", "First the wrong item, then all the hassle of returning it."},
			mixed:    {"The item was faulty, but the return worked."},
			positive: {"Sadly the item was faulty, but the return was no problem."},
		},
	}
	aboutLateReturn = bank{
		langDE: {
			negative: {"Die Bestellung kam zu spät, deshalb ging sie zurück."},
			mixed:    {"Die Lieferung kam zu spät für den Anlass, also zurück damit."},
			positive: {"Die Lieferung kam leider zu spät, aber die Rücksendung war kinderleicht."},
		},
		langEN: {
			negative: {"The order came too late, so I sent it back."},
			mixed:    {"The delivery came too late for the occasion, so back it went."},
			positive: {"Sadly the delivery came too late, but returning it was child's play."},
		},
	}
	aboutMindChanged = bank{
		langDE: {
			mixed:    {"{P} hat nicht gepasst, die Rücksendung war aber okay."},
			positive: {"Kostenlose Rücksendung, auch wenn man es sich einfach anders überlegt hat – top."},
		},
		langEN: {
			mixed:    {"{P} didn't suit me, but the return was okay."},
			positive: {"Free returns even if you simply changed your mind – great."},
		},
	}
	aboutNotAsShown = bank{
		langDE: {
			negative: {"{P} sah leider ganz anders aus als auf den Fotos."},
			mixed:    {"{P} sah anders aus als erwartet, die Rücksendung war aber okay."},
			positive: {"{P} war nicht ganz wie erwartet, die Retoure dafür total einfach."},
		},
		langEN: {
			negative: {"{P} looked completely different from the photos, sadly."},
			mixed:    {"{P} looked different than expected, but the return was okay."},
			positive: {"{P} wasn't quite what I expected, but the return was totally easy."},
		},
	}
)

// deliveryText returns the comment on a delivery's CSAT answer.
func (l *listener) deliveryText(st *story) string {
	v := l.newVoice(st)
	v.maybe(0.45, &openings)
	if st.late {
		v.say(&aboutLate)
		if st.band == negative {
			v.maybe(0.3, &aboutTracking)
		}
	}
	switch st.handling {
	case handlingDamaged:
		v.say(&aboutDamaged)
	case handlingNeighbour:
		v.say(&aboutNeighbour)
	case handlingNoRing:
		v.say(&aboutNoRing)
	}
	if st.late || st.handling != handlingNone {
		if st.band == negative {
			v.maybe(0.35, &aboutCarrier)
		}
	} else {
		if st.early && st.band != negative {
			v.say(&aboutEarly)
		} else {
			v.say(&aboutOnTime)
		}
		switch x := l.r.Float64(); {
		case x < 0.15:
			v.say(&aboutCarrier)
		case x < 0.25:
			v.say(&aboutPackaging)
		case x < 0.35:
			v.say(&aboutTracking)
		}
	}
	v.maybe(0.2, &closings)
	return v.text()
}

// hotlineText returns the comment on a hotline call's CSAT answer.
func (l *listener) hotlineText(st *story) string {
	v := l.newVoice(st)
	v.maybe(0.4, &openings)
	if st.repeat > 0 {
		v.maybe(0.8, &aboutRepeatCall)
	}
	switch st.reason {
	case "delivery_status":
		v.maybe(0.6, &aboutParcelQuestion)
	case "complaint", "complaint_followup":
		v.maybe(0.6, &aboutComplaintCall)
	case "invoice", "payment":
		v.maybe(0.6, &aboutInvoiceCall)
	case "product_question":
		v.maybe(0.6, &aboutProductCall)
	case "order_change":
		v.maybe(0.6, &aboutChangeCall)
	}
	switch st.solved {
	case solvedYes:
		v.maybe(0.5, &aboutSolved)
	case solvedPart:
		v.maybe(0.6, &aboutPartlySolved)
	default:
		v.maybe(0.7, &aboutUnsolved)
	}
	if len(v.parts) < 2 || l.chance(0.4) {
		if l.chance(0.5) {
			v.sayIn(&aboutHold, holdBand(st.holdMins))
		} else {
			v.say(&aboutAgent)
		}
	}
	return v.text()
}

// returnText returns the comment on a return's CES answer.
func (l *listener) returnText(st *story) string {
	v := l.newVoice(st)
	v.maybe(0.35, &openings)
	switch st.reason {
	case "damaged", "wrong_item", "missing_item":
		v.maybe(0.6, &aboutFaultyReturn)
	case "too_late":
		v.maybe(0.7, &aboutLateReturn)
	case "changed_mind", "too_many":
		v.maybe(0.4, &aboutMindChanged)
	case "not_as_expected", "quality":
		v.maybe(0.4, &aboutNotAsShown)
	}
	switch st.method {
	case returnLabelProblem:
		v.say(&aboutLabelProblem)
	case returnQR:
		v.maybe(0.6, &aboutReturnQR)
	default:
		v.maybe(0.6, &aboutPortal)
	}
	if len(v.parts) < 2 || l.chance(0.5) {
		switch {
		case st.refundDays <= 4:
			v.sayIn(&aboutRefund, positive)
		case st.refundDays >= 10:
			v.sayIn(&aboutRefund, negative)
		default:
			v.sayIn(&aboutRefund, mixed)
		}
	}
	return v.text()
}

// holdBand returns how a wait of mins minutes on hold feels.
func holdBand(mins int) band {
	switch {
	case mins <= 3:
		return positive
	case mins < 10:
		return mixed
	}
	return negative
}
