package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.APIKeyService.
var _ cxm.APIKeyService = (*DB)(nil)

// apiKeyTouchInterval is how stale last_used_at may grow before an
// authentication records the use again, so that authenticating is not a
// write on every request.
const apiKeyTouchInterval = time.Minute

const apiKeyColumns = "id, workspace_id, name, prefix, scope, secret_hash, created_at, last_used_at, revoked_at"

// scanAPIKey reads one row of apiKeyColumns.
func scanAPIKey(row interface{ Scan(...any) error }) (*cxm.APIKey, error) {
	var k cxm.APIKey
	var scope string
	var created int64
	var lastUsed, revoked sql.NullInt64
	if err := row.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &scope, &k.SecretHash, &created, &lastUsed, &revoked); err != nil {
		return nil, err
	}
	k.Scope, k.CreatedAt = cxm.Scope(scope), fromMicros(created)
	k.LastUsedAt, k.RevokedAt = timePtr(lastUsed), timePtr(revoked)
	return &k, nil
}

// CreateAPIKey makes a new token for k, stores k with the token's prefix
// and hash, and returns the token, which is not stored and cannot be
// shown again. A missing workspace is ENotFound.
func (db *DB) CreateAPIKey(ctx context.Context, k *cxm.APIKey) (string, error) {
	var errs cxm.FieldErrors
	if k.Name == "" || !cxm.ValidText(k.Name, 400) || utf8.RuneCountInString(k.Name) > 100 {
		errs.Add("name", "must be 1-100 characters")
	}
	if !k.Scope.Valid() {
		errs.Add("scope", "must be read or write")
	}
	if err := errs.Err(); err != nil {
		return "", err
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return "", fmt.Errorf("store: create API key: %w", err)
	}
	now := db.stampNow()
	// The prefix has 40 random bits; should two keys ever share one, make
	// another token rather than fail.
	for attempt := 0; ; attempt++ {
		token, prefix, hash := cxm.NewAPIKeyToken()
		err = db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, "INSERT INTO api_keys ("+apiKeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
				id, k.WorkspaceID, k.Name, prefix, string(k.Scope), hash, micros(now))
			if isForeignKeyViolation(err) {
				return cxm.NotFound("workspace")
			}
			return err
		})
		if isUniqueViolation(err) && attempt < 3 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("store: create API key: %w", err)
		}
		k.ID, k.Prefix, k.SecretHash, k.CreatedAt = id, prefix, hash, now
		k.LastUsedAt, k.RevokedAt = nil, nil
		return token, nil
	}
}

// ListAPIKeys returns the workspace's keys, newest first, revoked ones included.
func (db *DB) ListAPIKeys(ctx context.Context, workspaceID int64) ([]*cxm.APIKey, error) {
	rows, err := db.reader().query(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE workspace_id = ? ORDER BY created_at DESC, id DESC", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list API keys: %w", err)
	}
	defer rows.Close()
	out := []*cxm.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list API keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list API keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey revokes the key with id in the workspace; revoking it again
// keeps the first revocation time. A key of another workspace is ENotFound.
func (db *DB) RevokeAPIKey(ctx context.Context, workspaceID, id int64) error {
	now := db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE workspace_id = ? AND id = ?",
			micros(now), workspaceID, id)
		if err != nil {
			return err
		}
		return mustHaveAffected(res, "API key")
	})
	if err != nil {
		return fmt.Errorf("store: revoke API key: %w", err)
	}
	return nil
}

// AuthenticateAPIKey returns the unrevoked key matching token. Every
// reason to refuse gives the same EUnauthorized error, so that a caller
// learns nothing about which part was wrong.
func (db *DB) AuthenticateAPIKey(ctx context.Context, token string) (*cxm.APIKey, error) {
	refused := cxm.Errorf(cxm.EUnauthorized, "invalid API key")
	prefix, secret, ok := cxm.ParseAPIKeyToken(token)
	if !ok {
		return nil, refused
	}
	k, err := scanAPIKey(db.reader().queryRow(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE prefix = ?", prefix))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, refused
	}
	if err != nil {
		return nil, fmt.Errorf("store: authenticate API key: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(cxm.HashSecret(secret)), []byte(k.SecretHash)) != 1 || k.RevokedAt != nil {
		return nil, refused
	}
	now := db.stampNow()
	if stale := now.Add(-apiKeyTouchInterval); k.LastUsedAt == nil || k.LastUsedAt.Before(stale) {
		err := db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, `UPDATE api_keys SET last_used_at = ?
				WHERE workspace_id = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
				micros(now), k.WorkspaceID, k.ID, micros(stale))
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: authenticate API key: record use: %w", err)
		}
		k.LastUsedAt = &now
	}
	return k, nil
}
