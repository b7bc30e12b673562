package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
)

// The headers of a webhook delivery.
const (
	// HeaderTimestamp carries the Unix time in seconds of the delivery.
	HeaderTimestamp = "X-Cxm-Timestamp"
	// HeaderSignature carries "v1=" and the hex HMAC-SHA256, keyed with the
	// webhook's secret, of the timestamp, a dot and the raw body.
	HeaderSignature = "X-Cxm-Signature"
	// HeaderNotification carries the notification's id, so that a
	// receiver can drop a delivery it has seen (0 for a test).
	HeaderNotification = "X-Cxm-Notification"
)

// Sign returns the signature header value of body sent at timestamp:
// "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Links names what a notification is about in a webhook payload.
type Links struct {
	RuleID     int64  `json:"rule_id,omitempty"`
	CaseID     int64  `json:"case_id,omitempty"`
	ResponseID string `json:"response_id,omitempty"`
	CustomerID int64  `json:"customer_id,omitempty"`
	// URL opens the subject in cxm, when the server knows its public address.
	URL string `json:"url,omitempty"`
}

// Payload is the JSON body a json webhook receives.
type Payload struct {
	ID    int64          `json:"id"`
	Kind  string         `json:"kind"`
	Title string         `json:"title"`
	Body  string         `json:"body"`
	Links Links          `json:"links"`
	Data  map[string]any `json:"data"`
	At    time.Time      `json:"at"`
}

// chatMessage is the Slack-compatible incoming-webhook body.
type chatMessage struct {
	Text string `json:"text"`
}

// body returns what webhook w receives for note.
func (n *Notifier) body(w *cxm.Webhook, note *cxm.Notification) ([]byte, error) {
	link := n.link(note)
	if w.Kind == cxm.WebhookChat {
		var b strings.Builder
		b.WriteString("*" + chatEscape(note.Title) + "*")
		if body := strings.TrimSpace(note.Body); body != "" {
			if r := []rune(body); len(r) > 500 {
				body = string(r[:500]) + "…"
			}
			b.WriteString("\n" + chatEscape(body))
		}
		if link != "" {
			b.WriteString("\n<" + link + "|Open in cxm>")
		}
		return json.Marshal(chatMessage{Text: b.String()})
	}
	data := note.Data
	if data == nil {
		data = map[string]any{}
	}
	return json.Marshal(Payload{ID: note.ID, Kind: note.Kind, Title: note.Title, Body: note.Body, Data: data, At: note.At,
		Links: Links{RuleID: note.RuleID, CaseID: note.CaseID, ResponseID: note.ResponseID, CustomerID: note.CustomerID, URL: link}})
}

// chatEscape escapes the characters Slack's mrkdwn treats as control.
func chatEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// attempt is the outcome of one POST to a webhook.
type attempt struct {
	status    int
	err       error
	permanent bool
	took      time.Duration
}

// post sends body to w, signed with its current secret.
func (n *Notifier) post(ctx context.Context, w *cxm.Webhook, notificationID int64, body []byte) attempt {
	start := time.Now()
	ts := strconv.FormatInt(n.now().Unix(), 10)
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return attempt{err: fmt.Errorf("bad URL: %w", err), permanent: true, took: time.Since(start)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cxm-webhook/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, body))
	req.Header.Set(HeaderNotification, strconv.FormatInt(notificationID, 10))
	res, err := n.client.Do(req)
	if err != nil {
		return attempt{err: err, permanent: errors.Is(err, errBlocked), took: time.Since(start)}
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	a := attempt{status: res.StatusCode, took: time.Since(start)}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return a
	}
	a.err = fmt.Errorf("receiver answered %s: %s", res.Status, strings.TrimSpace(string(snippet)))
	a.permanent = res.StatusCode >= 300 && res.StatusCode < 500 && res.StatusCode != http.StatusRequestTimeout && res.StatusCode != http.StatusTooManyRequests
	return a
}

