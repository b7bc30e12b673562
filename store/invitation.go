package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.InvitationService.
var _ cxm.InvitationService = (*DB)(nil)

const invitationColumns = `id, workspace_id, survey_id, customer_id, touchpoint_key, channel, interaction_id, locale,
	hidden, email, status, skip_reason, last_error, response_id, due_at, expires_at, contacted_at, sent_at,
	reminded_at, opened_at, answered_at, created_at, updated_at, version`

// scanInvitation reads one row of invitationColumns.
func scanInvitation(s scanner) (*cxm.Invitation, error) {
	var inv cxm.Invitation
	var customer, interaction, contacted, sent, reminded, opened, answered sql.NullInt64
	var response sql.NullString
	var hidden, status string
	var due, expires, created, updated int64
	err := s.Scan(&inv.ID, &inv.WorkspaceID, &inv.SurveyID, &customer, &inv.Touchpoint, &inv.Channel, &interaction,
		&inv.Locale, &hidden, &inv.Email, &status, &inv.SkipReason, &inv.LastError, &response, &due, &expires,
		&contacted, &sent, &reminded, &opened, &answered, &created, &updated, &inv.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(hidden), &inv.Hidden); err != nil {
		return nil, fmt.Errorf("decode hidden fields of invitation %d: %w", inv.ID, err)
	}
	inv.CustomerID, inv.InteractionID, inv.ResponseID = customer.Int64, interaction.Int64, response.String
	inv.Status = cxm.InvitationStatus(status)
	inv.DueAt, inv.ExpiresAt = fromMicros(due), fromMicros(expires)
	inv.ContactedAt, inv.SentAt, inv.RemindedAt = timePtr(contacted), timePtr(sent), timePtr(reminded)
	inv.OpenedAt, inv.AnsweredAt = timePtr(opened), timePtr(answered)
	inv.CreatedAt, inv.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &inv, nil
}

// findInvitation reads invitation id of workspace ws through q, or
// ENotFound. With lock set it locks the row on PostgreSQL.
func findInvitation(ctx context.Context, q queryer, ws, id int64, lock bool) (*cxm.Invitation, error) {
	query := "SELECT " + invitationColumns + " FROM invitations WHERE workspace_id = ? AND id = ?"
	if lock && q.dialect() == Postgres {
		query += " FOR UPDATE"
	}
	inv, err := scanInvitation(q.queryRow(ctx, query, ws, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("invitation")
	}
	return inv, err
}

// truncTime returns t in UTC to the microsecond, as the database keeps it.
func truncTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// truncPtr is truncTime for an optional time.
func truncPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	v := truncTime(*t)
	return &v
}

// normalizeTimes truncates every time of inv as the database keeps it, so
// that what a caller holds equals what it reads back.
func normalizeTimes(inv *cxm.Invitation) {
	inv.DueAt, inv.ExpiresAt = truncTime(inv.DueAt), truncTime(inv.ExpiresAt)
	inv.ContactedAt, inv.SentAt, inv.RemindedAt = truncPtr(inv.ContactedAt), truncPtr(inv.SentAt), truncPtr(inv.RemindedAt)
	inv.OpenedAt, inv.AnsweredAt = truncPtr(inv.OpenedAt), truncPtr(inv.AnsweredAt)
}

// CreateInvitation validates and stores inv. Its survey and customer
// must be the workspace's (EInvalid otherwise). A second invitation for
// the same survey and interaction stores nothing, sets inv to the first
// and reports false, so that a replayed trigger is a no-op.
func (db *DB) CreateInvitation(ctx context.Context, inv *cxm.Invitation) (bool, error) {
	created, err := db.createInvitation(ctx, inv, "")
	if err != nil {
		return false, fmt.Errorf("store: create invitation: %w", err)
	}
	return created, nil
}

// ScheduleInvitation is CreateInvitation that also enqueues, in the same
// transaction, the job of kind that acts on a new scheduled invitation at
// its due time: payload cxm.InvitationJob, unique key the invitation's id.
func (db *DB) ScheduleInvitation(ctx context.Context, inv *cxm.Invitation, kind string) (bool, error) {
	if !cxm.ValidJobKind(kind) {
		return false, fmt.Errorf("store: schedule invitation: invalid job kind %q", kind)
	}
	created, err := db.createInvitation(ctx, inv, kind)
	if err != nil {
		return false, fmt.Errorf("store: schedule invitation: %w", err)
	}
	return created, nil
}

