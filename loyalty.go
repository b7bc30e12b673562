package cxm

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Interaction types that the behavioural (loyalty) metrics count besides
// the purchases of PurchaseTypes.
const (
	// InteractionReferral is a customer recommending the company.
	InteractionReferral = "referral"
	// InteractionComplaint is a complaint through any channel.
	InteractionComplaint = "complaint"
	// InteractionReview is a public review whose numeric property
	// "rating" holds 1 to 5 stars.
	InteractionReview = "review"
)

// AttributeFilter keeps the customers whose attribute Key equals Value, as
// in the query parameter attribute=loyalty_tier:gold.
type AttributeFilter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ParseAttributeFilter reads "key:value". The key must be a valid attribute
// key and the value must not be empty; a bad one is EInvalid on field.
func ParseAttributeFilter(field, s string) (*AttributeFilter, error) {
	key, value, ok := strings.Cut(s, ":")
	if !ok || !attributeKeyPattern.MatchString(key) || value == "" || !ValidText(value, 200) {
		return nil, Invalid(FieldError{Field: field, Reason: "must be key:value, such as loyalty_tier:gold, with a lower-case attribute key"})
	}
	return &AttributeFilter{Key: key, Value: value}, nil
}

// Matches reports whether attrs hold Key with Value: a string equal to
// it, a number equal to it read as a number, or a boolean named by it
// ("true" or "false").
func (f *AttributeFilter) Matches(attrs Attributes) bool {
	v, ok := attrs[f.Key]
	if !ok {
		return false
	}
	switch v := v.(type) {
	case string:
		return v == f.Value
	case float64:
		n, err := strconv.ParseFloat(f.Value, 64)
		return err == nil && n == v
	case bool:
		b, err := strconv.ParseBool(f.Value)
		return err == nil && b == v
	}
	return false
}

// LoyaltyQuery selects the interactions behind the behavioural metrics.
type LoyaltyQuery struct {
	WorkspaceID int64
	// From and To bound the period [From, To); a zero end leaves it open.
	From, To time.Time
	// TouchpointIDs, when FilterTouchpoints is set, limits complaints and
	// reviews to these touchpoints (a stage filter resolves to its
	// touchpoints); an empty list then matches none. Purchases, referrals
	// and activity are never filtered by touchpoint.
	TouchpointIDs     []int64
	FilterTouchpoints bool
	// Attribute, when set, keeps only customers with this attribute;
	// anonymous interactions are then left out.
	Attribute *AttributeFilter
}

// ReviewFacts holds the sufficient statistics of review ratings: their
// number, sum and sum of squares.
type ReviewFacts struct {
	N     int64
	Sum   float64
	SumSq float64
}

// LoyaltyFacts are the raw counts of one period behind the behavioural
// metrics, before any statistics.
type LoyaltyFacts struct {
	// PurchasesPerCustomer holds, for each customer with at least one
	// purchase in the period, the number of their purchases there.
	PurchasesPerCustomer []int
	// ActiveCustomers counts the customers with any interaction in the
	// period; Referrers and Complainers count those of them with a
	// referral or a complaint (at the filtered touchpoints) there.
	ActiveCustomers int64
	Referrers       int64
	Complainers     int64
	// Reviews summarises the ratings (1–5) of the reviews in the period
	// at the filtered touchpoints; reviews without a valid rating are left
	// out.
	Reviews ReviewFacts
	// LastPurchases holds, for each customer with a purchase before To
	// (at any time, not only in the period), their last purchase before To.
	LastPurchases []time.Time
}

// SurveyResponseFacts counts, for one survey, the invitations delivered in
// a period and how many of them a completed response answered.
type SurveyResponseFacts struct {
	SurveyID  int64
	Delivered int64
	Responded int64
}

// ResponseRateQuery selects the invitations behind response rates.
type ResponseRateQuery struct {
	WorkspaceID int64
	// From and To bound [From, To) by when each invitation reached the
	// customer (or was due, for one answered without a recorded contact).
	From, To time.Time
	// SurveyIDs, when not empty, keeps only these surveys.
	SurveyIDs []int64
}

// LoyaltyService reads the raw facts of the behavioural metrics: repeat
// purchases, referrals, complaints, reviews, churn, purchase cohorts and
// response rates. The statistics are the metric package's.
type LoyaltyService interface {
	// LoyaltyFacts returns the counts of q's period.
	LoyaltyFacts(ctx context.Context, q LoyaltyQuery) (*LoyaltyFacts, error)
	// PurchaseHistories returns, for each customer whose first purchase
	// ever falls in q's period, the times of all their purchases before
	// q.To, for monthly cohorts. Touchpoint filters do not apply.
	PurchaseHistories(ctx context.Context, q LoyaltyQuery) ([][]time.Time, error)
	// ResponseFacts returns, per survey with at least one delivered
	// invitation in the period, the invitations delivered and answered.
	// Delivered means sent by email or shown by the widget (answered or
	// expired since); bounced, failed, skipped, scheduled and waiting
	// invitations never reached anyone and are not counted. Responses
	// carry the id of their invitation, so a response counts only when it
	// is completed and names a delivered invitation; responses from open
	// links, QR codes or the API without an invitation are left out of
	// both counts.
	ResponseFacts(ctx context.Context, q ResponseRateQuery) ([]SurveyResponseFacts, error)
}
