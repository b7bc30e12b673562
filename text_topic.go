package cxm

import (
	"context"
	"time"
)

// TextTopics is a workspace's own topic taxonomy, stored as the JSON of a
// text.Taxonomy. Version counts from 1 with every change; 0 means the
// workspace has none and uses the default taxonomy.
type TextTopics struct {
	WorkspaceID int64     `json:"-"`
	Version     int       `json:"version"`
	Taxonomy    []byte    `json:"-"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TextTopicService stores the workspaces' own topic taxonomies.
type TextTopicService interface {
	// FindTextTopics returns the workspace's taxonomy, or ENotFound while
	// it uses the default.
	FindTextTopics(ctx context.Context, workspaceID int64) (*TextTopics, error)
	// SaveTextTopics stores the taxonomy (validated by the caller) as
	// the workspace's next version and sets Version and UpdatedAt.
	SaveTextTopics(ctx context.Context, t *TextTopics) error
	// TextTopicsVersion returns the version of the workspace's taxonomy,
	// or 0 while it uses the default.
	TextTopicsVersion(ctx context.Context, workspaceID int64) (int, error)
}
