package cxm

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"time"
)

// Customer is a profile of one person the company serves.
type Customer struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	// ExternalID is the company's own id for the customer, unique in the workspace.
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
	Name       string `json:"name,omitempty"`
	Locale     string `json:"locale,omitempty"`
	// Birthday is a calendar date, YYYY-MM-DD.
	Birthday   string     `json:"birthday,omitempty"`
	Attributes Attributes `json:"attributes"`
	Consent    Consent    `json:"consent"`
	// FirstTouchpointID is where the customer first met the company; the
	// earliest interaction sets it and later ones never replace it.
	FirstTouchpointID  int64      `json:"first_touchpoint_id,omitempty"`
	FirstTouchpointKey string     `json:"first_touchpoint,omitempty"`
	FirstSeenAt        *time.Time `json:"first_seen_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// Consent records what the customer agreed to.
type Consent struct {
	// Email allows contacting the customer by email.
	Email bool `json:"email"`
	// Analytics allows using the customer's behaviour in analyses.
	Analytics bool `json:"analytics"`
}

// Attributes are typed custom fields of a customer: each value is a string,
// a number or a boolean.
type Attributes map[string]any

var attributeKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidAttributeKey reports whether k can name a customer attribute: a
// lower-case letter, then up to 63 lower-case letters, digits or
// underscores.
func ValidAttributeKey(k string) bool { return attributeKeyPattern.MatchString(k) }

// MaxAttributes is the largest number of attributes a customer may have.
const MaxAttributes = 100

// Validate checks keys and value types, adding problems to errs under field.
func (a Attributes) Validate(field string, errs *FieldErrors) {
	if len(a) > MaxAttributes {
		errs.Add(field, "must have at most 100 attributes")
		return
	}
	for k, v := range a {
		f := field + "." + k
		if !attributeKeyPattern.MatchString(k) {
			errs.Add(f, "key must be lower-case letters, digits and _ and start with a letter")
			continue
		}
		switch v := v.(type) {
		case string:
			if !ValidText(v, 1000) {
				errs.Add(f, "must be valid text of at most 1000 bytes")
			}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				errs.Add(f, "must be a finite number")
			}
		case json.Number:
		case bool, nil:
		default:
			errs.Add(f, "must be a string, number, boolean or null")
		}
	}
}

// ValidDate reports whether s is a calendar date in the form YYYY-MM-DD.
func ValidDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// MaxTextLength bounds short text fields such as ids, names and emails.
const MaxTextLength = 200

// Validate fills defaults and checks every field.
func (c *Customer) Validate() error {
	var errs FieldErrors
	c.Email = NormalizeEmail(c.Email)
	if c.Attributes == nil {
		c.Attributes = Attributes{}
	}
	if !ValidText(c.ExternalID, MaxTextLength) {
		errs.Add("external_id", "must be valid text of at most 200 bytes")
	}
	if c.Email != "" && !ValidEmail(c.Email) {
		errs.Add("email", "must be an email address")
	}
	if !ValidText(c.Name, MaxTextLength) {
		errs.Add("name", "must be valid text of at most 200 bytes")
	}
	if c.Locale != "" && !ValidLocale(c.Locale) {
		errs.Add("locale", "must be de or en")
	}
	if c.Birthday != "" && !ValidDate(c.Birthday) {
		errs.Add("birthday", "must be a date in the form YYYY-MM-DD")
	}
	c.Attributes.Validate("attributes", &errs)
	return errs.Err()
}

// CustomerUpdate holds the fields to change; nil fields stay as they are.
// Attributes are merged key by key; a null value removes the key.
type CustomerUpdate struct {
	ExternalID *string    `json:"external_id"`
	Email      *string    `json:"email"`
	Name       *string    `json:"name"`
	Locale     *string    `json:"locale"`
	Birthday   *string    `json:"birthday"`
	Attributes Attributes `json:"attributes"`
	Consent    *struct {
		Email     *bool `json:"email"`
		Analytics *bool `json:"analytics"`
	} `json:"consent"`
}

// Apply changes c by u.
func (u CustomerUpdate) Apply(c *Customer) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.ExternalID, u.ExternalID)
	set(&c.Email, u.Email)
	set(&c.Name, u.Name)
	set(&c.Locale, u.Locale)
	set(&c.Birthday, u.Birthday)
	if c.Attributes == nil {
		c.Attributes = Attributes{}
	}
	for k, v := range u.Attributes {
		if v == nil {
			delete(c.Attributes, k)
		} else {
			c.Attributes[k] = v
		}
	}
	if u.Consent != nil {
		if u.Consent.Email != nil {
			c.Consent.Email = *u.Consent.Email
		}
		if u.Consent.Analytics != nil {
			c.Consent.Analytics = *u.Consent.Analytics
		}
	}
}

// CustomerFilter narrows a customer list.
type CustomerFilter struct {
	ExternalID string
	Email      string
	Page
}

// IdentifyResult tells what POST /identify did.
type IdentifyResult struct {
	Customer *Customer `json:"customer"`
	// Created is true when the customer did not exist before.
	Created bool `json:"created"`
	// Linked counts the earlier anonymous interactions now given to the customer.
	Linked int `json:"linked_interactions"`
}

// CustomerMerge records one merge of a duplicate profile into a kept one,
// with the duplicate's profile as it was, so that nothing is lost.
type CustomerMerge struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	IntoID      int64     `json:"into_id"`
	FromID      int64     `json:"from_id"`
	From        Customer  `json:"from"`
	MergedAt    time.Time `json:"merged_at"`
}

// TimelineEntry is one event on a customer's cross-channel timeline.
type TimelineEntry struct {
	// Kind is "interaction", "case_created" or "case_resolved"; later
	// capabilities add responses and messages.
	Kind        string       `json:"kind"`
	OccurredAt  time.Time    `json:"occurred_at"`
	Interaction *Interaction `json:"interaction,omitempty"`
	// Case is the case, as it is now, of the case entries.
	Case *Case `json:"case,omitempty"`
}

// CustomerService stores customers, stitches identities and builds timelines.
type CustomerService interface {
	// CreateCustomer stores c; an external id already in use is EConflict.
	CreateCustomer(ctx context.Context, c *Customer) error
	FindCustomer(ctx context.Context, workspaceID, id int64) (*Customer, error)
	FindCustomerByExternalID(ctx context.Context, workspaceID int64, externalID string) (*Customer, error)
	ListCustomers(ctx context.Context, workspaceID int64, f CustomerFilter) ([]*Customer, string, error)
	UpdateCustomer(ctx context.Context, workspaceID, id int64, u CustomerUpdate) (*Customer, error)
	// UpsertCustomers creates or updates customers by external id, for imports.
	// It returns per-record errors with their index and stores the valid ones.
	UpsertCustomers(ctx context.Context, workspaceID int64, cs []*Customer) (BatchResult, error)
	// DeleteCustomer erases the customer and their interactions.
	DeleteCustomer(ctx context.Context, workspaceID, id int64) error

	// Identify links anonymousID to the customer with externalID (creating
	// the customer if needed, with the given profile) and gives that
	// customer every earlier interaction of the anonymous id.
	Identify(ctx context.Context, workspaceID int64, anonymousID string, profile *Customer) (*IdentifyResult, error)
	// MergeCustomers moves everything of fromID to intoID and removes fromID,
	// keeping its former profile in a merge record.
	MergeCustomers(ctx context.Context, workspaceID, intoID, fromID int64) (*Customer, error)
	ListMerges(ctx context.Context, workspaceID, customerID int64) ([]*CustomerMerge, error)
	// Timeline returns the customer's events across channels, oldest first.
	Timeline(ctx context.Context, workspaceID, customerID int64, p Page) ([]*TimelineEntry, string, error)
}

func itoa(i int) string { return strconv.Itoa(i) }
