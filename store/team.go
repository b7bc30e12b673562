package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TeamService.
var _ cxm.TeamService = (*DB)(nil)

// validateTeam checks the writable fields of t and sorts and dedupes its
// members.
func validateTeam(t *cxm.Team, withKey bool) error {
	var errs cxm.FieldErrors
	if withKey && !cxm.ValidSlug(t.Key) {
		errs.Add("key", "must be a slug: lower-case letters, digits and dashes")
	}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || !cxm.ValidText(t.Name, 200) {
		errs.Add("name", "is required, at most 200 bytes")
	}
	for i, id := range t.MemberIDs {
		if id <= 0 {
			errs.Add(fmt.Sprintf("member_ids[%d]", i), "must be a user id")
		}
	}
	if t.MemberIDs == nil {
		t.MemberIDs = []int64{}
	}
	slices.Sort(t.MemberIDs)
	t.MemberIDs = slices.Compact(t.MemberIDs)
	return errs.Err()
}

// checkMembers reports EInvalid naming member_ids when one of ids is not a
// member of the workspace.
func checkMembers(ctx context.Context, q queryer, workspaceID int64, ids []int64) error {
	for _, id := range ids {
		var one int
		err := q.queryRow(ctx, "SELECT 1 FROM members WHERE workspace_id = ? AND user_id = ?", workspaceID, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.Invalid(cxm.FieldError{Field: "member_ids", Reason: fmt.Sprintf("user %d is not a member of the workspace", id)})
		}
		if err != nil {
			return fmt.Errorf("check member %d: %w", id, err)
		}
	}
	return nil
}

// writeMembers replaces the members of team t.
func writeMembers(ctx context.Context, q queryer, t *cxm.Team) error {
	if _, err := q.exec(ctx, "DELETE FROM team_members WHERE workspace_id = ? AND team_id = ?", t.WorkspaceID, t.ID); err != nil {
		return fmt.Errorf("clear members: %w", err)
	}
	for _, id := range t.MemberIDs {
		if _, err := q.exec(ctx, "INSERT INTO team_members (workspace_id, team_id, user_id) VALUES (?, ?, ?)", t.WorkspaceID, t.ID, id); err != nil {
			return fmt.Errorf("add member %d: %w", id, err)
		}
	}
	return nil
}

