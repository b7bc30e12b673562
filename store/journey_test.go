package store

import (
	"context"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// journeyStages returns stages with the keys and English names.
func journeyStages(keys ...string) []cxm.Stage {
	out := make([]cxm.Stage, len(keys))
	for i, k := range keys {
		out[i] = cxm.Stage{Key: k, Names: cxm.LocalizedText{"en": "Stage " + k}}
	}
	return out
}

// mustCreateJourney stores a journey with the stage keys and fails the test on error.
func mustCreateJourney(t *testing.T, db *DB, workspaceID int64, key string, stages ...string) *cxm.Journey {
	t.Helper()
	j := &cxm.Journey{WorkspaceID: workspaceID, Key: key, Name: "Journey " + key, Stages: journeyStages(stages...)}
	if err := db.CreateJourney(context.Background(), j); err != nil {
		t.Fatalf("create journey %s: %v", key, err)
	}
	return j
}

// stageKeys returns the keys of j's stages in order.
func stageKeys(j *cxm.Journey) string {
	keys := make([]string, len(j.Stages))
	for i, s := range j.Stages {
		keys[i] = s.Key
	}
	return strings.Join(keys, ",")
}

func TestJourneyCreateFindList(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		j := &cxm.Journey{WorkspaceID: w.ID, Key: "b2b", Name: "Business", IsDefault: true, Stages: []cxm.Stage{
			{Key: "lead", Position: 7, Names: cxm.LocalizedText{"de": "Interessent", "en": "Lead"}},
			{Key: "deal", Position: 3, Names: cxm.LocalizedText{"en": "Deal"}},
		}}
		if err := db.CreateJourney(ctx, j); err != nil {
			t.Fatal(err)
		}
		if j.ID == 0 || j.IsDefault || j.Stages[0].Position != 1 || j.Stages[1].Position != 2 || j.Stages[0].ID == 0 {
			t.Errorf("created = %+v, want an id, not the default, stages numbered 1 and 2", j)
		}
		got, err := db.FindJourney(ctx, w.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Key != "b2b" || got.Name != "Business" || got.IsDefault || !got.CreatedAt.Equal(j.CreatedAt) {
			t.Errorf("found = %+v, want %+v", got, j)
		}
		if len(got.Stages) != 2 {
			t.Fatalf("stages = %+v, want 2", got.Stages)
		}
		for i := range got.Stages {
			g, w := got.Stages[i], j.Stages[i]
			if g.ID != w.ID || g.Key != w.Key || g.Position != w.Position || g.Names["de"] != w.Names["de"] || g.Names["en"] != w.Names["en"] {
				t.Errorf("stage %d = %+v, want %+v", i, g, w)
			}
		}
		list, err := db.ListJourneys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, l := range list {
			keys = append(keys, l.Key+":"+stageKeys(l))
		}
		if got, want := strings.Join(keys, " "), "default:awareness,consideration,purchase,receipt,advocacy b2b:lead,deal"; got != want {
			t.Errorf("list = %q, want %q", got, want)
		}
		_, err = db.FindJourney(ctx, w.ID, j.ID+99999)
		checkError(t, err, cxm.ENotFound)
	})
}

func TestJourneyFirstBecomesDefault(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// A workspace without journeys, stored directly: CreateWorkspace always makes one.
		err := db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, "INSERT INTO workspaces ("+workspaceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				7, "bare", "Bare", "UTC", "en", "pk_bare", "[]", 0, 180, 0, 0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		first := mustCreateJourney(t, db, 7, "main", "a")
		second := mustCreateJourney(t, db, 7, "side", "a")
		if !first.IsDefault || second.IsDefault {
			t.Errorf("defaults = %v, %v, want true, false", first.IsDefault, second.IsDefault)
		}
		got, err := db.FindJourney(ctx, 7, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.IsDefault {
			t.Errorf("stored first journey is not the default")
		}
	})
}

func TestJourneyValidation(t *testing.T) {
	named := cxm.LocalizedText{"en": "Name"}
	tests := []struct {
		name string
		j    cxm.Journey
		want []string
	}{
		{"bad key", cxm.Journey{Key: "B2B", Name: "x", Stages: journeyStages("a")}, []string{"key"}},
		{"no name", cxm.Journey{Key: "b2b", Stages: journeyStages("a")}, []string{"name"}},
		{"no stages", cxm.Journey{Key: "b2b", Name: "x"}, []string{"stages"}},
		{"stage key twice", cxm.Journey{Key: "b2b", Name: "x", Stages: journeyStages("a", "a")}, []string{"stages[1].key"}},
		{"stage without name", cxm.Journey{Key: "b2b", Name: "x", Stages: []cxm.Stage{{Key: "a"}}}, []string{"stages[0].names"}},
		{"stage locale", cxm.Journey{Key: "b2b", Name: "x", Stages: []cxm.Stage{{Key: "a", Names: cxm.LocalizedText{"en": "A", "fr": "A"}}}}, []string{"stages[0].names.fr"}},
		{"stage key", cxm.Journey{Key: "b2b", Name: "x", Stages: []cxm.Stage{{Key: "a b", Names: named}}}, []string{"stages[0].key"}},
	}
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				j := tt.j
				j.WorkspaceID = w.ID
				checkError(t, db.CreateJourney(ctx, &j), cxm.EInvalid, tt.want...)
			})
		}
		list, err := db.ListJourneys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Errorf("journeys = %d, want only the default", len(list))
		}
	})
}

