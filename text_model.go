package cxm

import (
	"context"
	"time"
)

// Sources of a trained text model.
const (
	// ModelSourceCorrections is a model trained on the workspace's own
	// sentiment corrections.
	ModelSourceCorrections = "corrections"
	// ModelSourceFile is a model trained on a label<TAB>text file.
	ModelSourceFile = "file"
)

// TextModel is one version of a workspace's trained sentiment model.
// Versions count up from 1 per workspace; at most one is active, and the
// text analysis blends it with the lexicon.
type TextModel struct {
	WorkspaceID int64 `json:"-"`
	Version     int   `json:"version"`
	// Examples is the number of labelled texts it learnt from, Source
	// where they came from: corrections or file.
	Examples int    `json:"examples"`
	Source   string `json:"source"`
	// LexiconWeight is the lexicon's share in the blend, in (0, 1].
	LexiconWeight float64   `json:"lexicon_weight"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
	// Blob is the model in text.Model's binary format.
	Blob []byte `json:"-"`
}

// ModelName is how an analysis names the model that scored it: "v" and
// the version.
func (m *TextModel) ModelName() string { return "v" + itoa(m.Version) }

// TextModelService stores the trained sentiment models of workspaces.
type TextModelService interface {
	// SaveTextModel stores m as the workspace's next version, sets its
	// Version and CreatedAt, and makes it the active one.
	SaveTextModel(ctx context.Context, m *TextModel) error
	// ListTextModels returns the workspace's versions, newest first,
	// without their blobs.
	ListTextModels(ctx context.Context, workspaceID int64) ([]*TextModel, error)
	// ActivateTextModel makes version the workspace's active model; an
	// unknown version is ENotFound.
	ActivateTextModel(ctx context.Context, workspaceID int64, version int) (*TextModel, error)
	// ActiveTextModelVersion returns the version of the workspace's
	// active model, or 0 when it has none.
	ActiveTextModelVersion(ctx context.Context, workspaceID int64) (int, error)
	// FindTextModel returns one version with its blob, or ENotFound.
	FindTextModel(ctx context.Context, workspaceID int64, version int) (*TextModel, error)
}
