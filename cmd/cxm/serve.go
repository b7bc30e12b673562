package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/alert"
	"github.com/cxmhq/cxm/bus"
	"github.com/cxmhq/cxm/casework"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/listen"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/notify"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
	"github.com/cxmhq/cxm/web"
)

// serveConfig holds the settings of the server.
type serveConfig struct {
	config
	Addr          string
	TLSCert       string
	TLSKey        string
	SecureCookies bool
	MaxBodyBytes  int64
	MaxBatch      int
	// TrustForwardedFor takes client addresses from X-Forwarded-For.
	TrustForwardedFor bool
	// The mail server that sends survey invitations.
	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPTLS      string
	MailFrom     string
	// WebhookAllow lists internal address ranges webhooks may reach.
	WebhookAllow string

	// signer signs invitation and unsubscribe links; serve sets it from
	// the server secret, and nil (as in benchmarks) refuses such links.
	signer *cxm.TokenSigner
	// analyzer finds emerging topics for the API; serve sets it.
	analyzer *text.Analyzer
	// notifier feeds the live stream and delivers webhooks and
	// notification emails; serve sets it, and nil (as in benchmarks)
	// refuses the stream and webhooks.
	notifier *notify.Notifier
}

func (c *serveConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file; serves HTTPS with --tls-key")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS key file")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure, for a server behind a TLS proxy")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 16<<20, "largest request body")
	fs.IntVar(&c.MaxBatch, "max-batch", 10000, "most interactions in one request")
	fs.BoolVar(&c.TrustForwardedFor, "trust-forwarded-for", false,
		"take client addresses from the last X-Forwarded-For entry, behind exactly one reverse proxy")
	fs.StringVar(&c.SMTPHost, "smtp-host", "", "mail server for survey invitations; without it email invitations wait and are retried")
	fs.IntVar(&c.SMTPPort, "smtp-port", 0, "mail server port; default 25, 587 or 465 by --smtp-tls")
	fs.StringVar(&c.SMTPUsername, "smtp-username", "", "mail server login (AUTH PLAIN)")
	fs.StringVar(&c.SMTPPassword, "smtp-password", "", "mail server password; prefer the CXM_SMTP_PASSWORD environment variable")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", "starttls", "mail server encryption: none, starttls or tls")
	fs.StringVar(&c.MailFrom, "mail-from", "", `sender of survey emails, such as "Kaffeehaus Müller <feedback@example.com>"`)
	fs.StringVar(&c.WebhookAllow, "webhook-allow", "", "internal address ranges webhooks may reach anyway, such as 127.0.0.0/8,10.1.2.0/24; others are refused")
}

// mailer returns the SMTP sender the settings describe, or nil without
// --smtp-host: then email invitations stay scheduled, and their jobs are
// retried with backoff, until a mail server is configured.
func (c *serveConfig) mailer() (listen.Mailer, error) {
	if c.SMTPHost == "" {
		return nil, nil
	}
	mode, err := mail.ParseTLSMode(c.SMTPTLS)
	if err != nil {
		return nil, fmt.Errorf("--smtp-tls: %w", err)
	}
	if c.MailFrom == "" {
		return nil, errors.New("--mail-from is required with --smtp-host")
	}
	from, err := netmail.ParseAddress(c.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("--mail-from %q: %w", c.MailFrom, err)
	}
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUsername,
		Password: c.SMTPPassword, TLS: mode, From: mail.Address{Name: from.Name, Email: from.Address}})
	if err != nil {
		return nil, err
	}
	return sender, nil
}

func runServe(ctx context.Context, m *Main, args []string) error {
	var cfg serveConfig
	fs := newFlags("serve", m, &cfg.config)
	cfg.bind(fs)
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	log, err := cfg.logger(m.Stderr)
	if err != nil {
		return err
	}
	db, err := cfg.openStore(ctx, m)
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, m, &cfg, db, log, nil)
}

// newWebServer wires the HTTP server to the store and the bus.
func newWebServer(cfg *serveConfig, db *store.DB, b cxm.Bus, log *slog.Logger, m *Main) *web.Server {
	return web.New(web.Config{
		Bus: b,
		Services: web.Services{Workspaces: db, Users: db, APIKeys: db, Journeys: db, Touchpoints: db,
			Customers: db, Interactions: db, Surveys: db, Responses: db, Invitations: db, Texts: db, TextCorrections: db, TextModels: db, TextPrivacy: db, TextTopics: db, JourneyAnalysis: db, Drivers: db, Rollups: db, Loyalty: db, TopicMetrics: db, Teams: db, Cases: db, CaseReplies: db, CaseSettings: db, CaseMetrics: db,
			Webhooks: db, Notifications: db, AlertRules: db, AlertFacts: db},
		Hub:               cfg.webHub(),
		Notifier:          cfg.webNotifier(),
		Logger:            log,
		Now:               m.Now,
		Ready:             db.Ping,
		MaxBodyBytes:      cfg.MaxBodyBytes,
		MaxBatch:          cfg.MaxBatch,
		SecureCookies:     cfg.SecureCookies,
		PublicURL:         cfg.PublicURL,
		Signer:            cfg.signer,
		TextAnalyzer:      cfg.analyzer,
		TrustForwardedFor: cfg.TrustForwardedFor,
	})
}

