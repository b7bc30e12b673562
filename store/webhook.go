package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.WebhookService.
var _ cxm.WebhookService = (*DB)(nil)

// webhookSecretsKey names the server secret that seals webhook secrets.
const webhookSecretsKey = "webhook-secrets"

const webhookColumns = "id, workspace_id, name, url, kind, enabled, secret, secret_preview, previous_secret, previous_preview, rotated_at, created_at, updated_at"

// webhookCipher returns the AES-256-GCM cipher of webhook secrets.
func (db *DB) webhookCipher(ctx context.Context) (cipher.AEAD, error) {
	return db.secretCipher(ctx, webhookSecretsKey)
}

// webhookAD binds a sealed secret to its webhook, so that it cannot be
// moved to another row.
func webhookAD(workspaceID, id int64) []byte {
	return []byte(strconv.FormatInt(workspaceID, 10) + "/" + strconv.FormatInt(id, 10))
}

// sealSecret encrypts secret for the webhook; empty stays empty.
func sealSecret(aead cipher.AEAD, workspaceID, id int64, secret string) string {
	if secret == "" {
		return ""
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(secret), webhookAD(workspaceID, id)))
}

// openSecret decrypts a sealed secret of the webhook; empty stays empty.
func openSecret(aead cipher.AEAD, workspaceID, id int64, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize() {
		return "", fmt.Errorf("webhook %d: secret is not sealed", id)
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], webhookAD(workspaceID, id))
	if err != nil {
		return "", fmt.Errorf("webhook %d: open secret: %w", id, err)
	}
	return string(plain), nil
}

// scanWebhook reads one row of webhookColumns; with aead it opens the
// secrets, without it leaves them empty.
func scanWebhook(row interface{ Scan(...any) error }, aead cipher.AEAD) (*cxm.Webhook, error) {
	var w cxm.Webhook
	var kind, secret, previous string
	var enabled int
	var rotated sql.NullInt64
	var created, updated int64
	if err := row.Scan(&w.ID, &w.WorkspaceID, &w.Name, &w.URL, &kind, &enabled, &secret, &w.SecretPreview,
		&previous, &w.PreviousSecretPreview, &rotated, &created, &updated); err != nil {
		return nil, err
	}
	w.Kind, w.Enabled = cxm.WebhookKind(kind), enabled != 0
	w.RotatedAt, w.CreatedAt, w.UpdatedAt = timePtr(rotated), fromMicros(created), fromMicros(updated)
	if aead != nil {
		var err error
		if w.Secret, err = openSecret(aead, w.WorkspaceID, w.ID, secret); err != nil {
			return nil, err
		}
		if w.PreviousSecret, err = openSecret(aead, w.WorkspaceID, w.ID, previous); err != nil {
			return nil, err
		}
	}
	return &w, nil
}

// CreateWebhook validates w, gives it a new secret and stores it sealed.
// It returns the secret, which is shown only now. A missing workspace is
// ENotFound.
func (db *DB) CreateWebhook(ctx context.Context, w *cxm.Webhook) (string, error) {
	if err := w.Validate(); err != nil {
		return "", err
	}
	aead, err := db.webhookCipher(ctx)
	if err != nil {
		return "", fmt.Errorf("store: create webhook: %w", err)
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return "", fmt.Errorf("store: create webhook: %w", err)
	}
	secret := cxm.NewWebhookSecret()
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO webhooks ("+webhookColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', NULL, ?, ?)",
			id, w.WorkspaceID, w.Name, w.URL, string(w.Kind), boolInt(w.Enabled), sealSecret(aead, w.WorkspaceID, id, secret),
			cxm.SecretPreviewOf(secret), micros(now), micros(now))
		if isForeignKeyViolation(err) {
			return cxm.NotFound("workspace")
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: create webhook: %w", err)
	}
	w.ID, w.Secret, w.SecretPreview = id, secret, cxm.SecretPreviewOf(secret)
	w.PreviousSecret, w.PreviousSecretPreview, w.RotatedAt = "", "", nil
	w.CreatedAt, w.UpdatedAt = fromMicros(micros(now)), fromMicros(micros(now))
	return secret, nil
}

// FindWebhook returns the workspace's webhook with id and its secrets, or
// ENotFound.
func (db *DB) FindWebhook(ctx context.Context, workspaceID, id int64) (*cxm.Webhook, error) {
	aead, err := db.webhookCipher(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: find webhook: %w", err)
	}
	return db.findWebhook(ctx, db.reader(), aead, workspaceID, id)
}

func (db *DB) findWebhook(ctx context.Context, q queryer, aead cipher.AEAD, workspaceID, id int64) (*cxm.Webhook, error) {
	w, err := scanWebhook(q.queryRow(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE workspace_id = ? AND id = ?", workspaceID, id), aead)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("webhook")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find webhook: %w", err)
	}
	return w, nil
}

