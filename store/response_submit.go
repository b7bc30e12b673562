package store

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/cxmhq/cxm"
)

var errResponseExists = errors.New("response exists")

// SubmitResponse stores r, whose answers the caller has validated against
// its survey and whose scores it has derived. The survey must exist in
// r.WorkspaceID. The store resolves the customer (by external id, created
// when unknown, else by a stitched anonymous id) and the touchpoint key
// (by default the survey's only touchpoint) to its id and channel.
//
// A response id seen before updates that response while it is partial:
// answers and hidden fields merge key by key, new values winning, the
// scores are derived again from the merged answers, and Completed may
// become true. A completed response is never changed and is returned with
// Duplicate set. An empty id gets a new one.
//
// With InvitationID set, the invitation (of the same workspace) must be
// one to r's survey (EInvalid on "token" otherwise) that no other
// response has answered (EConflict on "token": single use); r gets the
// invitation's customer, and a completing submit marks the invitation
// answered by r in the same transaction.
//
// Times come from the store's clock; only a caller that sets StartedAt
// (or CompletedAt), such as an import of older feedback, keeps its own.
func (db *DB) SubmitResponse(ctx context.Context, r *cxm.Response) (*cxm.SubmitResult, error) {
	if err := checkResponse(r); err != nil {
		return nil, err
	}
	// A row id and an id for a customer that may be new.
	first, err := db.ids.take(ctx, 2)
	if err != nil {
		return nil, fmt.Errorf("store: submit response: %w", err)
	}
	now := db.stampNow()
	if r.ID == "" {
		r.ID = cxm.NewEventID(now)
	}
	var sealer cipher.AEAD
	if len(r.Originals) > 0 {
		if sealer, err = db.originalsCipher(ctx); err != nil {
			return nil, fmt.Errorf("store: submit response: %w", err)
		}
	}
	// Most submits are new responses, so the first attempt inserts at
	// once; when the id exists it is rolled back and the second attempt
	// merges into the stored response. A third covers a response deleted
	// in between.
	var res *cxm.SubmitResult
	existing := false
	for attempt := 0; attempt < 3; attempt++ {
		err = db.inTx(ctx, func(tx queryer) error {
			sub := &submit{db: db, ctx: ctx, tx: tx, r: r, rowID: first, customerID: first + 1, now: now, sealer: sealer}
			var err error
			res, err = sub.run(existing)
			return err
		})
		if !errors.Is(err, errResponseExists) {
			break
		}
		existing = true
	}
	if err != nil {
		return nil, fmt.Errorf("store: submit response: %w", err)
	}
	return res, nil
}

// submit holds the state of one SubmitResponse transaction.
type submit struct {
	db  *DB
	ctx context.Context
	tx  queryer
	r   *cxm.Response
	// rowID is the id of a new row, customerID that of a new customer.
	rowID, customerID int64
	now               time.Time

	// survey is r's survey, read only when needed.
	survey *cxm.Survey
	// tpKey, tpID and channel are r's touchpoint; customer its customer.
	tpKey   string
	tpID    int64
	channel string
	// zone is the workspace's time zone, whose days the rollups count in.
	zone     string
	customer customerMatch
	// invited is set when r's invitation named its customer.
	invited bool
	// sealer encrypts r.Originals, when there are any.
	sealer cipher.AEAD
}

// customerMatch is a resolved customer.
type customerMatch struct {
	id         int64
	externalID string
}

// stored is the part of an existing response that a submit merges into.
type stored struct {
	rowID        int64
	surveyID     int64
	customerID   int64
	anonymousID  string
	touchpointID int64
	channel      string
	answers      cxm.Answers
	hidden       map[string]string
	completed    bool
}