// createInvitation stores inv and, with kind set and inv scheduled, its job.
func (db *DB) createInvitation(ctx context.Context, inv *cxm.Invitation, kind string) (bool, error) {
	if err := inv.Validate(); err != nil {
		return false, err
	}
	normalizeTimes(inv)
	hidden, err := encodeJSONText("hidden", inv.Hidden)
	if err != nil {
		return false, err
	}
	// One id for the invitation, one for its job.
	first, err := db.ids.take(ctx, 2)
	if err != nil {
		return false, err
	}
	now := db.stampNow()
	var created bool
	var stored *cxm.Invitation
	err = db.inTx(ctx, func(tx queryer) error {
		created, stored = false, nil
		var one int
		err := tx.queryRow(ctx, "SELECT 1 FROM surveys WHERE workspace_id = ? AND id = ?", inv.WorkspaceID, inv.SurveyID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.Invalid(cxm.FieldError{Field: "survey_id", Reason: "unknown survey"})
		}
		if err != nil {
			return fmt.Errorf("find survey: %w", err)
		}
		if inv.CustomerID != 0 {
			if err := customerExists(ctx, tx, inv.WorkspaceID, inv.CustomerID); err != nil {
				if cxm.ErrorCode(err) == cxm.ENotFound {
					return cxm.Invalid(cxm.FieldError{Field: "customer_id", Reason: "unknown customer"})
				}
				return err
			}
		}
		res, err := tx.exec(ctx, `INSERT INTO invitations (id, workspace_id, survey_id, customer_id, touchpoint_key, channel,
			interaction_id, locale, hidden, email, status, skip_reason, last_error, response_id, due_at, expires_at,
			contacted_at, sent_at, reminded_at, opened_at, answered_at, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
			ON CONFLICT DO NOTHING`,
			first, inv.WorkspaceID, inv.SurveyID, nullID(inv.CustomerID), inv.Touchpoint, inv.Channel,
			nullID(inv.InteractionID), inv.Locale, hidden, inv.Email, string(inv.Status), inv.SkipReason, inv.LastError,
			nullString(inv.ResponseID), micros(inv.DueAt), micros(inv.ExpiresAt), nullMicros(inv.ContactedAt),
			nullMicros(inv.SentAt), nullMicros(inv.RemindedAt), nullMicros(inv.OpenedAt), nullMicros(inv.AnsweredAt),
			micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if n == 0 {
			if inv.InteractionID == 0 {
				return fmt.Errorf("invitation id %d already taken", first)
			}
			stored, err = scanInvitation(tx.queryRow(ctx, "SELECT "+invitationColumns+` FROM invitations
				WHERE workspace_id = ? AND survey_id = ? AND interaction_id = ?`, inv.WorkspaceID, inv.SurveyID, inv.InteractionID))
			if err != nil {
				return fmt.Errorf("find triggered invitation: %w", err)
			}
			return nil
		}
		created = true
		if kind == "" || inv.Status != cxm.InvitationScheduled {
			return nil
		}
		payload, err := json.Marshal(cxm.InvitationJob{InvitationID: first})
		if err != nil {
			return err
		}
		j := &cxm.Job{WorkspaceID: inv.WorkspaceID, Kind: kind, Payload: payload,
			UniqueKey: strconv.FormatInt(first, 10), RunAt: inv.DueAt}
		if _, err := enqueueJob(ctx, tx, first+1, now, j); err != nil {
			return fmt.Errorf("enqueue %s: %w", kind, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if !created {
		*inv = *stored
		return false, nil
	}
	inv.ID, inv.CreatedAt, inv.UpdatedAt, inv.Version = first, now, now, 0
	return true, nil
}

// FindInvitation returns the workspace's invitation with id, or ENotFound.
func (db *DB) FindInvitation(ctx context.Context, workspaceID, id int64) (*cxm.Invitation, error) {
	inv, err := findInvitation(ctx, db.reader(), workspaceID, id, false)
	if err != nil {
		return nil, fmt.Errorf("store: find invitation: %w", err)
	}
	return inv, nil
}

// ListInvitations returns one page of the workspace's invitations, newest
// first, filtered by survey, customer and status, and the cursor of the
// next page, empty after the last.
func (db *DB) ListInvitations(ctx context.Context, workspaceID int64, f cxm.InvitationFilter) ([]*cxm.Invitation, string, error) {
	p := f.Page.Normalize()
	var b strings.Builder
	b.WriteString("SELECT " + invitationColumns + " FROM invitations WHERE workspace_id = ?")
	args := []any{workspaceID}
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		b.WriteString(" AND id < ?")
		args = append(args, v[0])
	}
	if f.SurveyID != 0 {
		b.WriteString(" AND survey_id = ?")
		args = append(args, f.SurveyID)
	}
	if f.CustomerID != 0 {
		b.WriteString(" AND customer_id = ?")
		args = append(args, f.CustomerID)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, "", cxm.Invalid(cxm.FieldError{Field: "status", Reason: "is not a known invitation status"})
		}
		b.WriteString(" AND status = ?")
		args = append(args, string(f.Status))
	}
	b.WriteString(" ORDER BY id DESC LIMIT ?")
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, b.String(), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list invitations: %w", err)
	}
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.Invitation, string, error) {
		inv, err := scanInvitation(row)
		if err != nil {
			return nil, "", err
		}
		return inv, encodeCursor(inv.ID), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list invitations: %w", err)
	}
	return out, next, nil
}

// errInvitationChanged is the answer to an update of an invitation that
// changed since it was read.
func errInvitationChanged(id int64) error {
	return cxm.Errorf(cxm.EConflict, "invitation %d changed meanwhile; read it again", id)
}

// UpdateInvitation stores the status, skip reason, last error, email,
// response and timestamps of inv if it is still at inv.Version, and
// counts the version up; a changed invitation is EConflict. The first
// opening time is never cleared.
func (db *DB) UpdateInvitation(ctx context.Context, inv *cxm.Invitation) error {
	if err := inv.Validate(); err != nil {
		return fmt.Errorf("store: update invitation: %w", err)
	}
	normalizeTimes(inv)
	now := db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, `UPDATE invitations SET status = ?, skip_reason = ?, last_error = ?, email = ?,
			response_id = ?, contacted_at = ?, sent_at = ?, reminded_at = ?, opened_at = COALESCE(opened_at, ?),
			answered_at = ?, updated_at = ?, version = version + 1
			WHERE workspace_id = ? AND id = ? AND version = ?`,
			string(inv.Status), inv.SkipReason, inv.LastError, inv.Email, nullString(inv.ResponseID),
			nullMicros(inv.ContactedAt), nullMicros(inv.SentAt), nullMicros(inv.RemindedAt), nullMicros(inv.OpenedAt),
			nullMicros(inv.AnsweredAt), micros(now), inv.WorkspaceID, inv.ID, inv.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			return nil
		}
		if _, err := findInvitation(ctx, tx, inv.WorkspaceID, inv.ID, false); err != nil {
			return err
		}
		return errInvitationChanged(inv.ID)
	})
	if err != nil {
		return fmt.Errorf("store: update invitation: %w", err)
	}
	inv.UpdatedAt = now
	inv.Version++
	return nil
}

