package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// mustCreateAPIKey stores a key and returns it with its token, failing the test on error.
func mustCreateAPIKey(t *testing.T, db *DB, workspaceID int64, name string, scope cxm.Scope) (*cxm.APIKey, string) {
	t.Helper()
	k := &cxm.APIKey{WorkspaceID: workspaceID, Name: name, Scope: scope}
	token, err := db.CreateAPIKey(context.Background(), k)
	if err != nil {
		t.Fatalf("create API key %s: %v", name, err)
	}
	return k, token
}

func TestAPIKeyCreateAndList(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return clock }
		w := mustCreateWorkspace(t, db, "acme")
		older, token := mustCreateAPIKey(t, db, w.ID, "Shop import", cxm.ScopeWrite)
		prefix, secret, ok := cxm.ParseAPIKeyToken(token)
		if !ok || prefix != older.Prefix || cxm.HashSecret(secret) != older.SecretHash || older.ID == 0 {
			t.Errorf("token %q does not match key %+v", token, older)
		}
		clock = clock.Add(time.Second)
		newer, _ := mustCreateAPIKey(t, db, w.ID, "Dashboard", cxm.ScopeRead)
		if err := db.RevokeAPIKey(ctx, w.ID, older.ID); err != nil {
			t.Fatal(err)
		}

		list, err := db.ListAPIKeys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("keys = %d, want 2", len(list))
		}
		if *list[0] != *newer {
			t.Errorf("first = %+v, want the newer %+v", list[0], newer)
		}
		got := list[1]
		if got.ID != older.ID || got.Name != "Shop import" || got.Scope != cxm.ScopeWrite || got.Prefix != older.Prefix ||
			got.RevokedAt == nil || !got.RevokedAt.Equal(clock) || strings.Contains(got.SecretHash, secret) {
			t.Errorf("second = %+v, want the older key, revoked at %v", got, clock)
		}

		// Revoking again keeps the first time.
		clock = clock.Add(time.Hour)
		if err := db.RevokeAPIKey(ctx, w.ID, older.ID); err != nil {
			t.Fatal(err)
		}
		list, _ = db.ListAPIKeys(ctx, w.ID)
		if !list[1].RevokedAt.Equal(clock.Add(-time.Hour)) {
			t.Errorf("revoked at = %v after a second revocation, want %v", list[1].RevokedAt, clock.Add(-time.Hour))
		}
		checkError(t, db.RevokeAPIKey(ctx, w.ID, older.ID+99999), cxm.ENotFound)
	})
}

func TestAPIKeyValidation(t *testing.T) {
	tests := []struct {
		name   string
		k      cxm.APIKey
		code   string
		fields []string
	}{
		{"no name", cxm.APIKey{Scope: cxm.ScopeRead}, cxm.EInvalid, []string{"name"}},
		{"long name", cxm.APIKey{Name: strings.Repeat("ä", 101), Scope: cxm.ScopeRead}, cxm.EInvalid, []string{"name"}},
		{"bad scope", cxm.APIKey{Name: "x", Scope: "admin"}, cxm.EInvalid, []string{"scope"}},
		{"both", cxm.APIKey{}, cxm.EInvalid, []string{"name", "scope"}},
		{"100 characters", cxm.APIKey{Name: strings.Repeat("ä", 100), Scope: cxm.ScopeRead}, "", nil},
	}
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				k := tt.k
				k.WorkspaceID = w.ID
				_, err := db.CreateAPIKey(ctx, &k)
				checkError(t, err, tt.code, tt.fields...)
			})
		}
		_, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: w.ID + 99999, Name: "x", Scope: cxm.ScopeRead})
		checkError(t, err, cxm.ENotFound)
		list, err := db.ListAPIKeys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Errorf("keys stored = %d, want only the valid one", len(list))
		}
	})
}

