package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TextAnalysisService.
var _ cxm.TextAnalysisService = (*DB)(nil)

// The text states of a response.
const (
	textNone    = 0 // partial, or no text to analyse
	textPending = 1 // completed with text; the text.analyze job will take it
	textDone    = 2 // analysed
)

// textState returns the text state of a response as it is stored: pending
// once it is complete and holds any string answer. Which strings are free
// text and which are choice keys only the survey knows; the analysis job
// reads it and passes over the rest, so the hot path needs no survey.
func textState(completed bool, a cxm.Answers) int {
	if !completed {
		return textNone
	}
	for _, v := range a {
		if s, ok := v.(string); ok && s != "" {
			return textPending
		}
	}
	return textNone
}

// PendingTexts returns up to limit completed responses of the workspace
// whose text waits for analysis, oldest first, with their text answers:
// the string answers to the survey's text questions.
func (db *DB) PendingTexts(ctx context.Context, workspaceID int64, limit int) ([]*cxm.PendingText, error) {
	rows, err := db.reader().query(ctx, `SELECT r.public_id, r.answers, s.definition FROM responses r
		JOIN surveys s ON s.workspace_id = r.workspace_id AND s.id = r.survey_id
		WHERE r.workspace_id = ? AND r.text_state = 1 ORDER BY r.id LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending texts: %w", err)
	}
	defer rows.Close()
	surveys := map[string]map[string]bool{} // definition → its text question keys
	var out []*cxm.PendingText
	for rows.Next() {
		var id, answers, def string
		if err := rows.Scan(&id, &answers, &def); err != nil {
			return nil, fmt.Errorf("store: pending texts: %w", err)
		}
		textKeys, ok := surveys[def]
		if !ok {
			var sv cxm.Survey
			if err := json.Unmarshal([]byte(def), &sv); err != nil {
				return nil, fmt.Errorf("store: pending texts: decode survey: %w", err)
			}
			textKeys = map[string]bool{}
			for _, q := range sv.Questions {
				if q.Kind == cxm.KindText {
					textKeys[q.Key] = true
				}
			}
			surveys[def] = textKeys
		}
		var a cxm.Answers
		if err := json.Unmarshal([]byte(answers), &a); err != nil {
			return nil, fmt.Errorf("store: pending texts: decode answers of %s: %w", id, err)
		}
		p := &cxm.PendingText{WorkspaceID: workspaceID, ResponseID: id, Texts: map[string]string{}}
		for k, v := range a {
			if s, ok := v.(string); ok && s != "" && textKeys[k] {
				p.Texts[k] = s
			}
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending texts: %w", err)
	}
	return out, nil
}

// WorkspacesWithPendingTexts lists the workspaces that have text waiting.
func (db *DB) WorkspacesWithPendingTexts(ctx context.Context) ([]int64, error) {
	rows, err := db.reader().query(ctx, "SELECT DISTINCT workspace_id FROM responses WHERE text_state = 1")
	if err != nil {
		return nil, fmt.Errorf("store: workspaces with pending texts: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: workspaces with pending texts: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: workspaces with pending texts: %w", err)
	}
	return out, nil
}

// SaveTextAnalyses stores the analyses and marks their responses done, in
// one transaction. An analysis with no text (its response had only choice
// answers) marks the response done and stores nothing. A response deleted
// meanwhile is skipped.
func (db *DB) SaveTextAnalyses(ctx context.Context, as []*cxm.TextAnalysis) error {
	err := db.inTx(ctx, func(tx queryer) error {
		for _, a := range as {
			res, err := tx.exec(ctx, "UPDATE responses SET text_state = ? WHERE workspace_id = ? AND public_id = ?",
				textDone, a.WorkspaceID, a.ResponseID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				continue
			}
			if err := deleteAnalysisOnly(ctx, tx, a.WorkspaceID, a.ResponseID); err != nil {
				return err
			}
			if len(a.Redacted) == 0 {
				continue
			}
			if err := insertTextAnalysis(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save text analyses: %w", err)
	}
	return nil
}

// insertTextAnalysis stores one analysis and its mentions.
func insertTextAnalysis(ctx context.Context, tx queryer, a *cxm.TextAnalysis) error {
	redacted, err := json.Marshal(a.Redacted)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO response_texts (workspace_id, response_id, language, sentiment, sentiment_label,
		redacted, model, analyzed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.WorkspaceID, a.ResponseID, a.Language, a.Sentiment, a.SentimentLabel, string(redacted), a.Model, micros(a.AnalyzedAt))
	if err != nil {
		return err
	}
	for i, m := range a.Mentions {
		_, err := tx.exec(ctx, `INSERT INTO response_mentions (workspace_id, response_id, position, question, topic, term,
			start_byte, end_byte, sentiment, sentiment_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.WorkspaceID, a.ResponseID, i, m.Question, m.Topic, m.Term, m.Start, m.End, m.Sentiment, m.SentimentLabel)
		if err != nil {
			return err
		}
	}
	return nil
}

