package store

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// mustCreateWorkspace stores a workspace with slug and fails the test on error.
func mustCreateWorkspace(t *testing.T, db *DB, slug string) *cxm.Workspace {
	t.Helper()
	w := &cxm.Workspace{Slug: slug, Name: "Workspace " + slug}
	if err := db.CreateWorkspace(context.Background(), w); err != nil {
		t.Fatalf("create workspace %s: %v", slug, err)
	}
	return w
}

// checkError fails the test unless err has code and names exactly fields
// (in any order); no fields means the fields are not checked.
func checkError(t *testing.T, err error, code string, fields ...string) {
	t.Helper()
	if got := cxm.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if len(fields) == 0 {
		return
	}
	var got []string
	for _, f := range cxm.ErrorFields(err) {
		got = append(got, f.Field)
	}
	slices.Sort(got)
	want := slices.Clone(fields)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("error fields = %v, want %v (%v)", got, want, err)
	}
}

func TestWorkspaceCreateAndFind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fixed := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
		db.now = func() time.Time { return fixed }
		w := &cxm.Workspace{Slug: "acme", Name: "Acme GmbH"}
		if err := db.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		if w.ID == 0 || w.TimeZone != "Europe/Berlin" || w.DefaultLocale != "de" {
			t.Errorf("created = %+v, want an id and the defaults", w)
		}
		if want := fixed.Truncate(time.Microsecond); !w.CreatedAt.Equal(want) || !w.UpdatedAt.Equal(want) {
			t.Errorf("times = %v, %v, want %v", w.CreatedAt, w.UpdatedAt, want)
		}
		byID, err := db.FindWorkspaceByID(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		bySlug, err := db.FindWorkspaceBySlug(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []*cxm.Workspace{byID, bySlug} {
			if !reflect.DeepEqual(got, w) {
				t.Errorf("found %+v, want %+v", got, w)
			}
		}
		_, err = db.FindWorkspaceByID(ctx, w.ID+99999)
		checkError(t, err, cxm.ENotFound)
		_, err = db.FindWorkspaceBySlug(ctx, "nope")
		checkError(t, err, cxm.ENotFound)
	})
}

func TestWorkspaceCreatesDefaultJourney(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		js, err := db.ListJourneys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(js) != 1 {
			t.Fatalf("journeys = %d, want 1", len(js))
		}
		j := js[0]
		if j.Key != "default" || j.Name != "Customer journey" || !j.IsDefault || j.WorkspaceID != w.ID {
			t.Errorf("journey = %+v, want the default journey of the workspace", j)
		}
		want := cxm.DefaultStages()
		if len(j.Stages) != len(want) {
			t.Fatalf("stages = %d, want %d", len(j.Stages), len(want))
		}
		for i, s := range j.Stages {
			if s.ID == 0 || s.Key != want[i].Key || s.Position != want[i].Position || s.Names["de"] != want[i].Names["de"] {
				t.Errorf("stage %d = %+v, want %+v", i, s, want[i])
			}
		}
	})
}

func TestWorkspaceValidation(t *testing.T) {
	tests := []struct {
		name string
		w    cxm.Workspace
		want []string
	}{
		{"bad slug", cxm.Workspace{Slug: "Acme!", Name: "Acme"}, []string{"slug"}},
		{"no name", cxm.Workspace{Slug: "acme"}, []string{"name"}},
		{"bad zone", cxm.Workspace{Slug: "acme", Name: "Acme", TimeZone: "Mars/Olympus"}, []string{"time_zone"}},
		{"local zone", cxm.Workspace{Slug: "acme", Name: "Acme", TimeZone: "Local"}, []string{"time_zone"}},
		{"bad locale", cxm.Workspace{Slug: "acme", Name: "Acme", DefaultLocale: "fr"}, []string{"default_locale"}},
		{"all wrong", cxm.Workspace{Slug: "-", TimeZone: "x", DefaultLocale: "x"}, []string{"slug", "name", "time_zone", "default_locale"}},
	}
	forEachDB(t, func(t *testing.T, db *DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := tt.w
				checkError(t, db.CreateWorkspace(context.Background(), &w), cxm.EInvalid, tt.want...)
			})
		}
		if _, err := db.FindWorkspaceBySlug(context.Background(), "acme"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("an invalid workspace was stored: %v", err)
		}
	})
}

func TestWorkspaceSlugConflict(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		first := mustCreateWorkspace(t, db, "acme")
		err := db.CreateWorkspace(ctx, &cxm.Workspace{Slug: "acme", Name: "Other"})
		checkError(t, err, cxm.EConflict, "slug")
		got, err := db.FindWorkspaceBySlug(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != first.ID || got.Name != first.Name {
			t.Errorf("found %+v, want the first workspace %+v", got, first)
		}
	})
}

func TestWorkspaceUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return clock }
		w := mustCreateWorkspace(t, db, "acme")
		clock = clock.Add(time.Hour)
		name, zone, locale := "Acme AG", "Europe/Vienna", "en"
		origins, days := []string{"HTTPS://Shop.Example:443", "http://localhost:8080"}, 30
		got, err := db.UpdateWorkspace(ctx, w.ID, cxm.WorkspaceUpdate{Name: &name, TimeZone: &zone, DefaultLocale: &locale,
			AllowedOrigins: &origins, ContactFrequencyDays: &days})
		if err != nil {
			t.Fatal(err)
		}
		want := *w
		want.Name, want.TimeZone, want.DefaultLocale, want.UpdatedAt = name, zone, locale, clock
		want.AllowedOrigins, want.ContactFrequencyDays = []string{"https://shop.example", "http://localhost:8080"}, days
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("updated = %+v, want %+v", got, want)
		}
		found, err := db.FindWorkspaceByID(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*found, want) {
			t.Errorf("found = %+v, want %+v", found, want)
		}
		if !found.AllowsOrigin("https://SHOP.example") || found.AllowsOrigin("https://evil.example") {
			t.Errorf("AllowsOrigin disagrees with %v", found.AllowedOrigins)
		}
		if !strings.HasPrefix(w.PublicKey, "pk_") || len(w.PublicKey) < 20 {
			t.Errorf("public key = %q, want pk_ and random characters", w.PublicKey)
		}
		byKey, err := db.FindWorkspaceByPublicKey(ctx, w.PublicKey)
		if err != nil || byKey.ID != w.ID {
			t.Errorf("by public key = %v, %v; want workspace %d", byKey, err, w.ID)
		}
		_, err = db.FindWorkspaceByPublicKey(ctx, "pk_unknown")
		checkError(t, err, cxm.ENotFound)
		withPath := []string{"https://shop.example/checkout"}
		_, err = db.UpdateWorkspace(ctx, w.ID, cxm.WorkspaceUpdate{AllowedOrigins: &withPath})
		checkError(t, err, cxm.EInvalid, "allowed_origins")

		bad := "Nowhere/Else"
		_, err = db.UpdateWorkspace(ctx, w.ID, cxm.WorkspaceUpdate{Name: &name, TimeZone: &bad})
		checkError(t, err, cxm.EInvalid, "time_zone")
		if found, _ := db.FindWorkspaceByID(ctx, w.ID); found.TimeZone != zone {
			t.Errorf("time zone after a rejected update = %q, want %q", found.TimeZone, zone)
		}
		_, err = db.UpdateWorkspace(ctx, w.ID+99999, cxm.WorkspaceUpdate{Name: &name})
		checkError(t, err, cxm.ENotFound)
	})
}
