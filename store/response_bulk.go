package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
)

// importCols is the number of columns ImportResponses writes per response.
const importCols = 23

// insertResponsesSQL returns the bulk insert statement for rows responses.
// It returns the row id of every response it stored, so that a response
// whose id exists already is neither stored nor counted.
func insertResponsesSQL(rows int) string {
	return `INSERT INTO responses (id, workspace_id, public_id, survey_id, customer_id, anonymous_id,
		invitation_id, touchpoint_id, channel, source, locale, answers, hidden, completed, nps, nps_class, csat, ces, rating,
		started_at, updated_at, completed_at, text_state) VALUES ` + placeholders(rows, importCols) +
		` ON CONFLICT (workspace_id, public_id) DO NOTHING RETURNING id`
}

// ImportResponses stores rs, responses that the caller has validated
// against their surveys and whose scores it has derived, such as imported
// history or benchmark data, in one transaction with multi-row statements.
// It returns how many it stored.
//
// Every response needs an id; a response whose id is stored already, or
// repeats an earlier one of rs, is skipped and not counted, so that a
// repeated import changes nothing. Each response's survey must exist in
// the workspace, and its touchpoint key, if any, must name a touchpoint
// of the workspace (EInvalid naming responses[i] otherwise); the store
// resolves keys to id and channel once per call. Unlike SubmitResponse,
// it resolves no customers: customer_id stays NULL unless r.CustomerID is
// set, which the caller must have taken from this workspace, and
// r.Customer is ignored. Invitations cannot be imported. StartedAt and
// CompletedAt are kept as given (now where zero); UpdatedAt becomes the
// later of the two. The records get their channel and times as stored,
// and the NPS class follows from the NPS score.
//
// The rollups get one aggregated change for the completed responses that
// were stored, in the same transaction, so they stay exact.
func (db *DB) ImportResponses(ctx context.Context, workspaceID int64, rs []*cxm.Response) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	if err := checkImport(workspaceID, rs); err != nil {
		return 0, err
	}
	first, err := db.ids.take(ctx, len(rs))
	if err != nil {
		return 0, fmt.Errorf("store: import responses: %w", err)
	}
	now := db.stampNow()
	inserted := 0
	err = db.inTx(ctx, func(tx queryer) error {
		var err error
		inserted, err = db.importResponses(ctx, tx, workspaceID, rs, first, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: import responses: %w", err)
	}
	return inserted, nil
}

// checkImport checks what ImportResponses needs of each response before
// it takes ids or opens a transaction.
func checkImport(workspaceID int64, rs []*cxm.Response) error {
	var errs cxm.FieldErrors
	for i, r := range rs {
		at := "responses[" + strconv.Itoa(i) + "]."
		switch {
		case r == nil:
			errs.Add("responses["+strconv.Itoa(i)+"]", "must be a response")
			continue
		case r.ID == "":
			errs.Add(at+"id", "is required")
		case r.WorkspaceID != 0 && r.WorkspaceID != workspaceID:
			errs.Add(at+"workspace_id", "belongs to another workspace")
		case r.InvitationID != 0:
			errs.Add(at+"invitation_id", "cannot be imported")
		}
		if err := checkResponse(r); err != nil {
			var e *cxm.Error
			if !errors.As(err, &e) {
				return err
			}
			for _, f := range e.Fields {
				errs.Add(at+f.Field, f.Reason)
			}
		}
	}
	return errs.Err()
}

// importResponses does the work of ImportResponses inside tx; the rows get
// the ids first, first+1, ….
func (db *DB) importResponses(ctx context.Context, tx queryer, ws int64, rs []*cxm.Response, first int64, now time.Time) (int, error) {
	loc, err := db.workspaceLocation(ctx, tx, ws)
	if err != nil {
		return 0, cxm.NotFound("workspace")
	}
	tps, err := loadTouchpointRefs(ctx, tx, ws)
	if err != nil {
		return 0, err
	}
	if err := checkImportRefs(ctx, tx, ws, rs, tps); err != nil {
		return 0, err
	}
	size := bulkRows(tx.dialect())
	stmts := newBulkStmts(ctx, tx, insertResponsesSQL)
	defer stmts.close()
	// days holds each response's local completion day, for the rollups.
	days := make([]int, len(rs))
	args := make([]any, 0, min(len(rs), size)*importCols)
	wsArg := any(ws)
	d := rollupDelta{}
	inserted := 0
	for start := 0; start < len(rs); start += size {
		end := min(start+size, len(rs))
		args = args[:0]
		for i := start; i < end; i++ {
			r := rs[i]
			row, day, err := importRow(r, tps, loc, now)
			if err != nil {
				return 0, fmt.Errorf("response %d: %w", i, err)
			}
			days[i] = day
			args = append(args, first+int64(i), wsArg)
			args = append(args, row...)
		}
		rows, err := stmts.query(end-start, args)
		if err != nil {
			return 0, fmt.Errorf("insert responses: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, fmt.Errorf("insert responses: %w", err)
			}
			i := id - first
			if i < int64(start) || i >= int64(end) {
				rows.Close()
				return 0, fmt.Errorf("insert responses: returned row id %d is not of this batch", id)
			}
			inserted++
			if r := rs[i]; r.Completed {
				k := rollupKey{day: days[i], surveyID: r.SurveyID, touchpointID: tps[r.Touchpoint].id,
					channel: string(tps[r.Touchpoint].channel), locale: r.Locale}
				d.add(k, r.NPS, r.CSAT, r.CES, r.Rating, 1)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return 0, fmt.Errorf("insert responses: %w", err)
		}
	}
	if err := applyRollup(ctx, tx, ws, d); err != nil {
		return 0, err
	}
	return inserted, nil
}

// checkImportRefs checks that every response's survey exists in the
// workspace and that its touchpoint key, if any, is known.
func checkImportRefs(ctx context.Context, tx queryer, ws int64, rs []*cxm.Response, tps map[string]touchpointRef) error {
	surveys := map[int64]bool{}
	var ids []any
	for i, r := range rs {
		if _, ok := tps[r.Touchpoint]; r.Touchpoint != "" && !ok {
			return cxm.Invalid(cxm.FieldError{Field: "responses[" + strconv.Itoa(i) + "].touchpoint", Reason: "unknown touchpoint " + r.Touchpoint})
		}
		if _, seen := surveys[r.SurveyID]; !seen {
			surveys[r.SurveyID] = false
			ids = append(ids, r.SurveyID)
		}
	}
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		rows, err := tx.query(ctx, "SELECT id FROM surveys WHERE workspace_id = ? AND id IN ("+inList(len(chunk))+")",
			append([]any{ws}, chunk...)...)
		if err != nil {
			return fmt.Errorf("find surveys: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("find surveys: %w", err)
			}
			surveys[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("find surveys: %w", err)
		}
	}
	for i, r := range rs {
		if !surveys[r.SurveyID] {
			return cxm.Invalid(cxm.FieldError{Field: "responses[" + strconv.Itoa(i) + "].survey_id", Reason: "refers to no survey of this workspace"})
		}
	}
	return nil
}

// importRow returns the stored values of r after its row id and workspace,
// in the column order of insertResponsesSQL, and its local completion day
// (zero while partial). It fills r's touchpoint channel and times as stored.
func importRow(r *cxm.Response, tps map[string]touchpointRef, loc *time.Location, now time.Time) ([]any, int, error) {
	answers := r.Answers
	if answers == nil {
		answers = cxm.Answers{}
	}
	a, err := encodeJSONText("answers", answers)
	if err != nil {
		return nil, 0, err
	}
	h := "{}"
	if len(r.Hidden) > 0 {
		if h, err = encodeJSONText("hidden", r.Hidden); err != nil {
			return nil, 0, err
		}
	}
	tp := tps[r.Touchpoint]
	r.Channel, r.NPSClass = tp.channel, ""
	if r.NPS != nil {
		r.NPSClass = cxm.ClassifyNPS(*r.NPS)
	}
	r.StartedAt = r.StartedAt.UTC().Truncate(time.Microsecond)
	if r.StartedAt.IsZero() {
		r.StartedAt = now
	}
	r.UpdatedAt = r.StartedAt
	day := 0
	if r.Completed {
		t := now
		if r.CompletedAt != nil && !r.CompletedAt.IsZero() {
			t = r.CompletedAt.UTC().Truncate(time.Microsecond)
		}
		r.CompletedAt = &t
		if t.After(r.UpdatedAt) {
			r.UpdatedAt = t
		}
		day = cxm.LocalDay(t, loc)
	} else {
		r.CompletedAt = nil
	}
	return []any{r.ID, r.SurveyID, nullID(r.CustomerID), nullString(r.AnonymousID), nil, nullID(tp.id),
		string(tp.channel), r.Source, r.Locale, a, h, boolInt(r.Completed), nullInt(r.NPS), nullString(string(r.NPSClass)),
		nullInt(r.CSAT), nullInt(r.CES), nullInt(r.Rating), micros(r.StartedAt), micros(r.UpdatedAt),
		nullMicros(r.CompletedAt), textState(r.Completed, answers)}, day, nil
}
