// Package demo generates a realistic demo company for cxm and loads it
// through the service interfaces.
//
// The company is Nordlicht Living, a German online retailer of home goods
// with four stores (Hamburg, Berlin, München, Köln), an app and a hotline.
// Generate builds a year of its customers and their journeys: how they
// found the company, anonymous browsing before they signed up, orders and
// deliveries, returns, calls, complaints, reviews, referrals, newsletter and
// app use. The data tells a story that analyses should find again: late
// deliveries, most of them in the Christmas season and with one carrier,
// lead to calls, complaints, returns, bad reviews and churn; app customers
// buy more often. In the last weeks, trouble at a Hermes depot makes
// delivery worse and worse.
//
// The company listens, too: surveys ask for an NPS after purchases, a CSAT
// after deliveries and hotline calls and a CES after returns, the website
// widget rates the checkout, and the shop's reviews are imported. Who is
// asked follows each survey's trigger, sampling and recontact period and
// the workspace's contact frequency; who answers, what they answer and the
// German or English comments they write follow their journey: late
// deliveries lower the delivery CSAT and the NPS after them, repeat calls
// lower the hotline's CSAT, faulty goods make returns hard.
//
// Generate is pure and deterministic; Load writes a dataset and may be run
// again without storing anything twice.
package demo

import (
	"time"

	"github.com/cxmhq/cxm"
)

// CompanyName is the name of the demo company.
const CompanyName = "Nordlicht Living"

// DefaultSeed is the seed Generate uses when Options.Seed is zero.
const DefaultSeed uint64 = 20240611

// DefaultCustomers is the number of customers Generate makes when
// Options.Customers is zero.
const DefaultCustomers = 3000

// Options change what Generate makes.
type Options struct {
	// Seed selects the random world; zero means DefaultSeed.
	Seed uint64
	// Customers is the number of known customers; zero means DefaultCustomers.
	Customers int
	// SurveyPrefix begins the slugs of the demo's surveys, which are
	// unique across a server; empty means DefaultSurveyPrefix.
	SurveyPrefix string
}

// DefaultSurveyPrefix begins the demo surveys' slugs when
// Options.SurveyPrefix is empty.
const DefaultSurveyPrefix = "nordlicht-"

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Customers <= 0 {
		o.Customers = DefaultCustomers
	}
	if o.SurveyPrefix == "" {
		o.SurveyPrefix = DefaultSurveyPrefix
	}
	return o
}

// Dataset is a generated demo company. Customers[i] and Profiles[i]
// describe the same customer.
type Dataset struct {
	// Start and End bound the data: every interaction lies in [Start, End).
	// End is the start (UTC) of the day Generate was asked for, Start one
	// year earlier.
	Start, End   time.Time
	Touchpoints  []cxm.Touchpoint
	Customers    []cxm.Customer
	Interactions []cxm.Interaction
	// Identities lists the anonymous ids that later became known customers,
	// for Load to stitch with Identify.
	Identities []Identity
	// Orders and Profiles keep the facts behind the interactions, so that
	// later generators (surveys, cases, campaigns) can follow the same story.
	Orders   []Order
	Profiles []Profile
	// Surveys are the company's surveys, and Responses its customers'
	// answers to them, oldest first.
	Surveys   []cxm.Survey
	Responses []Response
	// Invited counts per survey the customers who were asked: the email
	// invitations sent and the widgets shown. The QR codes on store
	// receipts ask everyone and are not counted.
	Invited []int
	// Teams, Agents and Rules are the company's case teams, the agents
	// who work the cases and the alert rules that open them; Cases are
	// the cases the rules opened for the responses, with their history
	// (closedloop.go).
	Teams  []Team
	Agents []Agent
	Rules  []Rule
	Cases  []Case
}

// Identity is an anonymous visitor who later identified as a customer.
type Identity struct {
	AnonymousID string
	// Customer is the customer's external id.
	Customer string
	// At is when the visitor signed up.
	At time.Time
}

// Order is one purchase: online with a delivery, or in a store.
type Order struct {
	// ID is the order number, such as "NL-250314-4821", as in the interactions' properties.
	ID string
	// Customer is the customer's external id; CustomerIndex their position in Dataset.Customers.
	Customer      string
	CustomerIndex int
	// Touchpoint is checkout-web, checkout-app or a store.
	Touchpoint string
	Channel    cxm.Channel
	PlacedAt   time.Time
	// Value is the order value in euros.
	Value float64
	Items int
	// Carrier, ShippedAt and PromisedDate are set for online orders that
	// were shipped; DeliveredAt, Late and DelayDays once delivered.
	Carrier      string
	Shipped      bool
	ShippedAt    time.Time
	PromisedDate string
	Delivered    bool
	DeliveredAt  time.Time
	Late         bool
	DelayDays    int
	// Called, Complained, Returned tell what followed; ComplaintReason and
	// ReturnReason say why. Rating is the review's stars, 0 without review.
	Called          bool
	Complained      bool
	ComplaintReason string
	Returned        bool
	ReturnReason    string
	Rating          int
}

// Profile holds the facts of one customer's journey.
type Profile struct {
	// Customer is the external id.
	Customer string
	// FirstTouchpoint is where the customer first met the company, at FirstSeenAt.
	FirstTouchpoint string
	FirstSeenAt     time.Time
	// AnonymousID is set when the customer browsed anonymously before signing up.
	AnonymousID string
	Locale      string
	City        string
	// HomeStore is the key of the store in the customer's city, or "".
	HomeStore string
	AppUser   bool
	// Newsletter is true for subscribers.
	Newsletter bool
	// Orders are positions in Dataset.Orders, oldest first.
	Orders []int
	// Counts of what happened to the customer.
	LateDeliveries, Complaints, Returns, Calls, Reviews, Referrals int
	// ReferredBy is the external id of the customer who referred this one.
	ReferredBy string
	// Churned is true when the customer stopped buying before End, at ChurnedAt.
	Churned   bool
	ChurnedAt time.Time
	// Satisfaction is the customer's hidden contentment in [0, 1] at End:
	// it rises with good orders and falls with late deliveries and
	// complaints. Survey answers should follow it.
	Satisfaction float64
}

// Generate makes the demo company for the year before now. The same seed
// and the same day of now (in UTC) give exactly the same dataset.
func Generate(now time.Time, opt Options) *Dataset {
	opt = opt.withDefaults()
	u := now.UTC()
	end := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	g := newGen(opt, end.AddDate(-1, 0, 0), end)
	for i := 0; i < opt.Customers; i++ {
		g.customer(i)
	}
	g.visitors(opt.Customers * 2 / 5)
	g.referrals()
	d := g.dataset()
	d.Surveys = surveys(opt.SurveyPrefix, d.Start)
	d.Responses, d.Invited = responses(opt, d, d.Surveys)
	closedLoop(opt, d)
	return d
}