// record logs one attempt as a delivery of w.
func (n *Notifier) record(ctx context.Context, w *cxm.Webhook, notificationID int64, try int, status cxm.DeliveryStatus, a attempt) *cxm.WebhookDelivery {
	d := &cxm.WebhookDelivery{WorkspaceID: w.WorkspaceID, WebhookID: w.ID, NotificationID: notificationID, Attempt: try,
		Status: status, HTTPStatus: a.status, DurationMs: a.took.Milliseconds(), At: n.now()}
	if a.err != nil {
		d.Error = a.err.Error()
	}
	if err := n.cfg.Webhooks.RecordWebhookDelivery(context.WithoutCancel(ctx), d); err != nil {
		n.log.Warn("notify: record webhook delivery", "webhook", w.ID, "notification", notificationID, "err", err)
	}
	return d
}

// DeliverWebhook runs a notify.webhook job: it posts the notification to
// the webhook and logs the attempt. A 2xx answer delivers it; other 3xx
// and 4xx answers (but 408 and 429) and refused addresses fail it for
// good; 5xx answers, 408, 429 and network errors have it retried with
// backoff by the job runner.
func (n *Notifier) DeliverWebhook(ctx context.Context, j *cxm.Job) error {
	var p webhookJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("notify.webhook: payload: %w", err))
	}
	w, err := n.cfg.Webhooks.FindWebhook(ctx, j.WorkspaceID, p.WebhookID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return jobs.Permanent(fmt.Errorf("notify.webhook: %w", err))
	}
	if err != nil {
		return fmt.Errorf("notify.webhook: %w", err)
	}
	if !w.Enabled {
		n.log.Info("notify: webhook disabled, notification not sent", "webhook", w.ID, "notification", p.NotificationID)
		return nil
	}
	note, err := n.cfg.Notifications.FindNotification(ctx, j.WorkspaceID, p.NotificationID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return jobs.Permanent(fmt.Errorf("notify.webhook: %w", err))
	}
	if err != nil {
		return fmt.Errorf("notify.webhook: %w", err)
	}
	body, err := n.body(w, note)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("notify.webhook: encode: %w", err))
	}
	a := n.post(ctx, w, note.ID, body)
	status := cxm.DeliveryDelivered
	switch {
	case a.err == nil:
	case a.permanent || j.Attempts >= j.MaxAttempts:
		status = cxm.DeliveryFailed
	default:
		status = cxm.DeliveryPending
	}
	n.record(ctx, w, note.ID, j.Attempts, status, a)
	if a.err == nil {
		return nil
	}
	err = fmt.Errorf("notify.webhook: deliver notification %d to webhook %d: %w", note.ID, w.ID, a.err)
	if a.permanent {
		return jobs.Permanent(err)
	}
	return err
}

// TestWebhook sends a test notification to the workspace's webhook with
// id at once, whether it is enabled or not, logs the attempt and returns
// it. Its URL is checked first; a refused URL is cxm.EInvalid.
func (n *Notifier) TestWebhook(ctx context.Context, workspaceID, id int64) (*cxm.WebhookDelivery, error) {
	w, err := n.cfg.Webhooks.FindWebhook(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if err := n.guard.CheckURL(ctx, w.URL); err != nil {
		return nil, err
	}
	note := &cxm.Notification{WorkspaceID: workspaceID, Kind: "test", Title: "Test notification from cxm",
		Body: "If you can read this, the webhook " + w.Name + " works.", Data: map[string]any{"test": true}, At: n.now().UTC()}
	body, err := n.body(w, note)
	if err != nil {
		return nil, fmt.Errorf("notify: test webhook: %w", err)
	}
	a := n.post(ctx, w, 0, body)
	status := cxm.DeliveryDelivered
	if a.err != nil {
		status = cxm.DeliveryFailed
	}
	return n.record(ctx, w, 0, 1, status, a), nil
}
