package store

import (
	"context"
	"testing"

	"github.com/cxmhq/cxm"
)

func TestNotificationsAfter(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "acme")
		b := mustCreateWorkspace(t, db, "globex")
		var ids []int64
		for i, ws := range []int64{a.ID, b.ID, a.ID, a.ID} {
			n := &cxm.Notification{WorkspaceID: ws, Kind: "alert", Title: "Detractor", Body: "NPS 2", CaseID: int64(i),
				ResponseID: "r-1", Data: map[string]any{"nps": 2}}
			if err := db.CreateNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
			if n.At.IsZero() || (len(ids) > 0 && n.ID <= ids[len(ids)-1]) {
				t.Fatalf("notification %+v: want a time and an ascending id", n)
			}
			ids = append(ids, n.ID)
		}
		got, err := db.NotificationsAfter(ctx, a.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != ids[0] || got[1].ID != ids[2] || got[2].ID != ids[3] {
			t.Fatalf("after 0 = %v, want A's three in order", got)
		}
		if got[0].Data["nps"] != float64(2) || got[0].ResponseID != "r-1" || got[0].Title != "Detractor" {
			t.Errorf("round trip = %+v", got[0])
		}
		got, _ = db.NotificationsAfter(ctx, a.ID, ids[2], 0)
		if len(got) != 1 || got[0].ID != ids[3] {
			t.Errorf("after %d = %v, want only %d", ids[2], got, ids[3])
		}
		got, _ = db.NotificationsAfter(ctx, a.ID, 0, 2)
		if len(got) != 2 {
			t.Errorf("limit 2 gave %d", len(got))
		}
		if _, err := db.FindNotification(ctx, b.ID, ids[0]); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("find A's notification from B: %v", err)
		}
		if err := db.CreateNotification(ctx, &cxm.Notification{WorkspaceID: a.ID, Kind: "alert"}); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("no title: %v, want invalid", err)
		}
	})
}
