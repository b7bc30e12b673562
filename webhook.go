package cxm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
	"unicode/utf8"
)

// WebhookKind says which format a webhook receives.
type WebhookKind string

// The kinds of webhook.
const (
	// WebhookJSON receives the notification as signed JSON:
	// {id, kind, title, body, links, data, at}.
	WebhookJSON WebhookKind = "json"
	// WebhookChat receives the Slack-compatible incoming-webhook format
	// {"text": …}: a short markdown summary with a link.
	WebhookChat WebhookKind = "chat"
)

// Valid reports whether k is a known webhook kind.
func (k WebhookKind) Valid() bool { return k == WebhookJSON || k == WebhookChat }

// Job kinds of notifications.
const (
	// JobNotifyWebhook delivers one notification to one webhook.
	JobNotifyWebhook = "notify.webhook"
	// JobNotifyEmail sends one notification to one email address.
	JobNotifyEmail = "notify.email"
)

// Limits of a webhook's fields.
const (
	// MaxWebhookName is the longest name of a webhook, in characters.
	MaxWebhookName = 100
	// MaxWebhookURL is the longest URL of a webhook, in bytes.
	MaxWebhookURL = 2000
)

// Webhook is an HTTP endpoint of a workspace that receives notifications.
// Each delivery is signed with the current secret; after a rotation the
// previous secret is kept only so that its preview shows what changed.
// The secrets themselves are shown once, on create and on rotate.
type Webhook struct {
	ID          int64       `json:"id"`
	WorkspaceID int64       `json:"-"`
	Name        string      `json:"name"`
	URL         string      `json:"url"`
	Kind        WebhookKind `json:"kind"`
	Enabled     bool        `json:"enabled"`
	// Secret signs the deliveries; it is never part of JSON.
	Secret string `json:"-"`
	// PreviousSecret is the secret before the last rotation; it signs nothing.
	PreviousSecret string `json:"-"`
	// SecretPreview shows the start of Secret, to tell secrets apart.
	SecretPreview string `json:"secret_preview"`
	// PreviousSecretPreview shows the start of PreviousSecret, if any.
	PreviousSecretPreview string     `json:"previous_secret_preview,omitempty"`
	RotatedAt             *time.Time `json:"rotated_at,omitempty"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
}

// Validate fills defaults and checks the fields a caller sets. Whether the
// URL's host may be reached is checked apart, by the notifier.
func (w *Webhook) Validate() error {
	if w.Kind == "" {
		w.Kind = WebhookJSON
	}
	var errs FieldErrors
	if w.Name == "" || !ValidText(w.Name, 4*MaxWebhookName) || utf8.RuneCountInString(w.Name) > MaxWebhookName {
		errs.Add("name", "must be 1-100 characters")
	}
	if w.URL == "" || len(w.URL) > MaxWebhookURL || !ValidText(w.URL, MaxWebhookURL) {
		errs.Add("url", "must be an http or https URL of at most 2000 bytes")
	}
	if !w.Kind.Valid() {
		errs.Add("kind", "must be json or chat")
	}
	return errs.Err()
}

// NewWebhookSecret returns a new random signing secret, "whsec_" and 32
// random bytes in URL-safe base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// SecretPreviewOf returns the start of secret followed by an ellipsis,
// enough to tell two secrets apart and too little to sign anything.
func SecretPreviewOf(secret string) string {
	if secret == "" {
		return ""
	}
	if len(secret) <= 10 {
		return "…"
	}
	return secret[:10] + "…"
}

// WebhookUpdate changes some fields of a webhook; nil fields stay.
type WebhookUpdate struct {
	Name    *string      `json:"name"`
	URL     *string      `json:"url"`
	Kind    *WebhookKind `json:"kind"`
	Enabled *bool        `json:"enabled"`
}

// Apply sets the fields of u on w and validates the result.
func (u WebhookUpdate) Apply(w *Webhook) error {
	if u.Name != nil {
		w.Name = *u.Name
	}
	if u.URL != nil {
		w.URL = *u.URL
	}
	if u.Kind != nil {
		w.Kind = *u.Kind
		if w.Kind == "" {
			return Invalid(FieldError{Field: "kind", Reason: "must be json or chat"})
		}
	}
	if u.Enabled != nil {
		w.Enabled = *u.Enabled
	}
	return w.Validate()
}

// DeliveryStatus is how one attempt to deliver a notification ended.
type DeliveryStatus string

// The statuses of a delivery attempt.
const (
	// DeliveryPending failed, and the notification is tried again later.
	DeliveryPending DeliveryStatus = "pending"
	// DeliveryDelivered was answered with a 2xx status.
	DeliveryDelivered DeliveryStatus = "delivered"
	// DeliveryFailed failed for good: a permanent refusal or the last attempt.
	DeliveryFailed DeliveryStatus = "failed"
)

// WebhookDelivery records one attempt to deliver a notification to a
// webhook. A test delivery has no notification.
type WebhookDelivery struct {
	ID             int64          `json:"id"`
	WorkspaceID    int64          `json:"-"`
	WebhookID      int64          `json:"webhook_id"`
	NotificationID int64          `json:"notification_id,omitempty"`
	Attempt        int            `json:"attempt"`
	Status         DeliveryStatus `json:"status"`
	// HTTPStatus is the receiver's answer; zero when none came.
	HTTPStatus int       `json:"http_status,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMs int64     `json:"duration_ms"`
	At         time.Time `json:"at"`
}

