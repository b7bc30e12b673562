package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the SLA calendar needs Europe/Berlin on machines without a zoneinfo database

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

// closedLoopStream is the PCG stream of the closed-loop generator, so
// that cases never change what came before them.
const closedLoopStream = pcgStream + 2

// TimeZone is the demo company's time zone, in which its SLA clocks run.
const TimeZone = "Europe/Berlin"

// Team keys of the demo company.
const (
	teamHotline  = "kundenservice"
	teamDelivery = "logistik"
	teamStores   = "filialen"
)

// Team is one of the demo company's case teams; its members are the
// agents whose Team is its key.
type Team struct {
	Key, Name string
}

// Agent is a demo user who works cases. Agents have no password: they
// exist so that cases have owners and their timelines authors.
type Agent struct {
	Email, Name string
	// Team is the key of the agent's team.
	Team string
}

// Rule is one of the demo company's alert rules, which opens a case of
// Priority for the team with key Team.
type Rule struct {
	Name, Condition string
	Priority        cxm.CasePriority
	Team            string
}

// Case is a historical case of the demo company. Its TeamID, AssigneeID
// and RuleID are zero: Load fills them from Team, Assignee (an agent's
// email) and Rule (a rule's name).
type Case struct {
	cxm.Case
	Team, Assignee, Rule string
	Events               []CaseEvent
}

// CaseEvent is an entry of a demo case's timeline. Actor is the email of
// the agent who acted, empty for the system; the New value of an
// assignee event is an agent's email, which Load turns into the user id.
type CaseEvent struct {
	cxm.CaseEvent
	Actor string
}

// Rule names of the demo company.
const (
	ruleDelivery  = "Unzufrieden nach Lieferung"
	ruleDetractor = "Detraktor nach Kauf"
	ruleStore     = "Detraktor nach Filialeinkauf"
	ruleLegal     = "Rechtliche Drohung oder Betrugsvorwurf"
	ruleHotline   = "Dritter Hotline-Kontakt in 7 Tagen"
)

// closedLoopSetup returns the demo company's teams, agents and rules.
func closedLoopSetup() ([]Team, []Agent, []Rule) {
	teams := []Team{{teamHotline, "Kundenservice (Hotline)"}, {teamDelivery, "Logistik"}, {teamStores, "Filialen"}}
	agents := []Agent{
		{"agent.hotline@nordlicht.example", "Jana Hoffmann", teamHotline},
		{"agent.hotline2@nordlicht.example", "Mehmet Yilmaz", teamHotline},
		{"agent.logistik@nordlicht.example", "Tobias Brandt", teamDelivery},
		{"agent.logistik2@nordlicht.example", "Svenja Krüger", teamDelivery},
		{"agent.filialen@nordlicht.example", "Anna Lehmann", teamStores},
	}
	rules := []Rule{
		{ruleDelivery, `csat <= 2 && touchpoint.key == "` + tpDelivery + `"`, cxm.PriorityHigh, teamDelivery},
		{ruleDetractor, `nps_class == "detractor" && touchpoint.channel != "store"`, cxm.PriorityHigh, teamHotline},
		{ruleStore, `nps_class == "detractor" && touchpoint.channel == "store"`, cxm.PriorityNormal, teamStores},
		{ruleLegal, `text contains "Anwalt" || text contains "Betrug" || text contains "lawyer"`, cxm.PriorityUrgent, teamHotline},
		{ruleHotline, `interactions.hotline_calls_7d >= 3 && touchpoint.key == "` + tpHotline + `"`, cxm.PriorityNormal, teamHotline},
	}
	return teams, agents, rules
}

// caseShare is the share of detractors' responses that get a case:
// detractors of the same customer within a fortnight share one, and some
// go unanswered when the teams are short of staff.
const caseShare = 0.74

// legalShare is the share of German detractors' comments that threaten
// a lawyer or speak of fraud.
const legalShare = 0.04

// looper generates the closed loop of a dataset.
type looper struct {
	*gen
	d        *Dataset
	settings *cxm.CaseSettings
	loc      *time.Location
	cal      *sla.Calendar
	agents   map[string][]string
	calls    map[string][]time.Time
	// lastCase is when each customer's last case was opened.
	lastCase map[string]time.Time
}

