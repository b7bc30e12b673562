package cxm

import (
	"context"
	"time"
)

// Notification is one message to the team about a customer: an alert
// rule that fired, a case that breached its SLA, a case assigned. It goes
// live to every open dashboard of the workspace, and, as its rule says,
// by email, webhook or chat.
type Notification struct {
	// ID orders a workspace's notifications; SSE clients resume after it
	// with Last-Event-ID.
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Kind        string `json:"kind"` // alert, case_breach, case_assigned, digest
	Title       string `json:"title"`
	Body        string `json:"body,omitempty"`
	// Links of the notification, each zero or empty when there is none.
	RuleID     int64  `json:"rule_id,omitempty"`
	CaseID     int64  `json:"case_id,omitempty"`
	ResponseID string `json:"response_id,omitempty"`
	CustomerID int64  `json:"customer_id,omitempty"`
	// Data holds the facts a receiver may want, such as the scores.
	Data map[string]any `json:"data,omitempty"`
	At   time.Time      `json:"at"`
}

// NotifyTarget is where a rule's notifications go besides the live feed.
type NotifyTarget struct {
	// Kind is email, webhook or chat (a Slack-compatible incoming webhook).
	Kind string `json:"kind"`
	// Email is the address of an email target.
	Email string `json:"email,omitempty"`
	// WebhookID names a configured webhook of the workspace, for the kinds
	// webhook and chat.
	WebhookID int64 `json:"webhook_id,omitempty"`
}

// Notifier delivers notifications: it stores n for the live feed and its
// catch-up, publishes it to the open SSE streams, and enqueues durable
// jobs for each target. It sets n.ID.
type Notifier interface {
	Notify(ctx context.Context, n *Notification, targets []NotifyTarget) error
}