// run does the work of SubmitResponse inside its transaction: it inserts
// r, or, when existing is set, merges r into the response with its id.
// Inserting over an existing id is errResponseExists.
func (s *submit) run(existing bool) (*cxm.SubmitResult, error) {
	r := s.r
	if err := s.loadSurvey(); err != nil {
		return nil, err
	}
	var old *stored
	if existing {
		var err error
		if old, err = s.loadStored(); err != nil {
			return nil, err
		}
	}
	if old != nil {
		if old.surveyID != r.SurveyID {
			return nil, conflictOn("id", "belongs to a response to another survey")
		}
		if old.completed {
			stored, err := findResponse(s.ctx, s.tx, r.WorkspaceID, r.ID)
			if err != nil {
				return nil, err
			}
			return &cxm.SubmitResult{Response: stored, Duplicate: true}, nil
		}
	}
	if r.InvitationID != 0 {
		if err := s.useInvitation(); err != nil {
			return nil, err
		}
	}
	if err := s.resolveTouchpoint(old); err != nil {
		return nil, err
	}
	if !s.invited {
		if err := s.resolveCustomer(); err != nil {
			return nil, err
		}
	}
	if old == nil {
		created, err := s.insert()
		if err != nil {
			return nil, err
		}
		if err := s.answerInvitation(); err != nil {
			return nil, err
		}
		if err := s.keepOriginals(); err != nil {
			return nil, err
		}
		return &cxm.SubmitResult{Response: created, Created: true}, nil
	}
	if err := s.update(old); err != nil {
		return nil, err
	}
	if err := s.answerInvitation(); err != nil {
		return nil, err
	}
	if err := s.keepOriginals(); err != nil {
		return nil, err
	}
	out, err := findResponse(s.ctx, s.tx, r.WorkspaceID, r.ID)
	if err != nil {
		return nil, err
	}
	return &cxm.SubmitResult{Response: out}, nil
}

// errInvitationAnswered is the answer to a second response through a
// single-use invitation.
func errInvitationAnswered() error {
	const msg = "this invitation has already been answered"
	return &cxm.Error{Code: cxm.EConflict, Message: msg, Fields: []cxm.FieldError{{Field: "token", Reason: msg}}}
}

// useInvitation checks r's invitation, locking it on PostgreSQL so that
// two responses through it cannot both pass: it must exist in r's
// workspace, belong to r's survey and not be answered by another
// response. r takes the invitation's customer.
func (s *submit) useInvitation() error {
	q := `SELECT i.survey_id, i.response_id, c.id, c.external_id FROM invitations i
		LEFT JOIN customers c ON c.workspace_id = i.workspace_id AND c.id = i.customer_id
		WHERE i.workspace_id = ? AND i.id = ?`
	if s.tx.dialect() == Postgres {
		q += " FOR UPDATE OF i"
	}
	var surveyID int64
	var customer sql.NullInt64
	var responseID, ext sql.NullString
	err := s.tx.queryRow(s.ctx, q, s.r.WorkspaceID, s.r.InvitationID).Scan(&surveyID, &responseID, &customer, &ext)
	if errors.Is(err, sql.ErrNoRows) {
		return cxm.Invalid(cxm.FieldError{Field: "token", Reason: "refers to no invitation"})
	}
	if err != nil {
		return fmt.Errorf("find invitation: %w", err)
	}
	if surveyID != s.r.SurveyID {
		return cxm.Invalid(cxm.FieldError{Field: "token", Reason: "belongs to an invitation to another survey"})
	}
	if responseID.Valid && responseID.String != s.r.ID {
		return errInvitationAnswered()
	}
	if customer.Valid {
		s.invited = true
		s.customer = customerMatch{id: customer.Int64, externalID: ext.String}
	}
	return nil
}

// answerInvitation marks r's invitation answered by r once r is complete.
func (s *submit) answerInvitation() error {
	if s.r.InvitationID == 0 || !s.r.Completed {
		return nil
	}
	_, err := s.tx.exec(s.ctx, `UPDATE invitations SET status = ?, answered_at = ?, response_id = ?, updated_at = ?,
		version = version + 1 WHERE workspace_id = ? AND id = ?`,
		string(cxm.InvitationAnswered), micros(s.now), s.r.ID, micros(s.now), s.r.WorkspaceID, s.r.InvitationID)
	if err != nil {
		return fmt.Errorf("mark invitation answered: %w", err)
	}
	return nil
}

