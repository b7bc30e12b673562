package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TextCorrectionService.
var _ cxm.TextCorrectionService = (*DB)(nil)

// CorrectSentiment stores c as the correction in force of its response,
// with the label in force before as its PreviousLabel. The response must
// exist in c.WorkspaceID (ENotFound) and have analysed free text
// (EConflict otherwise, saying whether it has none or waits for analysis).
func (db *DB) CorrectSentiment(ctx context.Context, c *cxm.SentimentCorrection) error {
	if !cxm.ValidSentimentLabel(c.Label) {
		return cxm.Invalid(cxm.FieldError{Field: "label", Reason: "must be negative, neutral or positive"})
	}
	c.CorrectedAt = db.stampNow()
	err := db.inTx(ctx, func(tx queryer) error {
		var state int
		err := tx.queryRow(ctx, "SELECT text_state FROM responses WHERE workspace_id = ? AND public_id = ?",
			c.WorkspaceID, c.ResponseID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return cxm.NotFound("response")
		}
		if err != nil {
			return err
		}
		var analysed string
		err = tx.queryRow(ctx, "SELECT sentiment_label FROM response_texts WHERE workspace_id = ? AND response_id = ?",
			c.WorkspaceID, c.ResponseID).Scan(&analysed)
		switch {
		case errors.Is(err, sql.ErrNoRows) && state == textPending:
			return cxm.Errorf(cxm.EConflict, "the response's free text is not analysed yet; correct it once the analysis is shown")
		case errors.Is(err, sql.ErrNoRows):
			return cxm.Errorf(cxm.EConflict, "the response has no free text whose sentiment could be corrected")
		case err != nil:
			return err
		}
		seq := 0
		c.PreviousLabel = analysed
		err = tx.queryRow(ctx, `SELECT seq, label FROM text_corrections WHERE workspace_id = ? AND response_id = ?
			ORDER BY seq DESC LIMIT 1`, c.WorkspaceID, c.ResponseID).Scan(&seq, &c.PreviousLabel)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO text_corrections (workspace_id, response_id, seq, label, previous_label,
			user_id, api_key_id, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.WorkspaceID, c.ResponseID, seq+1, c.Label, c.PreviousLabel, c.UserID, c.APIKeyID, micros(c.CorrectedAt))
		if isUniqueViolation(err) {
			return cxm.Errorf(cxm.EConflict, "the sentiment of the response was corrected at the same time; try again")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: correct sentiment: %w", err)
	}
	return nil
}

// latestCorrection is the condition that picks the correction in force.
const latestCorrection = `c.seq = (SELECT MAX(c2.seq) FROM text_corrections c2
	WHERE c2.workspace_id = c.workspace_id AND c2.response_id = c.response_id)`

// applyCorrection sets the correction in force of a's response, if any,
// and a's effective label.
func (db *DB) applyCorrection(ctx context.Context, a *cxm.TextAnalysis) error {
	a.Label = a.SentimentLabel
	c := &cxm.SentimentCorrection{ResponseID: a.ResponseID}
	var at int64
	err := db.reader().queryRow(ctx, `SELECT c.label, c.previous_label, c.user_id, c.api_key_id, c.corrected_at
		FROM text_corrections c WHERE c.workspace_id = ? AND c.response_id = ? AND `+latestCorrection,
		a.WorkspaceID, a.ResponseID).Scan(&c.Label, &c.PreviousLabel, &c.UserID, &c.APIKeyID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("correction: %w", err)
	}
	c.CorrectedAt = fromMicros(at)
	a.Correction, a.CorrectedLabel, a.Label = c, c.Label, c.Label
	return nil
}

// CorrectedTexts returns the label in force and the redacted free text of
// every response of the workspace that was corrected and is still
// analysed, in response id order. A response's answers are joined in the
// order of their question keys.
func (db *DB) CorrectedTexts(ctx context.Context, workspaceID int64) ([]cxm.LabelledText, error) {
	rows, err := db.reader().query(ctx, `SELECT c.response_id, c.label, t.redacted FROM text_corrections c
		JOIN response_texts t ON t.workspace_id = c.workspace_id AND t.response_id = c.response_id
		WHERE c.workspace_id = ? AND `+latestCorrection+` ORDER BY c.response_id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: corrected texts: %w", err)
	}
	defer rows.Close()
	var out []cxm.LabelledText
	for rows.Next() {
		var l cxm.LabelledText
		var redacted string
		if err := rows.Scan(&l.ResponseID, &l.Label, &redacted); err != nil {
			return nil, fmt.Errorf("store: corrected texts: %w", err)
		}
		var texts map[string]string
		if err := json.Unmarshal([]byte(redacted), &texts); err != nil {
			return nil, fmt.Errorf("store: corrected texts: decode %s: %w", l.ResponseID, err)
		}
		parts := make([]string, 0, len(texts))
		for _, k := range slices.Sorted(maps.Keys(texts)) {
			parts = append(parts, texts[k])
		}
		l.Text = strings.Join(parts, "\n\n")
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: corrected texts: %w", err)
	}
	return out, nil
}

// deleteAnalysisOnly removes the analysis and mentions of one response
// before it is analysed again; its corrections stay in force.
func deleteAnalysisOnly(ctx context.Context, tx queryer, workspaceID int64, responseID string) error {
	for _, table := range []string{"response_mentions", "response_texts"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE workspace_id = ? AND response_id = ?", workspaceID, responseID); err != nil {
			return fmt.Errorf("delete text analysis: %w", err)
		}
	}
	return nil
}
