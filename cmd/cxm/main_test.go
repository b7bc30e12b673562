package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// run runs cxm with args and env, and returns its exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }, Now: time.Now}
	code := m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestAdminCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}

	if code, _, errs := run(t, env, "", "workspace", "create", "--slug", "acme", "--name", "ACME GmbH"); code != 0 {
		t.Fatalf("workspace create: %d %s", code, errs)
	}
	if code, _, errs := run(t, env, "", "workspace", "create", "--slug", "acme", "--name", "again"); code != 1 || !strings.Contains(errs, "slug") {
		t.Errorf("duplicate workspace: %d %q", code, errs)
	}
	if code, _, errs := run(t, env, "too short\n", "user", "create", "--workspace", "acme", "--email", "a@acme.de", "--role", "admin"); code != 1 || !strings.Contains(errs, "password") {
		t.Errorf("short password: %d %q", code, errs)
	}
	if code, _, errs := run(t, env, "a long enough password\n", "user", "create", "--workspace", "acme", "--email", "a@acme.de", "--role", "admin"); code != 0 {
		t.Fatalf("user create: %d %s", code, errs)
	}
	if code, _, errs := run(t, env, "a long enough password\n", "user", "create", "--workspace", "nope", "--email", "b@acme.de"); code != 1 || !strings.Contains(errs, "nope") {
		t.Errorf("unknown workspace: %d %q", code, errs)
	}
	code, out, errs := run(t, env, "", "apikey", "create", "--workspace", "acme", "--name", "shop", "--scope", "write")
	if code != 0 || !strings.HasPrefix(out, cxm.APIKeyTokenPrefix) {
		t.Fatalf("apikey create: %d %q %s", code, out, errs)
	}

	db, err := store.Open(context.Background(), store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k, err := db.AuthenticateAPIKey(context.Background(), strings.TrimSpace(out))
	if err != nil || k.Scope != cxm.ScopeWrite {
		t.Errorf("created key does not authenticate: %v %+v", err, k)
	}
	u, err := db.FindUserByEmail(context.Background(), "a@acme.de")
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.FindWorkspaceBySlug(context.Background(), "acme")
	if m, err := db.FindMember(context.Background(), ws.ID, u.ID); err != nil || m.Role != cxm.RoleAdmin {
		t.Errorf("member: %v %+v", err, m)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CXM_DATABASE_URL": filepath.Join(dir, "env.db")}
	if code, out, errs := run(t, env, "", "migrate", "--database-url", filepath.Join(dir, "flag.db")); code != 0 || !strings.Contains(out, "migration") {
		t.Fatalf("migrate: %d %q %q", code, out, errs)
	}
	if _, err := filepath.Glob(filepath.Join(dir, "flag.db")); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	if len(matches) != 1 || filepath.Base(matches[0]) != "flag.db" {
		t.Errorf("databases made: %v, want only flag.db", matches)
	}
	if code, _, errs := run(t, map[string]string{"CXM_LOG_LEVEL": "loud"}, "", "migrate", "--database-url", filepath.Join(dir, "x.db")); code != 1 || !strings.Contains(errs, "log-level") {
		t.Errorf("bad env value: %d %q", code, errs)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, errs := run(t, nil, "", "frobnicate")
	if code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("got %d %q", code, errs)
	}
	if code, out, _ := run(t, nil, "", "version"); code != 0 || !strings.HasPrefix(out, "cxm ") {
		t.Errorf("version: %d %q", code, out)
	}
}
