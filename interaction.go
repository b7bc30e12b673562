package cxm

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"time"
)

// Interaction is something a customer did or met at a touchpoint at a time:
// viewed, ordered, delivered, called, complained, returned, referred, reviewed…
type Interaction struct {
	// ID is the sender's id for the interaction. A repeated id is stored once.
	// When the sender gives none, cxm assigns one.
	ID string `json:"id"`
	// Customer is the customer's external id; AnonymousID an id of a visitor
	// not yet known. At least one is given.
	Customer    string `json:"customer,omitempty"`
	AnonymousID string `json:"anonymous_id,omitempty"`
	// CustomerID is the resolved customer, set by the store.
	CustomerID int64  `json:"customer_id,omitempty"`
	Touchpoint string `json:"touchpoint"`
	// TouchpointID and Channel are resolved by the store.
	TouchpointID int64     `json:"-"`
	Channel      Channel   `json:"channel,omitempty"`
	Type         string    `json:"type"`
	OccurredAt   time.Time `json:"occurred_at"`
	Value        *float64  `json:"value,omitempty"`
	// Properties is a JSON object of further facts, such as an order id.
	Properties json.RawMessage `json:"properties,omitempty"`
	ReceivedAt time.Time       `json:"received_at"`
}

// Limits on an interaction's fields.
const (
	MaxIDLength         = 128
	MaxTypeLength       = 64
	MaxPropertiesLength = 16 << 10
	// MaxFutureSkew is how far in the future an interaction may lie, for clock skew.
	MaxFutureSkew = 5 * time.Minute
)

var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// ValidType reports whether s can be an interaction type such as "order" or "delivery.late".
func ValidType(s string) bool { return typePattern.MatchString(s) }

// Validate checks every field the sender sets, given the current time, and
// adds problems to errs with field names prefixed by prefix (such as "[3].").
func (i *Interaction) Validate(now time.Time, prefix string, errs *FieldErrors) {
	if i.Customer == "" && i.AnonymousID == "" {
		errs.Add(prefix+"customer", "customer or anonymous_id is required")
	}
	checkText := func(field, s string, max int) {
		if !ValidText(s, max) {
			errs.Add(prefix+field, "must be valid text of at most "+itoa(max)+" bytes")
		}
	}
	checkText("id", i.ID, MaxIDLength)
	checkText("customer", i.Customer, MaxTextLength)
	checkText("anonymous_id", i.AnonymousID, MaxTextLength)
	if i.Touchpoint == "" {
		errs.Add(prefix+"touchpoint", "is required")
	} else if !ValidSlug(i.Touchpoint) {
		errs.Add(prefix+"touchpoint", "must be a touchpoint key")
	}
	if i.Type == "" {
		errs.Add(prefix+"type", "is required")
	} else if !ValidType(i.Type) {
		errs.Add(prefix+"type", "must be lower-case letters, digits, _ . or -, starting with a letter, at most 64")
	}
	switch {
	case i.OccurredAt.IsZero():
		errs.Add(prefix+"occurred_at", "is required, as an RFC 3339 time")
	case i.OccurredAt.After(now.Add(MaxFutureSkew)):
		errs.Add(prefix+"occurred_at", "lies in the future")
	case i.OccurredAt.Year() < 1990:
		errs.Add(prefix+"occurred_at", "lies before 1990")
	}
	if i.Value != nil && (math.IsNaN(*i.Value) || math.IsInf(*i.Value, 0)) {
		errs.Add(prefix+"value", "must be a finite number")
	}
	if len(i.Properties) > 0 {
		if len(i.Properties) > MaxPropertiesLength {
			errs.Add(prefix+"properties", "must be at most 16 KiB")
		} else if i.Properties[0] != '{' {
			errs.Add(prefix+"properties", "must be a JSON object")
		}
	}
}

// ItemError is the problem with one record of a batch.
type ItemError struct {
	// Index is the record's 0-based position in the batch (or line number in a file).
	Index  int    `json:"index"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// BatchResult tells what happened to each record of a batch.
type BatchResult struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	// DuplicateIndexes are the positions of records already stored before.
	DuplicateIndexes []int `json:"duplicate_indexes"`
	// Errors lists every rejected record with its field and reason.
	Errors []ItemError `json:"errors"`
	// IDs holds the id of every record in batch order; empty for rejected ones.
	IDs []string `json:"ids,omitempty"`
}

// IngestOptions changes how a batch of interactions is stored.
type IngestOptions struct {
	// CreateTouchpoints creates unknown touchpoints (stage of the default
	// journey's first stage, channel other) instead of rejecting their records.
	CreateTouchpoints bool
}

// InteractionFilter narrows an interaction list.
type InteractionFilter struct {
	CustomerID int64
	Touchpoint string
	Type       string
	From, To   time.Time
	Page
}

// InteractionService stores interactions.
type InteractionService interface {
	// IngestInteractions stores valid interactions and reports the others.
	// Records must already have passed Validate; the store resolves customers
	// (creating unknown ones), anonymous ids and touchpoints, and answers a
	// repeated id as a duplicate. Indexes in the result are positions in batch.
	IngestInteractions(ctx context.Context, workspaceID int64, batch []*Interaction, opt IngestOptions) (BatchResult, error)
	ListInteractions(ctx context.Context, workspaceID int64, f InteractionFilter) ([]*Interaction, string, error)
}