// closedLoop adds the teams, agents, rules and cases to d, and the later
// answers of customers whose case was resolved; it renumbers d's
// responses so that their ids stay in time order.
func closedLoop(opt Options, d *Dataset) {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return // time/tzdata makes this impossible
	}
	settings := sla.DefaultSettings(0)
	cal, err := sla.NewCalendar(loc, settings.Hours, settings.Holidays)
	if err != nil {
		return // the default calendar is valid
	}
	lp := &looper{
		gen: &gen{r: rand.New(rand.NewPCG(opt.Seed, closedLoopStream)), start: d.Start, end: d.End,
			startDate: localDate(d.Start), lastDate: addDays(localDate(d.End), -1)},
		d: d, settings: settings, loc: loc, cal: cal,
		agents: map[string][]string{}, calls: map[string][]time.Time{}, lastCase: map[string]time.Time{},
	}
	var agents []Agent
	d.Teams, agents, d.Rules = closedLoopSetup()
	d.Agents = agents
	for _, a := range agents {
		lp.agents[a.Team] = append(lp.agents[a.Team], a.Email)
	}
	for _, in := range d.Interactions {
		if in.Type == "call" && in.Customer != "" {
			lp.calls[in.Customer] = append(lp.calls[in.Customer], in.OccurredAt)
		}
	}
	for i := range d.Responses {
		r := &d.Responses[i]
		rule := lp.rule(r)
		if rule == nil {
			continue
		}
		d.Cases = append(d.Cases, lp.openCase(r, rule))
	}
	lp.recover()
}

// rule returns the rule that opens a case for r, or nil when r gets none.
func (lp *looper) rule(r *Response) *Rule {
	if !r.Completed || r.Customer == "" {
		return nil
	}
	pick := func(name string) *Rule {
		for k := range lp.d.Rules {
			if lp.d.Rules[k].Name == name {
				return &lp.d.Rules[k]
			}
		}
		return nil
	}
	at := *r.CompletedAt
	detractor := r.NPS != nil && *r.NPS <= 6
	switch {
	case r.Survey == svHotline && lp.callsBefore(r.Customer, at, 7*24*time.Hour) >= 3:
		return pick(ruleHotline)
	case !detractor && !(r.Survey == svDelivery && r.CSAT != nil && *r.CSAT <= 2):
		return nil
	}
	if why, ok := r.Answers[qWhy].(string); ok && detractor && r.Locale == "de" && lp.chance(legalShare) {
		r.Answers[qWhy] = why + " " + pick2(lp.gen, "Wenn sich niemand meldet, schalte ich meinen Anwalt ein.",
			"Für mich grenzt das an Betrug.")
		return pick(ruleLegal)
	}
	if last, ok := lp.lastCase[r.Customer]; ok && at.Sub(last) < 14*24*time.Hour {
		return nil
	}
	if !lp.chance(caseShare) {
		return nil
	}
	switch {
	case !detractor:
		return pick(ruleDelivery)
	case strings.HasPrefix(r.Touchpoint, "store-"):
		return pick(ruleStore)
	}
	return pick(ruleDetractor)
}

// pick2 returns a or b at random.
func pick2(g *gen, a, b string) string {
	if g.chance(0.5) {
		return a
	}
	return b
}

// callsBefore counts the customer's hotline calls in the window before at.
func (lp *looper) callsBefore(customer string, at time.Time, window time.Duration) int {
	n := 0
	for _, t := range lp.calls[customer] {
		if !t.After(at) && at.Sub(t) < window {
			n++
		}
	}
	return n
}

// businessMinutes returns n business minutes as a duration.
func businessMinutes(n float64) time.Duration { return time.Duration(n * float64(time.Minute)) }