// ListWebhooks returns the workspace's webhooks, oldest first, without
// their secrets.
func (db *DB) ListWebhooks(ctx context.Context, workspaceID int64) ([]*cxm.Webhook, error) {
	rows, err := db.reader().query(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE workspace_id = ? ORDER BY id", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	defer rows.Close()
	out := []*cxm.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows, nil)
		if err != nil {
			return nil, fmt.Errorf("store: list webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	return out, nil
}

// UpdateWebhook applies u to the workspace's webhook with id and returns it.
func (db *DB) UpdateWebhook(ctx context.Context, workspaceID, id int64, u cxm.WebhookUpdate) (*cxm.Webhook, error) {
	aead, err := db.webhookCipher(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: update webhook: %w", err)
	}
	var out *cxm.Webhook
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		w, err := db.findWebhook(ctx, tx, aead, workspaceID, id)
		if err != nil {
			return err
		}
		if err := u.Apply(w); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE webhooks SET name = ?, url = ?, kind = ?, enabled = ?, updated_at = ? WHERE workspace_id = ? AND id = ?",
			w.Name, w.URL, string(w.Kind), boolInt(w.Enabled), micros(now), workspaceID, id)
		w.UpdatedAt = fromMicros(micros(now))
		out = w
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: update webhook: %w", err)
	}
	return out, nil
}

// DeleteWebhook deletes the workspace's webhook with id and its delivery log.
func (db *DB) DeleteWebhook(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		if _, err := tx.exec(ctx, "DELETE FROM webhook_deliveries WHERE workspace_id = ? AND webhook_id = ?", workspaceID, id); err != nil {
			return err
		}
		res, err := tx.exec(ctx, "DELETE FROM webhooks WHERE workspace_id = ? AND id = ?", workspaceID, id)
		if err != nil {
			return err
		}
		return mustHaveAffected(res, "webhook")
	})
	if err != nil {
		return fmt.Errorf("store: delete webhook: %w", err)
	}
	return nil
}

// RotateWebhookSecret gives the webhook a new secret and keeps the current
// one as previous. It returns the webhook and the new secret.
func (db *DB) RotateWebhookSecret(ctx context.Context, workspaceID, id int64) (*cxm.Webhook, string, error) {
	aead, err := db.webhookCipher(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("store: rotate webhook secret: %w", err)
	}
	secret := cxm.NewWebhookSecret()
	now := db.stampNow()
	var out *cxm.Webhook
	err = db.inTx(ctx, func(tx queryer) error {
		w, err := db.findWebhook(ctx, tx, aead, workspaceID, id)
		if err != nil {
			return err
		}
		w.PreviousSecret, w.PreviousSecretPreview = w.Secret, w.SecretPreview
		w.Secret, w.SecretPreview = secret, cxm.SecretPreviewOf(secret)
		t := fromMicros(micros(now))
		w.RotatedAt, w.UpdatedAt = &t, t
		_, err = tx.exec(ctx, `UPDATE webhooks SET secret = ?, secret_preview = ?, previous_secret = ?, previous_preview = ?,
			rotated_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			sealSecret(aead, workspaceID, id, w.Secret), w.SecretPreview, sealSecret(aead, workspaceID, id, w.PreviousSecret),
			w.PreviousSecretPreview, micros(now), micros(now), workspaceID, id)
		out = w
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: rotate webhook secret: %w", err)
	}
	return out, secret, nil
}

const deliveryColumns = "id, workspace_id, webhook_id, notification_id, attempt, status, http_status, error, duration_ms, at"

// RecordWebhookDelivery stores one delivery attempt and sets its ID and,
// when zero, its time. A webhook deleted meanwhile is ENotFound.
func (db *DB) RecordWebhookDelivery(ctx context.Context, d *cxm.WebhookDelivery) error {
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: record webhook delivery: %w", err)
	}
	if d.At.IsZero() {
		d.At = db.stampNow()
	}
	msg := d.Error
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO webhook_deliveries ("+deliveryColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, d.WorkspaceID, d.WebhookID, d.NotificationID, d.Attempt, string(d.Status), d.HTTPStatus, strings.ReplaceAll(strings.ToValidUTF8(msg, "?"), "\x00", ""), d.DurationMs, micros(d.At))
		if isForeignKeyViolation(err) {
			return cxm.NotFound("webhook")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record webhook delivery: %w", err)
	}
	d.ID, d.At = id, fromMicros(micros(d.At))
	return nil
}

// ListWebhookDeliveries returns up to limit (default and most 100) of the
// webhook's latest delivery attempts, newest first. Another workspace's
// webhook is ENotFound.
func (db *DB) ListWebhookDeliveries(ctx context.Context, workspaceID, webhookID int64, limit int) ([]*cxm.WebhookDelivery, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	var n int
	if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM webhooks WHERE workspace_id = ? AND id = ?", workspaceID, webhookID).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: list webhook deliveries: %w", err)
	}
	if n == 0 {
		return nil, cxm.NotFound("webhook")
	}
	rows, err := db.reader().query(ctx, "SELECT "+deliveryColumns+" FROM webhook_deliveries WHERE workspace_id = ? AND webhook_id = ? ORDER BY id DESC LIMIT ?",
		workspaceID, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list webhook deliveries: %w", err)
	}
	defer rows.Close()
	out := []*cxm.WebhookDelivery{}
	for rows.Next() {
		var d cxm.WebhookDelivery
		var status string
		var at int64
		if err := rows.Scan(&d.ID, &d.WorkspaceID, &d.WebhookID, &d.NotificationID, &d.Attempt, &status, &d.HTTPStatus, &d.Error, &d.DurationMs, &at); err != nil {
			return nil, fmt.Errorf("store: list webhook deliveries: %w", err)
		}
		d.Status, d.At = cxm.DeliveryStatus(status), fromMicros(at)
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list webhook deliveries: %w", err)
	}
	return out, nil
}
