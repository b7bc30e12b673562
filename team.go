package cxm

import (
	"context"
	"time"
)

// Team is a group of users who work cases together, such as the hotline
// team or the delivery team. Agents see and work the cases of their
// teams; analysts and admins see all.
type Team struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Key         string `json:"key"`
	Name        string `json:"name"`
	// MemberIDs are the ids of the team's users.
	MemberIDs []int64   `json:"member_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TeamService keeps a workspace's teams and their members.
type TeamService interface {
	// CreateTeam stores a new team; a key in use is EConflict, a member
	// who is not a user of the workspace EInvalid.
	CreateTeam(ctx context.Context, t *Team) error
	FindTeam(ctx context.Context, workspaceID, id int64) (*Team, error)
	ListTeams(ctx context.Context, workspaceID int64) ([]*Team, error)
	// UpdateTeam replaces the team's name and members.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam removes a team; one that still owns open cases is EConflict.
	DeleteTeam(ctx context.Context, workspaceID, id int64) error
	// TeamsOfUser returns the ids of the user's teams in the workspace.
	TeamsOfUser(ctx context.Context, workspaceID, userID int64) ([]int64, error)
}