// openCase generates the case rule opens for r and its history up to
// the end of the data.
func (lp *looper) openCase(r *Response, rule *Rule) Case {
	created := r.CompletedAt.Add(time.Duration(2+lp.intn(60)) * time.Second).Truncate(time.Second)
	lp.lastCase[r.Customer] = created
	c := Case{Team: rule.Team, Rule: rule.Name}
	c.ResponseID, c.Status, c.Priority, c.CreatedAt = r.ID, cxm.CaseNew, rule.Priority, created
	c.Title = caseTitle(rule, r, lp.d)
	c.Breached = []string{}
	fr, res, _ := sla.Deadlines(lp.settings, lp.loc, rule.Priority, created)
	fr, res = fr.UTC(), res.UTC()
	c.FirstResponseDue, c.ResolutionDue = &fr, &res
	target := lp.settings.SLA[rule.Priority]
	agents := lp.agents[rule.Team]
	agent := agents[lp.intn(len(agents))]
	ev := func(at time.Time, actor, kind, old, new, body string) {
		c.Events = append(c.Events, CaseEvent{CaseEvent: cxm.CaseEvent{Kind: kind, Old: old, New: new, Body: body, At: at}, Actor: actor})
	}
	ev(created, "", "created", "", string(cxm.CaseNew), c.Title)
	end := lp.end
	// breach records a missed target at its deadline, and the default
	// escalation raises the priority.
	breach := func(target string, due time.Time) {
		c.Breached = append(c.Breached, target)
		ev(due, "", "breach", "", target, "")
		if up := c.Priority.Raised(); up != c.Priority {
			ev(due, "", "escalation", string(c.Priority), string(up), "priority")
			c.Priority = up
		}
	}
	cause := lp.rootCause(r)

	// The first response: most within the target, some late. Since the
	// depot trouble the logistics team is swamped: its cases wait longer,
	// take longer, and more of them miss their targets.
	overload := 0.0
	if rule.Team == teamDelivery {
		overload = depotTrouble(created, end)
	}
	late := lp.chance(0.08 + 0.3*overload)
	f := lp.between(0.1, 0.9)
	if late {
		f = lp.between(1.15, 2.6+3*overload)
	}
	first := lp.cal.Add(created, businessMinutes(f*float64(target.FirstResponseMinutes))).UTC().Truncate(time.Second)
	if fr.Before(end) && fr.Before(first) {
		breach("first_response", fr)
	}
	if !first.Before(end) {
		c.finish(end)
		return c
	}
	c.FirstRespondedAt = &first
	ev(first, agent, "assignee", "", agent, "")
	ev(first, agent, "status", string(cxm.CaseNew), string(cxm.CaseInProgress), "")
	replied := first.Add(time.Duration(2+lp.intn(12)) * time.Minute)
	if replied.Before(end) {
		ev(replied, agent, "reply", "", "", firstReply(cause, r.Locale))
	}

	// The resolution: most within the target, some late, a few stuck.
	late = lp.chance(0.07 + 0.3*overload)
	f = lp.between(0.15, 0.95)
	if late {
		f = lp.between(1.1, 2.2+2*overload)
	}
	if lp.chance(0.015) {
		f = lp.between(6, 20) // stuck waiting for the carrier or a supplier
	}
	resolved := lp.cal.Add(created, businessMinutes(f*float64(target.ResolutionMinutes))).UTC().Truncate(time.Second)
	if resolved.Before(replied.Add(time.Hour)) {
		resolved = replied.Add(time.Duration(60+lp.intn(120)) * time.Minute)
	}
	if note := replied.Add(resolved.Sub(replied) / 2); lp.chance(0.6) && note.Before(end) {
		ev(note, agent, "note", "", "", caseNote(cause))
	}
	if res.Before(end) && res.Before(resolved) {
		breach("resolution", res)
	}
	if !resolved.Before(end) {
		if lp.chance(0.4) {
			wait := replied.Add(time.Duration(10+lp.intn(50)) * time.Minute)
			if wait.Before(end) {
				ev(wait, agent, "status", string(cxm.CaseInProgress), string(cxm.CaseWaiting), "")
				c.Status = cxm.CaseWaiting
			}
		}
		if c.Status == cxm.CaseNew {
			c.Status = cxm.CaseInProgress
		}
		c.finish(end)
		return c
	}
	rs := lp.resolution(cause, r)
	reply := resolutionReply(rs, r.Locale)
	if r.NPS != nil {
		reply += " " + askAgain(r.Locale)
	}
	ev(resolved.Add(-time.Duration(1+lp.intn(5))*time.Minute), agent, "reply", "", "", reply)
	ev(resolved, agent, "status", string(cxm.CaseInProgress), string(cxm.CaseResolved), "")
	ev(resolved, agent, "resolution", "", resolutionText(rs), "")
	c.Status, c.ResolvedAt, c.Resolution = cxm.CaseResolved, &resolved, rs
	closed := resolved.Add(time.Duration(3*24+lp.intn(5*24)) * time.Hour)
	if closed.Before(end) {
		ev(closed, "", "status", string(cxm.CaseResolved), string(cxm.CaseClosed), "")
		c.Status, c.ClosedAt = cxm.CaseClosed, &closed
	}
	c.finish(end)
	return c
}

