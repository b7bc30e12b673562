package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.ResponseService.
var _ cxm.ResponseService = (*DB)(nil)

// responseSelect reads a response with its row id, the external id of its
// customer and the key of its touchpoint.
const responseSelect = `SELECT r.id, r.public_id, r.workspace_id, r.survey_id, r.customer_id, c.external_id, r.anonymous_id,
	r.invitation_id, t.key, r.channel, r.source, r.locale, r.answers, r.hidden, r.completed,
	r.nps, r.nps_class, r.csat, r.ces, r.rating, r.started_at, r.updated_at, r.completed_at
	FROM responses r
	LEFT JOIN customers c ON c.id = r.customer_id
	LEFT JOIN touchpoints t ON t.id = r.touchpoint_id`

// scanResponse reads one row of responseSelect and returns its row id.
func scanResponse(s scanner) (int64, *cxm.Response, error) {
	var rowID int64
	var r cxm.Response
	var customerID, invitationID, nps, csat, ces, rating, completedAt sql.NullInt64
	var ext, anon, tpKey, npsClass sql.NullString
	var answers, hidden string
	var completed int
	var started, updated int64
	err := s.Scan(&rowID, &r.ID, &r.WorkspaceID, &r.SurveyID, &customerID, &ext, &anon, &invitationID, &tpKey,
		&r.Channel, &r.Source, &r.Locale, &answers, &hidden, &completed,
		&nps, &npsClass, &csat, &ces, &rating, &started, &updated, &completedAt)
	if err != nil {
		return 0, nil, err
	}
	r.CustomerID, r.Customer, r.AnonymousID = customerID.Int64, ext.String, anon.String
	r.InvitationID, r.Touchpoint = invitationID.Int64, tpKey.String
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return 0, nil, fmt.Errorf("decode answers of response %s: %w", r.ID, err)
	}
	if r.Answers == nil {
		r.Answers = cxm.Answers{}
	}
	if err := json.Unmarshal([]byte(hidden), &r.Hidden); err != nil {
		return 0, nil, fmt.Errorf("decode hidden fields of response %s: %w", r.ID, err)
	}
	r.Completed = completed != 0
	r.NPS, r.CSAT, r.CES, r.Rating = intPtr(nps), intPtr(csat), intPtr(ces), intPtr(rating)
	r.NPSClass = cxm.NPSClass(npsClass.String)
	r.StartedAt, r.UpdatedAt, r.CompletedAt = fromMicros(started), fromMicros(updated), timePtr(completedAt)
	return rowID, &r, nil
}

