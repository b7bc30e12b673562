package demo

import (
	"context"
	"fmt"
	"maps"

	"github.com/cxmhq/cxm"
)

// Services are the services Load writes through.
type Services struct {
	Touchpoints  cxm.TouchpointService
	Customers    cxm.CustomerService
	Interactions cxm.InteractionService
	// Surveys and Responses store the surveys and their responses; Load
	// needs them when the dataset has surveys.
	Surveys   cxm.SurveyService
	Responses cxm.ResponseService
	// Users, Teams, AlertRules and Cases store the closed loop: the
	// agents, their teams, the rules and the historical cases. Load
	// leaves the closed loop out when Cases is nil.
	Users      cxm.UserService
	Teams      cxm.TeamService
	AlertRules cxm.AlertRuleService
	Cases      cxm.CaseImporter
}

// Summary counts what Load did.
type Summary struct {
	// Touchpoints counts the touchpoints created; existing ones are kept.
	Touchpoints int
	// Customers counts the customers created or updated.
	Customers int
	// Interactions counts the interactions stored; Duplicates those that
	// were stored before.
	Interactions int
	Duplicates   int
	// Identified counts the anonymous ids stitched to customers, and
	// Linked the anonymous interactions that this gave to them.
	Identified int
	Linked     int
	// Surveys counts the surveys created; existing ones (by slug) are
	// kept. Responses counts the responses stored, ResponseDuplicates
	// those stored before.
	Surveys            int
	Responses          int
	ResponseDuplicates int
	// Agents, Teams and Rules count the agents, teams and alert rules
	// created, Cases the cases stored; existing ones are kept.
	Agents, Teams, Rules, Cases int
}

// Batch sizes of Load.
const (
	customerBatch    = 500
	interactionBatch = 2000
)

// Load writes d into the workspace: the touchpoints that do not exist yet
// (by key), the customers (upserted by external id), the interactions
// (answered as duplicates when stored before), then stitches the
// anonymous ids of d.Identities to their customers, and finally creates
// the surveys that do not exist yet (by slug) and submits the responses
// (by id), and last the closed loop: agents, teams and rules that do not
// exist yet and the cases (by response). Loading the same dataset again
// stores nothing twice. Load does not change d.
func Load(ctx context.Context, s Services, workspaceID int64, d *Dataset) (Summary, error) {
	var sum Summary
	n, err := loadTouchpoints(ctx, s.Touchpoints, workspaceID, d.Touchpoints)
	sum.Touchpoints = n
	if err != nil {
		return sum, err
	}
	for from := 0; from < len(d.Customers); from += customerBatch {
		part := d.Customers[from:min(from+customerBatch, len(d.Customers))]
		cs := make([]*cxm.Customer, len(part))
		for i := range part {
			c := part[i]
			c.Attributes = maps.Clone(c.Attributes)
			cs[i] = &c
		}
		res, err := s.Customers.UpsertCustomers(ctx, workspaceID, cs)
		if err != nil {
			return sum, fmt.Errorf("demo: load customers: %w", err)
		}
		if err := batchError("customer", from, res); err != nil {
			return sum, err
		}
		sum.Customers += res.Accepted
	}
	for from := 0; from < len(d.Interactions); from += interactionBatch {
		part := d.Interactions[from:min(from+interactionBatch, len(d.Interactions))]
		recs := make([]cxm.Interaction, len(part))
		batch := make([]*cxm.Interaction, len(part))
		var errs cxm.FieldErrors
		for i := range part {
			recs[i] = part[i]
			batch[i] = &recs[i]
			batch[i].Validate(d.End, fmt.Sprintf("[%d].", from+i), &errs)
		}
		if err := errs.Err(); err != nil {
			return sum, fmt.Errorf("demo: load interactions: %w", err)
		}
		res, err := s.Interactions.IngestInteractions(ctx, workspaceID, batch, cxm.IngestOptions{})
		if err != nil {
			return sum, fmt.Errorf("demo: load interactions: %w", err)
		}
		if err := batchError("interaction", from, res); err != nil {
			return sum, err
		}
		sum.Interactions += res.Accepted
		sum.Duplicates += res.Duplicates
	}
	for _, id := range d.Identities {
		res, err := s.Customers.Identify(ctx, workspaceID, id.AnonymousID, &cxm.Customer{ExternalID: id.Customer})
		if err != nil {
			return sum, fmt.Errorf("demo: identify %s as %s: %w", id.AnonymousID, id.Customer, err)
		}
		sum.Identified++
		sum.Linked += res.Linked
	}
	if len(d.Surveys) == 0 {
		return sum, nil
	}
	if s.Surveys == nil || s.Responses == nil {
		return sum, fmt.Errorf("demo: load surveys: no survey or response service")
	}
	ids, created, err := loadSurveys(ctx, s.Surveys, workspaceID, d)
	for _, c := range created {
		if c {
			sum.Surveys++
		}
	}
	if err != nil {
		return sum, err
	}
	stored, err := storedResponses(ctx, s.Responses, workspaceID, ids, created)
	if err != nil {
		return sum, err
	}
	if err := loadResponses(ctx, s.Responses, workspaceID, d, ids, stored, &sum); err != nil {
		return sum, err
	}
	err = loadClosedLoop(ctx, s, workspaceID, d, &sum)
	return sum, err
}

// loadTouchpoints creates the touchpoints of tps whose key the workspace
// does not have yet and returns how many it created.
func loadTouchpoints(ctx context.Context, s cxm.TouchpointService, workspaceID int64, tps []cxm.Touchpoint) (int, error) {
	existing, err := s.ListTouchpoints(ctx, workspaceID)
	if err != nil {
		return 0, fmt.Errorf("demo: list touchpoints: %w", err)
	}
	have := make(map[string]bool, len(existing))
	for _, t := range existing {
		have[t.Key] = true
	}
	created := 0
	for _, t := range tps {
		if have[t.Key] {
			continue
		}
		t.WorkspaceID = workspaceID
		err := s.CreateTouchpoint(ctx, &t)
		switch {
		case cxm.ErrorCode(err) == cxm.EConflict:
			// Created meanwhile by someone else: keep theirs.
		case err != nil:
			return created, fmt.Errorf("demo: create touchpoint %s: %w", t.Key, err)
		default:
			created++
		}
		have[t.Key] = true
	}
	return created, nil
}

// batchError returns an error naming the first rejected record of a batch
// that started at position from, or nil when none was rejected. The demo's
// own data should never be rejected.
func batchError(kind string, from int, res cxm.BatchResult) error {
	if res.Rejected == 0 && len(res.Errors) == 0 {
		return nil
	}
	if len(res.Errors) == 0 {
		return fmt.Errorf("demo: %d %ss rejected", res.Rejected, kind)
	}
	e := res.Errors[0]
	return fmt.Errorf("demo: %d %ss rejected, first %d: %s: %s", res.Rejected, kind, from+e.Index, e.Field, e.Reason)
}