func TestAPIKeyAuthenticate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		k, token := mustCreateAPIKey(t, db, w.ID, "Import", cxm.ScopeWrite)
		revoked, revokedToken := mustCreateAPIKey(t, db, w.ID, "Old", cxm.ScopeRead)
		if err := db.RevokeAPIKey(ctx, w.ID, revoked.ID); err != nil {
			t.Fatal(err)
		}
		prefix, secret, _ := cxm.ParseAPIKeyToken(token)
		wrongSecret := cxm.APIKeyTokenPrefix + prefix + "_" + strings.Repeat("a", len(secret))
		otherToken, _, _ := cxm.NewAPIKeyToken()

		tests := []struct {
			name  string
			token string
			want  int64
		}{
			{"valid", token, k.ID},
			{"wrong secret", wrongSecret, 0},
			{"revoked", revokedToken, 0},
			{"unknown prefix", otherToken, 0},
			{"empty", "", 0},
			{"no cxm prefix", strings.TrimPrefix(token, cxm.APIKeyTokenPrefix), 0},
			{"no separator", strings.Replace(token, "_", "", 2), 0},
			{"short secret", cxm.APIKeyTokenPrefix + prefix + "_abc", 0},
			{"truncated", token[:len(token)-1], 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.AuthenticateAPIKey(ctx, tt.token)
				if tt.want == 0 {
					checkError(t, err, cxm.EUnauthorized)
					if msg := cxm.ErrorMessage(err); msg != "invalid API key" {
						t.Errorf("message = %q, want the same for every failure", msg)
					}
					if got != nil {
						t.Errorf("key = %+v, want nil", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != tt.want || got.WorkspaceID != w.ID || got.Scope != cxm.ScopeWrite || got.RevokedAt != nil {
					t.Errorf("key = %+v, want key %d of workspace %d", got, tt.want, w.ID)
				}
			})
		}
	})
}

func TestAPIKeyLastUsedIsThrottled(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
		clock := start
		db.now = func() time.Time { return clock }
		w := mustCreateWorkspace(t, db, "acme")
		k, token := mustCreateAPIKey(t, db, w.ID, "Import", cxm.ScopeWrite)
		list, _ := db.ListAPIKeys(ctx, w.ID)
		if list[0].LastUsedAt != nil {
			t.Fatalf("last used = %v before any use, want nil", list[0].LastUsedAt)
		}
		tests := []struct {
			at   time.Duration
			want time.Duration // the stored last use, after start
		}{
			{0, 0},
			{30 * time.Second, 0},
			{time.Minute, 0},
			{time.Minute + time.Microsecond, time.Minute + time.Microsecond},
			{90 * time.Second, time.Minute + time.Microsecond},
			{5 * time.Minute, 5 * time.Minute},
		}
		for _, tt := range tests {
			clock = start.Add(tt.at)
			got, err := db.AuthenticateAPIKey(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			list, err := db.ListAPIKeys(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := start.Add(tt.want)
			if stored := list[0].LastUsedAt; stored == nil || !stored.Equal(want) {
				t.Errorf("at +%v stored last use = %v, want %v", tt.at, stored, want)
			}
			if got.ID != k.ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(want) {
				t.Errorf("at +%v returned last use = %v, want %v", tt.at, got.LastUsedAt, want)
			}
		}
	})
}

func TestAPIKeyIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "a")
		b := mustCreateWorkspace(t, db, "b")
		k, token := mustCreateAPIKey(t, db, a.ID, "Import", cxm.ScopeWrite)

		checkError(t, db.RevokeAPIKey(ctx, b.ID, k.ID), cxm.ENotFound)
		list, err := db.ListAPIKeys(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("workspace b lists %d keys, want 0", len(list))
		}
		got, err := db.AuthenticateAPIKey(ctx, token)
		if err != nil {
			t.Fatalf("a's key after b tried to revoke it: %v", err)
		}
		if got.WorkspaceID != a.ID {
			t.Errorf("key authenticates for workspace %d, want %d", got.WorkspaceID, a.ID)
		}
	})
}

// benchStores returns a store on SQLite in a temp dir and, when
// CXM_TEST_DATABASE_URL is set, one on PostgreSQL, each with one workspace.
func benchStores(b *testing.B) map[string]*DB {
	b.Helper()
	lite, err := Open(context.Background(), Config{URL: filepath.Join(b.TempDir(), "cxm.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lite.Close() })
	out := map[string]*DB{"sqlite": lite}
	if pg := OpenTestPostgres(b); pg != nil {
		out["postgres"] = pg
	}
	for _, db := range out {
		if err := db.CreateWorkspace(context.Background(), &cxm.Workspace{Slug: "bench", Name: "Bench"}); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// BenchmarkAuthenticateAPIKey measures authenticating one request with a
// key, the path of every API call.
func BenchmarkAuthenticateAPIKey(b *testing.B) {
	ctx := context.Background()
	for name, db := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			w, err := db.FindWorkspaceBySlug(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			token, err := db.CreateAPIKey(ctx, &cxm.APIKey{WorkspaceID: w.ID, Name: "bench", Scope: cxm.ScopeWrite})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := db.AuthenticateAPIKey(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