func TestJourneyConflicts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		err := db.CreateJourney(ctx, &cxm.Journey{WorkspaceID: w.ID, Key: "default", Name: "Again", Stages: journeyStages("a")})
		checkError(t, err, cxm.EConflict, "key")
		err = db.CreateJourney(ctx, &cxm.Journey{WorkspaceID: w.ID + 99999, Key: "b2b", Name: "Nowhere", Stages: journeyStages("a")})
		checkError(t, err, cxm.ENotFound)
		// The same key is fine in another workspace.
		other := mustCreateWorkspace(t, db, "other")
		mustCreateJourney(t, db, other.ID, "b2b", "a")
		mustCreateJourney(t, db, w.ID, "b2b", "a")
	})
}

func TestJourneyUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		j := mustCreateJourney(t, db, w.ID, "b2b", "a", "b", "c")
		idB, idC := j.Stages[1].ID, j.Stages[2].ID
		tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "demo", Name: "Demo", StageID: idB, Channel: cxm.ChannelWeb}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			t.Fatal(err)
		}

		upd := &cxm.Journey{ID: j.ID, WorkspaceID: w.ID, Key: "b2b", Name: "Renamed", Stages: []cxm.Stage{
			{Key: "c", Names: cxm.LocalizedText{"en": "C"}},
			{Key: "b", Names: cxm.LocalizedText{"de": "Bee", "en": "B2"}},
			{Key: "d", Names: cxm.LocalizedText{"en": "D"}},
		}}
		if err := db.UpdateJourney(ctx, upd); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindJourney(ctx, w.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Renamed" || stageKeys(got) != "c,b,d" {
			t.Fatalf("updated = %q %s, want Renamed c,b,d", got.Name, stageKeys(got))
		}
		if got.Stages[0].ID != idC || got.Stages[1].ID != idB || got.Stages[2].ID == 0 {
			t.Errorf("stage ids = %d,%d,%d, want %d,%d,new", got.Stages[0].ID, got.Stages[1].ID, got.Stages[2].ID, idC, idB)
		}
		if got.Stages[1].Position != 2 || got.Stages[1].Names["de"] != "Bee" || got.Stages[2].Position != 3 {
			t.Errorf("stages = %+v, want new positions and names", got.Stages)
		}
		if upd.Stages[2].ID != got.Stages[2].ID || !upd.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("returned = %+v, want it to match the stored %+v", upd, got)
		}
		if tp2, err := db.FindTouchpoint(ctx, w.ID, tp.ID); err != nil || tp2.StageKey != "b" {
			t.Errorf("touchpoint after update = %+v, %v, want stage b", tp2, err)
		}

		tests := []struct {
			name   string
			j      cxm.Journey
			code   string
			fields []string
		}{
			{"remove used stage", cxm.Journey{ID: j.ID, Key: "b2b", Name: "x", Stages: journeyStages("c", "d")}, cxm.EConflict, []string{"stages"}},
			{"change key", cxm.Journey{ID: j.ID, Key: "b2c", Name: "x", Stages: journeyStages("b")}, cxm.EInvalid, []string{"key"}},
			{"invalid", cxm.Journey{ID: j.ID, Key: "b2b", Name: "", Stages: journeyStages("b")}, cxm.EInvalid, []string{"name"}},
			{"missing", cxm.Journey{ID: j.ID + 99999, Key: "b2b", Name: "x", Stages: journeyStages("b")}, cxm.ENotFound, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := tt.j
				u.WorkspaceID = w.ID
				err := db.UpdateJourney(ctx, &u)
				checkError(t, err, tt.code, tt.fields...)
				if tt.code == cxm.EConflict && !strings.Contains(cxm.ErrorFields(err)[0].Reason, "stage b ") {
					t.Errorf("conflict %v does not name stage b", err)
				}
			})
		}
		after, err := db.FindJourney(ctx, w.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Name != "Renamed" || stageKeys(after) != "c,b,d" {
			t.Errorf("after rejected updates = %q %s, want Renamed c,b,d", after.Name, stageKeys(after))
		}
	})
}

func TestJourneyDelete(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		list, err := db.ListJourneys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, db.DeleteJourney(ctx, w.ID, list[0].ID), cxm.EConflict)

		j := mustCreateJourney(t, db, w.ID, "b2b", "a", "b")
		tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "demo", Name: "Demo", StageID: j.Stages[1].ID, Channel: cxm.ChannelWeb}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			t.Fatal(err)
		}
		checkError(t, db.DeleteJourney(ctx, w.ID, j.ID), cxm.EConflict)
		if err := db.DeleteTouchpoint(ctx, w.ID, tp.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteJourney(ctx, w.ID, j.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.FindJourney(ctx, w.ID, j.ID)
		checkError(t, err, cxm.ENotFound)
		var n int
		if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM stages WHERE workspace_id = ? AND journey_id = ?", w.ID, j.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("stages left = %d, want 0", n)
		}
		checkError(t, db.DeleteJourney(ctx, w.ID, j.ID), cxm.ENotFound)
	})
}

func TestJourneyIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "a")
		b := mustCreateWorkspace(t, db, "b")
		j := mustCreateJourney(t, db, a.ID, "b2b", "x", "y")

		_, err := db.FindJourney(ctx, b.ID, j.ID)
		checkError(t, err, cxm.ENotFound)
		err = db.UpdateJourney(ctx, &cxm.Journey{ID: j.ID, WorkspaceID: b.ID, Key: "b2b", Name: "Stolen", Stages: journeyStages("z")})
		checkError(t, err, cxm.ENotFound)
		checkError(t, db.DeleteJourney(ctx, b.ID, j.ID), cxm.ENotFound)
		list, err := db.ListJourneys(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.ID == j.ID || l.WorkspaceID != b.ID {
				t.Errorf("workspace b lists %+v", l)
			}
		}
		got, err := db.FindJourney(ctx, a.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != j.Name || stageKeys(got) != "x,y" {
			t.Errorf("journey of a = %q %s, want it unchanged", got.Name, stageKeys(got))
		}
	})
}
