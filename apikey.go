package cxm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// Scope is what an API key may do.
type Scope string

// The scopes of an API key.
const (
	ScopeRead  Scope = "read"  // read everything in the workspace
	ScopeWrite Scope = "write" // read, and send and change data
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// APIKey is a secret for machines, scoped to one workspace and to read or write.
// Only a hash of the secret is stored; the token is shown once, at creation.
type APIKey struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Name        string `json:"name"`
	// Prefix is the public start of the token, shown so people can tell keys apart.
	Prefix     string     `json:"prefix"`
	Scope      Scope      `json:"scope"`
	SecretHash string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// APIKeyTokenPrefix starts every API key token, so that leaked keys are easy to find.
const APIKeyTokenPrefix = "cxm_"

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewAPIKeyToken returns a new random token of the form cxm_<prefix>_<secret>
// together with its prefix and the hash to store.
func NewAPIKeyToken() (token, prefix, hash string) {
	b := make([]byte, 30)
	rand.Read(b)
	s := tokenEncoding.EncodeToString(b)
	prefix, secret := s[:8], s[8:]
	token = APIKeyTokenPrefix + prefix + "_" + secret
	return token, prefix, HashSecret(secret)
}

// ParseAPIKeyToken splits a token into its prefix and secret.
func ParseAPIKeyToken(token string) (prefix, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, APIKeyTokenPrefix)
	if !ok {
		return "", "", false
	}
	prefix, secret, ok = strings.Cut(rest, "_")
	if !ok || len(prefix) != 8 || len(secret) < 32 {
		return "", "", false
	}
	return prefix, secret, true
}

// HashSecret returns the hex SHA-256 of a high-entropy secret such as an API
// key or a session token. Passwords use argon2id instead.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSessionToken returns a random session token and the hash to store.
func NewSessionToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = tokenEncoding.EncodeToString(b)
	return token, HashSecret(token)
}

// APIKeyService stores API keys.
type APIKeyService interface {
	// CreateAPIKey stores k and returns the token, which is not stored.
	CreateAPIKey(ctx context.Context, k *APIKey) (token string, err error)
	ListAPIKeys(ctx context.Context, workspaceID int64) ([]*APIKey, error)
	RevokeAPIKey(ctx context.Context, workspaceID, id int64) error
	// AuthenticateAPIKey returns the unrevoked key matching token, or EUnauthorized.
	AuthenticateAPIKey(ctx context.Context, token string) (*APIKey, error)
}