// OpenInvitation records at as the first time the invitation's link was
// opened; later opens change nothing.
func (db *DB) OpenInvitation(ctx context.Context, workspaceID, id int64, at time.Time) error {
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, `UPDATE invitations SET opened_at = ? WHERE workspace_id = ? AND id = ? AND opened_at IS NULL`,
			micros(truncTime(at)), workspaceID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		_, err = findInvitation(ctx, tx, workspaceID, id, false)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: open invitation: %w", err)
	}
	return nil
}

// NextWidgetInvitation returns the customer's oldest due widget
// invitation that is waiting or shown and not expired at now, or ENotFound.
func (db *DB) NextWidgetInvitation(ctx context.Context, workspaceID, customerID int64, now time.Time) (*cxm.Invitation, error) {
	us := micros(now)
	inv, err := scanInvitation(db.reader().queryRow(ctx, "SELECT "+invitationColumns+` FROM invitations
		WHERE workspace_id = ? AND customer_id = ? AND channel = ? AND status IN (?, ?) AND due_at <= ? AND expires_at > ?
		ORDER BY due_at, id LIMIT 1`,
		workspaceID, customerID, cxm.InviteWidget, string(cxm.InvitationWaiting), string(cxm.InvitationShown), us, us))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("invitation")
	}
	if err != nil {
		return nil, fmt.Errorf("store: next widget invitation: %w", err)
	}
	return inv, nil
}