// startListening wires the survey triggers, the invitation jobs and the
// text analysis: a listener that hears interactions.ingested on b and runs
// survey.invite and survey.reminder, the text.analyze worker that hears
// response.completed, and a jobs runner that runs them until ctx ends.
// Links in emails start with cfg.PublicURL, else with url, the address
// the server listens at. It returns a channel that is closed once the
// runner has stopped.
func startListening(ctx context.Context, m *Main, cfg *serveConfig, db *store.DB, b cxm.Bus, log *slog.Logger, url string) (<-chan struct{}, error) {
	mailer, err := cfg.mailer()
	if err != nil {
		return nil, err
	}
	if mailer == nil {
		log.Warn("no --smtp-host: email invitations wait, and are retried, until a mail server is configured")
	}
	templates, err := mail.NewTemplates(cxm.Locales[0])
	if err != nil {
		return nil, err
	}
	public := cfg.PublicURL
	if public == "" {
		public = url
		log.Warn("no --public-url: links in survey emails point at " + url)
	}
	runner := &jobs.Runner{Store: db, Now: m.Now, Logger: log}
	l, err := listen.New(listen.Config{Workspaces: db, Surveys: db, Customers: db, Invitations: db, Interactions: db,
		Jobs: db, Mailer: mailer, Templates: templates, Signer: cfg.signer, PublicURL: public, Now: m.Now,
		Logger: log, Wake: runner.Wake})
	if err != nil {
		return nil, err
	}
	l.Register(runner)
	replies := &caseReplies{cases: db, customers: db, workspaces: db, users: db, mailer: mailer, templates: templates, msgDomain: hostOf(public)}
	replies.Register(runner) // case.go: case replies by email
	if cfg.notifier != nil {
		cfg.notifier.Register(runner) // notify.webhook and notify.email
	}
	if err := l.Subscribe(ctx, b); err != nil {
		return nil, err
	}
	analyzer, err := text.NewAnalyzer(text.Options{})
	if err != nil {
		return nil, err
	}
	texts, err := textjob.New(textjob.Config{Texts: db, Jobs: db, Analyzer: analyzer, Models: db, Topics: db, Now: m.Now, Logger: log, Wake: runner.Wake, Bus: b})
	if err != nil {
		return nil, err
	}
	texts.Register(runner)
	if err := texts.Subscribe(ctx, b); err != nil {
		return nil, err
	}
	go texts.SweepEvery(ctx, time.Minute)
	if err := startAlerts(ctx, m, cfg, db, b, log, runner); err != nil {
		return nil, err
	}
	if cfg.notifier != nil { // the SLA clock: escalate and announce missed targets
		cw, err := casework.New(casework.Config{Cases: db, Settings: db, Jobs: db, Notifier: cfg.notifier, Now: m.Now, Logger: log, Wake: runner.Wake})
		if err != nil {
			return nil, err
		}
		cw.Register(runner)
		go cw.Every(ctx, time.Minute)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := runner.Run(ctx); err != nil {
			log.Error("jobs runner", "err", err)
		}
	}()
	return done, nil
}

// serve listens on cfg.Addr until ctx ends, then shuts down gracefully.
// ready, if not nil, receives the base URL once the server listens.
func serve(ctx context.Context, m *Main, cfg *serveConfig, db *store.DB, log *slog.Logger, ready func(url string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	key, err := db.Secret(ctx, "invitation-links")
	if err != nil {
		return err
	}
	cfg.signer = cxm.NewTokenSigner(key)
	if cfg.analyzer, err = text.NewAnalyzer(text.Options{}); err != nil {
		return err
	}
	if cfg.notifier, err = cfg.newNotifier(db, log, m); err != nil {
		return err
	}
	events := bus.New(bus.Options{Logger: log, Now: m.Now})
	defer events.Close()
	srv := &http.Server{
		Handler:           newWebServer(cfg, db, events, log, m).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(cfg.notifier.Hub().Close) // open event streams end, so shutdown need not wait for them
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s", scheme, displayAddr(ln.Addr()))
	log.Info("cxm listening", "url", url, "database", db.Dialect())
	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	jobsDone, err := startListening(jobsCtx, m, cfg, db, events, log, url)
	if err != nil {
		ln.Close()
		return err
	}
	defer func() {
		stopJobs()
		<-jobsDone
	}()
	go cleanSessions(ctx, db, log)
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		if ok {
			return fmt.Sprintf("localhost:%d", tcp.Port)
		}
		return a.String()
	}
	return a.String()
}

// cleanSessions deletes expired sessions every hour until ctx ends.
func cleanSessions(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			log.Info("deleted expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startAlerts wires the alert rules' engine: it hears completed and
// analysed responses on b, opens cases in db, notifies through
// cfg.notifier (none without it) and runs the digest jobs on runner.
func startAlerts(ctx context.Context, m *Main, cfg *serveConfig, db *store.DB, b cxm.Bus, log *slog.Logger, runner *jobs.Runner) error {
	ec := alert.EngineConfig{Rules: db, Facts: db, Cases: db, Jobs: db, Now: m.Now, Logger: log, Wake: runner.Wake}
	if cfg.notifier != nil {
		ec.Notifier = cfg.notifier
	}
	engine, err := alert.NewEngine(ec)
	if err != nil {
		return err
	}
	engine.Register(runner)
	return engine.Subscribe(ctx, b)
}