// finish sorts c's events by time, keeps those before end, and sets the
// case's assignee and last update from them.
func (c *Case) finish(end time.Time) {
	evs := c.Events[:0]
	for _, e := range c.Events {
		if e.At.Before(end) {
			evs = append(evs, e)
		}
	}
	// Breaches happen at deadlines, which may lie before the agent's
	// events; a stable insertion sort keeps events of one instant in order.
	for i := 1; i < len(evs); i++ {
		for k := i; k > 0 && evs[k].At.Before(evs[k-1].At); k-- {
			evs[k], evs[k-1] = evs[k-1], evs[k]
		}
	}
	c.Events = evs
	for _, e := range evs {
		if e.Kind == "assignee" {
			c.Assignee = e.New
		}
	}
	c.UpdatedAt = evs[len(evs)-1].At
}

// caseTitle names a case after its rule and what it is about.
func caseTitle(rule *Rule, r *Response, d *Dataset) string {
	if r.Order >= 0 {
		return rule.Name + ": " + d.Orders[r.Order].ID
	}
	return rule.Name + ": " + r.Customer
}

// rootCause returns the root cause of the trouble r tells of.
func (lp *looper) rootCause(r *Response) string {
	d := lp.d
	if r.Order >= 0 {
		o := &d.Orders[r.Order]
		switch {
		case o.Complained && (o.ComplaintReason == "damaged" || o.ComplaintReason == "quality" || o.ComplaintReason == "wrong_item"):
			return "product_defect"
		case o.Late || o.Shipped && !o.Delivered:
			return "delivery_delay"
		case o.Channel == cxm.ChannelStore:
			return "staff_behaviour"
		}
		// A detractor whose earlier parcel came late still minds it.
		for _, k := range d.Profiles[o.CustomerIndex].Orders {
			p := &d.Orders[k]
			if p.Late && p.DeliveredAt.Before(r.StartedAt) && r.StartedAt.Sub(p.DeliveredAt) < 120*24*time.Hour {
				return "delivery_delay"
			}
		}
		if o.Touchpoint == tpCheckoutWeb && lp.chance(0.3) {
			return "website_issue"
		}
	}
	if r.Survey == svHotline {
		return "delivery_delay"
	}
	return "other"
}

// resolution returns what the team did about cause: refunds and vouchers
// for delays and defects, apologies and callbacks otherwise.
func (lp *looper) resolution(cause string, r *Response) *cxm.CaseResolution {
	value := 60.0
	if r.Order >= 0 {
		value = lp.d.Orders[r.Order].Value
	}
	var opts []weighted[cxm.ResolutionType]
	switch cause {
	case "delivery_delay":
		opts = []weighted[cxm.ResolutionType]{{cxm.ResolutionDiscount, 40}, {cxm.ResolutionRefund, 20}, {cxm.ResolutionApology, 30}, {cxm.ResolutionCallback, 10}}
	case "product_defect":
		opts = []weighted[cxm.ResolutionType]{{cxm.ResolutionRefund, 45}, {cxm.ResolutionFix, 35}, {cxm.ResolutionDiscount, 20}}
	case "staff_behaviour":
		opts = []weighted[cxm.ResolutionType]{{cxm.ResolutionApology, 50}, {cxm.ResolutionCallback, 30}, {cxm.ResolutionDiscount, 20}}
	case "website_issue":
		opts = []weighted[cxm.ResolutionType]{{cxm.ResolutionDiscount, 40}, {cxm.ResolutionCallback, 30}, {cxm.ResolutionFix, 30}}
	default:
		opts = []weighted[cxm.ResolutionType]{{cxm.ResolutionCallback, 45}, {cxm.ResolutionApology, 25}, {cxm.ResolutionDiscount, 20}, {cxm.ResolutionNone, 10}}
	}
	rs := &cxm.CaseResolution{RootCause: cause, Type: pickWeighted(lp.gen, opts)}
	switch rs.Type {
	case cxm.ResolutionRefund:
		rs.Currency = "EUR"
		if cause == "delivery_delay" {
			rs.Amount, rs.Note = 4.95, "Versandkosten erstattet"
		} else {
			rs.Amount, rs.Note = roundCents(value*lp.between(0.3, 1)), "Teilerstattung für die beschädigte Ware"
		}
	case cxm.ResolutionDiscount:
		rs.Currency = "EUR"
		rs.Amount = float64(pick(lp.gen, []int{10, 10, 15, 20, 25}))
		rs.Note = "Gutschein für die nächste Bestellung"
	case cxm.ResolutionCallback:
		rs.Note = "Rückruf durch den Kundenservice"
	case cxm.ResolutionApology:
		rs.Note = "Persönliche Entschuldigung"
	case cxm.ResolutionFix:
		rs.Note = "Ersatzlieferung veranlasst"
		if cause == "website_issue" {
			rs.Note = "Fehler im Checkout behoben, Bestellung manuell abgeschlossen"
		}
	}
	return rs
}

