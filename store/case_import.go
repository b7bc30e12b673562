package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.CaseImporter.
var _ cxm.CaseImporter = (*DB)(nil)

// caseImportBatch is how many cases one transaction of ImportCases stores.
const caseImportBatch = 200

// caseEventKinds are the kinds of event a timeline may hold.
var caseEventKinds = map[string]bool{"created": true, "status": true, "priority": true, "team": true, "assignee": true,
	"note": true, "reply": true, "resolution": true, "breach": true, "escalation": true, "title": true}

// ImportCases stores the historical cases of cs with their timelines and
// their own timestamps, in one transaction per batch of 200 cases. A case
// whose response already has a case in the workspace, or that repeats an
// earlier case's response in cs, is skipped, so importing again stores
// nothing twice. Every case is checked first: a bad one is EInvalid with
// fields named by position, such as [3].events[0].kind, and nothing of
// its batch is stored. It returns how many cases it stored.
func (db *DB) ImportCases(ctx context.Context, workspaceID int64, cs []*cxm.CaseImport) (int, error) {
	settings, err := db.caseSettings(ctx, workspaceID)
	if err != nil {
		return 0, fmt.Errorf("store: import cases: %w", err)
	}
	var errs cxm.FieldErrors
	for i, ci := range cs {
		validCaseImport(ci, settings, fmt.Sprintf("[%d].", i), &errs)
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	stored := 0
	seen := map[string]bool{}
	for from := 0; from < len(cs); from += caseImportBatch {
		n, err := db.importCaseBatch(ctx, workspaceID, cs[from:min(from+caseImportBatch, len(cs))], from, seen)
		stored += n
		if err != nil {
			return stored, fmt.Errorf("store: import cases: %w", err)
		}
	}
	return stored, nil
}

// validCaseImport checks one imported case and its events, adding the
// faults to errs with fields beginning with prefix.
func validCaseImport(ci *cxm.CaseImport, settings *cxm.CaseSettings, prefix string, errs *cxm.FieldErrors) {
	if ci == nil {
		errs.Add(strings.TrimSuffix(prefix, "."), "is required")
		return
	}
	c := &ci.Case
	if c.ResponseID == "" || !cxm.ValidText(c.ResponseID, 200) {
		errs.Add(prefix+"response_id", "is required to import a case: the response that opened it")
	}
	if t := strings.TrimSpace(c.Title); t == "" || !cxm.ValidText(t, maxCaseTitle) {
		errs.Add(prefix+"title", "is required, at most 500 bytes")
	}
	if !c.Status.Valid() {
		errs.Add(prefix+"status", "must be new, in_progress, waiting, resolved or closed")
	}
	if !c.Priority.Valid() {
		errs.Add(prefix+"priority", "must be low, normal, high or urgent")
	}
	if c.TeamID < 0 || c.AssigneeID < 0 || c.CustomerID < 0 || c.TouchpointID < 0 || c.RuleID < 0 {
		errs.Add(prefix+"team_id", "ids must not be negative")
	}
	if c.CreatedAt.IsZero() {
		errs.Add(prefix+"created_at", "is required")
	}
	for _, b := range c.Breached {
		if b != "first_response" && b != "resolution" {
			errs.Add(prefix+"breached", "must list first_response or resolution")
		}
	}
	done := c.Status == cxm.CaseResolved || c.Status == cxm.CaseClosed
	switch {
	case done && c.Resolution == nil:
		errs.Add(prefix+"resolution", "is required for a resolved or closed case")
	case done && c.ResolvedAt == nil && c.Status == cxm.CaseResolved:
		errs.Add(prefix+"resolved_at", "is required for a resolved case")
	case c.Resolution != nil:
		for _, fe := range cxm.ErrorFields(validResolution(c.Resolution, settings)) {
			errs.Add(prefix+fe.Field, fe.Reason)
		}
	}
	if c.Status == cxm.CaseClosed && c.ClosedAt == nil {
		errs.Add(prefix+"closed_at", "is required for a closed case")
	}
	for _, t := range []*time.Time{c.FirstRespondedAt, c.ResolvedAt, c.ClosedAt} {
		if t != nil && t.Before(c.CreatedAt) {
			errs.Add(prefix+"created_at", "must not be after the case's first response, resolution or closing")
			break
		}
	}
	if len(ci.Events) == 0 || ci.Events[0].Kind != "created" {
		errs.Add(prefix+"events", "must begin with the created event")
	}
	var last time.Time
	for k, e := range ci.Events {
		f := fmt.Sprintf("%sevents[%d].", prefix, k)
		if !caseEventKinds[e.Kind] {
			errs.Add(f+"kind", "must be a kind of case event")
		}
		if e.At.Before(c.CreatedAt) || e.At.Before(last) {
			errs.Add(f+"at", "must not be before the case's creation or the event before")
		}
		if e.ActorUserID < 0 {
			errs.Add(f+"actor_user_id", "must be a user id, or 0 for the system")
		}
		if !cxm.ValidText(e.Body, maxCaseText) || !cxm.ValidText(e.Old, maxCaseText) || !cxm.ValidText(e.New, maxCaseText) {
			errs.Add(f+"body", "must be valid text of at most 20,000 bytes")
		}
		last = e.At
	}
}

// importCaseBatch stores the cases of one batch, which began at position
// from of the import, in one transaction, skipping those whose response
// has a case already or was seen before in the import.
func (db *DB) importCaseBatch(ctx context.Context, workspaceID int64, batch []*cxm.CaseImport, from int, seen map[string]bool) (int, error) {
	nids := 0
	for _, ci := range batch {
		nids += 1 + len(ci.Events)
	}
	ids, err := db.ids.take(ctx, nids)
	if err != nil {
		return 0, err
	}
	stored := 0
	err = db.inTx(ctx, func(tx queryer) error {
		stored = 0
		have, err := casesOfResponses(ctx, tx, workspaceID, batch)
		if err != nil {
			return err
		}
		members := map[int64]bool{}
		inBatch := map[string]bool{}
		next := ids
		for i, ci := range batch {
			c := ci.Case
			if have[c.ResponseID] || seen[c.ResponseID] || inBatch[c.ResponseID] {
				continue
			}
			inBatch[c.ResponseID] = true
			if err := db.insertImportedCase(ctx, tx, workspaceID, &c, ci.Events, &next, members); err != nil {
				return fmt.Errorf("case %d: %w", from+i, err)
			}
			stored++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, ci := range batch {
		seen[ci.Case.ResponseID] = true
	}
	return stored, nil
}

// casesOfResponses returns which responses of batch already have a case.
func casesOfResponses(ctx context.Context, tx queryer, workspaceID int64, batch []*cxm.CaseImport) (map[string]bool, error) {
	args := []any{workspaceID}
	for _, ci := range batch {
		args = append(args, ci.Case.ResponseID)
	}
	rows, err := tx.query(ctx, "SELECT response_id FROM cases WHERE workspace_id = ? AND response_id IN ("+inList(len(batch))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("find imported cases: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find imported cases: %w", err)
		}
		have[id] = true
	}
	return have, rows.Err()
}

// insertImportedCase checks c's links and owners, stores it and its
// events with ids from *next, and moves *next on. members caches the
// users known to be members of the workspace.
func (db *DB) insertImportedCase(ctx context.Context, tx queryer, workspaceID int64, c *cxm.Case, events []cxm.CaseEvent,
	next *int64, members map[int64]bool) error {
	c.WorkspaceID = workspaceID
	c.Title = strings.TrimSpace(c.Title)
	if err := linkCase(ctx, tx, c); err != nil {
		return err
	}
	if !members[c.AssigneeID] || c.TeamID != 0 {
		if err := checkCaseOwner(ctx, tx, workspaceID, c.TeamID, c.AssigneeID); err != nil {
			return err
		}
		members[c.AssigneeID] = true
	}
	for _, e := range events {
		if e.ActorUserID != 0 && !members[e.ActorUserID] {
			if err := checkCaseOwner(ctx, tx, workspaceID, 0, e.ActorUserID); err != nil {
				return cxm.Invalid(cxm.FieldError{Field: "events.actor_user_id", Reason: "is not a member of the workspace"})
			}
			members[e.ActorUserID] = true
		}
	}
	updated := c.UpdatedAt
	if last := events[len(events)-1].At; updated.Before(last) {
		updated = last
	}
	// A case waiting on the customer waits since its last move to waiting.
	var waiting *time.Time
	if c.Status == cxm.CaseWaiting {
		for k := range events {
			if e := &events[k]; e.Kind == "status" && e.New == string(cxm.CaseWaiting) {
				waiting = &e.At
			}
		}
	}
	var cause, typ, currency, note string
	var amount float64
	if r := c.Resolution; r != nil {
		cause, typ, amount, currency, note = r.RootCause, string(r.Type), r.Amount, r.Currency, r.Note
	}
	c.ID = *next
	*next++
	_, err := tx.exec(ctx, "INSERT INTO cases ("+caseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, workspaceID, c.Title, string(c.Status), string(c.Priority), c.TeamID, c.AssigneeID, c.ResponseID,
		c.CustomerID, c.TouchpointID, c.RuleID, nullMicros(c.FirstResponseDue), nullMicros(c.ResolutionDue),
		nullMicros(c.FirstRespondedAt), nullMicros(c.ResolvedAt), nullMicros(c.ClosedAt), nullMicros(waiting),
		breachedFlag(c, "first_response"), breachedFlag(c, "resolution"), cause, typ, amount, currency, note,
		micros(c.CreatedAt), micros(updated))
	if isUniqueViolation(err) {
		return conflictOn("response_id", "already has an open case")
	}
	if err != nil {
		return fmt.Errorf("insert case: %w", err)
	}
	for _, e := range events {
		e.ID, e.CaseID = *next, c.ID
		*next++
		if err := appendCaseEvent(ctx, tx, workspaceID, &e); err != nil {
			return err
		}
	}
	return nil
}
