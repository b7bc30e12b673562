package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/ingest"
)

// ingestInteractions stores one interaction, a JSON array or NDJSON. Good
// records are stored and bad ones reported with their index, field and
// reason; a repeated id is answered as a duplicate. When no record is good
// the answer is 400 and nothing is stored.
func (s *Server) ingestInteractions(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	format, err := ingest.FormatFromContentType(r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	recs, errs, err := ingest.DecodeInteractions(r.Body, format, ingest.Limits{MaxRecords: s.cfg.MaxBatch})
	if err != nil {
		return err
	}
	valid, verrs := ingest.ValidateAll(recs, s.now())
	errs = append(errs, verrs...)
	total := len(recs) + countIndexes(errs, recs)
	batch := make([]*cxm.Interaction, len(valid))
	for i, rec := range valid {
		batch[i] = rec.Interaction
	}
	var stored cxm.BatchResult
	if len(batch) > 0 {
		stored, err = s.svc.Interactions.IngestInteractions(r.Context(), p.WorkspaceID, batch, cxm.IngestOptions{})
		if err != nil {
			return err
		}
		s.publishIngested(r.Context(), p.WorkspaceID, batch, stored)
	}
	res := cxm.BatchResult{Accepted: stored.Accepted, Duplicates: stored.Duplicates, IDs: make([]string, total), Errors: errs}
	for _, e := range stored.Errors {
		e.Index = valid[e.Index].Index
		res.Errors = append(res.Errors, e)
	}
	for _, i := range stored.DuplicateIndexes {
		res.DuplicateIndexes = append(res.DuplicateIndexes, valid[i].Index)
	}
	for i, id := range stored.IDs {
		res.IDs[valid[i].Index] = id
	}
	ingest.SortItemErrors(res.Errors)
	res.Rejected = rejectedCount(res.Errors)
	if res.DuplicateIndexes == nil {
		res.DuplicateIndexes = []int{}
	}
	if res.Errors == nil {
		res.Errors = []cxm.ItemError{}
	}
	s.metrics.ingested.WithLabelValues("accepted").Add(float64(res.Accepted))
	s.metrics.ingested.WithLabelValues("duplicate").Add(float64(res.Duplicates))
	s.metrics.ingested.WithLabelValues("rejected").Add(float64(res.Rejected))
	if res.Accepted+res.Duplicates == 0 {
		fields := make([]cxm.FieldError, 0, len(res.Errors))
		for _, e := range res.Errors {
			fields = append(fields, cxm.FieldError{Field: "[" + strconv.Itoa(e.Index) + "]." + e.Field, Reason: e.Reason})
		}
		if len(fields) == 0 {
			return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "holds no interaction"})
		}
		return &cxm.Error{Code: cxm.EInvalid, Message: "no interaction was stored: every record is invalid", Fields: fields}
	}
	return writeJSON(w, http.StatusOK, res)
}

// countIndexes counts the distinct records that failed to decode, which
// recs (the decoded ones) does not hold.
func countIndexes(errs []cxm.ItemError, recs []ingest.Record) int {
	decoded := make(map[int]bool, len(recs))
	for _, r := range recs {
		decoded[r.Index] = true
	}
	seen := map[int]bool{}
	for _, e := range errs {
		if !decoded[e.Index] {
			seen[e.Index] = true
		}
	}
	return len(seen)
}

// rejectedCount counts the distinct records with at least one error.
func rejectedCount(errs []cxm.ItemError) int {
	seen := map[int]bool{}
	for _, e := range errs {
		seen[e.Index] = true
	}
	return len(seen)
}

// listInteractions lists interactions, newest first, filtered by customer,
// touchpoint, type and time.
func (s *Server) listInteractions(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := cxm.InteractionFilter{Touchpoint: q.Get("touchpoint"), Type: q.Get("type"), Page: page}
	var errs cxm.FieldErrors
	if v := q.Get("customer_id"); v != "" {
		if f.CustomerID, err = strconv.ParseInt(v, 10, 64); err != nil || f.CustomerID <= 0 {
			errs.Add("customer_id", "must be a positive integer id")
		}
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				errs.Add(name, "must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
			}
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	is, next, err := s.svc.Interactions.ListInteractions(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	return writeList(w, is, next)
}

// maxIngestedPerEvent bounds the interactions of one interactions.ingested
// event; a larger batch is published as several events.
const maxIngestedPerEvent = 1000

// ingested is an interaction as interactions.ingested carries it: the
// fields of cxm.Interaction that triggers match on, under the same names.
type ingested struct {
	ID         string    `json:"id"`
	Customer   string    `json:"customer,omitempty"`
	CustomerID int64     `json:"customer_id,omitempty"`
	Touchpoint string    `json:"touchpoint"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
}

// publishIngested announces the newly stored interactions of batch (not
// the duplicates, not the rejected) on the bus, as interactions.ingested
// events whose data is a JSON array of interactions with their id,
// resolved customer_id, touchpoint key, type and occurred_at; readers
// that need more, such as the properties, read the stored interaction.
// The survey triggers listen to it. Only this live API publishes:
// imports of historical data (cxm import) store interactions without an
// event, so that they never invite anybody. The interactions are stored
// already, so a failure is logged and does not fail the request.
func (s *Server) publishIngested(ctx context.Context, workspaceID int64, batch []*cxm.Interaction, stored cxm.BatchResult) {
	if s.cfg.Bus == nil || stored.Accepted == 0 {
		return
	}
	skip := make(map[int]bool, len(stored.DuplicateIndexes)+len(stored.Errors))
	for _, i := range stored.DuplicateIndexes {
		skip[i] = true
	}
	for _, e := range stored.Errors {
		skip[e.Index] = true
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	chunk := make([]ingested, 0, min(stored.Accepted, maxIngestedPerEvent))
	flush := func() {
		if len(chunk) == 0 {
			return
		}
		data, err := json.Marshal(chunk)
		chunk = chunk[:0]
		if err == nil {
			err = s.cfg.Bus.Publish(ctx, cxm.Event{Topic: cxm.TopicInteractionsIngested, WorkspaceID: workspaceID, At: s.now(), Data: data})
		}
		if err != nil {
			s.log.Error("publish ingested interactions", "workspace", workspaceID, "err", err)
		}
	}
	for i, in := range batch {
		if skip[i] {
			continue
		}
		chunk = append(chunk, ingested{ID: in.ID, Customer: in.Customer, CustomerID: in.CustomerID, Touchpoint: in.Touchpoint,
			Type: in.Type, OccurredAt: in.OccurredAt})
		if len(chunk) == maxIngestedPerEvent {
			flush()
		}
	}
	flush()
}
