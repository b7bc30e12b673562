package listen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/listen"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/mail/mailtest"
	"github.com/cxmhq/cxm/store"
)

// publicURL is where the test's customers reach the server.
const publicURL = "https://feedback.example.com"

// clock is a settable clock shared by the store, the listener and the runner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a workspace on a real database with a touchpoint and
// customers, a listener that sends through a real SMTP server on
// loopback, and a jobs runner, all on one clock.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock
	db     *store.DB
	smtp   *mailtest.Server
	signer *cxm.TokenSigner
	l      *listen.Listener
	runner *jobs.Runner
	ws     *cxm.Workspace
	// anna speaks German, john English; both agree to email. ben has not
	// agreed; gone's address bounces and busy's fails for now.
	anna, john, ben, gone, busy *cxm.Customer
}

// forEachDB runs fn on SQLite and, when CXM_TEST_DATABASE_URL is set, on
// PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, newFixture(t, filepath.Join(t.TempDir(), "cxm.db"), nil))
	})
	t.Run("postgres", func(t *testing.T) {
		url := os.Getenv("CXM_TEST_DATABASE_URL")
		if url == "" {
			t.Skip("CXM_TEST_DATABASE_URL is not set")
		}
		fn(t, newFixture(t, url, nil))
	})
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newFixture opens a store at url and wires a listener; change may alter
// its configuration before it is made.
func newFixture(t *testing.T, url string, change func(*listen.Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: &clock{t: time.Date(2026, 4, 6, 10, 0, 0, 0, time.UTC)}}
	var err error
	cfg := store.Config{URL: url, Now: f.clock.Now}
	if url[0] == '/' {
		f.db, err = store.Open(f.ctx, cfg)
		if err == nil {
			t.Cleanup(func() { f.db.Close() })
		}
	} else {
		var drop func() error
		f.db, drop, err = store.OpenInNewSchema(f.ctx, url, "listen", cfg)
		if err == nil {
			t.Cleanup(func() {
				f.db.Close()
				drop()
			})
		}
	}
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	f.smtp = mailtest.NewServer(t)
	sender, err := mail.NewSMTPSender(f.smtp.Config())
	if err != nil {
		t.Fatal(err)
	}
	sender.Now = f.clock.Now
	tpl, err := mail.NewTemplates("de")
	if err != nil {
		t.Fatal(err)
	}
	f.signer = cxm.NewTokenSigner([]byte("listen test key, at least 32 bytes long"))
	lc := listen.Config{Workspaces: f.db, Surveys: f.db, Customers: f.db, Invitations: f.db, Interactions: f.db,
		Jobs: f.db, Mailer: sender, Templates: tpl, Signer: f.signer, PublicURL: publicURL, Now: f.clock.Now,
		Logger: quietLogger(), CacheTTL: -1}
	if change != nil {
		change(&lc)
	}
	if f.l, err = listen.New(lc); err != nil {
		t.Fatal(err)
	}
	f.runner = &jobs.Runner{Store: f.db, Now: f.clock.Now, Logger: quietLogger(), Backoff: jobs.BaseBackoff, Worker: "test"}
	f.l.Register(f.runner)

	f.ws = &cxm.Workspace{Slug: "kaffee", Name: "Kaffeehaus Müller", DefaultLocale: "de"}
	if err := f.db.CreateWorkspace(f.ctx, f.ws); err != nil {
		t.Fatal(err)
	}
	tp := &cxm.Touchpoint{WorkspaceID: f.ws.ID, Key: "delivery", Name: "Lieferung", StageKey: "receipt", Channel: cxm.ChannelWeb}
	if err := f.db.CreateTouchpoint(f.ctx, tp); err != nil {
		t.Fatal(err)
	}
	f.anna = f.customer("anna", "anna@example.de", "de", true)
	f.john = f.customer("john", "john@example.com", "en", true)
	f.ben = f.customer("ben", "ben@example.de", "de", false)
	f.gone = f.customer("gone", "gone@example.de", "de", true)
	f.busy = f.customer("busy", "busy@example.de", "", true)
	f.smtp.Reject("gone@example.de", 550)
	f.smtp.Reject("busy@example.de", 451)
	return f
}

