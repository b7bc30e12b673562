package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestTouchpointTargets stores targets on create, replaces and clears them
// on update, and refuses targets of unknown metrics or out of range.
func TestTouchpointTargets(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "delivery", Name: "Delivery", StageKey: "receipt",
			Channel: cxm.ChannelDelivery, Targets: map[string]float64{"nps": 40, "csat": 85.5}}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindTouchpoint(ctx, w.ID, tp.ID)
		if err != nil || !reflect.DeepEqual(got.Targets, tp.Targets) {
			t.Fatalf("found targets %v, %v; want %v", got.Targets, err, tp.Targets)
		}
		ces := map[string]float64{"ces": 5.5}
		up, err := db.UpdateTouchpoint(ctx, w.ID, tp.ID, cxm.TouchpointUpdate{Targets: &ces})
		if err != nil || !reflect.DeepEqual(up.Targets, ces) {
			t.Fatalf("updated targets %v, %v", up, err)
		}
		name := "Parcel delivery"
		if up, err = db.UpdateTouchpoint(ctx, w.ID, tp.ID, cxm.TouchpointUpdate{Name: &name}); err != nil || !reflect.DeepEqual(up.Targets, ces) {
			t.Errorf("a name change lost the targets: %v, %v", up, err)
		}
		none := map[string]float64{}
		if _, err = db.UpdateTouchpoint(ctx, w.ID, tp.ID, cxm.TouchpointUpdate{Targets: &none}); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.FindTouchpoint(ctx, w.ID, tp.ID); len(got.Targets) != 0 {
			t.Errorf("cleared targets = %v", got.Targets)
		}
		bad := map[string]float64{"nps": -101, "ces": 8, "speed": 1}
		_, err = db.UpdateTouchpoint(ctx, w.ID, tp.ID, cxm.TouchpointUpdate{Targets: &bad})
		fields := map[string]bool{}
		for _, f := range cxm.ErrorFields(err) {
			fields[f.Field] = true
		}
		if cxm.ErrorCode(err) != cxm.EInvalid || !fields["targets.nps"] || !fields["targets.ces"] || !fields["targets.speed"] {
			t.Errorf("bad targets: %v", err)
		}
	})
}
