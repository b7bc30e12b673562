package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// mustCreateTouchpointAt stores a web touchpoint with key at the default
// journey's stage and fails the test on error.
func mustCreateTouchpointAt(t *testing.T, db *DB, workspaceID int64, key, stage string) *cxm.Touchpoint {
	t.Helper()
	tp := &cxm.Touchpoint{WorkspaceID: workspaceID, Key: key, Name: "Touchpoint " + key, StageKey: stage, Channel: cxm.ChannelWeb}
	if err := db.CreateTouchpoint(context.Background(), tp); err != nil {
		t.Fatalf("create touchpoint %s: %v", key, err)
	}
	return tp
}

func TestTouchpointCreateAndFind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		def, err := db.ListJourneys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		purchase := def[0].Stage("purchase")
		tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "shop", Name: "Web shop", StageKey: "purchase",
			Channel: cxm.ChannelWeb, Online: true, Description: "Our shop"}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			t.Fatal(err)
		}
		if tp.ID == 0 || tp.StageID != purchase.ID || tp.CreatedAt.IsZero() {
			t.Errorf("created = %+v, want an id and stage %d", tp, purchase.ID)
		}
		byID, err := db.FindTouchpoint(ctx, w.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		byKey, err := db.FindTouchpointByKey(ctx, w.ID, "shop")
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []*cxm.Touchpoint{byID, byKey} {
			if !reflect.DeepEqual(got, tp) {
				t.Errorf("found %+v, want %+v", got, tp)
			}
		}

		// A stage given by id, in a journey that is not the default.
		j := mustCreateJourney(t, db, w.ID, "b2b", "lead", "deal")
		byStageID := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "fair", Name: "Trade fair", StageID: j.Stages[0].ID, Channel: cxm.ChannelOther}
		if err := db.CreateTouchpoint(ctx, byStageID); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindTouchpoint(ctx, w.ID, byStageID.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.StageKey != "lead" || got.StageID != j.Stages[0].ID || got.Online {
			t.Errorf("found %+v, want stage lead, offline", got)
		}
		_, err = db.FindTouchpoint(ctx, w.ID, tp.ID+99999)
		checkError(t, err, cxm.ENotFound)
		_, err = db.FindTouchpointByKey(ctx, w.ID, "nope")
		checkError(t, err, cxm.ENotFound)
	})
}

func TestTouchpointValidation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		otherJourneys, err := db.ListJourneys(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		b2b := mustCreateJourney(t, db, w.ID, "b2b", "lead")
		foreignStage := otherJourneys[0].Stages[0].ID
		tests := []struct {
			name string
			tp   cxm.Touchpoint
			code string
			want []string
		}{
			{"bad key", cxm.Touchpoint{Key: "Shop", Name: "x", StageKey: "purchase", Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"key"}},
			{"no name", cxm.Touchpoint{Key: "shop", StageKey: "purchase", Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"name"}},
			{"no stage", cxm.Touchpoint{Key: "shop", Name: "x", Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"stage"}},
			{"bad channel", cxm.Touchpoint{Key: "shop", Name: "x", StageKey: "purchase", Channel: "fax"}, cxm.EInvalid, []string{"channel"}},
			{"long description", cxm.Touchpoint{Key: "shop", Name: "x", StageKey: "purchase", Channel: cxm.ChannelWeb, Description: strings.Repeat("x", 2001)}, cxm.EInvalid, []string{"description"}},
			{"unknown stage key", cxm.Touchpoint{Key: "shop", Name: "x", StageKey: "checkout", Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"stage"}},
			{"stage key of another journey", cxm.Touchpoint{Key: "shop", Name: "x", StageKey: "lead", Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"stage"}},
			{"unknown stage id", cxm.Touchpoint{Key: "shop", Name: "x", StageID: b2b.Stages[0].ID + 99999, Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"stage_id"}},
			{"stage id of another workspace", cxm.Touchpoint{Key: "shop", Name: "x", StageID: foreignStage, Channel: cxm.ChannelWeb}, cxm.EInvalid, []string{"stage_id"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tp := tt.tp
				tp.WorkspaceID = w.ID
				checkError(t, db.CreateTouchpoint(ctx, &tp), tt.code, tt.want...)
			})
		}
		list, err := db.ListTouchpoints(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("touchpoints stored = %d, want 0", len(list))
		}
	})
}

