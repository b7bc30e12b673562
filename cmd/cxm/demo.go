package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/demo"
	"github.com/cxmhq/cxm/password"
	"github.com/cxmhq/cxm/store"
)

// demoSlug is the workspace the demo fills.
const demoSlug = "demo"

// demoEmail is the demo's sign-in.
const demoEmail = "demo@cxm.example"

func runDemo(ctx context.Context, m *Main, args []string) error {
	var cfg serveConfig
	var customers int
	var seedOnly bool
	fs := newFlags("demo", m, &cfg.config)
	cfg.bind(fs)
	fs.IntVar(&customers, "customers", demo.DefaultCustomers, "number of demo customers")
	fs.BoolVar(&seedOnly, "seed-only", false, "fill the demo workspace and exit without serving")
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
	start := time.Now()
	ws, pw, surveys, sum, err := seedDemo(ctx, m, db, customers)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "demo workspace %q: %d touchpoints, %d customers, %d interactions (%d already there), "+
		"%d surveys (%d new), %d responses (%d already there), %d new cases (%d rules, %d agents) in %s\n",
		ws.Slug, sum.Touchpoints, sum.Customers, sum.Interactions, sum.Duplicates, surveys, sum.Surveys,
		sum.Responses+sum.ResponseDuplicates, sum.ResponseDuplicates, sum.Cases, sum.Rules, sum.Agents, time.Since(start).Round(time.Millisecond))
	if seedOnly {
		fmt.Fprintf(m.Stdout, "login: %s / %s\n", demoEmail, pw)
		return nil
	}
	surveyList, _, err := db.ListSurveys(ctx, ws.ID, cxm.SurveyFilter{Page: cxm.Page{Limit: 20}})
	if err != nil {
		return fmt.Errorf("demo surveys: %w", err)
	}
	return serve(ctx, m, &cfg, db, log, func(url string) {
		fmt.Fprintf(m.Stdout, "\n  cxm demo is running at %s\n  sign in as %s with password %s\n  API: %s/api/v1/openapi.json\n", url, demoEmail, pw, url)
		printDemoChannels(m, url, ws, surveyList)
		if err := printDemoFindings(ctx, m, db, url, ws); err != nil {
			log.Warn("demo findings", "err", err)
		}
	})
}

// printDemoChannels shows where the demo's surveys can be answered: each
// active survey's hosted page and QR code, and the widget snippet.
func printDemoChannels(m *Main, url string, ws *cxm.Workspace, surveys []*cxm.Survey) {
	fmt.Fprintln(m.Stdout, "\n  Answer the demo surveys like a customer:")
	for _, sv := range surveys {
		if sv.Status != cxm.SurveyActive {
			continue
		}
		fmt.Fprintf(m.Stdout, "    %-40s %s/s/%s\n", sv.Name, url, sv.Slug)
	}
	fmt.Fprintf(m.Stdout, "  QR codes: GET %s/api/v1/surveys/{id}/qr?format=svg (or cxm survey qr)\n", url)
	fmt.Fprintf(m.Stdout, "  Website widget: <script src=\"%s/widget.js\" data-key=\"%s\" async></script>\n", url, ws.PublicKey)
	fmt.Fprintf(m.Stdout, "  (allow your site's origin first: PATCH /api/v1/workspace {\"allowed_origins\": [...]})\n\n")
}

// seedDemo creates or reuses the demo workspace, fills it from the fixed
// seed, and gives the demo user a fresh password, which it returns with
// the number of demo surveys.
func seedDemo(ctx context.Context, m *Main, db *store.DB, customers int) (*cxm.Workspace, string, int, demo.Summary, error) {
	ws, err := db.FindWorkspaceBySlug(ctx, demoSlug)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		ws = &cxm.Workspace{Slug: demoSlug, Name: "Nordlicht Living (Demo)", TimeZone: "Europe/Berlin", DefaultLocale: "de",
			ContactFrequencyDays: demo.ContactFrequencyDays}
		err = db.CreateWorkspace(ctx, ws)
	}
	if err != nil {
		return nil, "", 0, demo.Summary{}, fmt.Errorf("demo workspace: %w", err)
	}
	d := demo.Generate(m.Now(), demo.Options{Customers: customers, SurveyPrefix: demoSlug + "-"})
	sum, err := demo.Load(ctx, demo.Services{Touchpoints: db, Customers: db, Interactions: db, Surveys: db, Responses: db,
		Users: db, Teams: db, AlertRules: db, Cases: db}, ws.ID, d)
	if err != nil {
		return nil, "", 0, sum, fmt.Errorf("load demo data: %w", err)
	}
	pw := randomPassword()
	hash := password.Hash(pw, password.Default)
	u, err := db.FindUserByEmail(ctx, demoEmail)
	switch {
	case err == nil:
		err = db.SetPasswordHash(ctx, u.ID, hash)
	case cxm.ErrorCode(err) == cxm.ENotFound:
		u = &cxm.User{Email: demoEmail, Name: "Demo Admin", Locale: "de", PasswordHash: hash}
		err = db.CreateUser(ctx, u)
	}
	if err != nil {
		return nil, "", 0, sum, fmt.Errorf("demo user: %w", err)
	}
	if err := db.SetMember(ctx, ws.ID, u.ID, cxm.RoleAdmin); err != nil {
		return nil, "", 0, sum, fmt.Errorf("demo user: %w", err)
	}
	return ws, pw, len(d.Surveys), sum, nil
}

// randomPassword returns a readable random password of 16 characters.
func randomPassword() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