// lastContact returns when customer was last asked in workspace ws by any
// survey and by survey surveyID: the latest contacted_at of their
// invitations other than exclude, or the latest completion of their
// responses, whichever is later; nil where never.
func lastContact(ctx context.Context, q queryer, ws, customer, surveyID, exclude int64) (anySurvey, thisSurvey *time.Time, err error) {
	var invAny, invThis, respAny, respThis sql.NullInt64
	err = q.queryRow(ctx, `SELECT MAX(contacted_at), MAX(CASE WHEN survey_id = ? THEN contacted_at END) FROM invitations
		WHERE workspace_id = ? AND customer_id = ? AND contacted_at IS NOT NULL AND id <> ?`,
		surveyID, ws, customer, exclude).Scan(&invAny, &invThis)
	if err != nil {
		return nil, nil, fmt.Errorf("last invitation: %w", err)
	}
	err = q.queryRow(ctx, `SELECT MAX(completed_at), MAX(CASE WHEN survey_id = ? THEN completed_at END) FROM responses
		WHERE workspace_id = ? AND customer_id = ? AND completed = 1`,
		surveyID, ws, customer).Scan(&respAny, &respThis)
	if err != nil {
		return nil, nil, fmt.Errorf("last response: %w", err)
	}
	return timePtr(later(invAny, respAny)), timePtr(later(invThis, respThis)), nil
}

// later returns the later of two nullable times.
func later(a, b sql.NullInt64) sql.NullInt64 {
	if !a.Valid || (b.Valid && b.Int64 > a.Int64) {
		return b
	}
	return a
}

// LastContact returns when the customer was last asked by any survey of
// the workspace (an invitation that reached them, or a completed
// response) and when by survey surveyID; nil where never.
func (db *DB) LastContact(ctx context.Context, workspaceID, customerID, surveyID int64) (anySurvey, thisSurvey *time.Time, err error) {
	anySurvey, thisSurvey, err = lastContact(ctx, db.reader(), workspaceID, customerID, surveyID, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("store: last contact: %w", err)
	}
	return anySurvey, thisSurvey, nil
}

// contactSkipReason applies the contact rules to inv at now: the survey's
// recontact period, then the workspace's contact frequency, counting
// every contact of the customer but inv itself. It returns "" when the
// customer may be asked.
func contactSkipReason(ctx context.Context, q queryer, inv *cxm.Invitation, now time.Time) (string, error) {
	var frequencyDays int
	err := q.queryRow(ctx, "SELECT contact_frequency_days FROM workspaces WHERE id = ?", inv.WorkspaceID).Scan(&frequencyDays)
	if err != nil {
		return "", fmt.Errorf("read contact frequency: %w", err)
	}
	var def string
	err = q.queryRow(ctx, "SELECT definition FROM surveys WHERE workspace_id = ? AND id = ?", inv.WorkspaceID, inv.SurveyID).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return cxm.SkipSurveyNotOpen, nil
	}
	if err != nil {
		return "", fmt.Errorf("read survey: %w", err)
	}
	var sv struct {
		RecontactDays int `json:"recontact_days"`
	}
	if err := json.Unmarshal([]byte(def), &sv); err != nil {
		return "", fmt.Errorf("decode survey %d: %w", inv.SurveyID, err)
	}
	anyAt, thisAt, err := lastContact(ctx, q, inv.WorkspaceID, inv.CustomerID, inv.SurveyID, inv.ID)
	if err != nil {
		return "", err
	}
	return cxm.ContactSkipReason(frequencyDays, sv.RecontactDays, anyAt, thisAt, now), nil
}