func TestTouchpointKeyConflict(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		first := mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		err := db.CreateTouchpoint(ctx, &cxm.Touchpoint{WorkspaceID: w.ID, Key: "shop", Name: "Again", StageKey: "awareness", Channel: cxm.ChannelApp})
		checkError(t, err, cxm.EConflict, "key")
		got, err := db.FindTouchpointByKey(ctx, w.ID, "shop")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, first) {
			t.Errorf("found %+v, want the first %+v", got, first)
		}
		other := mustCreateWorkspace(t, db, "other")
		mustCreateTouchpointAt(t, db, other.ID, "shop", "purchase")
	})
}

func TestTouchpointListOrder(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		for _, c := range []struct{ key, stage string }{
			{"review", "advocacy"}, {"zeitung", "awareness"}, {"ads", "awareness"}, {"shop", "purchase"},
		} {
			mustCreateTouchpointAt(t, db, w.ID, c.key, c.stage)
		}
		list, err := db.ListTouchpoints(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tp := range list {
			got = append(got, tp.StageKey+"/"+tp.Key)
		}
		if want := "awareness/ads awareness/zeitung purchase/shop advocacy/review"; strings.Join(got, " ") != want {
			t.Errorf("list = %q, want %q", strings.Join(got, " "), want)
		}
	})
}

func TestTouchpointUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return clock }
		w := mustCreateWorkspace(t, db, "acme")
		tp := mustCreateTouchpointAt(t, db, w.ID, "hotline", "purchase")
		clock = clock.Add(time.Minute)

		name, stage, channel, online, desc := "Service hotline", "receipt", cxm.ChannelPhone, false, "0800"
		got, err := db.UpdateTouchpoint(ctx, w.ID, tp.ID, cxm.TouchpointUpdate{
			Name: &name, StageKey: &stage, Channel: &channel, Online: &online, Description: &desc})
		if err != nil {
			t.Fatal(err)
		}
		found, err := db.FindTouchpoint(ctx, w.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(found, got) {
			t.Errorf("found %+v, want the returned %+v", found, got)
		}
		if got.Name != name || got.StageKey != "receipt" || got.StageID == tp.StageID || got.Channel != channel ||
			got.Description != desc || !got.UpdatedAt.Equal(clock) || !got.CreatedAt.Equal(tp.CreatedAt) {
			t.Errorf("updated = %+v", got)
		}

		j := mustCreateJourney(t, db, w.ID, "b2b", "lead")
		stageID := j.Stages[0].ID
		got, err = db.UpdateTouchpoint(ctx, w.ID, tp.ID, cxm.TouchpointUpdate{StageID: &stageID})
		if err != nil {
			t.Fatal(err)
		}
		if got.StageKey != "lead" || got.StageID != stageID {
			t.Errorf("after stage id update = %+v, want stage lead", got)
		}

		badChannel, badStage, badID, empty := cxm.Channel("fax"), "nowhere", stageID+99999, ""
		tests := []struct {
			name   string
			id     int64
			u      cxm.TouchpointUpdate
			code   string
			fields []string
		}{
			{"bad channel", tp.ID, cxm.TouchpointUpdate{Channel: &badChannel}, cxm.EInvalid, []string{"channel"}},
			{"empty name", tp.ID, cxm.TouchpointUpdate{Name: &empty}, cxm.EInvalid, []string{"name"}},
			{"unknown stage", tp.ID, cxm.TouchpointUpdate{StageKey: &badStage}, cxm.EInvalid, []string{"stage"}},
			{"unknown stage id", tp.ID, cxm.TouchpointUpdate{StageID: &badID}, cxm.EInvalid, []string{"stage_id"}},
			{"missing", tp.ID + 99999, cxm.TouchpointUpdate{Name: &name}, cxm.ENotFound, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.UpdateTouchpoint(ctx, w.ID, tt.id, tt.u)
				checkError(t, err, tt.code, tt.fields...)
			})
		}
		after, err := db.FindTouchpoint(ctx, w.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, got) {
			t.Errorf("after rejected updates = %+v, want %+v", after, got)
		}
	})
}

