package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// mustCreateUser stores a user with email and fails the test on error.
func mustCreateUser(t *testing.T, db *DB, email string) *cxm.User {
	t.Helper()
	u := &cxm.User{Email: email, Name: "User " + email, PasswordHash: "hash-" + email}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func TestUserCreateAndFind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := &cxm.User{Email: "  Anna@Example.DE ", Name: "Anna", Locale: "en", PasswordHash: "$argon2id$x"}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "anna@example.de" || u.CreatedAt.IsZero() {
			t.Errorf("created = %+v, want an id and the normalised email", u)
		}
		byID, err := db.FindUserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		byEmail, err := db.FindUserByEmail(ctx, " ANNA@example.de")
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []*cxm.User{byID, byEmail} {
			if *got != *u {
				t.Errorf("found %+v, want %+v", got, u)
			}
		}
		_, err = db.FindUserByID(ctx, u.ID+99999)
		checkError(t, err, cxm.ENotFound)
		_, err = db.FindUserByEmail(ctx, "bob@example.de")
		checkError(t, err, cxm.ENotFound)
	})
}

func TestUserValidationAndConflict(t *testing.T) {
	tests := []struct {
		name string
		u    cxm.User
		code string
		want []string
	}{
		{"bad email", cxm.User{Email: "anna"}, cxm.EInvalid, []string{"email"}},
		{"long name", cxm.User{Email: "x@example.de", Name: strings.Repeat("n", 201)}, cxm.EInvalid, []string{"name"}},
		{"bad locale", cxm.User{Email: "x@example.de", Locale: "fr"}, cxm.EInvalid, []string{"locale"}},
		{"email in use", cxm.User{Email: "ANNA@example.de"}, cxm.EConflict, []string{"email"}},
	}
	forEachDB(t, func(t *testing.T, db *DB) {
		mustCreateUser(t, db, "anna@example.de")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := tt.u
				checkError(t, db.CreateUser(context.Background(), &u), tt.code, tt.want...)
			})
		}
		_, err := db.FindUserByEmail(context.Background(), "x@example.de")
		checkError(t, err, cxm.ENotFound)
	})
}

func TestUserSetPasswordHash(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := mustCreateUser(t, db, "anna@example.de")
		if err := db.SetPasswordHash(ctx, u.ID, "new-hash"); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindUserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash != "new-hash" {
			t.Errorf("hash = %q, want new-hash", got.PasswordHash)
		}
		checkError(t, db.SetPasswordHash(ctx, u.ID+99999, "x"), cxm.ENotFound)
	})
}

func TestMembers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		zeta := &cxm.Workspace{Slug: "zeta", Name: "Zeta"}
		alpha := &cxm.Workspace{Slug: "alpha", Name: "Alpha"}
		for _, w := range []*cxm.Workspace{zeta, alpha} {
			if err := db.CreateWorkspace(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		bob := mustCreateUser(t, db, "bob@example.de")
		anna := mustCreateUser(t, db, "anna@example.de")

		steps := []struct {
			name      string
			workspace int64
			user      int64
			role      cxm.Role
			code      string
			fields    []string
		}{
			{"bob admin in zeta", zeta.ID, bob.ID, cxm.RoleAdmin, "", nil},
			{"anna analyst in zeta", zeta.ID, anna.ID, cxm.RoleAnalyst, "", nil},
			{"bob agent in alpha", alpha.ID, bob.ID, cxm.RoleAgent, "", nil},
			{"bob becomes analyst in alpha", alpha.ID, bob.ID, cxm.RoleAnalyst, "", nil},
			{"bad role", alpha.ID, anna.ID, "owner", cxm.EInvalid, []string{"role"}},
			{"missing user", alpha.ID, anna.ID + 99999, cxm.RoleAgent, cxm.ENotFound, nil},
			{"missing workspace", alpha.ID + 99999, anna.ID, cxm.RoleAgent, cxm.ENotFound, nil},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				checkError(t, db.SetMember(ctx, s.workspace, s.user, s.role), s.code, s.fields...)
			})
		}

		m, err := db.FindMember(ctx, alpha.ID, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != cxm.RoleAnalyst || m.WorkspaceID != alpha.ID || m.User != *bob {
			t.Errorf("member = %+v, want bob as analyst in alpha", m)
		}
		_, err = db.FindMember(ctx, alpha.ID, anna.ID)
		checkError(t, err, cxm.ENotFound)

		members, err := db.ListMembers(ctx, zeta.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range members {
			got = append(got, m.Email+"="+string(m.Role))
		}
		if want := "anna@example.de=analyst bob@example.de=admin"; strings.Join(got, " ") != want {
			t.Errorf("members = %q, want %q", strings.Join(got, " "), want)
		}

		ws, err := db.ListUserWorkspaces(ctx, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		for _, w := range ws {
			got = append(got, w.Workspace.Slug+"="+string(w.Role))
		}
		if want := "alpha=analyst zeta=admin"; strings.Join(got, " ") != want {
			t.Errorf("workspaces = %q, want %q", strings.Join(got, " "), want)
		}
		if !reflect.DeepEqual(ws[0].Workspace, *alpha) {
			t.Errorf("workspace = %+v, want %+v", ws[0].Workspace, *alpha)
		}

		// Removing a member ends their sessions in that workspace only.
		now := db.now()
		for _, s := range []*cxm.Session{
			{TokenHash: "in-zeta", UserID: bob.ID, WorkspaceID: zeta.ID, ExpiresAt: now.Add(time.Hour)},
			{TokenHash: "in-alpha", UserID: bob.ID, WorkspaceID: alpha.ID, ExpiresAt: now.Add(time.Hour)},
		} {
			if err := db.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RemoveMember(ctx, zeta.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.FindMember(ctx, zeta.ID, bob.ID)
		checkError(t, err, cxm.ENotFound)
		_, err = db.FindSession(ctx, "in-zeta")
		checkError(t, err, cxm.ENotFound)
		if _, err := db.FindSession(ctx, "in-alpha"); err != nil {
			t.Errorf("session in alpha: %v, want it kept", err)
		}
		checkError(t, db.RemoveMember(ctx, zeta.ID, bob.ID), cxm.ENotFound)
	})
}

func TestMemberIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "a")
		b := mustCreateWorkspace(t, db, "b")
		anna := mustCreateUser(t, db, "anna@example.de")
		if err := db.SetMember(ctx, a.ID, anna.ID, cxm.RoleAgent); err != nil {
			t.Fatal(err)
		}
		_, err := db.FindMember(ctx, b.ID, anna.ID)
		checkError(t, err, cxm.ENotFound)
		checkError(t, db.RemoveMember(ctx, b.ID, anna.ID), cxm.ENotFound)
		list, err := db.ListMembers(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("workspace b lists %d members, want 0", len(list))
		}
		// Making anna an admin of b changes nothing in a.
		if err := db.SetMember(ctx, b.ID, anna.ID, cxm.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		m, err := db.FindMember(ctx, a.ID, anna.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != cxm.RoleAgent {
			t.Errorf("role in a = %q, want agent", m.Role)
		}
	})
}

func TestSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return clock }
		w := mustCreateWorkspace(t, db, "acme")
		u := mustCreateUser(t, db, "anna@example.de")
		_, hash := cxm.NewSessionToken()
		s := &cxm.Session{TokenHash: hash, UserID: u.ID, WorkspaceID: w.ID, ExpiresAt: clock.Add(time.Hour)}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if !s.CreatedAt.Equal(clock) {
			t.Errorf("created at = %v, want %v", s.CreatedAt, clock)
		}
		short := &cxm.Session{TokenHash: "short", UserID: u.ID, WorkspaceID: w.ID, ExpiresAt: clock.Add(time.Minute)}
		if err := db.CreateSession(ctx, short); err != nil {
			t.Fatal(err)
		}

		invalid := []struct {
			name   string
			s      cxm.Session
			code   string
			fields []string
		}{
			{"no hash", cxm.Session{UserID: u.ID, WorkspaceID: w.ID, ExpiresAt: clock.Add(time.Hour)}, cxm.EInvalid, []string{"token_hash"}},
			{"expired", cxm.Session{TokenHash: "x", UserID: u.ID, WorkspaceID: w.ID, ExpiresAt: clock}, cxm.EInvalid, []string{"expires_at"}},
			{"missing user", cxm.Session{TokenHash: "y", UserID: u.ID + 99999, WorkspaceID: w.ID, ExpiresAt: clock.Add(time.Hour)}, cxm.ENotFound, nil},
			{"hash in use", cxm.Session{TokenHash: hash, UserID: u.ID, WorkspaceID: w.ID, ExpiresAt: clock.Add(time.Hour)}, cxm.EConflict, []string{"token_hash"}},
		}
		for _, tt := range invalid {
			t.Run(tt.name, func(t *testing.T) {
				s := tt.s
				checkError(t, db.CreateSession(ctx, &s), tt.code, tt.fields...)
			})
		}

		got, err := db.FindSession(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if *got != *s {
			t.Errorf("found %+v, want %+v", got, s)
		}

		// Expiry: at the moment a session expires it is gone.
		tests := []struct {
			at    time.Duration
			hash  string
			found bool
		}{
			{59 * time.Second, "short", true},
			{time.Minute, "short", false},
			{59 * time.Minute, hash, true},
			{time.Hour, hash, false},
		}
		for _, tt := range tests {
			clock = time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC).Add(tt.at)
			_, err := db.FindSession(ctx, tt.hash)
			if got := err == nil; got != tt.found {
				t.Errorf("at +%v find %s: err = %v, want found %v", tt.at, tt.hash, err, tt.found)
			}
		}

		clock = time.Date(2025, 2, 1, 9, 30, 0, 0, time.UTC)
		n, err := db.DeleteExpiredSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("deleted %d expired sessions, want 1", n)
		}
		if err := db.DeleteSession(ctx, hash); err != nil {
			t.Fatal(err)
		}
		_, err = db.FindSession(ctx, hash)
		checkError(t, err, cxm.ENotFound)
		if err := db.DeleteSession(ctx, hash); err != nil {
			t.Errorf("second sign-out: %v, want nil", err)
		}
	})
}
