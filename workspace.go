package cxm

import (
	"context"
	"net/url"
	"regexp"
	"strings"
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
	DefaultLocale string `json:"default_locale"`
	// PublicKey names the workspace in the website widget's snippet. It is
	// public by design: it lets a site show surveys and post answers, never
	// read anything. The store sets it.
	PublicKey string `json:"public_key"`
	// AllowedOrigins are the web origins ("https://shop.example") whose
	// pages may embed the widget; CORS answers no other.
	AllowedOrigins []string `json:"allowed_origins"`
	// ContactFrequencyDays holds across every survey and channel: a
	// customer is asked at most once in this many days (0 means no limit).
	ContactFrequencyDays int `json:"contact_frequency_days"`
	// ChurnDays is how many days without a purchase make a customer
	// churned (1-3650; zero on creation means DefaultChurnDays).
	ChurnDays int       `json:"churn_days"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
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
	if w.AllowedOrigins == nil {
		w.AllowedOrigins = []string{}
	}
	if w.ChurnDays == 0 {
		w.ChurnDays = DefaultChurnDays
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
	if len(w.AllowedOrigins) > MaxAllowedOrigins {
		errs.Add("allowed_origins", "must list at most 50 origins")
	}
	for i, o := range w.AllowedOrigins {
		norm, ok := NormalizeOrigin(o)
		if !ok {
			errs.Add("allowed_origins", "entry "+itoa(i)+" must be an origin such as https://shop.example, without a path")
			continue
		}
		w.AllowedOrigins[i] = norm
	}
	if w.ContactFrequencyDays < 0 || w.ContactFrequencyDays > 365 {
		errs.Add("contact_frequency_days", "must be between 0 and 365")
	}
	if w.ChurnDays < 1 || w.ChurnDays > MaxChurnDays {
		errs.Add("churn_days", "must be between 1 and 3650")
	}
	return errs.Err()
}

// DefaultChurnDays is the churn period of a workspace that sets none.
const DefaultChurnDays = 180

// MaxChurnDays bounds a workspace's churn period.
const MaxChurnDays = 3650

// MaxAllowedOrigins bounds a workspace's list of widget origins.
const MaxAllowedOrigins = 50

// AllowsOrigin reports whether a page at origin may use the workspace's
// widget. Origins compare after normalising case and default ports.
func (w *Workspace) AllowsOrigin(origin string) bool {
	norm, ok := NormalizeOrigin(origin)
	if !ok {
		return false
	}
	for _, o := range w.AllowedOrigins {
		if o == norm {
			return true
		}
	}
	return false
}

// NormalizeOrigin returns origin as scheme://host[:port] in lower case
// without a default port, and false when it is not an http or https
// origin (a path, query, user or fragment makes it no origin).
func NormalizeOrigin(origin string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(origin))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, true
}

// WorkspaceUpdate holds the fields to change; nil fields stay as they are.
type WorkspaceUpdate struct {
	Name          *string `json:"name"`
	TimeZone      *string `json:"time_zone"`
	DefaultLocale *string `json:"default_locale"`
	// AllowedOrigins replaces the whole list when set.
	AllowedOrigins       *[]string `json:"allowed_origins"`
	ContactFrequencyDays *int      `json:"contact_frequency_days"`
	ChurnDays            *int      `json:"churn_days"`
}

// Validate checks the fields that Apply and Workspace.Validate cannot:
// a churn period given as zero is refused rather than taken as the default.
func (u WorkspaceUpdate) Validate() error {
	if u.ChurnDays != nil && (*u.ChurnDays < 1 || *u.ChurnDays > MaxChurnDays) {
		return Invalid(FieldError{Field: "churn_days", Reason: "must be between 1 and 3650"})
	}
	return nil
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
	if u.AllowedOrigins != nil {
		w.AllowedOrigins = append([]string{}, (*u.AllowedOrigins)...)
	}
	if u.ContactFrequencyDays != nil {
		w.ContactFrequencyDays = *u.ContactFrequencyDays
	}
	if u.ChurnDays != nil {
		w.ChurnDays = *u.ChurnDays
	}
}

// WorkspaceService stores workspaces. Creating a workspace also creates its
// default five-stage journey.
type WorkspaceService interface {
	CreateWorkspace(ctx context.Context, w *Workspace) error
	FindWorkspaceByID(ctx context.Context, id int64) (*Workspace, error)
	FindWorkspaceBySlug(ctx context.Context, slug string) (*Workspace, error)
	// FindWorkspaceByPublicKey finds the workspace a widget snippet names.
	FindWorkspaceByPublicKey(ctx context.Context, key string) (*Workspace, error)
	UpdateWorkspace(ctx context.Context, id int64, u WorkspaceUpdate) (*Workspace, error)
}
