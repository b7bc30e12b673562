package main

import (
	"fmt"
	"log/slog"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/notify"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/web"
)

// newNotifier wires the notifier of the live stream, webhooks and
// notification emails to the store, with the --webhook-allow ranges.
func (c *serveConfig) newNotifier(db *store.DB, log *slog.Logger, m *Main) (*notify.Notifier, error) {
	allow, err := notify.ParseAllowlist(c.WebhookAllow)
	if err != nil {
		return nil, fmt.Errorf("--webhook-allow: %w", err)
	}
	mailer, err := c.mailer()
	if err != nil {
		return nil, err
	}
	templates, err := mail.NewTemplates(cxm.Locales[0])
	if err != nil {
		return nil, err
	}
	cfg := notify.Config{Notifications: db, Webhooks: db, Workspaces: db, Jobs: db, Hub: notify.NewHub(0),
		Templates: templates, PublicURL: c.PublicURL, Allow: allow, Now: m.Now, Logger: log}
	if mailer != nil {
		cfg.Mailer = mailer
	}
	return notify.New(cfg)
}

// webHub returns the hub of the live stream for the web server, or nil
// when serve made no notifier (as in benchmarks).
func (c *serveConfig) webHub() web.NotificationHub {
	if c.notifier == nil {
		return nil
	}
	return c.notifier.Hub()
}

// webNotifier returns the notifier for the webhook API, or nil.
func (c *serveConfig) webNotifier() web.WebhookNotifier {
	if c.notifier == nil {
		return nil
	}
	return c.notifier
}
