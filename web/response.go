package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// responseRequest is a response submitted through the API.
type responseRequest struct {
	// ID makes the submit idempotent: the same id again updates a partial
	// response and is a duplicate once it is complete.
	ID          string            `json:"id"`
	Customer    string            `json:"customer"`
	AnonymousID string            `json:"anonymous_id"`
	Touchpoint  string            `json:"touchpoint"`
	Locale      string            `json:"locale"`
	Answers     cxm.Answers       `json:"answers"`
	Hidden      map[string]string `json:"hidden"`
	Completed   bool              `json:"completed"`
	// Source says how the response was collected; the API sets api, the
	// survey pages and the widget their own. Not read from the body.
	Source string `json:"-"`
	// InvitationID links the response to the invitation whose signed link
	// opened it; the store marks the invitation answered. Not read from the body.
	InvitationID int64 `json:"-"`
}

// publishTimeout bounds publishing one event after a response is stored.
const publishTimeout = 10 * time.Second

// submitResponse stores a response to an open survey, sent by a machine.
// Answers are checked against the questions and errors name them as
// "answers.<key>". A new response is 201; an update of a partial one, or a
// completed one sent again (a duplicate, which changes nothing), is 200.
// A response that becomes complete publishes response.completed once.
func (s *Server) submitResponse(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	sv, err := s.surveyFromPath(r, p)
	if err != nil {
		return err
	}
	var req responseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !sv.Open(s.now()) {
		return cxm.Errorf(cxm.EConflict, "survey is not open: it is %s or outside its open and close dates", sv.Status)
	}
	req.Source = cxm.SourceAPI
	res, err := s.storeResponse(r.Context(), p.WorkspaceID, sv, &req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, res)
}

// storeResponse checks req against survey sv of workspace workspaceID,
// derives its scores, stores it and, when it became complete, publishes
// response.completed. Every channel that takes answers goes through it:
// the API, the hosted survey pages and the widget.
func (s *Server) storeResponse(ctx context.Context, workspaceID int64, sv *cxm.Survey, req *responseRequest) (*cxm.SubmitResult, error) {
	resp, err := s.checkResponse(ctx, workspaceID, sv, req)
	if err != nil {
		return nil, err
	}
	resp.Derive(sv)
	if resp.Originals, err = s.redactAnswers(ctx, workspaceID, sv, resp); err != nil { // response_original.go
		return nil, err
	}
	res, err := s.svc.Responses.SubmitResponse(ctx, resp)
	if err != nil {
		return nil, err
	}
	if res.Response.Completed && !res.Duplicate {
		s.publishCompleted(ctx, res.Response)
	}
	return res, nil
}