// roundCents rounds x to whole cents.
func roundCents(x float64) float64 {
	return float64(int64(x*100+0.5)) / 100
}

// resolutionText is a resolution as a case timeline shows it, such as
// "refund (delivery_delay) 4.95 EUR".
func resolutionText(r *cxm.CaseResolution) string {
	s := string(r.Type) + " (" + r.RootCause + ")"
	if r.Amount > 0 || r.Currency != "" {
		s += " " + strconv.FormatFloat(r.Amount, 'f', -1, 64) + " " + r.Currency
	}
	return s
}

// firstReply is the agent's first answer to the customer.
func firstReply(cause, locale string) string {
	if locale == "en" {
		return "Thank you for your feedback, and we are sorry. We are looking into it and will get back to you shortly."
	}
	switch cause {
	case "delivery_delay":
		return "Vielen Dank für Ihre Rückmeldung, und es tut uns leid, dass Ihre Lieferung nicht pünktlich war. Wir klären das mit dem Paketdienst und melden uns."
	case "product_defect":
		return "Vielen Dank für Ihre Rückmeldung. Das tut uns sehr leid – können Sie uns ein Foto der Ware schicken? Wir kümmern uns sofort."
	}
	return "Vielen Dank für Ihre offenen Worte. Wir nehmen Ihr Anliegen ernst und melden uns in Kürze persönlich bei Ihnen."
}

// caseNote is an internal note of the team.
func caseNote(cause string) string {
	switch cause {
	case "delivery_delay":
		return "Sendungsverfolgung geprüft: Verzögerung im Depot, Paketdienst informiert."
	case "product_defect":
		return "Fotos liegen vor, Schaden bestätigt. Lieferant informiert."
	case "staff_behaviour":
		return "Mit der Filialleitung gesprochen, Feedback an das Team weitergegeben."
	}
	return "Kunde telefonisch nicht erreicht, E-Mail geschickt."
}

// resolutionReply is the agent's last answer, saying what was done.
func resolutionReply(r *cxm.CaseResolution, locale string) string {
	amount := strings.Replace(strconv.FormatFloat(r.Amount, 'f', 2, 64), ".", ",", 1) + " €"
	if locale == "en" {
		switch r.Type {
		case cxm.ResolutionRefund:
			return "We have refunded " + strconv.FormatFloat(r.Amount, 'f', 2, 64) + " EUR to you. Thank you for your patience."
		case cxm.ResolutionDiscount:
			return "As an apology, here is a voucher worth " + strconv.FormatFloat(r.Amount, 'f', 2, 64) + " EUR for your next order."
		}
		return "Thank you for your patience; we have taken care of it. Please let us know if anything else comes up."
	}
	switch r.Type {
	case cxm.ResolutionRefund:
		return "Wir haben Ihnen " + amount + " erstattet. Vielen Dank für Ihre Geduld."
	case cxm.ResolutionDiscount:
		return "Als Entschuldigung erhalten Sie einen Gutschein über " + amount + " für Ihre nächste Bestellung."
	case cxm.ResolutionFix:
		if r.RootCause == "website_issue" {
			return "Der Fehler im Checkout ist behoben, und Ihre Bestellung ist abgeschlossen."
		}
		return "Die Ersatzlieferung ist unterwegs. Die beschädigte Ware können Sie behalten."
	case cxm.ResolutionCallback:
		return "Vielen Dank für das Telefonat eben. Wir haben alles wie besprochen erledigt."
	}
	return "Es tut uns aufrichtig leid. Wir haben Ihr Feedback an das Team weitergegeben, damit das nicht wieder vorkommt."
}

// askAgain is the question at the end of a detractor's last reply, with
// the link to the survey.
func askAgain(locale string) string {
	if locale == "en" {
		return "Would you recommend us now? The link below takes ten seconds."
	}
	return "Würden Sie uns jetzt weiterempfehlen? Der Link unten dauert zehn Sekunden."
}
