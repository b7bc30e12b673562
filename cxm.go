// Package cxm holds the domain of the cxm Customer Experience Management
// platform: workspaces, users, journeys, touchpoints, customers and their
// interactions, and the service interfaces that storage implements.
//
// The package imports only the standard library. Each outside dependency
// (database, HTTP, mail, bus) lives in a package of its own and is wired
// together in cmd/cxm.
package cxm

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Version is the release of cxm; the build may override it with -ldflags.
var Version = "0.1.0-dev"

// Locales lists the languages cxm speaks, in order of preference.
var Locales = []string{"de", "en"}

// ValidLocale reports whether locale is one of the languages cxm speaks.
func ValidLocale(locale string) bool {
	for _, l := range Locales {
		if l == locale {
			return true
		}
	}
	return false
}

// LocalizedText is a text given per locale, for example {"de": "Kauf", "en": "Purchase"}.
type LocalizedText map[string]string

// In returns the text in locale, falling back to fallback and then to any
// non-empty text, so that a missing translation never shows as a blank.
func (t LocalizedText) In(locale, fallback string) string {
	if s := t[locale]; s != "" {
		return s
	}
	if s := t[fallback]; s != "" {
		return s
	}
	for _, l := range Locales {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	// Cursor is the opaque position returned as NextCursor by the previous page.
	Cursor string
	// Limit is the largest number of items wanted; zero means the default.
	Limit int
}

// DefaultPageLimit is the page size when none is asked for.
const DefaultPageLimit = 50

// MaxPageLimit is the largest page size a caller may ask for.
const MaxPageLimit = 1000

// Normalize returns the page with its limit clamped to [1, MaxPageLimit].
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}

// Clock returns the current time. Services take one so that tests can fix time.
type Clock func() time.Time

// Principal is who makes a request: a signed-in user or an API key, always
// within exactly one workspace.
type Principal struct {
	WorkspaceID int64
	// UserID is set for a signed-in user, APIKeyID for a machine.
	UserID   int64
	APIKeyID int64
	// Role is the user's role in the workspace; empty for API keys.
	Role Role
	// Scope is the API key's scope; empty for users.
	Scope Scope
}

type principalKey struct{}

// WithPrincipal returns a context that carries p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// ValidText reports whether s is text cxm can store: valid UTF-8 of at most
// max bytes without NUL characters, which PostgreSQL text cannot hold.
func ValidText(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
