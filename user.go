package cxm

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is what a user may do in a workspace.
type Role string

// The roles of a workspace member.
const (
	RoleAdmin   Role = "admin"   // configures the workspace and manages people and keys
	RoleAnalyst Role = "analyst" // reads everything, changes no customer data
	RoleAgent   Role = "agent"   // works cases and customer records
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAnalyst || r == RoleAgent }

// User is a team member. A user signs in with email and password and may
// belong to several workspaces, with one role in each.
type User struct {
	ID     int64  `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Locale string `json:"locale"`
	// PasswordHash is the encoded argon2id hash; it never leaves the server.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// NormalizeEmail returns the address trimmed and lower-cased.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a plain email address such as a@b.de.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// Validate fills defaults and checks every field.
func (u *User) Validate() error {
	u.Email = NormalizeEmail(u.Email)
	if u.Locale == "" {
		u.Locale = "de"
	}
	var errs FieldErrors
	if !ValidEmail(u.Email) {
		errs.Add("email", "must be an email address")
	}
	if !ValidText(u.Name, 200) {
		errs.Add("name", "must be valid text of at most 200 bytes")
	}
	if !ValidLocale(u.Locale) {
		errs.Add("locale", "must be de or en")
	}
	return errs.Err()
}

// MinPasswordLength is the shortest password cxm accepts.
const MinPasswordLength = 10

// ValidatePassword checks a new password.
func ValidatePassword(p string) error {
	if len(p) < MinPasswordLength {
		return Invalid(FieldError{"password", "must be at least 10 characters"})
	}
	if len(p) > 1024 {
		return Invalid(FieldError{"password", "must be at most 1024 characters"})
	}
	return nil
}

// Member is a user together with their role in one workspace.
type Member struct {
	User
	WorkspaceID int64 `json:"workspace_id"`
	Role        Role  `json:"role"`
}

// Session is a signed-in browser session, bound to one workspace.
type Session struct {
	// TokenHash is the SHA-256 of the cookie's token; the token itself is never stored.
	TokenHash   string
	UserID      int64
	WorkspaceID int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// UserService stores users, their memberships and their sessions.
type UserService interface {
	// CreateUser stores a new user; an email already in use is EConflict.
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	SetPasswordHash(ctx context.Context, userID int64, hash string) error

	// SetMember adds the user to the workspace with role, or changes their role.
	SetMember(ctx context.Context, workspaceID, userID int64, role Role) error
	RemoveMember(ctx context.Context, workspaceID, userID int64) error
	FindMember(ctx context.Context, workspaceID, userID int64) (*Member, error)
	ListMembers(ctx context.Context, workspaceID int64) ([]*Member, error)
	// ListUserWorkspaces returns the workspaces the user belongs to, with their role in each.
	ListUserWorkspaces(ctx context.Context, userID int64) ([]*WorkspaceMembership, error)

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns the unexpired session with the token hash.
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
}

// WorkspaceMembership is one workspace a user belongs to.
type WorkspaceMembership struct {
	Workspace Workspace `json:"workspace"`
	Role      Role      `json:"role"`
}
