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

// DB implements cxm.SurveyService.
var _ cxm.SurveyService = (*DB)(nil)

// surveySelect reads a survey; every query adds "WHERE …".
const surveySelect = `SELECT id, workspace_id, slug, name, status, definition, opens_at, closes_at, created_at, updated_at
	FROM surveys `

// scanSurvey reads one row of surveySelect: the definition, with the
// columns kept beside it taking precedence.
func scanSurvey(s scanner) (*cxm.Survey, error) {
	var sv cxm.Survey
	var id, ws, created, updated int64
	var slug, name, status, def string
	var opens, closes sql.NullInt64
	if err := s.Scan(&id, &ws, &slug, &name, &status, &def, &opens, &closes, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &sv); err != nil {
		return nil, fmt.Errorf("decode definition of survey %d: %w", id, err)
	}
	sv.ID, sv.WorkspaceID, sv.Slug, sv.Name, sv.Status = id, ws, slug, name, cxm.SurveyStatus(status)
	sv.OpensAt, sv.ClosesAt = timePtr(opens), timePtr(closes)
	sv.CreatedAt, sv.UpdatedAt = fromMicros(created), fromMicros(updated)
	if sv.Touchpoints == nil {
		sv.Touchpoints = []string{}
	}
	if sv.HiddenFields == nil {
		sv.HiddenFields = []string{}
	}
	return &sv, nil
}

// encodeDefinition returns the stored JSON of s, without the fields that
// have columns of their own and are filled from them on reading.
func encodeDefinition(s *cxm.Survey) (string, error) {
	c := *s
	c.ID, c.WorkspaceID, c.CreatedAt, c.UpdatedAt = 0, 0, time.Time{}, time.Time{}
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encode survey definition: %w", err)
	}
	return string(b), nil
}

// findSurvey reads survey id of workspace ws through q, or ENotFound.
func findSurvey(ctx context.Context, q queryer, ws, id int64) (*cxm.Survey, error) {
	s, err := scanSurvey(q.queryRow(ctx, surveySelect+"WHERE workspace_id = ? AND id = ?", ws, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("survey")
	}
	return s, err
}

// checkSurveyTouchpoints reports, as EInvalid, every touchpoint key of s
// that the workspace does not have, and keys listed twice.
func checkSurveyTouchpoints(ctx context.Context, q queryer, s *cxm.Survey) error {
	if len(s.Touchpoints) == 0 && s.Trigger == nil {
		return nil
	}
	tps, err := loadTouchpointRefs(ctx, q, s.WorkspaceID)
	if err != nil {
		return err
	}
	var errs cxm.FieldErrors
	seen := map[string]bool{}
	for i, key := range s.Touchpoints {
		field := "touchpoints[" + strconv.Itoa(i) + "]"
		switch _, ok := tps[key]; {
		case !ok:
			errs.Add(field, "unknown touchpoint "+key)
		case seen[key]:
			errs.Add(field, "is listed twice")
		}
		seen[key] = true
	}
	if s.Trigger != nil {
		if _, ok := tps[s.Trigger.Touchpoint]; !ok {
			errs.Add("trigger.touchpoint", "unknown touchpoint "+s.Trigger.Touchpoint)
		}
	}
	return errs.Err()
}

// writeSurveyTouchpoints replaces the touchpoint links of survey s.
func writeSurveyTouchpoints(ctx context.Context, q queryer, s *cxm.Survey) error {
	if _, err := q.exec(ctx, "DELETE FROM survey_touchpoints WHERE workspace_id = ? AND survey_id = ?", s.WorkspaceID, s.ID); err != nil {
		return fmt.Errorf("unlink touchpoints: %w", err)
	}
	if len(s.Touchpoints) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(s.Touchpoints))
	for i, key := range s.Touchpoints {
		args = append(args, s.ID, s.WorkspaceID, key, i)
	}
	_, err := q.exec(ctx, "INSERT INTO survey_touchpoints (survey_id, workspace_id, touchpoint_key, position) VALUES "+
		placeholders(len(s.Touchpoints), 4), args...)
	if err != nil {
		return fmt.Errorf("link touchpoints: %w", err)
	}
	return nil
}

