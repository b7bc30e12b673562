// Package notify delivers notifications: it implements cxm.Notifier by
// storing each notification for the live feed's catch-up, publishing it
// to the Hub that feeds the SSE streams of its workspace, and enqueueing
// one durable job per target: notify.webhook posts a signed JSON payload
// (or a Slack-compatible chat message) to a webhook, notify.email sends
// a localised email. Webhooks reach only addresses the Guard allows.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/mail"
)

// Mailer sends an email; *mail.SMTPSender is one.
type Mailer interface {
	Send(ctx context.Context, m *mail.Message) error
}

// Defaults of the Config.
const (
	// DefaultTimeout bounds one webhook request.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxAttempts is how often a delivery is tried before it fails for good.
	DefaultMaxAttempts = 8
)

// Config wires a Notifier. Notifications, Webhooks, Workspaces and Jobs
// are required.
type Config struct {
	Notifications cxm.NotificationService
	Webhooks      cxm.WebhookService
	Workspaces    cxm.WorkspaceService
	Jobs          cxm.JobStore
	// Hub receives every notification for the live streams; nil makes one.
	Hub *Hub
	// Mailer sends the emails; nil means no mail server is configured, and
	// email jobs fail and are retried until one is.
	Mailer Mailer
	// Templates render the emails; nil means the built-in ones.
	Templates *mail.Templates
	// PublicURL, such as https://cxm.example.com, starts the links in
	// emails, chat messages and payloads; empty leaves links out.
	PublicURL string
	// Allow lists internal address ranges webhooks may reach anyway.
	Allow []netip.Prefix
	// LookupIP resolves host names when URLs are checked; nil means DNS.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Timeout bounds one webhook request; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxAttempts bounds the tries of each delivery; zero means DefaultMaxAttempts.
	MaxAttempts int
	// Now is the clock of signatures and delivery records; nil means time.Now.
	Now func() time.Time
	// Logger receives failed deliveries; nil means slog.Default().
	Logger *slog.Logger
}

// Notifier implements cxm.Notifier and runs the notify.webhook and
// notify.email jobs. It is safe for concurrent use.
type Notifier struct {
	cfg   Config
	hub   *Hub
	guard *Guard
	now   func() time.Time
	log   *slog.Logger
	base  string
	// order serialises storing and publishing, so that live subscribers
	// see a workspace's notifications in ascending id order and a resume
	// after the last id seen misses none.
	order sync.Mutex
	wake  atomic.Pointer[func()]
	// client posts to webhooks through the guard.
	client *http.Client
}

var _ cxm.Notifier = (*Notifier)(nil)