// loadSurvey checks that r's survey exists in its workspace and, in the
// same statement, finds r's touchpoint and the workspace's time zone. An
// unknown touchpoint key is EInvalid.
func (s *submit) loadSurvey() error {
	var one int
	var tpID sql.NullInt64
	var channel sql.NullString
	err := s.tx.queryRow(s.ctx, `SELECT 1, t.id, t.channel, w.time_zone FROM surveys s
		JOIN workspaces w ON w.id = s.workspace_id
		LEFT JOIN touchpoints t ON t.workspace_id = s.workspace_id AND t.key = ?
		WHERE s.workspace_id = ? AND s.id = ?`, s.r.Touchpoint, s.r.WorkspaceID, s.r.SurveyID).Scan(&one, &tpID, &channel, &s.zone)
	if errors.Is(err, sql.ErrNoRows) {
		return cxm.NotFound("survey")
	}
	if err != nil {
		return fmt.Errorf("find survey: %w", err)
	}
	if s.r.Touchpoint != "" && !tpID.Valid {
		return cxm.Invalid(cxm.FieldError{Field: "touchpoint", Reason: "unknown touchpoint " + s.r.Touchpoint})
	}
	s.tpKey, s.tpID, s.channel = s.r.Touchpoint, tpID.Int64, channel.String
	return nil
}

// decodedSurvey returns the survey's definition, read and decoded once.
func (s *submit) decodedSurvey() (*cxm.Survey, error) {
	if s.survey == nil {
		var def string
		err := s.tx.queryRow(s.ctx, "SELECT definition FROM surveys WHERE workspace_id = ? AND id = ?", s.r.WorkspaceID, s.r.SurveyID).Scan(&def)
		if err != nil {
			return nil, fmt.Errorf("read survey definition: %w", err)
		}
		var sv cxm.Survey
		if err := json.Unmarshal([]byte(def), &sv); err != nil {
			return nil, fmt.Errorf("decode definition of survey %d: %w", s.r.SurveyID, err)
		}
		s.survey = &sv
	}
	return s.survey, nil
}

// loadStored reads the response with r's id, locking it on PostgreSQL so
// that concurrent submits of one response merge one after the other. It
// returns nil when there is none.
func (s *submit) loadStored() (*stored, error) {
	q := `SELECT id, survey_id, customer_id, anonymous_id, touchpoint_id, channel, answers, hidden, completed
		FROM responses WHERE workspace_id = ? AND public_id = ?`
	if s.tx.dialect() == Postgres {
		q += " FOR UPDATE"
	}
	var o stored
	var customer, tp sql.NullInt64
	var anon sql.NullString
	var answers, hidden string
	var completed int
	err := s.tx.queryRow(s.ctx, q, s.r.WorkspaceID, s.r.ID).Scan(&o.rowID, &o.surveyID, &customer, &anon, &tp,
		&o.channel, &answers, &hidden, &completed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find response: %w", err)
	}
	o.customerID, o.anonymousID, o.touchpointID, o.completed = customer.Int64, anon.String, tp.Int64, completed != 0
	if err := json.Unmarshal([]byte(answers), &o.answers); err != nil {
		return nil, fmt.Errorf("decode answers: %w", err)
	}
	if err := json.Unmarshal([]byte(hidden), &o.hidden); err != nil {
		return nil, fmt.Errorf("decode hidden fields: %w", err)
	}
	return &o, nil
}

// resolveTouchpoint settles r's touchpoint when r names none: the one the
// stored response has, else the survey's only touchpoint, else none.
func (s *submit) resolveTouchpoint(old *stored) error {
	if s.r.Touchpoint != "" {
		return nil
	}
	if old != nil {
		s.tpID, s.channel = old.touchpointID, old.channel
		return nil
	}
	sv, err := s.decodedSurvey()
	if err != nil || len(sv.Touchpoints) != 1 {
		return err
	}
	err = s.tx.queryRow(s.ctx, "SELECT id, channel FROM touchpoints WHERE workspace_id = ? AND key = ?",
		s.r.WorkspaceID, sv.Touchpoints[0]).Scan(&s.tpID, &s.channel)
	if errors.Is(err, sql.ErrNoRows) {
		// The survey names a touchpoint deleted since: the response has none.
		return nil
	}
	if err != nil {
		return fmt.Errorf("resolve touchpoint: %w", err)
	}
	s.tpKey = sv.Touchpoints[0]
	return nil
}

