package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// errUsage reports that the flags were wrong and usage has been printed.
var errUsage = errors.New("usage")

// config holds the settings every command shares.
type config struct {
	DatabaseURL string
	LogFormat   string
	LogLevel    string
	// PublicURL is the address customers reach the server at, for links
	// in QR codes, emails and the widget snippet.
	PublicURL string
}

// newFlags returns a flag set for a command with the shared settings bound to cfg.
func newFlags(name string, m *Main, cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet("cxm "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", "cxm-data/cxm.db", "SQLite file path, or postgres://… for PostgreSQL")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "address customers reach the server at, such as https://feedback.example.com, for survey links; default: the address of each request")
	return fs
}

// parseFlags parses args, then fills every flag not given on the command
// line from its CXM_* environment variable (--database-url from CXM_DATABASE_URL).
func parseFlags(fs *flag.FlagSet, m *Main, args []string) error {
	if err := fs.Parse(args); err != nil {
		// The flag package has printed the problem (or the help) already.
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "CXM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := m.Getenv(env); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %v", env, v, e)
			}
		}
	})
	return err
}

// logger returns the logger the settings ask for.
func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
}

// openStore checks the shared settings, opens the configured database and
// runs its migrations.
func (c *config) openStore(ctx context.Context, m *Main) (*store.DB, error) {
	if _, err := c.logger(io.Discard); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Config{URL: c.DatabaseURL, Now: m.Now})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openWorkspace opens the store and finds the workspace with slug. The
// caller closes the store.
func (c *config) openWorkspace(ctx context.Context, m *Main, slug string) (*store.DB, *cxm.Workspace, error) {
	if slug == "" {
		return nil, nil, cxm.Invalid(cxm.FieldError{Field: "--workspace", Reason: "is required"})
	}
	db, err := c.openStore(ctx, m)
	if err != nil {
		return nil, nil, err
	}
	ws, err := db.FindWorkspaceBySlug(ctx, slug)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("workspace %q: %w", slug, err)
	}
	return db, ws, nil
}