// errSlugInUse is the answer to a survey slug already taken on the server.
func errSlugInUse() error { return conflictOn("slug", "is already in use") }

// CreateSurvey validates and stores s. Its touchpoints and its trigger's
// touchpoint must exist in the workspace (EInvalid naming
// "touchpoints[i]" or "trigger.touchpoint"); a slug used by any survey of
// the server is EConflict.
func (db *DB) CreateSurvey(ctx context.Context, s *cxm.Survey) error {
	if err := s.Validate(); err != nil {
		return err
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create survey: %w", err)
	}
	now := db.stampNow()
	err = db.inTx(ctx, func(tx queryer) error {
		if err := checkSurveyTouchpoints(ctx, tx, s); err != nil {
			return err
		}
		def, err := encodeDefinition(s)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO surveys (id, workspace_id, slug, name, status, definition, opens_at, closes_at,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, s.WorkspaceID, s.Slug, s.Name, string(s.Status), def, nullMicros(s.OpensAt), nullMicros(s.ClosesAt),
			micros(now), micros(now))
		switch {
		case isUniqueViolation(err):
			return errSlugInUse()
		case isForeignKeyViolation(err):
			return cxm.NotFound("workspace")
		case err != nil:
			return err
		}
		s.ID = id
		return writeSurveyTouchpoints(ctx, tx, s)
	})
	if err != nil {
		s.ID = 0
		return fmt.Errorf("store: create survey: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = now, now
	return nil
}

// FindSurvey returns survey id of the workspace, or ENotFound.
func (db *DB) FindSurvey(ctx context.Context, workspaceID, id int64) (*cxm.Survey, error) {
	s, err := findSurvey(ctx, db.reader(), workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("store: find survey: %w", err)
	}
	return s, nil
}

// FindSurveyBySlug returns the survey with the public slug, in whichever
// workspace it is, or ENotFound. It serves the public survey pages.
func (db *DB) FindSurveyBySlug(ctx context.Context, slug string) (*cxm.Survey, error) {
	s, err := scanSurvey(db.reader().queryRow(ctx, surveySelect+"WHERE slug = ?", slug))
	if errors.Is(err, sql.ErrNoRows) {
		err = cxm.NotFound("survey")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find survey by slug: %w", err)
	}
	return s, nil
}

// ListSurveys returns one page of the workspace's surveys in id order,
// filtered by status and touchpoint key, and the cursor of the next page,
// empty after the last.
func (db *DB) ListSurveys(ctx context.Context, workspaceID int64, f cxm.SurveyFilter) ([]*cxm.Survey, string, error) {
	p := f.Page.Normalize()
	var b strings.Builder
	b.WriteString(surveySelect + "WHERE workspace_id = ?")
	args := []any{workspaceID}
	if p.Cursor != "" {
		v, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		b.WriteString(" AND id > ?")
		args = append(args, v[0])
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, "", cxm.Invalid(cxm.FieldError{Field: "status", Reason: "must be draft, active, paused or closed"})
		}
		b.WriteString(" AND status = ?")
		args = append(args, string(f.Status))
	}
	if f.Touchpoint != "" {
		b.WriteString(" AND id IN (SELECT survey_id FROM survey_touchpoints WHERE workspace_id = ? AND touchpoint_key = ?)")
		args = append(args, workspaceID, f.Touchpoint)
	}
	b.WriteString(" ORDER BY id LIMIT ?")
	args = append(args, p.Limit+1)
	rows, err := db.reader().query(ctx, b.String(), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list surveys: %w", err)
	}
	out, next, err := readPage(rows, p.Limit, func(row scanner) (*cxm.Survey, string, error) {
		s, err := scanSurvey(row)
		if err != nil {
			return nil, "", err
		}
		return s, encodeCursor(s.ID), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list surveys: %w", err)
	}
	return out, next, nil
}

// UpdateSurvey validates s and replaces the stored definition of survey
// s.ID with it, keeping its creation time. Once responses exist, a
// question that has answers keeps its key and kind and stays in the
// survey; otherwise EConflict names "questions[i]".
func (db *DB) UpdateSurvey(ctx context.Context, s *cxm.Survey) error {
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.stampNow()
	var created time.Time
	err := db.inTx(ctx, func(tx queryer) error {
		old, err := findSurvey(ctx, tx, s.WorkspaceID, s.ID)
		if err != nil {
			return err
		}
		if err := checkSurveyTouchpoints(ctx, tx, s); err != nil {
			return err
		}
		if err := checkAnsweredQuestions(ctx, tx, old, s); err != nil {
			return err
		}
		def, err := encodeDefinition(s)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE surveys SET slug = ?, name = ?, status = ?, definition = ?, opens_at = ?, closes_at = ?,
			updated_at = ? WHERE workspace_id = ? AND id = ?`,
			s.Slug, s.Name, string(s.Status), def, nullMicros(s.OpensAt), nullMicros(s.ClosesAt), micros(now),
			s.WorkspaceID, s.ID)
		if isUniqueViolation(err) {
			return errSlugInUse()
		}
		if err != nil {
			return err
		}
		created = old.CreatedAt
		return writeSurveyTouchpoints(ctx, tx, s)
	})
	if err != nil {
		return fmt.Errorf("store: update survey: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = created, now
	return nil
}

// checkAnsweredQuestions refuses, as EConflict, an update that removes a
// question of old, changes its key (which removes it) or changes its
// kind, when a response of the survey answers it.
func checkAnsweredQuestions(ctx context.Context, q queryer, old, s *cxm.Survey) error {
	var fields []cxm.FieldError
	for i, oq := range old.Questions {
		field, reason := "questions["+strconv.Itoa(i)+"]", "has answers, so it cannot be removed or change its key"
		if nq := s.Question(oq.Key); nq != nil {
			if nq.Kind == oq.Kind {
				continue
			}
			field, reason = "questions["+strconv.Itoa(questionIndex(s, oq.Key))+"]", "has answers, so its kind cannot change"
		}
		answered, err := questionAnswered(ctx, q, old.WorkspaceID, old.ID, oq.Key)
		if err != nil {
			return err
		}
		if answered {
			fields = append(fields, cxm.FieldError{Field: field, Reason: reason + " (key " + oq.Key + ")"})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &cxm.Error{Code: cxm.EConflict, Fields: fields,
		Message: "questions that have answers keep their key and kind; add new questions instead"}
}

// questionIndex returns the position of the question with key in s.
func questionIndex(s *cxm.Survey, key string) int {
	for i := range s.Questions {
		if s.Questions[i].Key == key {
			return i
		}
	}
	return -1
}

// questionAnswered reports whether a response of the survey answers the
// question key. Answers are stored as JSON objects encoded by
// encoding/json, in which a key appears as "key": and a quote inside a
// text answer is always escaped, so the pattern finds exactly the answers.
func questionAnswered(ctx context.Context, q queryer, ws, surveyID int64, key string) (bool, error) {
	pattern := `%"` + strings.ReplaceAll(key, "_", `\_`) + `":%`
	ok, err := existsRow(ctx, q, `SELECT 1 FROM responses WHERE workspace_id = ? AND survey_id = ? AND answers LIKE ? ESCAPE '\' LIMIT 1`,
		ws, surveyID, pattern)
	if err != nil {
		return false, fmt.Errorf("find answers to %s: %w", key, err)
	}
	return ok, nil
}

// DeleteSurvey removes survey id of the workspace. A survey with
// responses is EConflict: close it instead, which keeps its answers.
func (db *DB) DeleteSurvey(ctx context.Context, workspaceID, id int64) error {
	err := db.inTx(ctx, func(tx queryer) error {
		if _, err := findSurvey(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		used, err := existsRow(ctx, tx, "SELECT 1 FROM responses WHERE workspace_id = ? AND survey_id = ? LIMIT 1", workspaceID, id)
		if err != nil {
			return err
		}
		if used {
			return cxm.Errorf(cxm.EConflict, "the survey has responses; close the survey instead")
		}
		if _, err := tx.exec(ctx, "DELETE FROM survey_touchpoints WHERE workspace_id = ? AND survey_id = ?", workspaceID, id); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "DELETE FROM surveys WHERE workspace_id = ? AND id = ?", workspaceID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete survey: %w", err)
	}
	return nil
}
