package store

import (
	"context"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/demo"
)

// demoNow is the moment the demo data of the store tests ends.
var demoNow = time.Date(2025, time.March, 14, 15, 4, 5, 0, time.UTC)

// seedDemo loads a year of the demo company with the given number of
// customers into a new SQLite store and returns the store, the workspace
// and the generated data. It skips the test in -short mode.
func seedDemo(t *testing.T, customers int) (*DB, *cxm.Workspace, *demo.Dataset) {
	t.Helper()
	if testing.Short() {
		t.Skip("loads the demo data")
	}
	db := testDBs(t)["sqlite"]
	ctx := context.Background()
	ws := &cxm.Workspace{Slug: "nordlicht", Name: demo.CompanyName}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	d := demo.Generate(demoNow, demo.Options{Customers: customers})
	s := demo.Services{Touchpoints: db, Customers: db, Interactions: db, Surveys: db, Responses: db}
	if _, err := demo.Load(ctx, s, ws.ID, d); err != nil {
		t.Fatal(err)
	}
	return db, ws, d
}
