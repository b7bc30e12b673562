package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.AlertFactSource.
var _ cxm.AlertFactSource = (*DB)(nil)

// alertFactsChunk bounds the ids of one IN list.
const alertFactsChunk = 500

// day is one day in the microseconds the store keeps times in.
const dayMicros = int64(24 * time.Hour / time.Microsecond)

// AlertFacts returns the facts of the workspace's completed responses with
// ids, in four queries per 500 ids: the responses with their survey,
// touchpoint, stage and customer; their text analyses; their topic
// mentions; and their customers' interactions up to each completion,
// counted by type and channel.
func (db *DB) AlertFacts(ctx context.Context, workspaceID int64, responseIDs []string) ([]*cxm.AlertFacts, error) {
	var out []*cxm.AlertFacts
	for start := 0; start < len(responseIDs); start += alertFactsChunk {
		chunk := responseIDs[start:min(start+alertFactsChunk, len(responseIDs))]
		fs, err := db.alertFacts(ctx, workspaceID, chunk)
		if err != nil {
			return nil, fmt.Errorf("store: alert facts: %w", err)
		}
		out = append(out, fs...)
	}
	return out, nil
}

// RecentAlertFacts returns the facts of up to limit of the workspace's
// responses completed in [from, to), newest first.
func (db *DB) RecentAlertFacts(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]*cxm.AlertFacts, error) {
	rows, err := db.reader().query(ctx, `SELECT public_id FROM responses
		WHERE workspace_id = ? AND completed = 1 AND completed_at >= ? AND completed_at < ?
		ORDER BY completed_at DESC, id DESC LIMIT ?`, workspaceID, micros(from), micros(to), limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent alert facts: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: recent alert facts: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent alert facts: %w", err)
	}
	fs, err := db.AlertFacts(ctx, workspaceID, ids)
	if err != nil {
		return nil, err
	}
	order := make(map[string]int, len(ids))
	for i, id := range ids {
		order[id] = i
	}
	sorted := make([]*cxm.AlertFacts, len(ids))
	n := 0
	for _, f := range fs {
		sorted[order[f.ResponseID]] = f
		n++
	}
	out := make([]*cxm.AlertFacts, 0, n)
	for _, f := range sorted {
		if f != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// alertFacts loads the facts of one chunk of response ids.
func (db *DB) alertFacts(ctx context.Context, ws int64, ids []string) ([]*cxm.AlertFacts, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := db.reader()
	args := make([]any, 0, len(ids)+1)
	args = append(args, ws)
	for _, id := range ids {
		args = append(args, id)
	}
	in := inList(len(ids))
	rows, err := q.query(ctx, `SELECT r.public_id, r.survey_id, s.slug, r.touchpoint_id, t.key, st.key, r.channel, r.locale,
		r.answers, r.nps, r.nps_class, r.csat, r.ces, r.rating, r.completed_at, r.text_state,
		r.customer_id, c.external_id, c.attributes
		FROM responses r
		JOIN surveys s ON s.id = r.survey_id AND s.workspace_id = r.workspace_id
		LEFT JOIN touchpoints t ON t.id = r.touchpoint_id AND t.workspace_id = r.workspace_id
		LEFT JOIN stages st ON st.id = t.stage_id AND st.workspace_id = r.workspace_id
		LEFT JOIN customers c ON c.id = r.customer_id AND c.workspace_id = r.workspace_id
		WHERE r.workspace_id = ? AND r.completed = 1 AND r.public_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("responses: %w", err)
	}
	byID := map[string]*cxm.AlertFacts{}
	var out []*cxm.AlertFacts
	for rows.Next() {
		f := &cxm.AlertFacts{WorkspaceID: ws}
		var tpID, nps, csat, ces, rating, completed, custID sql.NullInt64
		var tpKey, stage, npsClass, ext, attrs sql.NullString
		var answers string
		var textState int
		if err := rows.Scan(&f.ResponseID, &f.SurveyID, &f.SurveySlug, &tpID, &tpKey, &stage, &f.Channel, &f.Locale,
			&answers, &nps, &npsClass, &csat, &ces, &rating, &completed, &textState, &custID, &ext, &attrs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("responses: %w", err)
		}
		f.TouchpointID, f.TouchpointKey, f.Stage = tpID.Int64, tpKey.String, stage.String
		f.NPS, f.CSAT, f.CES, f.Rating = intPtr(nps), intPtr(csat), intPtr(ces), intPtr(rating)
		f.NPSClass = cxm.NPSClass(npsClass.String)
		f.CompletedAt = fromMicros(completed.Int64)
		f.HasText = textState != textNone
		f.CustomerID, f.CustomerExternalID = custID.Int64, ext.String
		if err := json.Unmarshal([]byte(answers), &f.Answers); err != nil {
			rows.Close()
			return nil, fmt.Errorf("answers of response %s: %w", f.ResponseID, err)
		}
		f.CustomerAttributes = map[string]any{}
		if attrs.Valid && attrs.String != "" {
			if err := json.Unmarshal([]byte(attrs.String), &f.CustomerAttributes); err != nil {
				rows.Close()
				return nil, fmt.Errorf("attributes of customer %d: %w", f.CustomerID, err)
			}
		}
		byID[f.ResponseID] = f
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("responses: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := alertTexts(ctx, q, ws, in, args, byID); err != nil {
		return nil, err
	}
	if err := alertInteractions(ctx, q, in, args, byID); err != nil {
		return nil, err
	}
	return out, nil
}

// alertTexts adds the text analyses and their mentions to the facts.
func alertTexts(ctx context.Context, q queryer, ws int64, in string, args []any, byID map[string]*cxm.AlertFacts) error {
	rows, err := q.query(ctx, `SELECT response_id, language, sentiment, sentiment_label, model, analyzed_at
		FROM response_texts WHERE workspace_id = ? AND response_id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("texts: %w", err)
	}
	for rows.Next() {
		a := &cxm.TextAnalysis{WorkspaceID: ws, Mentions: []cxm.TopicMention{}}
		var at int64
		if err := rows.Scan(&a.ResponseID, &a.Language, &a.Sentiment, &a.SentimentLabel, &a.Model, &at); err != nil {
			rows.Close()
			return fmt.Errorf("texts: %w", err)
		}
		a.Label, a.AnalyzedAt = a.SentimentLabel, fromMicros(at)
		if f := byID[a.ResponseID]; f != nil {
			f.Analysis = a
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("texts: %w", err)
	}
	rows, err = q.query(ctx, `SELECT response_id, question, topic, term, start_byte, end_byte, sentiment, sentiment_label
		FROM response_mentions WHERE workspace_id = ? AND response_id IN (`+in+`) ORDER BY response_id, position`, args...)
	if err != nil {
		return fmt.Errorf("mentions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var m cxm.TopicMention
		if err := rows.Scan(&id, &m.Question, &m.Topic, &m.Term, &m.Start, &m.End, &m.Sentiment, &m.SentimentLabel); err != nil {
			return fmt.Errorf("mentions: %w", err)
		}
		if f := byID[id]; f != nil && f.Analysis != nil {
			f.Analysis.Mentions = append(f.Analysis.Mentions, m)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mentions: %w", err)
	}
	return nil
}

// alertInteractions counts each response's customer's interactions up to
// the response's completion, by type and channel, in one query.
func alertInteractions(ctx context.Context, q queryer, in string, args []any, byID map[string]*cxm.AlertFacts) error {
	qargs := append([]any{7 * dayMicros, 30 * dayMicros, 90 * dayMicros}, args...) // args start with ws
	rows, err := q.query(ctx, `SELECT r.public_id, i.type, t.channel,
		SUM(CASE WHEN i.occurred_at >= r.completed_at - ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN i.occurred_at >= r.completed_at - ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN i.occurred_at >= r.completed_at - ? THEN 1 ELSE 0 END),
		COUNT(*), COALESCE(SUM(i.value), 0)
		FROM responses r
		JOIN interactions i ON i.workspace_id = r.workspace_id AND i.customer_id = r.customer_id
		JOIN touchpoints t ON t.id = i.touchpoint_id AND t.workspace_id = i.workspace_id
		WHERE r.workspace_id = ? AND r.completed = 1 AND r.customer_id IS NOT NULL AND i.occurred_at <= r.completed_at
		AND r.public_id IN (`+in+`)
		GROUP BY r.public_id, i.type, t.channel
		ORDER BY r.public_id, i.type, t.channel`, qargs...)
	if err != nil {
		return fmt.Errorf("interactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var c cxm.AlertInteractionCount
		if err := rows.Scan(&id, &c.Type, &c.Channel, &c.Last7, &c.Last30, &c.Last90, &c.All, &c.Value); err != nil {
			return fmt.Errorf("interactions: %w", err)
		}
		if f := byID[id]; f != nil {
			f.Interactions = append(f.Interactions, c)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("interactions: %w", err)
	}
	return nil
}
