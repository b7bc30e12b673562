package cxm

import "context"

// CaseImport is a case from the past together with its timeline, as
// another system (or the demo) recorded it: the case's fields and
// timestamps are kept as given, not stamped with the store's clock.
type CaseImport struct {
	// Case is the case as it stands after its events; its ResponseID is
	// required and keys the import.
	Case Case
	// Events are the case's timeline, oldest first; the first is its
	// created event.
	Events []CaseEvent
}

// CaseImporter stores historical cases with their timelines.
type CaseImporter interface {
	// ImportCases stores the cases of cs with their events, skipping
	// those whose response already has a case in the workspace, so that
	// importing the same cases again stores nothing twice. It returns how
	// many cases it stored. A bad case is EInvalid naming its position,
	// and nothing of its batch is stored.
	ImportCases(ctx context.Context, workspaceID int64, cs []*CaseImport) (int, error)
}