func (f *fixture) customer(ext, email, locale string, consent bool) *cxm.Customer {
	f.t.Helper()
	c := &cxm.Customer{WorkspaceID: f.ws.ID, ExternalID: ext, Name: "Kunde " + ext, Email: email, Locale: locale,
		Consent: cxm.Consent{Email: consent}}
	if err := f.db.CreateCustomer(f.ctx, c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// survey creates an active survey with slug triggered by delivered at
// delivery after two days, through channel.
func (f *fixture) survey(slug, channel string, change func(*cxm.Survey)) *cxm.Survey {
	f.t.Helper()
	s := &cxm.Survey{WorkspaceID: f.ws.ID, Slug: slug, Name: slug, Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Ihre Lieferung", "en": "Your delivery"},
		Questions: []cxm.Question{{Key: "csat", Kind: cxm.KindCSAT, Required: true,
			Text: cxm.LocalizedText{"de": "Wie zufrieden?", "en": "How satisfied?"}}},
		Touchpoints: []string{"delivery"}, HiddenFields: []string{"order_id"},
		Trigger: &cxm.Trigger{InteractionType: "delivered", Touchpoint: "delivery", DelayMinutes: 2 * 24 * 60, Channel: channel}}
	if change != nil {
		change(s)
	}
	if err := f.db.CreateSurvey(f.ctx, s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

// deliver stores a delivered interaction of customer ext (anonymous when
// ext is empty) at at, as the API does, and hands it to the listener as
// the bus would. It returns the invitations created.
func (f *fixture) deliver(id, ext string, at time.Time) []*cxm.Invitation {
	f.t.Helper()
	in := &cxm.Interaction{ID: id, Customer: ext, Touchpoint: "delivery", Type: "delivered", OccurredAt: at,
		Properties: json.RawMessage(`{"order_id":"A-` + id + `","carrier":"DHL"}`)}
	if ext == "" {
		in.AnonymousID = "visitor-" + id
	}
	res, err := f.db.IngestInteractions(f.ctx, f.ws.ID, []*cxm.Interaction{in}, cxm.IngestOptions{})
	if err != nil || res.Accepted+res.Duplicates != 1 {
		f.t.Fatalf("ingest %s: %+v %v", id, res, err)
	}
	data, _ := json.Marshal([]*cxm.Interaction{in})
	before := f.invitations()
	if err := f.l.HandleEvent(f.ctx, cxm.Event{Topic: cxm.TopicInteractionsIngested, WorkspaceID: f.ws.ID, Data: data}); err != nil {
		f.t.Fatalf("handle event: %v", err)
	}
	after := f.invitations()
	return after[:len(after)-len(before)]
}

// invitations lists the workspace's invitations, newest first.
func (f *fixture) invitations() []*cxm.Invitation {
	f.t.Helper()
	list, _, err := f.db.ListInvitations(f.ctx, f.ws.ID, cxm.InvitationFilter{Page: cxm.Page{Limit: 1000}})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// find reads an invitation back.
func (f *fixture) find(id int64) *cxm.Invitation {
	f.t.Helper()
	inv, err := f.db.FindInvitation(f.ctx, f.ws.ID, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return inv
}

// of returns the invitation of customer c among invs.
func (f *fixture) of(invs []*cxm.Invitation, c *cxm.Customer) *cxm.Invitation {
	f.t.Helper()
	for _, inv := range invs {
		if inv.CustomerID == c.ID {
			return inv
		}
	}
	f.t.Fatalf("no invitation for %s among %d", c.ExternalID, len(invs))
	return nil
}

// runDue runs the due jobs and returns how many ran.
func (f *fixture) runDue() int {
	f.t.Helper()
	n, err := f.runner.RunDue(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// job returns the job of kind for invitation inv.
func (f *fixture) job(kind string, inv *cxm.Invitation) *cxm.Job {
	f.t.Helper()
	list, _, err := f.db.ListJobs(f.ctx, f.ws.ID, cxm.JobFilter{Kind: kind, Page: cxm.Page{Limit: 1000}})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, j := range list {
		if j.UniqueKey == fmt.Sprint(inv.ID) {
			return j
		}
	}
	f.t.Fatalf("no %s job for invitation %d", kind, inv.ID)
	return nil
}

// mailTo returns the messages the SMTP server accepted for address.
func (f *fixture) mailTo(address string) []*mailtest.Message {
	var out []*mailtest.Message
	for _, m := range f.smtp.Messages() {
		for _, to := range m.EnvelopeTo {
			if to == address {
				out = append(out, m)
			}
		}
	}
	return out
}

var (
	surveyLinkPattern      = regexp.MustCompile(`https://feedback\.example\.com/s/([a-z0-9-]+)\?t=([A-Za-z0-9_-]+)`)
	unsubscribeLinkPattern = regexp.MustCompile(`https://feedback\.example\.com/u/([A-Za-z0-9_-]+)`)
)
