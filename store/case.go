package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

// DB implements cxm.CaseService.
var _ cxm.CaseService = (*DB)(nil)

// Limits of a case's texts.
const (
	maxCaseTitle = 500
	maxCaseText  = 20000
)

// currencyPattern is an ISO 4217 code such as EUR.
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// caseColumns are the columns scanCase reads, in order.
const caseColumns = `id, workspace_id, title, status, priority, team_id, assignee_id, response_id, customer_id,
	touchpoint_id, rule_id, first_response_due, resolution_due, first_responded_at, resolved_at, closed_at,
	waiting_since, breached_first_response, breached_resolution, root_cause, resolution_type,
	resolution_amount, resolution_currency, resolution_note, created_at, updated_at`

// caseRow is a case as stored, with the state the API does not show.
type caseRow struct {
	*cxm.Case
	waitingSince *time.Time
}

// scanCase reads one row of caseColumns.
func scanCase(s scanner) (*caseRow, error) {
	c := &cxm.Case{}
	var frDue, resDue, responded, resolved, closed, waiting sql.NullInt64
	var brFirst, brRes int
	var cause, typ, currency, note string
	var amount float64
	var created, updated int64
	err := s.Scan(&c.ID, &c.WorkspaceID, &c.Title, &c.Status, &c.Priority, &c.TeamID, &c.AssigneeID, &c.ResponseID,
		&c.CustomerID, &c.TouchpointID, &c.RuleID, &frDue, &resDue, &responded, &resolved, &closed, &waiting,
		&brFirst, &brRes, &cause, &typ, &amount, &currency, &note, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.FirstResponseDue, c.ResolutionDue = timePtr(frDue), timePtr(resDue)
	c.FirstRespondedAt, c.ResolvedAt, c.ClosedAt = timePtr(responded), timePtr(resolved), timePtr(closed)
	c.Breached = []string{}
	if brFirst != 0 {
		c.Breached = append(c.Breached, "first_response")
	}
	if brRes != 0 {
		c.Breached = append(c.Breached, "resolution")
	}
	if typ != "" {
		c.Resolution = &cxm.CaseResolution{RootCause: cause, Type: cxm.ResolutionType(typ), Amount: amount, Currency: currency, Note: note}
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &caseRow{Case: c, waitingSince: timePtr(waiting)}, nil
}

// findCase reads the case with id through q, or ENotFound.
func findCase(ctx context.Context, q queryer, workspaceID, id int64) (*caseRow, error) {
	c, err := scanCase(q.queryRow(ctx, "SELECT "+caseColumns+" FROM cases WHERE workspace_id = ? AND id = ?", workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("case")
	}
	return c, err
}

// breachedFlag reports whether c records a breach of target.
func breachedFlag(c *cxm.Case, target string) int {
	for _, b := range c.Breached {
		if b == target {
			return 1
		}
	}
	return 0
}

// saveCase writes every field of c.
func saveCase(ctx context.Context, q queryer, c *caseRow) error {
	var cause, typ, currency, note string
	var amount float64
	if r := c.Resolution; r != nil {
		cause, typ, amount, currency, note = r.RootCause, string(r.Type), r.Amount, r.Currency, r.Note
	}
	_, err := q.exec(ctx, `UPDATE cases SET title = ?, status = ?, priority = ?, team_id = ?, assignee_id = ?, customer_id = ?,
		touchpoint_id = ?, first_response_due = ?, resolution_due = ?, first_responded_at = ?, resolved_at = ?, closed_at = ?,
		waiting_since = ?, breached_first_response = ?, breached_resolution = ?, root_cause = ?, resolution_type = ?,
		resolution_amount = ?, resolution_currency = ?, resolution_note = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		c.Title, string(c.Status), string(c.Priority), c.TeamID, c.AssigneeID, c.CustomerID, c.TouchpointID,
		nullMicros(c.FirstResponseDue), nullMicros(c.ResolutionDue), nullMicros(c.FirstRespondedAt), nullMicros(c.ResolvedAt),
		nullMicros(c.ClosedAt), nullMicros(c.waitingSince), breachedFlag(c.Case, "first_response"), breachedFlag(c.Case, "resolution"),
		cause, typ, amount, currency, note, micros(c.UpdatedAt), c.WorkspaceID, c.ID)
	if err != nil {
		return fmt.Errorf("save case: %w", err)
	}
	return nil
}

// caseSettings returns the workspace's case settings (case_settings.go).
func (db *DB) caseSettings(ctx context.Context, workspaceID int64) (*cxm.CaseSettings, error) {
	s, err := db.CaseSettings(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("case settings: %w", err)
	}
	return s, nil
}

// caseClock is what the SLA arithmetic of one workspace needs.
type caseClock struct {
	settings *cxm.CaseSettings
	loc      *time.Location
}

// caseClock reads the workspace's case settings and time zone.
func (db *DB) caseClock(ctx context.Context, workspaceID int64) (caseClock, error) {
	s, err := db.caseSettings(ctx, workspaceID)
	if err != nil {
		return caseClock{}, err
	}
	loc, err := db.workspaceLocation(ctx, db.reader(), workspaceID)
	if err != nil {
		return caseClock{}, err
	}
	return caseClock{settings: s, loc: loc}, nil
}

// deadlines sets c's SLA deadlines for its priority, counted from its
// creation; without settings or a target they are nil.
func (k caseClock) deadlines(c *cxm.Case) error {
	c.FirstResponseDue, c.ResolutionDue = nil, nil
	if k.settings == nil {
		return nil
	}
	fr, res, err := sla.Deadlines(k.settings, k.loc, c.Priority, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("SLA deadlines: %w", err)
	}
	if !fr.IsZero() {
		fr = fr.UTC().Truncate(time.Microsecond)
		c.FirstResponseDue = &fr
	}
	if !res.IsZero() {
		res = res.UTC().Truncate(time.Microsecond)
		c.ResolutionDue = &res
	}
	return nil
}

// pause moves c's unmet deadlines later by the business time between
// from and to, while the case waited on the customer.
func (k caseClock) pause(c *cxm.Case, from, to time.Time) {
	if k.settings == nil || !to.After(from) {
		return
	}
	cal, err := sla.NewCalendar(k.loc, k.settings.Hours, k.settings.Holidays)
	if err != nil {
		return // a bad calendar keeps the deadlines as they were
	}
	d := cal.Between(from, to)
	if d <= 0 {
		return
	}
	for _, due := range []**time.Time{&c.FirstResponseDue, &c.ResolutionDue} {
		if *due != nil && !(due == &c.FirstResponseDue && c.FirstRespondedAt != nil) {
			t := cal.Add(**due, d).UTC().Truncate(time.Microsecond)
			*due = &t
		}
	}
}

// checkCaseOwner checks that team and assignee, when set, belong to the
// workspace; fields name them.
func checkCaseOwner(ctx context.Context, q queryer, workspaceID, teamID, assigneeID int64) error {
	var errs cxm.FieldErrors
	var one int
	if teamID < 0 {
		errs.Add("team_id", "must be a team id, or 0 for none")
	} else if teamID > 0 {
		err := q.queryRow(ctx, "SELECT 1 FROM teams WHERE workspace_id = ? AND id = ?", workspaceID, teamID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			errs.Add("team_id", "is not a team of the workspace")
		} else if err != nil {
			return fmt.Errorf("check team: %w", err)
		}
	}
	if assigneeID < 0 {
		errs.Add("assignee_id", "must be a user id, or 0 for none")
	} else if assigneeID > 0 {
		err := q.queryRow(ctx, "SELECT 1 FROM members WHERE workspace_id = ? AND user_id = ?", workspaceID, assigneeID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			errs.Add("assignee_id", "is not a member of the workspace")
		} else if err != nil {
			return fmt.Errorf("check assignee: %w", err)
		}
	}
	return errs.Err()
}

// linkCase checks the case's links to its response, customer and
// touchpoint, and fills the customer and touchpoint from the response
// when they are not given.
func linkCase(ctx context.Context, q queryer, c *cxm.Case) error {
	var one int
	if c.ResponseID != "" {
		var cust, tp sql.NullInt64
		err := q.queryRow(ctx, "SELECT customer_id, touchpoint_id FROM responses WHERE workspace_id = ? AND public_id = ?",
			c.WorkspaceID, c.ResponseID).Scan(&cust, &tp)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.Invalid(cxm.FieldError{Field: "response_id", Reason: "is not a response of the workspace"})
		}
		if err != nil {
			return fmt.Errorf("check response: %w", err)
		}
		if c.CustomerID == 0 && cust.Valid {
			c.CustomerID = cust.Int64
		}
		if c.TouchpointID == 0 && tp.Valid {
			c.TouchpointID = tp.Int64
		}
	}
	if c.CustomerID != 0 {
		err := q.queryRow(ctx, "SELECT 1 FROM customers WHERE workspace_id = ? AND id = ?", c.WorkspaceID, c.CustomerID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.Invalid(cxm.FieldError{Field: "customer_id", Reason: "is not a customer of the workspace"})
		}
		if err != nil {
			return fmt.Errorf("check customer: %w", err)
		}
	}
	if c.TouchpointID != 0 {
		err := q.queryRow(ctx, "SELECT 1 FROM touchpoints WHERE workspace_id = ? AND id = ?", c.WorkspaceID, c.TouchpointID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.Invalid(cxm.FieldError{Field: "touchpoint_id", Reason: "is not a touchpoint of the workspace"})
		}
		if err != nil {
			return fmt.Errorf("check touchpoint: %w", err)
		}
	}
	return nil
}

// validTitle checks a case title and returns it trimmed.
func validTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	if title == "" || !cxm.ValidText(title, maxCaseTitle) {
		return "", cxm.Invalid(cxm.FieldError{Field: "title", Reason: "is required, at most 500 bytes"})
	}
	return title, nil
}

// CreateCase stores c as a new case with its created event. The priority
// defaults to normal; the SLA deadlines come from the workspace's case
// settings. A case for a response takes the response's customer and
// touchpoint unless given; a response that already has an open case is
// EConflict.
func (db *DB) CreateCase(ctx context.Context, c *cxm.Case, actorUserID int64) error {
	var errs cxm.FieldErrors
	title, err := validTitle(c.Title)
	if err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if c.Priority == "" {
		c.Priority = cxm.PriorityNormal
	}
	if !c.Priority.Valid() {
		errs.Add("priority", "must be low, normal, high or urgent")
	}
	if c.CustomerID < 0 {
		errs.Add("customer_id", "must be a customer id")
	}
	if c.TouchpointID < 0 {
		errs.Add("touchpoint_id", "must be a touchpoint id")
	}
	if !cxm.ValidText(c.ResponseID, 200) {
		errs.Add("response_id", "must be a response id")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	clock, err := db.caseClock(ctx, c.WorkspaceID)
	if err != nil {
		return fmt.Errorf("store: create case: %w", err)
	}
	ids, err := db.ids.take(ctx, 2)
	if err != nil {
		return fmt.Errorf("store: create case: %w", err)
	}
	now := db.stampNow()
	nc := *c
	nc.ID, nc.Title, nc.Status, nc.CreatedAt, nc.UpdatedAt = ids, title, cxm.CaseNew, now, now
	nc.FirstRespondedAt, nc.ResolvedAt, nc.ClosedAt, nc.Resolution, nc.Breached = nil, nil, nil, nil, []string{}
	if err := clock.deadlines(&nc); err != nil {
		return fmt.Errorf("store: create case: %w", err)
	}
	err = db.inTx(ctx, func(tx queryer) error {
		if err := checkCaseOwner(ctx, tx, nc.WorkspaceID, nc.TeamID, nc.AssigneeID); err != nil {
			return err
		}
		if err := linkCase(ctx, tx, &nc); err != nil {
			return err
		}
		if nc.ResponseID != "" {
			var open int64
			// The terms match the partial index cases_open_response, so the
			// check reads one entry instead of every open case.
			err := tx.queryRow(ctx, `SELECT id FROM cases WHERE workspace_id = ? AND response_id = ?
				AND response_id <> '' AND status IN ('new', 'in_progress', 'waiting')`, nc.WorkspaceID, nc.ResponseID).Scan(&open)
			if err == nil {
				return conflictOn("response_id", "already has the open case "+strconv.FormatInt(open, 10))
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		_, err := tx.exec(ctx, "INSERT INTO cases ("+caseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL,
			0, 0, '', '', 0, '', '', ?, ?)`,
			nc.ID, nc.WorkspaceID, nc.Title, string(nc.Status), string(nc.Priority), nc.TeamID, nc.AssigneeID, nc.ResponseID,
			nc.CustomerID, nc.TouchpointID, nc.RuleID, nullMicros(nc.FirstResponseDue), nullMicros(nc.ResolutionDue),
			micros(now), micros(now))
		if isUniqueViolation(err) {
			return conflictOn("response_id", "already has an open case")
		}
		if err != nil {
			return err
		}
		return appendCaseEvent(ctx, tx, nc.WorkspaceID, &cxm.CaseEvent{ID: ids + 1, CaseID: nc.ID, ActorUserID: actorUserID,
			Kind: "created", New: string(nc.Status), Body: nc.Title, At: now})
	})
	if err != nil {
		return fmt.Errorf("store: create case: %w", err)
	}
	*c = nc
	return nil
}

// FindCase returns the case with id in the workspace, or ENotFound.
func (db *DB) FindCase(ctx context.Context, workspaceID, id int64) (*cxm.Case, error) {
	c, err := findCase(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find case: %w", err)
	}
	return c.Case, nil
}

// ListCases returns one page of the workspace's cases that f selects,
// newest first, and the cursor of the next page, empty after the last.
func (db *DB) ListCases(ctx context.Context, workspaceID int64, f cxm.CaseFilter) ([]*cxm.Case, string, error) {
	p := f.Page.Normalize()
	before := int64(1<<63 - 1)
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		before = v[0]
	}
	q := "SELECT " + caseColumns + " FROM cases WHERE workspace_id = ? AND id < ?"
	args := []any{workspaceID, before}
	if len(f.Statuses) > 0 {
		q += " AND status IN (" + inList(len(f.Statuses)) + ")"
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if len(f.Priorities) > 0 {
		q += " AND priority IN (" + inList(len(f.Priorities)) + ")"
		for _, s := range f.Priorities {
			args = append(args, string(s))
		}
	}
	if len(f.TeamIDs) > 0 || f.Unowned || f.OrAssignedTo != 0 {
		var or []string
		if len(f.TeamIDs) > 0 {
			or = append(or, "team_id IN ("+inList(len(f.TeamIDs))+")")
			for _, id := range f.TeamIDs {
				args = append(args, id)
			}
		}
		if f.Unowned {
			or = append(or, "team_id = 0")
		}
		if f.OrAssignedTo != 0 {
			or = append(or, "assignee_id = ?")
			args = append(args, f.OrAssignedTo)
		}
		q += " AND (" + strings.Join(or, " OR ") + ")"
	}
	if f.AssigneeID != 0 {
		q += " AND assignee_id = ?"
		args = append(args, f.AssigneeID)
	}
	if f.CustomerID != 0 {
		q += " AND customer_id = ?"
		args = append(args, f.CustomerID)
	}
	if f.Breached {
		q += " AND (breached_first_response = 1 OR breached_resolution = 1)"
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list cases: %w", err)
	}
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.Case, string, error) {
		c, err := scanCase(row)
		if err != nil {
			return nil, "", err
		}
		return c.Case, encodeCursor(c.ID), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list cases: %w", err)
	}
	return out, next, nil
}

