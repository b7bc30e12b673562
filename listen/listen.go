// Package listen asks customers for feedback at the right moment: it
// turns interactions into survey invitations by the surveys' triggers,
// and carries invitations out as durable jobs: it emails the invitation
// with a signed link, or leaves it waiting for the website widget, and
// sends one reminder. Every rule that stops an invitation is recorded on
// it as its skip reason.
//
// The listener hears interactions.ingested events, which only the live
// API publishes: interactions imported with cxm import are history and
// invite nobody. An interaction without a known customer is recorded as a
// skipped invitation with the reason anonymous, so that reports can count
// them. Sending survives restarts because it runs on jobs (survey.invite
// and survey.reminder) that the jobs runner retries with backoff.
package listen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/mail"
)

// Mailer sends an email; *mail.SMTPSender is one.
type Mailer interface {
	Send(ctx context.Context, m *mail.Message) error
}

// Interactions finds the row ids and properties of stored interactions
// by their event ids; *store.DB is one.
type Interactions interface {
	InteractionRefs(ctx context.Context, workspaceID int64, eventIDs []string) (map[string]cxm.InteractionRef, error)
}

// Defaults of the Config.
const (
	// DefaultCacheTTL is how long the triggers of a workspace are kept.
	DefaultCacheTTL = 30 * time.Second
	// DefaultMaxAge is how long after its due time a triggered
	// invitation still matters; older interactions invite nobody.
	DefaultMaxAge = 7 * 24 * time.Hour
	// UnsubscribeTTL is how long the unsubscribe link of an email works.
	UnsubscribeTTL = 365 * 24 * time.Hour
)

// Config wires a Listener. Workspaces, Surveys, Customers, Invitations,
// Interactions, Jobs, Templates, Signer and PublicURL are required.
type Config struct {
	Workspaces   cxm.WorkspaceService
	Surveys      cxm.SurveyService
	Customers    cxm.CustomerService
	Invitations  cxm.InvitationService
	Interactions Interactions
	Jobs         cxm.JobStore
	// Mailer sends the emails. Nil means no mail server is configured:
	// email jobs then fail with a clear error and are retried with
	// backoff, so that they go out once one is; widget invitations work.
	Mailer    Mailer
	Templates *mail.Templates
	Signer    *cxm.TokenSigner
	// PublicURL is the address customers reach the server at, such as
	// https://feedback.example.com; links in emails start with it.
	PublicURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives what was skipped and why sending failed; nil means
	// slog.Default().
	Logger *slog.Logger
	// CacheTTL is how long the triggers of a workspace are cached; zero
	// means DefaultCacheTTL, negative means no caching.
	CacheTTL time.Duration
	// MaxAge is how long after its due time an interaction still invites;
	// zero means DefaultMaxAge.
	MaxAge time.Duration
	// Wake, when set, is called after an invitation due now was
	// scheduled, such as a jobs.Runner's Wake.
	Wake func()
}

// Listener creates invitations from interactions and runs the invitation
// jobs. It is safe for concurrent use.
type Listener struct {
	cfg     Config
	now     func() time.Time
	log     *slog.Logger
	baseURL string
	// msgDomain is the domain of the Message-IDs of the emails.
	msgDomain string

	mu    sync.Mutex
	cache map[int64]*workspaceTriggers
}

// New checks cfg and returns a listener.
func New(cfg Config) (*Listener, error) {
	var missing []string
	for name, ok := range map[string]bool{
		"Workspaces": cfg.Workspaces != nil, "Surveys": cfg.Surveys != nil, "Customers": cfg.Customers != nil,
		"Invitations": cfg.Invitations != nil, "Interactions": cfg.Interactions != nil, "Jobs": cfg.Jobs != nil,
		"Templates": cfg.Templates != nil, "Signer": cfg.Signer != nil,
	} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("listen: config lacks %s", strings.Join(missing, ", "))
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("listen: public URL %q must be an absolute http or https URL, for the links in emails", cfg.PublicURL)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	l := &Listener{cfg: cfg, now: cfg.Now, log: cfg.Logger, baseURL: strings.TrimRight(cfg.PublicURL, "/"),
		msgDomain: u.Hostname(), cache: map[int64]*workspaceTriggers{}}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l, nil
}

// Subscribe makes the listener hear interactions.ingested on b until ctx
// ends.
func (l *Listener) Subscribe(ctx context.Context, b cxm.Bus) error {
	if err := b.Subscribe(ctx, cxm.TopicInteractionsIngested, l.HandleEvent); err != nil {
		return fmt.Errorf("listen: subscribe: %w", err)
	}
	return nil
}

// Register makes r run the invitation jobs: survey.invite with Invite and
// survey.reminder with Remind.
func (l *Listener) Register(r *jobs.Runner) {
	r.Register(cxm.JobSurveyInvite, l.Invite)
	r.Register(cxm.JobSurveyReminder, l.Remind)
}

// errNoMailer is the failure of an email job while no mail server is
// configured. It is temporary: the job is retried with backoff.
var errNoMailer = errors.New("listen: no mail server is configured (set --smtp-host); the email waits for a retry")