func TestTouchpointDelete(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		free := mustCreateTouchpointAt(t, db, w.ID, "free", "awareness")
		withInteraction := mustCreateTouchpointAt(t, db, w.ID, "used", "purchase")
		firstOfCustomer := mustCreateTouchpointAt(t, db, w.ID, "first", "awareness")
		// Rows written directly, so that this test does not depend on the
		// customer and interaction services.
		err := db.inTx(ctx, func(tx queryer) error {
			if _, err := tx.exec(ctx, `INSERT INTO customers (id, workspace_id, external_id, email, name, locale, birthday,
				attributes, consent_email, consent_analytics, first_touchpoint_id, first_seen_at, created_at, updated_at)
				VALUES (?, ?, NULL, '', '', 'de', '', '{}', 0, 0, ?, 0, 0, 0)`, 11, w.ID, firstOfCustomer.ID); err != nil {
				return err
			}
			_, err := tx.exec(ctx, `INSERT INTO interactions (id, workspace_id, event_id, customer_id, anonymous_id,
				touchpoint_id, type, occurred_at, value, properties, received_at)
				VALUES (?, ?, 'e1', NULL, 'anon', ?, 'viewed', 0, NULL, NULL, 0)`, 12, w.ID, withInteraction.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			id   int64
			code string
		}{
			{"used by an interaction", withInteraction.ID, cxm.EConflict},
			{"first touchpoint of a customer", firstOfCustomer.ID, cxm.EConflict},
			{"free", free.ID, ""},
			{"deleted already", free.ID, cxm.ENotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkError(t, db.DeleteTouchpoint(ctx, w.ID, tt.id), tt.code)
			})
		}
		list, err := db.ListTouchpoints(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, tp := range list {
			keys = append(keys, tp.Key)
		}
		if got, want := strings.Join(keys, " "), "first used"; got != want {
			t.Errorf("left = %q, want %q", got, want)
		}
	})
}

func TestTouchpointIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "a")
		b := mustCreateWorkspace(t, db, "b")
		tp := mustCreateTouchpointAt(t, db, a.ID, "shop", "purchase")

		_, err := db.FindTouchpoint(ctx, b.ID, tp.ID)
		checkError(t, err, cxm.ENotFound)
		_, err = db.FindTouchpointByKey(ctx, b.ID, "shop")
		checkError(t, err, cxm.ENotFound)
		name := "Stolen"
		_, err = db.UpdateTouchpoint(ctx, b.ID, tp.ID, cxm.TouchpointUpdate{Name: &name})
		checkError(t, err, cxm.ENotFound)
		checkError(t, db.DeleteTouchpoint(ctx, b.ID, tp.ID), cxm.ENotFound)
		list, err := db.ListTouchpoints(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("workspace b lists %d touchpoints, want 0", len(list))
		}
		// Nor can b attach a touchpoint of its own to a's stage.
		err = db.CreateTouchpoint(ctx, &cxm.Touchpoint{WorkspaceID: b.ID, Key: "x", Name: "x", StageID: tp.StageID, Channel: cxm.ChannelWeb})
		checkError(t, err, cxm.EInvalid, "stage_id")
		got, err := db.FindTouchpoint(ctx, a.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tp) {
			t.Errorf("touchpoint of a = %+v, want it unchanged %+v", got, tp)
		}
	})
}

// BenchmarkFindTouchpointByKey measures looking up a touchpoint by key, as
// recording an interaction does.
func BenchmarkFindTouchpointByKey(b *testing.B) {
	ctx := context.Background()
	for name, db := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			w, err := db.FindWorkspaceBySlug(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			for i := range 50 {
				tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: fmt.Sprintf("tp-%d", i), Name: "x", StageKey: "purchase", Channel: cxm.ChannelWeb}
				if err := db.CreateTouchpoint(ctx, tp); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if _, err := db.FindTouchpointByKey(ctx, w.ID, "tp-25"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateTouchpoint measures creating touchpoints one by one.
func BenchmarkCreateTouchpoint(b *testing.B) {
	ctx := context.Background()
	for name, db := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			w, err := db.FindWorkspaceBySlug(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: fmt.Sprintf("new-%d", i), Name: "x", StageKey: "purchase", Channel: cxm.ChannelWeb}
				if err := db.CreateTouchpoint(ctx, tp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