// validResolution checks r against the workspace's root causes; fields
// are named resolution.….
func validResolution(r *cxm.CaseResolution, s *cxm.CaseSettings) error {
	var errs cxm.FieldErrors
	if !r.Type.Valid() {
		errs.Add("resolution.type", "must be refund, discount, apology, callback, fix or no_action")
	}
	known := s == nil && r.RootCause != ""
	if s != nil {
		for _, rc := range s.RootCauses {
			known = known || rc.Key == r.RootCause
		}
	}
	if !known {
		errs.Add("resolution.root_cause", "must be one of the workspace's root causes")
	}
	switch {
	case r.Amount < 0:
		errs.Add("resolution.amount", "must not be negative")
	case r.Amount > 0 && r.Type != cxm.ResolutionRefund && r.Type != cxm.ResolutionDiscount:
		errs.Add("resolution.amount", "is only given for a refund or a discount")
	}
	if r.Type == cxm.ResolutionRefund || r.Type == cxm.ResolutionDiscount {
		if !currencyPattern.MatchString(r.Currency) {
			errs.Add("resolution.currency", "is required for a refund or a discount: a code such as EUR")
		}
	} else if r.Currency != "" {
		errs.Add("resolution.currency", "is only given for a refund or a discount")
	}
	if !cxm.ValidText(r.Note, maxCaseText) {
		errs.Add("resolution.note", "must be valid text of at most 20,000 bytes")
	}
	return errs.Err()
}