// New checks cfg and returns a notifier.
func New(cfg Config) (*Notifier, error) {
	var missing []string
	if cfg.Notifications == nil {
		missing = append(missing, "Notifications")
	}
	if cfg.Webhooks == nil {
		missing = append(missing, "Webhooks")
	}
	if cfg.Workspaces == nil {
		missing = append(missing, "Workspaces")
	}
	if cfg.Jobs == nil {
		missing = append(missing, "Jobs")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("notify: config lacks %s", strings.Join(missing, ", "))
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("notify: public URL %q must be an absolute http or https URL", cfg.PublicURL)
		}
	}
	if cfg.Hub == nil {
		cfg.Hub = NewHub(0)
	}
	if cfg.Templates == nil {
		t, err := mail.NewTemplates(cxm.Locales[0])
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		cfg.Templates = t
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	n := &Notifier{cfg: cfg, hub: cfg.Hub, now: cfg.Now, log: cfg.Logger, base: strings.TrimRight(cfg.PublicURL, "/"),
		guard: &Guard{Allow: cfg.Allow, LookupIP: cfg.LookupIP}}
	if n.now == nil {
		n.now = time.Now
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	n.client = n.guard.Client(cfg.Timeout)
	return n, nil
}

// Hub returns the hub the notifier publishes to.
func (n *Notifier) Hub() *Hub { return n.hub }

// CheckWebhookURL checks a webhook URL before it is saved; its failures
// are cxm.EInvalid errors on the field "url".
func (n *Notifier) CheckWebhookURL(ctx context.Context, raw string) error {
	return n.guard.CheckURL(ctx, raw)
}

// Register makes r run the notify.webhook and notify.email jobs, and has
// Notify wake r when it enqueued some.
func (n *Notifier) Register(r *jobs.Runner) {
	r.Register(cxm.JobNotifyWebhook, n.DeliverWebhook)
	r.Register(cxm.JobNotifyEmail, n.SendEmail)
	wake := r.Wake
	n.wake.Store(&wake)
}

// webhookJob is the payload of a notify.webhook job.
type webhookJob struct {
	NotificationID int64 `json:"notification_id"`
	WebhookID      int64 `json:"webhook_id"`
}

// emailJob is the payload of a notify.email job.
type emailJob struct {
	NotificationID int64  `json:"notification_id"`
	Email          string `json:"email"`
}

// Notify checks the targets, stores note (setting its ID and time),
// publishes it to the live streams of its workspace and enqueues a job
// for each target. Bad targets are cxm.EInvalid and nothing is stored.
// Targets naming a disabled webhook are skipped.
func (n *Notifier) Notify(ctx context.Context, note *cxm.Notification, targets []cxm.NotifyTarget) error {
	if note == nil || note.WorkspaceID <= 0 {
		return cxm.Invalid(cxm.FieldError{Field: "workspace_id", Reason: "is required"})
	}
	var errs cxm.FieldErrors
	hooks := make([]*cxm.Webhook, len(targets))
	for i, t := range targets {
		field := fmt.Sprintf("targets[%d]", i)
		switch t.Kind {
		case "email":
			if a, err := netmail.ParseAddress(t.Email); err != nil || a.Address != t.Email || len(t.Email) > 254 {
				errs.Add(field+".email", "must be an email address")
			}
		case "webhook", "chat":
			if t.WebhookID <= 0 {
				errs.Add(field+".webhook_id", "is required")
				continue
			}
			w, err := n.cfg.Webhooks.FindWebhook(ctx, note.WorkspaceID, t.WebhookID)
			if cxm.ErrorCode(err) == cxm.ENotFound {
				errs.Add(field+".webhook_id", "names no webhook of the workspace")
				continue
			}
			if err != nil {
				return fmt.Errorf("notify: %w", err)
			}
			hooks[i] = w
		default:
			errs.Add(field+".kind", "must be email, webhook or chat")
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := n.store(ctx, note); err != nil {
		return err
	}
	enqueued := false
	for i, t := range targets {
		j := &cxm.Job{WorkspaceID: note.WorkspaceID, MaxAttempts: n.cfg.MaxAttempts}
		var payload any
		switch t.Kind {
		case "email":
			sum := sha256.Sum256([]byte(strings.ToLower(t.Email)))
			j.Kind, j.UniqueKey = cxm.JobNotifyEmail, fmt.Sprintf("n%d-%s", note.ID, hex.EncodeToString(sum[:8]))
			payload = emailJob{NotificationID: note.ID, Email: t.Email}
		default:
			if !hooks[i].Enabled {
				continue
			}
			j.Kind, j.UniqueKey = cxm.JobNotifyWebhook, fmt.Sprintf("n%d-w%d", note.ID, t.WebhookID)
			payload = webhookJob{NotificationID: note.ID, WebhookID: t.WebhookID}
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return fmt.Errorf("notify: job payload: %w", err)
		}
		j.Payload = b
		if _, err := n.cfg.Jobs.EnqueueJob(ctx, j); err != nil {
			return fmt.Errorf("notify: enqueue %s for notification %d: %w", j.Kind, note.ID, err)
		}
		enqueued = true
	}
	if enqueued {
		if w := n.wake.Load(); w != nil {
			(*w)()
		}
	}
	return nil
}

// store saves note and publishes it, one notification at a time.
func (n *Notifier) store(ctx context.Context, note *cxm.Notification) error {
	n.order.Lock()
	defer n.order.Unlock()
	if err := n.cfg.Notifications.CreateNotification(ctx, note); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	n.hub.Publish(note)
	return nil
}

// link returns the address of the notification's subject in cxm, or ""
// without a public URL.
func (n *Notifier) link(note *cxm.Notification) string {
	if n.base == "" {
		return ""
	}
	switch {
	case note.CaseID != 0:
		return fmt.Sprintf("%s/cases/%d", n.base, note.CaseID)
	case note.ResponseID != "":
		return n.base + "/responses/" + url.PathEscape(note.ResponseID)
	case note.CustomerID != 0:
		return fmt.Sprintf("%s/customers/%d", n.base, note.CustomerID)
	}
	return n.base + "/"
}

// errNoMailer is the retryable failure of an email job without a mail server.
var errNoMailer = errors.New("no mail server is configured (--smtp-host)")

// SendEmail runs a notify.email job: it renders the notification in the
// workspace's language and sends it to the job's address.
func (n *Notifier) SendEmail(ctx context.Context, j *cxm.Job) error {
	var p emailJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("notify.email: payload: %w", err))
	}
	note, err := n.cfg.Notifications.FindNotification(ctx, j.WorkspaceID, p.NotificationID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return jobs.Permanent(fmt.Errorf("notify.email: %w", err))
	}
	if err != nil {
		return fmt.Errorf("notify.email: %w", err)
	}
	ws, err := n.cfg.Workspaces.FindWorkspaceByID(ctx, j.WorkspaceID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return jobs.Permanent(fmt.Errorf("notify.email: %w", err))
	}
	if err != nil {
		return fmt.Errorf("notify.email: %w", err)
	}
	if n.cfg.Mailer == nil {
		return fmt.Errorf("notify.email: %w", errNoMailer)
	}
	r, err := n.cfg.Templates.Render(mail.TemplateNotification, ws.DefaultLocale, mail.Notification{
		Company: ws.Name, Kind: note.Kind, Title: note.Title, Body: note.Body, URL: n.link(note)})
	if err != nil {
		return jobs.Permanent(fmt.Errorf("notify.email: %w", err))
	}
	m := r.Message(mail.Address{Email: p.Email})
	domain := "cxm.invalid"
	if u, err := url.Parse(n.base); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	m.MessageID = fmt.Sprintf("notification-%d-%d@%s", note.ID, j.ID, domain)
	if err := n.cfg.Mailer.Send(ctx, m); err != nil {
		return fmt.Errorf("notify.email: send notification %d: %w", note.ID, err)
	}
	return nil
}
