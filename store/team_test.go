package store

import (
	"context"
	"slices"
	"testing"

	"github.com/cxmhq/cxm"
)

// mustMember creates a user with email and makes them a member of ws with role.
func mustMember(t *testing.T, db *DB, ws int64, email string, role cxm.Role) *cxm.User {
	t.Helper()
	u := mustCreateUser(t, db, email)
	if err := db.SetMember(context.Background(), ws, u.ID, role); err != nil {
		t.Fatalf("set member %s: %v", email, err)
	}
	return u
}

// mustCreateTeam stores a team with key and members in ws.
func mustCreateTeam(t *testing.T, db *DB, ws int64, key string, members ...int64) *cxm.Team {
	t.Helper()
	tm := &cxm.Team{WorkspaceID: ws, Key: key, Name: "Team " + key, MemberIDs: members}
	if err := db.CreateTeam(context.Background(), tm); err != nil {
		t.Fatalf("create team %s: %v", key, err)
	}
	return tm
}

func TestTeamCRUD(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "globex")
		anna := mustMember(t, db, w.ID, "anna@acme.example", cxm.RoleAgent)
		ben := mustMember(t, db, w.ID, "ben@acme.example", cxm.RoleAgent)
		stranger := mustMember(t, db, other.ID, "carl@globex.example", cxm.RoleAgent)

		hotline := mustCreateTeam(t, db, w.ID, "hotline", ben.ID, anna.ID, anna.ID)
		if !slices.Equal(hotline.MemberIDs, []int64{min(anna.ID, ben.ID), max(anna.ID, ben.ID)}) {
			t.Errorf("members = %v, want anna and ben once each, sorted", hotline.MemberIDs)
		}
		err := db.CreateTeam(ctx, &cxm.Team{WorkspaceID: w.ID, Key: "hotline", Name: "Again"})
		checkError(t, err, cxm.EConflict, "key")
		err = db.CreateTeam(ctx, &cxm.Team{WorkspaceID: w.ID, Key: "delivery", Name: "Delivery", MemberIDs: []int64{stranger.ID}})
		checkError(t, err, cxm.EInvalid, "member_ids")
		err = db.CreateTeam(ctx, &cxm.Team{WorkspaceID: w.ID, Key: "Bad Key", Name: ""})
		checkError(t, err, cxm.EInvalid, "key", "name")
		if ts, _ := db.ListTeams(ctx, w.ID); len(ts) != 1 {
			t.Fatalf("a refused team was stored: %d teams", len(ts))
		}

		delivery := mustCreateTeam(t, db, w.ID, "delivery", anna.ID)
		if got, err := db.TeamsOfUser(ctx, w.ID, anna.ID); err != nil || !slices.Equal(got, []int64{min(hotline.ID, delivery.ID), max(hotline.ID, delivery.ID)}) {
			t.Errorf("teams of anna = %v (%v), want both", got, err)
		}
		if got, _ := db.TeamsOfUser(ctx, other.ID, anna.ID); len(got) != 0 {
			t.Errorf("teams of anna in another workspace = %v", got)
		}

		hotline.Name, hotline.MemberIDs = "Hotline 2nd level", []int64{ben.ID}
		if err := db.UpdateTeam(ctx, hotline); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindTeam(ctx, w.ID, hotline.ID)
		if err != nil || got.Name != "Hotline 2nd level" || !slices.Equal(got.MemberIDs, []int64{ben.ID}) || got.Key != "hotline" {
			t.Errorf("updated team = %+v (%v)", got, err)
		}
		if _, err := db.FindTeam(ctx, other.ID, hotline.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("team found from another workspace: %v", err)
		}
		if err := db.UpdateTeam(ctx, &cxm.Team{WorkspaceID: other.ID, ID: hotline.ID, Name: "Stolen"}); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("update from another workspace = %v, want not found", err)
		}

		c := &cxm.Case{WorkspaceID: w.ID, Title: "Late parcel", TeamID: delivery.ID}
		if err := db.CreateCase(ctx, c, 0); err != nil {
			t.Fatal(err)
		}
		checkError(t, db.DeleteTeam(ctx, w.ID, delivery.ID), cxm.EConflict, "id")
		closed := cxm.CaseClosed
		if _, err := db.UpdateCase(ctx, w.ID, c.ID, cxm.CaseUpdate{Status: &closed}, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteTeam(ctx, w.ID, delivery.ID); err != nil {
			t.Fatalf("delete team without open cases: %v", err)
		}
		if got, _ := db.TeamsOfUser(ctx, w.ID, anna.ID); len(got) != 0 {
			t.Errorf("anna still in %v after the teams changed", got)
		}
	})
}