// resolutionText is a resolution as the timeline shows it.
func resolutionText(r *cxm.CaseResolution) string {
	if r == nil {
		return ""
	}
	s := string(r.Type) + " (" + r.RootCause + ")"
	if r.Amount > 0 || r.Currency != "" {
		s += " " + strconv.FormatFloat(r.Amount, 'f', -1, 64) + " " + r.Currency
	}
	return s
}

// idText is an id as the timeline shows it: empty for none.
func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// UpdateCase applies u, checking the lifecycle, and appends one event per
// changed field in the same transaction. A forbidden move is EConflict on
// status; moving to resolved needs a resolution whose root cause is one
// of the workspace's; a closed case changes no more. A new priority
// counts the SLA deadlines again from the case's creation.
func (db *DB) UpdateCase(ctx context.Context, workspaceID, id int64, u cxm.CaseUpdate, actorUserID int64) (*cxm.Case, error) {
	var errs cxm.FieldErrors
	if u.Status != nil && !u.Status.Valid() {
		errs.Add("status", "must be new, in_progress, waiting, resolved or closed")
	}
	if u.Priority != nil && !u.Priority.Valid() {
		errs.Add("priority", "must be low, normal, high or urgent")
	}
	if u.Title != nil {
		t, err := validTitle(*u.Title)
		errs = append(errs, cxm.ErrorFields(err)...)
		u.Title = &t
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	clock, err := db.caseClock(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: update case: %w", err)
	}
	if u.Resolution != nil {
		if err := validResolution(u.Resolution, clock.settings); err != nil {
			return nil, err
		}
	}
	ids, err := db.ids.take(ctx, 8)
	if err != nil {
		return nil, fmt.Errorf("store: update case: %w", err)
	}
	now := db.stampNow()
	var out *cxm.Case
	err = db.inTx(ctx, func(tx queryer) error {
		c, err := findCase(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		events, err := applyCaseUpdate(ctx, tx, c, u, clock, now)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			out = c.Case
			return nil
		}
		c.UpdatedAt = now
		if err := saveCase(ctx, tx, c); err != nil {
			return err
		}
		for i, e := range events {
			e.ID, e.CaseID, e.ActorUserID, e.At = ids+int64(i), c.ID, actorUserID, now
			if err := appendCaseEvent(ctx, tx, workspaceID, e); err != nil {
				return err
			}
		}
		out = c.Case
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update case: %w", err)
	}
	return out, nil
}

// applyCaseUpdate changes c by u and returns the events of the changes.
func applyCaseUpdate(ctx context.Context, tx queryer, c *caseRow, u cxm.CaseUpdate, clock caseClock, now time.Time) ([]*cxm.CaseEvent, error) {
	if c.Status == cxm.CaseClosed {
		return nil, conflictOn("status", "the case is closed and changes no more")
	}
	var events []*cxm.CaseEvent
	change := func(kind, old, new string) {
		if old != new {
			events = append(events, &cxm.CaseEvent{Kind: kind, Old: old, New: new})
		}
	}
	to := c.Status
	if u.Status != nil {
		to = *u.Status
	}
	if to != c.Status && !c.Status.CanMoveTo(to) {
		return nil, conflictOn("status", fmt.Sprintf("a case cannot move from %s to %s", c.Status, to))
	}
	if u.Resolution != nil && to != cxm.CaseResolved {
		return nil, cxm.Invalid(cxm.FieldError{Field: "resolution", Reason: "is only given when the case is resolved"})
	}
	if to == cxm.CaseResolved && c.Status != cxm.CaseResolved && u.Resolution == nil {
		return nil, cxm.Invalid(cxm.FieldError{Field: "resolution", Reason: "is required to resolve a case: a root cause and a type"})
	}
	team, assignee := c.TeamID, c.AssigneeID
	if u.TeamID != nil {
		team = *u.TeamID
	}
	if u.AssigneeID != nil {
		assignee = *u.AssigneeID
	}
	if team != c.TeamID || assignee != c.AssigneeID {
		if err := checkCaseOwner(ctx, tx, c.WorkspaceID, team, assignee); err != nil {
			return nil, err
		}
	}
	if u.Title != nil {
		change("title", c.Title, *u.Title)
		c.Title = *u.Title
	}
	if u.Priority != nil && *u.Priority != c.Priority {
		change("priority", string(c.Priority), string(*u.Priority))
		c.Priority = *u.Priority
		paused := *c.Case
		if err := clock.deadlines(c.Case); err != nil {
			return nil, err
		}
		if paused.FirstRespondedAt != nil {
			c.FirstResponseDue = paused.FirstResponseDue
		}
	}
	change("team", idText(c.TeamID), idText(team))
	change("assignee", idText(c.AssigneeID), idText(assignee))
	c.TeamID, c.AssigneeID = team, assignee
	if to != c.Status {
		change("status", string(c.Status), string(to))
		if c.Status == cxm.CaseWaiting && c.waitingSince != nil {
			clock.pause(c.Case, *c.waitingSince, now)
			c.waitingSince = nil
		}
		if c.Status == cxm.CaseNew && c.FirstRespondedAt == nil {
			c.FirstRespondedAt = &now
		}
		switch to {
		case cxm.CaseWaiting:
			c.waitingSince = &now
		case cxm.CaseResolved:
			c.ResolvedAt = &now
		case cxm.CaseClosed:
			c.ClosedAt = &now
		}
		c.Status = to
	}
	if u.Resolution != nil {
		change("resolution", resolutionText(c.Resolution), resolutionText(u.Resolution))
		r := *u.Resolution
		c.Resolution = &r
	}
	return events, nil
}

// CasesDue returns up to limit open cases of every workspace, oldest
// first, whose unmet SLA deadline lies at or before t and is not yet
// recorded as breached. Cases waiting on the customer are left out: their
// clocks pause.
func (db *DB) CasesDue(ctx context.Context, t time.Time, limit int) ([]*cxm.Case, error) {
	if limit <= 0 {
		limit = cxm.DefaultPageLimit
	}
	at := micros(t)
	rows, err := db.reader().query(ctx, "SELECT "+caseColumns+` FROM cases
		WHERE status IN ('new', 'in_progress')
		AND ((first_responded_at IS NULL AND breached_first_response = 0 AND first_response_due <= ?)
			OR (breached_resolution = 0 AND resolution_due <= ?))
		ORDER BY id LIMIT ?`, at, at, limit)
	if err != nil {
		return nil, fmt.Errorf("store: cases due: %w", err)
	}
	defer rows.Close()
	out := []*cxm.Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: cases due: %w", err)
		}
		out = append(out, c.Case)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cases due: %w", err)
	}
	return out, nil
}

