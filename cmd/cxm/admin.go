package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/password"
)

// subcommand checks that args start with the one verb a command knows.
func subcommand(m *Main, args []string, verb, usage string) ([]string, error) {
	if len(args) == 0 || args[0] != verb {
		fmt.Fprintln(m.Stderr, "Usage: "+usage)
		return nil, errUsage
	}
	return args[1:], nil
}

func runMigrate(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("migrate", m, &cfg)
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	db, err := cfg.openStore(ctx, m)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "database is at migration %d\n", v)
	return nil
}

func runWorkspace(ctx context.Context, m *Main, args []string) error {
	args, err := subcommand(m, args, "create", "cxm workspace create --slug acme --name \"ACME GmbH\" [--time-zone Europe/Berlin] [--locale de]")
	if err != nil {
		return err
	}
	var cfg config
	var w cxm.Workspace
	fs := newFlags("workspace create", m, &cfg)
	fs.StringVar(&w.Slug, "slug", "", "short name used in URLs (required)")
	fs.StringVar(&w.Name, "name", "", "display name (required)")
	fs.StringVar(&w.TimeZone, "time-zone", "Europe/Berlin", "IANA time zone for day boundaries")
	fs.StringVar(&w.DefaultLocale, "locale", "de", "default language: de or en")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	db, err := cfg.openStore(ctx, m)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "created workspace %s (id %d)\n", w.Slug, w.ID)
	return nil
}

func runUser(ctx context.Context, m *Main, args []string) error {
	args, err := subcommand(m, args, "create", "cxm user create --workspace acme --email a@b.de --role admin [--name N] [--password P]\n(the password may also come from CXM_PASSWORD or standard input)")
	if err != nil {
		return err
	}
	var cfg config
	var slug, pw string
	u := cxm.User{}
	var role string
	fs := newFlags("user create", m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&u.Email, "email", "", "email address (required)")
	fs.StringVar(&u.Name, "name", "", "display name")
	fs.StringVar(&u.Locale, "locale", "de", "language of the user interface: de or en")
	fs.StringVar(&role, "role", "analyst", "admin, analyst or agent")
	fs.StringVar(&pw, "password", "", "password; prefer CXM_PASSWORD or standard input")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	if pw == "" {
		line, _ := bufio.NewReader(m.Stdin).ReadString('\n')
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := cxm.ValidatePassword(pw); err != nil {
		return err
	}
	if !cxm.Role(role).Valid() {
		return cxm.Invalid(cxm.FieldError{Field: "role", Reason: "must be admin, analyst or agent"})
	}
	if err := u.Validate(); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	hash := password.Hash(pw, password.Default)
	existing, err := db.FindUserByEmail(ctx, u.Email)
	switch {
	case err == nil:
		u = *existing
		if err := db.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
	case cxm.ErrorCode(err) == cxm.ENotFound:
		u.PasswordHash = hash
		if err := db.CreateUser(ctx, &u); err != nil {
			return err
		}
	default:
		return err
	}
	if err := db.SetMember(ctx, ws.ID, u.ID, cxm.Role(role)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "user %s is %s of workspace %s\n", u.Email, role, ws.Slug)
	return nil
}

func runAPIKey(ctx context.Context, m *Main, args []string) error {
	args, err := subcommand(m, args, "create", "cxm apikey create --workspace acme --name \"shop backend\" --scope read|write")
	if err != nil {
		return err
	}
	var cfg config
	var slug, name, scope string
	fs := newFlags("apikey create", m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&name, "name", "", "what the key is for (required)")
	fs.StringVar(&scope, "scope", "read", "read or write")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: ws.ID, Name: name, Scope: cxm.Scope(scope)})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "API key %q (%s) for workspace %s; it is shown only now:\n", name, scope, ws.Slug)
	fmt.Fprintln(m.Stdout, token)
	return nil
}

func runVersion(ctx context.Context, m *Main, args []string) error {
	fmt.Fprintf(m.Stdout, "cxm %s\n", cxm.Version)
	return nil
}
