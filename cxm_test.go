package cxm_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func TestValidText(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want bool
	}{
		{"Größe", 10, true},
		{"", 0, true},
		{"abc", 2, false},
		{"a\x00b", 10, false},
		{"\xff", 10, false},
	}
	for _, tt := range tests {
		if got := cxm.ValidText(tt.s, tt.max); got != tt.want {
			t.Errorf("ValidText(%q, %d) = %v, want %v", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestLocalizedTextFallsBack(t *testing.T) {
	txt := cxm.LocalizedText{"de": "Kauf"}
	tests := []struct{ locale, fallback, want string }{
		{"de", "en", "Kauf"},
		{"en", "de", "Kauf"},
		{"en", "en", "Kauf"},
	}
	for _, tt := range tests {
		if got := txt.In(tt.locale, tt.fallback); got != tt.want {
			t.Errorf("In(%s, %s) = %q, want %q", tt.locale, tt.fallback, got, tt.want)
		}
	}
}

// fields returns the field names of a validation error, joined.
func fields(err error) string {
	var names []string
	for _, f := range cxm.ErrorFields(err) {
		names = append(names, f.Field)
	}
	return strings.Join(names, ",")
}

func TestInteractionValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ok := func() cxm.Interaction {
		return cxm.Interaction{Customer: "k", Touchpoint: "shop", Type: "order", OccurredAt: now.Add(-time.Hour)}
	}
	tests := []struct {
		name   string
		change func(*cxm.Interaction)
		want   string
	}{
		{"valid", func(*cxm.Interaction) {}, ""},
		{"anonymous is enough", func(i *cxm.Interaction) { i.Customer, i.AnonymousID = "", "anon" }, ""},
		{"nobody", func(i *cxm.Interaction) { i.Customer = "" }, "[1].customer"},
		{"future beyond skew", func(i *cxm.Interaction) { i.OccurredAt = now.Add(10 * time.Minute) }, "[1].occurred_at"},
		{"future within skew", func(i *cxm.Interaction) { i.OccurredAt = now.Add(time.Minute) }, ""},
		{"ancient", func(i *cxm.Interaction) { i.OccurredAt = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC) }, "[1].occurred_at"},
		{"bad type", func(i *cxm.Interaction) { i.Type = "Order Placed" }, "[1].type"},
		{"bad touchpoint", func(i *cxm.Interaction) { i.Touchpoint = "Shop!" }, "[1].touchpoint"},
		{"properties not an object", func(i *cxm.Interaction) { i.Properties = []byte(`[1]`) }, "[1].properties"},
		{"id too long", func(i *cxm.Interaction) { i.ID = strings.Repeat("x", 129) }, "[1].id"},
	}
	for _, tt := range tests {
		i := ok()
		tt.change(&i)
		var errs cxm.FieldErrors
		i.Validate(now, "[1].", &errs)
		if got := fields(errs.Err()); got != tt.want {
			t.Errorf("%s: fields %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCustomerValidate(t *testing.T) {
	tests := []struct {
		c    cxm.Customer
		want string
	}{
		{cxm.Customer{ExternalID: "K-1", Email: " Anna@Example.DE ", Birthday: "1990-02-28", Attributes: cxm.Attributes{"zip": "01234", "vip": true, "age": 41.0}}, ""},
		{cxm.Customer{Email: "anna@", Locale: "fr", Birthday: "1990-02-30"}, "email,locale,birthday"},
		{cxm.Customer{Attributes: cxm.Attributes{"Bad Key": 1.0}}, "attributes.Bad Key"},
		{cxm.Customer{Attributes: cxm.Attributes{"nested": map[string]any{}}}, "attributes.nested"},
	}
	for _, tt := range tests {
		c := tt.c
		if got := fields(c.Validate()); got != tt.want {
			t.Errorf("%+v: fields %q, want %q", tt.c, got, tt.want)
		}
	}
	c := cxm.Customer{Email: " Anna@Example.DE "}
	c.Validate()
	if c.Email != "anna@example.de" {
		t.Errorf("email not normalised: %q", c.Email)
	}
}

func TestAPIKeyToken(t *testing.T) {
	token, prefix, hash := cxm.NewAPIKeyToken()
	p, secret, ok := cxm.ParseAPIKeyToken(token)
	if !ok || p != prefix || cxm.HashSecret(secret) != hash {
		t.Fatalf("round trip of %q failed: %q %v", token, p, ok)
	}
	for _, bad := range []string{"", "cxm_", "cxm_short_x", "abc_" + token[4:], token[:len(token)-20]} {
		if _, _, ok := cxm.ParseAPIKeyToken(bad); ok {
			t.Errorf("ParseAPIKeyToken(%q) accepted", bad)
		}
	}
}

func TestEventIDsSortByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := cxm.NewEventID(t0), cxm.NewEventID(t0.Add(time.Millisecond))
	if len(a) != 24 || a >= b {
		t.Errorf("ids %q and %q: want 24 characters, sorting by time", a, b)
	}
	if cxm.NewEventID(t0) == cxm.NewEventID(t0) {
		t.Error("two ids in the same millisecond are equal")
	}
}

func TestErrorCode(t *testing.T) {
	wrapped := fmt.Errorf("store: x: %w", cxm.NotFound("customer"))
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{wrapped, cxm.ENotFound},
		{errors.New("disk on fire"), cxm.EInternal},
	}
	for _, tt := range tests {
		if got := cxm.ErrorCode(tt.err); got != tt.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := cxm.ErrorMessage(errors.New("secret detail")); got != "internal error" {
		t.Errorf("internal message leaks: %q", got)
	}
}

func TestPageNormalize(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, 50}, {-3, 50}, {10, 10}, {5000, 1000}} {
		if got := (cxm.Page{Limit: tt.in}).Normalize().Limit; got != tt.want {
			t.Errorf("Normalize(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