// checkResponse validates req against survey sv and returns the response
// to store. Completing a partial response needs the required answers
// across everything submitted so far.
func (s *Server) checkResponse(ctx context.Context, workspaceID int64, sv *cxm.Survey, req *responseRequest) (*cxm.Response, error) {
	var errs cxm.FieldErrors
	if !cxm.ValidText(req.ID, cxm.MaxIDLength) {
		errs.Add("id", "must be valid text of at most 128 bytes")
	}
	if !cxm.ValidText(req.Customer, cxm.MaxTextLength) {
		errs.Add("customer", "must be valid text of at most 200 bytes")
	}
	if !cxm.ValidText(req.AnonymousID, cxm.MaxTextLength) {
		errs.Add("anonymous_id", "must be valid text of at most 200 bytes")
	}
	if req.Locale == "" {
		req.Locale = sv.DefaultLocale
	}
	if !cxm.ValidLocale(req.Locale) {
		errs.Add("locale", "must be de or en")
	}
	switch {
	case req.Touchpoint == "" && len(sv.Touchpoints) == 1:
		req.Touchpoint = sv.Touchpoints[0]
	case req.Touchpoint != "" && len(sv.Touchpoints) > 0 && !slices.Contains(sv.Touchpoints, req.Touchpoint):
		errs.Add("touchpoint", "is not a touchpoint of this survey")
	}
	for _, k := range slices.Sorted(maps.Keys(req.Hidden)) {
		if !slices.Contains(sv.HiddenFields, k) {
			errs.Add("hidden."+k, "is not a hidden field of this survey")
		} else if !cxm.ValidText(req.Hidden[k], cxm.MaxTextLength) {
			errs.Add("hidden."+k, "must be valid text of at most 200 bytes")
		}
	}
	if req.Answers == nil {
		req.Answers = cxm.Answers{}
	}
	answerErr := sv.ValidateAnswers(req.Answers, false)
	errs = append(errs, cxm.ErrorFields(answerErr)...)
	if req.Completed && answerErr == nil && sv.ValidateAnswers(maps.Clone(req.Answers), true) != nil {
		// Required answers may have come with earlier, partial submits.
		all := maps.Clone(req.Answers)
		if req.ID != "" {
			old, err := s.svc.Responses.FindResponse(ctx, workspaceID, req.ID)
			switch {
			case err == nil && old.SurveyID == sv.ID && !old.Completed:
				all = maps.Clone(old.Answers)
				maps.Copy(all, req.Answers)
			case err != nil && cxm.ErrorCode(err) != cxm.ENotFound:
				return nil, err
			}
		}
		errs = append(errs, cxm.ErrorFields(sv.ValidateAnswers(all, true))...)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &cxm.Response{ID: req.ID, WorkspaceID: workspaceID, SurveyID: sv.ID, Customer: req.Customer,
		AnonymousID: req.AnonymousID, InvitationID: req.InvitationID, Touchpoint: req.Touchpoint, Source: req.Source,
		Locale: req.Locale, Answers: req.Answers, Hidden: req.Hidden, Completed: req.Completed}, nil
}

// publishCompleted announces a response that became complete on the bus,
// when there is one. The response is stored already, so a failure is
// logged and does not fail the request.
func (s *Server) publishCompleted(ctx context.Context, resp *cxm.Response) {
	if s.cfg.Bus == nil {
		return
	}
	data, err := json.Marshal(resp)
	if err != nil {
		s.log.Error("encode completed response", "response", resp.ID, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	e := cxm.Event{Topic: cxm.TopicResponseCompleted, WorkspaceID: resp.WorkspaceID, ID: resp.ID, At: s.now(), Data: data}
	if err := s.cfg.Bus.Publish(ctx, e); err != nil {
		s.log.Error("publish completed response", "workspace", resp.WorkspaceID, "response", resp.ID, "err", err)
	}
}

// responseFilter reads the filters of a response list or export, naming
// every bad parameter.
func responseFilter(r *http.Request) (cxm.ResponseFilter, error) {
	var f cxm.ResponseFilter
	var errs cxm.FieldErrors
	page, err := pageOf(r)
	errs = append(errs, cxm.ErrorFields(err)...)
	f.Page = page
	q := r.URL.Query()
	for name, dst := range map[string]*int64{"survey_id": &f.SurveyID, "customer_id": &f.CustomerID} {
		if v := q.Get(name); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
				errs.Add(name, "must be a positive integer id")
			} else {
				*dst = n
			}
		}
	}
	if f.Touchpoint = q.Get("touchpoint"); f.Touchpoint != "" && !cxm.ValidSlug(f.Touchpoint) {
		errs.Add("touchpoint", "must be a touchpoint key")
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				errs.Add(name, "must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
			}
		}
	}
	for name, dst := range map[string]**int{"min_nps": &f.MinNPS, "max_nps": &f.MaxNPS} {
		if v := q.Get(name); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 10 {
				errs.Add(name, "must be a whole number from 0 to 10")
			} else {
				*dst = &n
			}
		}
	}
	switch v := q.Get("completed"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.Completed = &b
	default:
		errs.Add("completed", "must be true or false")
	}
	slices.SortFunc(errs, func(a, b cxm.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return f, errs.Err()
}

// listResponses lists responses, newest first, filtered by survey,
// touchpoint, customer, time, NPS and completion.
func (s *Server) listResponses(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	f, err := responseFilter(r)
	if err != nil {
		return err
	}
	rs, next, err := s.svc.Responses.ListResponses(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	return writeList(w, rs, next)
}

// getResponse returns one response by its id, with the analysis of its
// free text once there is one.
func (s *Server) getResponse(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	resp, err := s.svc.Responses.FindResponse(r.Context(), p.WorkspaceID, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := responseWithText{Response: resp}
	if s.svc.Texts != nil {
		a, err := s.svc.Texts.FindTextAnalysis(r.Context(), p.WorkspaceID, resp.ID)
		switch {
		case err == nil:
			out.Text = a
		case cxm.ErrorCode(err) != cxm.ENotFound:
			return err
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// responseWithText is a response with the analysis of its free text, once
// the text.analyze job has made it.
type responseWithText struct {
	*cxm.Response
	Text *cxm.TextAnalysis `json:"text,omitempty"`
}

// deleteResponse erases one response.
func (s *Server) deleteResponse(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if err := s.svc.Responses.DeleteResponse(r.Context(), p.WorkspaceID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// exportResponses streams every response matching the list filters as
// CSV or NDJSON, a page at a time, newest first. With survey_id the CSV
// has a column per question and hidden field; otherwise the answers and
// hidden fields are JSON columns.
func (s *Server) exportResponses(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "ndjson" {
		return cxm.Invalid(cxm.FieldError{Field: "format", Reason: "must be csv or ndjson"})
	}
	f, err := responseFilter(r)
	if err != nil {
		return err
	}
	f.Limit = cxm.MaxPageLimit
	name := "responses"
	var sv *cxm.Survey
	if f.SurveyID != 0 {
		if sv, err = s.svc.Surveys.FindSurvey(r.Context(), p.WorkspaceID, f.SurveyID); err != nil {
			return err
		}
		name += "-" + sv.Slug
	}
	// The first page comes before the headers, so that its errors still
	// get their status; later ones can only cut the download short.
	page, next, err := s.svc.Responses.ListResponses(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	var out exportWriter
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		out = newCSVResponses(w, sv)
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson")
		out = ndjsonResponses{json.NewEncoder(w)}
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	for {
		for _, resp := range page {
			if err := out.write(resp); err != nil {
				s.log.Warn("export responses cut short", "workspace", p.WorkspaceID, "err", err)
				return nil
			}
		}
		if err := out.flush(); err != nil {
			s.log.Warn("export responses cut short", "workspace", p.WorkspaceID, "err", err)
			return nil
		}
		if flusher != nil {
			flusher.Flush()
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
		if page, next, err = s.svc.Responses.ListResponses(r.Context(), p.WorkspaceID, f); err != nil {
			s.log.Warn("export responses cut short", "workspace", p.WorkspaceID, "err", err)
			return nil
		}
	}
}

// exportWriter writes responses in one export format.
type exportWriter interface {
	write(*cxm.Response) error
	flush() error
}

// ndjsonResponses writes one JSON response per line.
type ndjsonResponses struct{ enc *json.Encoder }

func (n ndjsonResponses) write(r *cxm.Response) error { return n.enc.Encode(r) }
func (n ndjsonResponses) flush() error                { return nil }

// csvResponses writes responses as CSV rows under a header.
type csvResponses struct {
	w       *csv.Writer
	survey  *cxm.Survey
	row     []string
	started bool
}

// csvColumns are the columns every response CSV starts with.
var csvColumns = []string{"id", "survey_id", "customer", "anonymous_id", "touchpoint", "channel", "source", "locale",
	"completed", "started_at", "completed_at", "nps", "nps_class", "csat", "ces", "rating"}

func newCSVResponses(w http.ResponseWriter, sv *cxm.Survey) *csvResponses {
	return &csvResponses{w: csv.NewWriter(w), survey: sv}
}

// header returns the header row.
func (c *csvResponses) header() []string {
	h := slices.Clone(csvColumns)
	if c.survey == nil {
		return append(h, "answers", "hidden")
	}
	for _, q := range c.survey.Questions {
		h = append(h, q.Key)
	}
	for _, k := range c.survey.HiddenFields {
		h = append(h, "hidden."+k)
	}
	return h
}

func (c *csvResponses) write(r *cxm.Response) error {
	if !c.started {
		c.started = true
		if err := c.writeRow(c.header()); err != nil {
			return err
		}
	}
	row := append(c.row[:0], r.ID, strconv.FormatInt(r.SurveyID, 10), r.Customer, r.AnonymousID, r.Touchpoint,
		string(r.Channel), r.Source, r.Locale, strconv.FormatBool(r.Completed), csvTime(&r.StartedAt), csvTime(r.CompletedAt),
		csvInt(r.NPS), string(r.NPSClass), csvInt(r.CSAT), csvInt(r.CES), csvInt(r.Rating))
	if c.survey == nil {
		a, _ := json.Marshal(r.Answers)
		h, _ := json.Marshal(r.Hidden)
		if r.Hidden == nil {
			h = []byte("{}")
		}
		row = append(row, string(a), string(h))
	} else {
		for _, q := range c.survey.Questions {
			row = append(row, csvAnswer(r.Answers[q.Key]))
		}
		for _, k := range c.survey.HiddenFields {
			row = append(row, r.Hidden[k])
		}
	}
	c.row = row
	return c.writeRow(row)
}

// writeRow writes one row with every cell made safe for spreadsheets.
func (c *csvResponses) writeRow(row []string) error {
	for i, cell := range row {
		row[i] = csvSafe(cell)
	}
	return c.w.Write(row)
}

func (c *csvResponses) flush() error {
	if !c.started {
		c.started = true
		if err := c.writeRow(c.header()); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// csvSafe defuses a cell that a spreadsheet would run as a formula: one
// that starts with = + - @, a tab or a carriage return gets a leading '.
// Customers write the free text, so it is never trusted.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvAnswer formats one answer: a number, a text or choice, or the
// choices of a multi answer joined by |.
func csvAnswer(v any) string {
	switch a := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(a, 'f', -1, 64)
	case string:
		return a
	case []string:
		return strings.Join(a, "|")
	case []any:
		parts := make([]string, len(a))
		for i, x := range a {
			parts[i] = csvAnswer(x)
		}
		return strings.Join(parts, "|")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// csvTime formats a time as RFC 3339 in UTC, or "" for none.
func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvInt formats a score, or "" for none.
func csvInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