// deleteTextAnalysis removes the analyses, their mentions, sentiment
// corrections and encrypted original answers, of the workspace's
// responses that where (a condition on response_id) selects.
func deleteTextAnalysis(ctx context.Context, tx queryer, workspaceID int64, where string, args ...any) error {
	for _, table := range []string{"response_mentions", "response_texts", "text_corrections", "response_originals"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE workspace_id = ? AND ("+where+")", append([]any{workspaceID}, args...)...); err != nil {
			return fmt.Errorf("delete text analysis: %w", err)
		}
	}
	return nil
}

// FindTextAnalysis returns the analysis of the response, or ENotFound.
func (db *DB) FindTextAnalysis(ctx context.Context, workspaceID int64, responseID string) (*cxm.TextAnalysis, error) {
	a := &cxm.TextAnalysis{WorkspaceID: workspaceID, ResponseID: responseID, Mentions: []cxm.TopicMention{}}
	var redacted string
	var at int64
	err := db.reader().queryRow(ctx, `SELECT language, sentiment, sentiment_label, redacted, model, analyzed_at
		FROM response_texts WHERE workspace_id = ? AND response_id = ?`, workspaceID, responseID).
		Scan(&a.Language, &a.Sentiment, &a.SentimentLabel, &redacted, &a.Model, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("text analysis")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find text analysis: %w", err)
	}
	if err := json.Unmarshal([]byte(redacted), &a.Redacted); err != nil {
		return nil, fmt.Errorf("store: find text analysis: %w", err)
	}
	a.AnalyzedAt = fromMicros(at)
	if err := db.applyCorrection(ctx, a); err != nil {
		return nil, fmt.Errorf("store: find text analysis: %w", err)
	}
	rows, err := db.reader().query(ctx, `SELECT question, topic, term, start_byte, end_byte, sentiment, sentiment_label
		FROM response_mentions WHERE workspace_id = ? AND response_id = ? ORDER BY position`, workspaceID, responseID)
	if err != nil {
		return nil, fmt.Errorf("store: find text analysis: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m cxm.TopicMention
		if err := rows.Scan(&m.Question, &m.Topic, &m.Term, &m.Start, &m.End, &m.Sentiment, &m.SentimentLabel); err != nil {
			return nil, fmt.Errorf("store: find text analysis: %w", err)
		}
		a.Mentions = append(a.Mentions, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find text analysis: %w", err)
	}
	return a, nil
}

// MarkTextsPending marks the workspace's completed responses that were
// never analysed as pending, and with again those analysed before too,
// for a backfill. It returns how many it marked.
func (db *DB) MarkTextsPending(ctx context.Context, workspaceID int64, again bool) (int64, error) {
	q := "UPDATE responses SET text_state = ? WHERE workspace_id = ? AND completed = 1 AND text_state = ?"
	args := []any{textPending, workspaceID, textNone}
	if again {
		q = "UPDATE responses SET text_state = ? WHERE workspace_id = ? AND completed = 1 AND text_state IN (?, ?)"
		args = append(args, textDone)
	}
	var n int64
	err := db.inTx(ctx, func(tx queryer) error {
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: mark texts pending: %w", err)
	}
	return n, nil
}
