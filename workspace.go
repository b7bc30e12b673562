package cxm

import (
	"context"
	"regexp"
	"time"
)

// Workspace is a tenant: one company or brand. Every record belongs to exactly one.
type Workspace struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	// TimeZone is an IANA zone such as "Europe/Berlin"; day, week and month
	// boundaries of every metric follow it.
	TimeZone string `json:"time_zone"`
	// DefaultLocale is the language used when nothing else says which.
	DefaultLocale string    `json:"default_locale"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSlug reports whether s can be a slug or key: lower-case letters,
// digits and hyphens, starting with a letter or digit, at most 63 characters.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// Location returns the workspace's time zone, or UTC if it cannot be loaded.
func (w *Workspace) Location() *time.Location {
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate fills defaults and checks every field.
func (w *Workspace) Validate() error {
	if w.TimeZone == "" {
		w.TimeZone = "Europe/Berlin"
	}
	if w.DefaultLocale == "" {
		w.DefaultLocale = "de"
	}
	var errs FieldErrors
	if !ValidSlug(w.Slug) {
		errs.Add("slug", "must be 1-63 lower-case letters, digits or hyphens")
	}
	if w.Name == "" || !ValidText(w.Name, 200) {
		errs.Add("name", "must be valid text of 1-200 bytes")
	}
	if _, err := time.LoadLocation(w.TimeZone); err != nil || w.TimeZone == "Local" {
		errs.Add("time_zone", "must be an IANA time zone such as Europe/Berlin")
	}
	if !ValidLocale(w.DefaultLocale) {
		errs.Add("default_locale", "must be de or en")
	}
	return errs.Err()
}

// WorkspaceUpdate holds the fields to change; nil fields stay as they are.
type WorkspaceUpdate struct {
	Name          *string `json:"name"`
	TimeZone      *string `json:"time_zone"`
	DefaultLocale *string `json:"default_locale"`
}

// Apply changes w by u.
func (u WorkspaceUpdate) Apply(w *Workspace) {
	if u.Name != nil {
		w.Name = *u.Name
	}
	if u.TimeZone != nil {
		w.TimeZone = *u.TimeZone
	}
	if u.DefaultLocale != nil {
		w.DefaultLocale = *u.DefaultLocale
	}
}

// WorkspaceService stores workspaces. Creating a workspace also creates its
// default five-stage journey.
type WorkspaceService interface {
	CreateWorkspace(ctx context.Context, w *Workspace) error
	FindWorkspaceByID(ctx context.Context, id int64) (*Workspace, error)
	FindWorkspaceBySlug(ctx context.Context, slug string) (*Workspace, error)
	UpdateWorkspace(ctx context.Context, id int64, u WorkspaceUpdate) (*Workspace, error)
}