// CreateTeam stores t with its members; a key in use is EConflict and a
// member who is not a user of the workspace EInvalid.
func (db *DB) CreateTeam(ctx context.Context, t *cxm.Team) error {
	if err := validateTeam(t, true); err != nil {
		return err
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create team: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		if err := checkMembers(ctx, tx, t.WorkspaceID, t.MemberIDs); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "INSERT INTO teams (id, workspace_id, key, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, t.WorkspaceID, t.Key, t.Name, micros(now), micros(now))
		if isUniqueViolation(err) {
			return conflictOn("key", "is already in use")
		}
		if err != nil {
			return err
		}
		t.ID = id
		return writeMembers(ctx, tx, t)
	})
	if err != nil {
		t.ID = 0
		return fmt.Errorf("store: create team: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = now, now
	return nil
}

// findTeam reads the team with id and its members through q, or ENotFound.
func findTeam(ctx context.Context, q queryer, workspaceID, id int64) (*cxm.Team, error) {
	t := &cxm.Team{MemberIDs: []int64{}}
	var created, updated int64
	err := q.queryRow(ctx, "SELECT id, workspace_id, key, name, created_at, updated_at FROM teams WHERE workspace_id = ? AND id = ?",
		workspaceID, id).Scan(&t.ID, &t.WorkspaceID, &t.Key, &t.Name, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("team")
	}
	if err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	members, err := teamMembers(ctx, q, workspaceID)
	if err != nil {
		return nil, err
	}
	if m := members[t.ID]; m != nil {
		t.MemberIDs = m
	}
	return t, nil
}

// teamMembers returns the member ids of every team of the workspace, by team.
func teamMembers(ctx context.Context, q queryer, workspaceID int64) (map[int64][]int64, error) {
	rows, err := q.query(ctx, "SELECT team_id, user_id FROM team_members WHERE workspace_id = ? ORDER BY team_id, user_id", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("team members: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var team, user int64
		if err := rows.Scan(&team, &user); err != nil {
			return nil, fmt.Errorf("team members: %w", err)
		}
		out[team] = append(out[team], user)
	}
	return out, rows.Err()
}

// FindTeam returns the team with id in the workspace, or ENotFound.
func (db *DB) FindTeam(ctx context.Context, workspaceID, id int64) (*cxm.Team, error) {
	t, err := findTeam(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find team: %w", err)
	}
	return t, nil
}

// ListTeams returns the workspace's teams by key, each with its members.
func (db *DB) ListTeams(ctx context.Context, workspaceID int64) ([]*cxm.Team, error) {
	q := db.reader()
	rows, err := q.query(ctx, "SELECT id, workspace_id, key, name, created_at, updated_at FROM teams WHERE workspace_id = ? ORDER BY key", workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list teams: %w", err)
	}
	out := []*cxm.Team{}
	for rows.Next() {
		t := &cxm.Team{MemberIDs: []int64{}}
		var created, updated int64
		if err := rows.Scan(&t.ID, &t.WorkspaceID, &t.Key, &t.Name, &created, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: list teams: %w", err)
		}
		t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, t)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("store: list teams: %w", err)
	}
	members, err := teamMembers(ctx, q, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list teams: %w", err)
	}
	for _, t := range out {
		if m := members[t.ID]; m != nil {
			t.MemberIDs = m
		}
	}
	return out, nil
}

// UpdateTeam replaces the name and members of the team t.ID; its key
// stays. A member who is not a user of the workspace is EInvalid.
func (db *DB) UpdateTeam(ctx context.Context, t *cxm.Team) error {
	if err := validateTeam(t, false); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx queryer) error {
		old, err := findTeam(ctx, tx, t.WorkspaceID, t.ID)
		if err != nil {
			return err
		}
		if err := checkMembers(ctx, tx, t.WorkspaceID, t.MemberIDs); err != nil {
			return err
		}
		t.Key, t.CreatedAt, t.UpdatedAt = old.Key, old.CreatedAt, db.stampNow()
		_, err = tx.exec(ctx, "UPDATE teams SET name = ?, updated_at = ? WHERE workspace_id = ? AND id = ?",
			t.Name, micros(t.UpdatedAt), t.WorkspaceID, t.ID)
		if err != nil {
			return err
		}
		return writeMembers(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("store: update team: %w", err)
	}
	return nil
}

// DeleteTeam removes a team and its memberships; a team that still owns
// open cases is EConflict. Closed and resolved cases keep the team's id.
func (db *DB) DeleteTeam(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		if _, err := findTeam(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		var one int
		err := tx.queryRow(ctx, "SELECT 1 FROM cases WHERE workspace_id = ? AND team_id = ? AND status IN ('new', 'in_progress', 'waiting') LIMIT 1",
			workspaceID, id).Scan(&one)
		if err == nil {
			return conflictOn("id", "the team still owns open cases; reassign them first")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM team_members WHERE workspace_id = ? AND team_id = ?", workspaceID, id); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "DELETE FROM teams WHERE workspace_id = ? AND id = ?", workspaceID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete team: %w", err)
	}
	return nil
}

// TeamsOfUser returns the ids of the user's teams in the workspace, in order.
func (db *DB) TeamsOfUser(ctx context.Context, workspaceID, userID int64) ([]int64, error) {
	rows, err := db.reader().query(ctx, "SELECT team_id FROM team_members WHERE workspace_id = ? AND user_id = ? ORDER BY team_id", workspaceID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: teams of user: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: teams of user: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: teams of user: %w", err)
	}
	return out, nil
}