// EscalateCase records that the open case missed e.Target with a breach
// event, then raises its priority and hands it to e's team and assignee
// as e says, with an escalation event per changed field (Body names the
// field). It acts once per target: a target already breached, or a case
// no longer open, changes nothing.
func (db *DB) EscalateCase(ctx context.Context, workspaceID, id int64, e cxm.Escalation) (*cxm.Case, error) {
	if e.Target != "first_response" && e.Target != "resolution" {
		return nil, cxm.Invalid(cxm.FieldError{Field: "target", Reason: "must be first_response or resolution"})
	}
	ids, err := db.ids.take(ctx, 4)
	if err != nil {
		return nil, fmt.Errorf("store: escalate case: %w", err)
	}
	at := e.At
	if at.IsZero() {
		at = db.stampNow()
	}
	at = at.UTC().Truncate(time.Microsecond)
	var out *cxm.Case
	err = db.inTx(ctx, func(tx queryer) error {
		c, err := findCase(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		out = c.Case
		if !c.Status.Open() || breachedFlag(c.Case, e.Target) == 1 {
			return nil
		}
		events := []*cxm.CaseEvent{{Kind: "breach", New: e.Target}}
		was := c.Breached
		c.Breached = []string{}
		for _, target := range []string{"first_response", "resolution"} {
			if target == e.Target || slices.Contains(was, target) {
				c.Breached = append(c.Breached, target)
			}
		}
		if e.RaisePriority && c.Priority.Raised() != c.Priority {
			events = append(events, &cxm.CaseEvent{Kind: "escalation", Body: "priority", Old: string(c.Priority), New: string(c.Priority.Raised())})
			c.Priority = c.Priority.Raised()
		}
		if e.TeamID != 0 || e.AssigneeID != 0 {
			team, assignee := c.TeamID, c.AssigneeID
			if e.TeamID != 0 {
				team = e.TeamID
			}
			if e.AssigneeID != 0 {
				assignee = e.AssigneeID
			}
			if err := checkCaseOwner(ctx, tx, workspaceID, team, assignee); err != nil {
				return err
			}
			if team != c.TeamID {
				events = append(events, &cxm.CaseEvent{Kind: "escalation", Body: "team", Old: idText(c.TeamID), New: idText(team)})
			}
			if assignee != c.AssigneeID {
				events = append(events, &cxm.CaseEvent{Kind: "escalation", Body: "assignee", Old: idText(c.AssigneeID), New: idText(assignee)})
			}
			c.TeamID, c.AssigneeID = team, assignee
		}
		c.UpdatedAt = at
		if err := saveCase(ctx, tx, c); err != nil {
			return err
		}
		for i, ev := range events {
			ev.ID, ev.CaseID, ev.At = ids+int64(i), c.ID, at
			if err := appendCaseEvent(ctx, tx, workspaceID, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: escalate case: %w", err)
	}
	return out, nil
}