// ClaimContact decides in one transaction whether the customer of
// invitation id may be asked at now and, when so, records the contact:
// status becomes status, contacted_at now and, for email, the address
// the customer has now. Otherwise the invitation becomes skipped with the
// reason: customer_gone, no_consent, no_email (email only), recontact or
// contact_frequency. On PostgreSQL the customer's row is locked first, so
// that two claims for one customer, from any node, run one after the
// other and the second counts the first; SQLite's single writer
// serialises them anyway.
func (db *DB) ClaimContact(ctx context.Context, workspaceID, id int64, status cxm.InvitationStatus, now time.Time) (*cxm.Invitation, error) {
	if !status.Valid() || status == cxm.InvitationSkipped {
		return nil, fmt.Errorf("store: claim contact: invalid status %q", status)
	}
	now = truncTime(now)
	stamp := db.stampNow()
	var out *cxm.Invitation
	err := db.inTx(ctx, func(tx queryer) error {
		inv, err := findInvitation(ctx, tx, workspaceID, id, true)
		if err != nil {
			return err
		}
		if inv.Status != cxm.InvitationScheduled && inv.Status != cxm.InvitationWaiting {
			return conflictOn("status", "is "+string(inv.Status)+"; only a scheduled or waiting invitation can be claimed")
		}
		lock := ""
		if tx.dialect() == Postgres {
			lock = " FOR UPDATE"
		}
		var email string
		var consent int
		reason := ""
		err = tx.queryRow(ctx, "SELECT email, consent_email FROM customers WHERE workspace_id = ? AND id = ?"+lock,
			workspaceID, inv.CustomerID).Scan(&email, &consent)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			reason = cxm.SkipCustomerGone
		case err != nil:
			return fmt.Errorf("lock customer: %w", err)
		case inv.Channel == cxm.InviteEmail && consent == 0:
			reason = cxm.SkipNoConsent
		case inv.Channel == cxm.InviteEmail && email == "":
			reason = cxm.SkipNoEmail
		}
		if reason == "" {
			if reason, err = contactSkipReason(ctx, tx, inv, now); err != nil {
				return err
			}
		}
		if reason != "" {
			inv.Skip(reason)
			inv.ContactedAt = nil
		} else {
			inv.Status, inv.ContactedAt = status, &now
			if inv.Channel == cxm.InviteEmail {
				inv.Email = email
			}
		}
		_, err = tx.exec(ctx, `UPDATE invitations SET status = ?, skip_reason = ?, email = ?, contacted_at = ?,
			updated_at = ?, version = version + 1 WHERE workspace_id = ? AND id = ?`,
			string(inv.Status), inv.SkipReason, inv.Email, nullMicros(inv.ContactedAt), micros(stamp), workspaceID, id)
		if err != nil {
			return fmt.Errorf("record contact: %w", err)
		}
		inv.UpdatedAt = stamp
		inv.Version++
		out = inv
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim contact: %w", err)
	}
	return out, nil
}

// Unsubscribe withdraws the email consent of the invitation's customer
// and returns the invitation. Invitations still to be sent to them are
// skipped for no_consent when their time comes.
func (db *DB) Unsubscribe(ctx context.Context, workspaceID, id int64) (*cxm.Invitation, error) {
	var out *cxm.Invitation
	now := db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		inv, err := findInvitation(ctx, tx, workspaceID, id, false)
		if err != nil {
			return err
		}
		out = inv
		if inv.CustomerID == 0 {
			return nil
		}
		_, err = tx.exec(ctx, `UPDATE customers SET consent_email = 0, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND consent_email <> 0`, micros(now), workspaceID, inv.CustomerID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unsubscribe: %w", err)
	}
	return out, nil
}

// InteractionRefs returns the row ids and properties of the workspace's
// interactions with the given event ids (the ids senders give them), for
// the trigger engine, which names an invitation's interaction by its row
// id. Unknown event ids are left out.
func (db *DB) InteractionRefs(ctx context.Context, workspaceID int64, eventIDs []string) (map[string]cxm.InteractionRef, error) {
	out := make(map[string]cxm.InteractionRef, len(eventIDs))
	for start := 0; start < len(eventIDs); start += 500 {
		chunk := eventIDs[start:min(start+500, len(eventIDs))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, workspaceID)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := db.reader().query(ctx, `SELECT event_id, id, properties FROM interactions WHERE workspace_id = ? AND event_id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+")", args...)
		if err != nil {
			return nil, fmt.Errorf("store: interaction refs: %w", err)
		}
		for rows.Next() {
			var ev string
			var id int64
			var props sql.NullString
			if err := rows.Scan(&ev, &id, &props); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: interaction refs: %w", err)
			}
			ref := cxm.InteractionRef{RowID: id}
			if props.String != "" {
				ref.Properties = json.RawMessage(props.String)
			}
			out[ev] = ref
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: interaction refs: %w", err)
		}
	}
	return out, nil
}