// WebhookService keeps a workspace's webhooks and their delivery log.
// Every method is bound to one workspace; another's webhook is ENotFound.
type WebhookService interface {
	// CreateWebhook validates w, gives it a new secret and stores it. It
	// sets w's ID, secrets and times and returns the secret.
	CreateWebhook(ctx context.Context, w *Webhook) (string, error)
	// FindWebhook returns the webhook with id, with its secrets.
	FindWebhook(ctx context.Context, workspaceID, id int64) (*Webhook, error)
	// ListWebhooks returns the workspace's webhooks, oldest first, without
	// their secrets.
	ListWebhooks(ctx context.Context, workspaceID int64) ([]*Webhook, error)
	// UpdateWebhook applies u to the webhook with id and returns it.
	UpdateWebhook(ctx context.Context, workspaceID, id int64, u WebhookUpdate) (*Webhook, error)
	// DeleteWebhook deletes the webhook with id and its delivery log.
	DeleteWebhook(ctx context.Context, workspaceID, id int64) error
	// RotateWebhookSecret gives the webhook a new secret, keeps the
	// current one as previous, and returns the webhook and the new secret.
	RotateWebhookSecret(ctx context.Context, workspaceID, id int64) (*Webhook, string, error)
	// RecordWebhookDelivery stores one delivery attempt and sets its ID.
	RecordWebhookDelivery(ctx context.Context, d *WebhookDelivery) error
	// ListWebhookDeliveries returns up to limit of the webhook's latest
	// delivery attempts, newest first (limit ≤ 0 means 100).
	ListWebhookDeliveries(ctx context.Context, workspaceID, webhookID int64, limit int) ([]*WebhookDelivery, error)
}

// MaxNotificationReplay is the most notifications one catch-up returns.
const MaxNotificationReplay = 1000

// NotificationService stores notifications for the live feed's catch-up.
type NotificationService interface {
	// CreateNotification stores n and sets its ID, which orders the
	// workspace's notifications, and At when zero.
	CreateNotification(ctx context.Context, n *Notification) error
	// FindNotification returns the workspace's notification with id.
	FindNotification(ctx context.Context, workspaceID, id int64) (*Notification, error)
	// NotificationsAfter returns up to limit of the workspace's
	// notifications with an ID above afterID, in ID order.
	NotificationsAfter(ctx context.Context, workspaceID, afterID int64, limit int) ([]*Notification, error)
}