// resolveCustomer finds r's customer: the one known by its external id
// (their own or that of a profile merged into them), created when
// unknown, or else the one its anonymous id is stitched to.
func (s *submit) resolveCustomer() error {
	r := s.r
	if r.Customer == "" {
		if r.AnonymousID == "" {
			return nil
		}
		var ext sql.NullString
		err := s.tx.queryRow(s.ctx, `SELECT c.id, c.external_id FROM identities i JOIN customers c ON c.id = i.customer_id
			WHERE i.workspace_id = ? AND i.kind = ? AND i.value = ?`, r.WorkspaceID, identityAnonymous, r.AnonymousID).
			Scan(&s.customer.id, &ext)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("resolve anonymous id: %w", err)
		}
		s.customer.externalID = ext.String
		return nil
	}
	s.customer.externalID = r.Customer
	found, err := s.findExternal()
	if found || err != nil {
		return err
	}
	// A new customer, who speaks the language they answered in. Another
	// writer may create them meanwhile; then theirs is looked up.
	us := micros(s.now)
	err = s.tx.queryRow(s.ctx, `INSERT INTO customers (id, workspace_id, external_id, email, name, locale, birthday,
		attributes, consent_email, consent_analytics, created_at, updated_at)
		VALUES (?, ?, ?, '', '', ?, '', '{}', 0, 0, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		s.customerID, r.WorkspaceID, r.Customer, r.Locale, us, us).Scan(&s.customer.id)
	if errors.Is(err, sql.ErrNoRows) {
		if found, err := s.findExternal(); found || err != nil {
			return err
		}
		return fmt.Errorf("customer %q exists without identity", r.Customer)
	}
	if err != nil {
		return fmt.Errorf("create customer: %w", err)
	}
	_, err = s.tx.exec(s.ctx, `INSERT INTO identities (workspace_id, kind, value, customer_id, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, r.WorkspaceID, identityExternal, r.Customer, s.customer.id, us)
	if err != nil {
		return fmt.Errorf("store customer identity: %w", err)
	}
	return nil
}

// findExternal looks r's external customer id up: first as a customer's
// own, then among the identities, which also hold merged profiles' ids.
func (s *submit) findExternal() (bool, error) {
	for _, q := range []string{
		"SELECT id FROM customers WHERE workspace_id = ? AND external_id = ?",
		"SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = '" + identityExternal + "' AND value = ?",
	} {
		err := s.tx.queryRow(s.ctx, q, s.r.WorkspaceID, s.r.Customer).Scan(&s.customer.id)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("resolve customer: %w", err)
		}
	}
	return false, nil
}

// encodeJSONText returns v as stored JSON text.
func encodeJSONText(field string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", cxm.Invalid(cxm.FieldError{Field: field, Reason: "cannot be stored as JSON"})
	}
	return string(b), nil
}

// startedAt returns when r started: its own time if the caller set one,
// else now.
func (s *submit) startedAt() time.Time {
	if !s.r.StartedAt.IsZero() {
		return s.r.StartedAt.UTC().Truncate(time.Microsecond)
	}
	return s.now
}

// completedAt returns when r was completed, or nil while it is partial:
// its own time if the caller set one, else now.
func (s *submit) completedAt() *time.Time {
	switch {
	case !s.r.Completed:
		return nil
	case s.r.CompletedAt != nil && !s.r.CompletedAt.IsZero():
		t := s.r.CompletedAt.UTC().Truncate(time.Microsecond)
		return &t
	}
	t := s.now
	return &t
}