// intPtr turns a nullable stored integer into an *int.
func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// nullInt returns nil for a nil *int, so that it is stored as NULL.
func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullID returns nil for a zero id, so that it is stored as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// findResponse reads the response with public id of workspace ws through q.
func findResponse(ctx context.Context, q queryer, ws int64, id string) (*cxm.Response, error) {
	_, r, err := scanResponse(q.queryRow(ctx, responseSelect+" WHERE r.workspace_id = ? AND r.public_id = ?", ws, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("response")
	}
	return r, err
}

// validSources are the sources a response may have.
var validSources = []string{cxm.SourceLink, cxm.SourceQR, cxm.SourceEmail, cxm.SourceWidget, cxm.SourceAPI, cxm.SourceImport}

// checkResponse checks the fields of r that the store relies on; the
// answers themselves are validated against the survey by the caller.
func checkResponse(r *cxm.Response) error {
	var errs cxm.FieldErrors
	if r.ID != "" && !cxm.ValidText(r.ID, cxm.MaxIDLength) {
		errs.Add("id", "must be valid text of at most 128 bytes")
	}
	if !cxm.ValidText(r.Customer, cxm.MaxTextLength) {
		errs.Add("customer", "must be valid text of at most 200 bytes")
	}
	if !cxm.ValidText(r.AnonymousID, cxm.MaxTextLength) {
		errs.Add("anonymous_id", "must be valid text of at most 200 bytes")
	}
	if r.Touchpoint != "" && !cxm.ValidSlug(r.Touchpoint) {
		errs.Add("touchpoint", "must be a touchpoint key")
	}
	found := false
	for _, s := range validSources {
		found = found || s == r.Source
	}
	if !found {
		errs.Add("source", "must be link, qr, email, widget, api or import")
	}
	if !cxm.ValidLocale(r.Locale) {
		errs.Add("locale", "must be de or en")
	}
	for k, v := range r.Hidden {
		if !cxm.ValidText(k, 64) || !cxm.ValidText(v, cxm.MaxTextLength) {
			errs.Add("hidden."+k, "must be valid text of at most 200 bytes")
		}
	}
	return errs.Err()
}

// errResponseExists means that a response with the submitted id exists
// (or another transaction inserted it first): the submit runs again,
// merging into it.
// FindResponse returns the response with id of the workspace, or ENotFound.
func (db *DB) FindResponse(ctx context.Context, workspaceID int64, id string) (*cxm.Response, error) {
	r, err := findResponse(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find response: %w", err)
	}
	return r, nil
}

// ListResponses returns one page of the workspace's responses, newest
// started first, filtered by f, and the cursor of the next page, empty
// after the last. From and To bound the start time.
func (db *DB) ListResponses(ctx context.Context, workspaceID int64, f cxm.ResponseFilter) ([]*cxm.Response, string, error) {
	p := f.Page.Normalize()
	var b strings.Builder
	b.WriteString(responseSelect + " WHERE r.workspace_id = ?")
	args := []any{workspaceID}
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 2)
		if err != nil {
			return nil, "", err
		}
		b.WriteString(" AND (r.started_at < ? OR (r.started_at = ? AND r.id < ?))")
		args = append(args, v[0], v[0], v[1])
	}
	if f.SurveyID != 0 {
		b.WriteString(" AND r.survey_id = ?")
		args = append(args, f.SurveyID)
	}
	if f.Touchpoint != "" {
		b.WriteString(" AND r.touchpoint_id IN (SELECT id FROM touchpoints WHERE workspace_id = ? AND key = ?)")
		args = append(args, workspaceID, f.Touchpoint)
	}
	if f.CustomerID != 0 {
		b.WriteString(" AND r.customer_id = ?")
		args = append(args, f.CustomerID)
	}
	if !f.From.IsZero() {
		b.WriteString(" AND r.started_at >= ?")
		args = append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		b.WriteString(" AND r.started_at < ?")
		args = append(args, micros(f.To))
	}
	if f.MinNPS != nil {
		b.WriteString(" AND r.nps >= ?")
		args = append(args, *f.MinNPS)
	}
	if f.MaxNPS != nil {
		b.WriteString(" AND r.nps <= ?")
		args = append(args, *f.MaxNPS)
	}
	if f.Completed != nil {
		b.WriteString(" AND r.completed = ?")
		args = append(args, boolInt(*f.Completed))
	}
	b.WriteString(" ORDER BY r.started_at DESC, r.id DESC LIMIT ?")
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, b.String(), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list responses: %w", err)
	}
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.Response, string, error) {
		id, r, err := scanResponse(row)
		if err != nil {
			return nil, "", err
		}
		return r, encodeCursor(micros(r.StartedAt), id), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list responses: %w", err)
	}
	return out, next, nil
}

// DeleteResponse erases the response with id of the workspace, or
// ENotFound, and takes it out of the rollups in the same transaction.
func (db *DB) DeleteResponse(ctx context.Context, workspaceID int64, id string) error {
	err := db.inTx(ctx, func(tx queryer) error {
		if err := db.forgetResponses(ctx, tx, workspaceID, "public_id = ?", id); err != nil {
			return err
		}
		if err := deleteTextAnalysis(ctx, tx, workspaceID, "response_id = ?", id); err != nil {
			return err
		}
		res, err := tx.exec(ctx, "DELETE FROM responses WHERE workspace_id = ? AND public_id = ?", workspaceID, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return cxm.NotFound("response")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete response: %w", err)
	}
	return nil
}