// insert stores r as a new response and returns it as stored. A response
// with the same id, stored before or by another transaction first, is
// errResponseExists.
func (s *submit) insert() (*cxm.Response, error) {
	out := *s.r
	if out.Answers == nil {
		out.Answers = cxm.Answers{}
	}
	a, err := encodeJSONText("answers", out.Answers)
	if err != nil {
		return nil, err
	}
	hidden := out.Hidden
	if hidden == nil {
		hidden = map[string]string{}
	}
	h, err := encodeJSONText("hidden", hidden)
	if err != nil {
		return nil, err
	}
	out.CustomerID, out.Customer = s.customer.id, s.customer.externalID
	out.Touchpoint, out.Channel = s.tpKey, cxm.Channel(s.channel)
	out.StartedAt, out.UpdatedAt, out.CompletedAt = s.startedAt(), s.now, s.completedAt()
	res, err := s.tx.exec(s.ctx, `INSERT INTO responses (id, workspace_id, public_id, survey_id, customer_id, anonymous_id,
		invitation_id, touchpoint_id, channel, source, locale, answers, hidden, completed, nps, nps_class, csat, ces, rating,
		started_at, updated_at, completed_at, text_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, public_id) DO NOTHING`,
		s.rowID, out.WorkspaceID, out.ID, out.SurveyID, nullID(out.CustomerID), nullString(out.AnonymousID),
		nullID(out.InvitationID), nullID(s.tpID), s.channel, out.Source, out.Locale, a, h, boolInt(out.Completed),
		nullInt(out.NPS), nullString(string(out.NPSClass)), nullInt(out.CSAT), nullInt(out.CES), nullInt(out.Rating),
		micros(out.StartedAt), micros(out.UpdatedAt), nullMicros(out.CompletedAt), textState(out.Completed, out.Answers))
	if err != nil {
		return nil, fmt.Errorf("insert response: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("insert response: %w", err)
	} else if n == 0 {
		return nil, errResponseExists
	}
	if out.Completed {
		if err := s.countCompleted(*out.CompletedAt, out.Locale, out.NPS, out.CSAT, out.CES, out.Rating); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// update merges r into the partial response old: answers and hidden
// fields key by key with r's values winning, the scores derived again
// from the merged answers, r's customer, anonymous id and touchpoint
// where it gives them, and completion.
func (s *submit) update(old *stored) error {
	r := s.r
	merged := old.answers
	if merged == nil {
		merged = cxm.Answers{}
	}
	maps.Copy(merged, r.Answers)
	hidden := old.hidden
	if hidden == nil {
		hidden = map[string]string{}
	}
	maps.Copy(hidden, r.Hidden)
	customerID := s.customer.id
	if customerID == 0 {
		customerID = old.customerID
	}
	anon := r.AnonymousID
	if anon == "" {
		anon = old.anonymousID
	}
	// The caller derived the scores from this submit's answers alone.
	sv, err := s.decodedSurvey()
	if err != nil {
		return err
	}
	d := cxm.Response{Answers: merged}
	d.Derive(sv)
	a, err := encodeJSONText("answers", merged)
	if err != nil {
		return err
	}
	h, err := encodeJSONText("hidden", hidden)
	if err != nil {
		return err
	}
	_, err = s.tx.exec(s.ctx, `UPDATE responses SET customer_id = ?, anonymous_id = ?, invitation_id = COALESCE(?, invitation_id),
		touchpoint_id = ?, channel = ?, locale = ?, answers = ?, hidden = ?, completed = ?, nps = ?, nps_class = ?, csat = ?,
		ces = ?, rating = ?, updated_at = ?, completed_at = ?, text_state = ? WHERE workspace_id = ? AND id = ?`,
		nullID(customerID), nullString(anon), nullID(r.InvitationID), nullID(s.tpID), s.channel, r.Locale, a, h,
		boolInt(r.Completed), nullInt(d.NPS), nullString(string(d.NPSClass)), nullInt(d.CSAT), nullInt(d.CES),
		nullInt(d.Rating), micros(s.now), nullMicros(s.completedAt()), textState(r.Completed, merged), r.WorkspaceID, old.rowID)
	if err != nil {
		return fmt.Errorf("update response: %w", err)
	}
	if r.Completed {
		if err := s.countCompleted(*s.completedAt(), r.Locale, d.NPS, d.CSAT, d.CES, d.Rating); err != nil {
			return err
		}
	}
	return nil
}
