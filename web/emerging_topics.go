package web

import (
	"net/http"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
	"github.com/cxmhq/cxm/text"
)

// registerEmergingTopicRoutes registers the emerging-topic suggestions;
// see routes.go.
func (s *Server) registerEmergingTopicRoutes() {
	s.handle("GET", "/api/v1/analysis/emerging-topics", permRead, s.emergingTopics)
}

// maxEmergingTexts bounds the texts read of each period; beyond it the
// most recent ones are compared and the answer says it was capped.
const maxEmergingTexts = 50_000

// emergingParams lists the query parameters of the emerging topics.
var emergingParams = map[string]bool{"from": true, "to": true}

// emergingPeriod is one compared period: from and to (excluded) as dates
// in the workspace's time zone, with how many texts were read of it.
type emergingPeriod struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Texts  int    `json:"texts"`
	Capped bool   `json:"capped"`
}

// emergingReport answers /api/v1/analysis/emerging-topics.
type emergingReport struct {
	TimeZone string         `json:"time_zone"`
	Current  emergingPeriod `json:"current"`
	Previous emergingPeriod `json:"previous"`
	// MaxTexts is the most texts read of each period.
	MaxTexts    int               `json:"max_texts"`
	Suggestions []text.Suggestion `json:"suggestions"`
}

// emergingTopics compares the words and phrases of the period's free text
// with those of the previous period of equal length and suggests, as new
// topics, those that rose significantly and that no topic covers yet.
func (s *Server) emergingTopics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ctx := r.Context()
	ws, err := s.svc.Workspaces.FindWorkspaceByID(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	loc := ws.Location()
	v := r.URL.Query()
	var errs cxm.FieldErrors
	for name, vals := range v {
		switch {
		case !emergingParams[name]:
			errs.Add(name, "is not a parameter of this endpoint")
		case len(vals) > 1:
			errs.Add(name, "may be given only once")
		}
	}
	fr := &analysis.FeedbackRequest{Loc: loc}
	s.parseFeedbackPeriod(v.Get("from"), v.Get("to"), loc, fr, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if s.cfg.TextAnalyzer == nil {
		return cxm.Errorf(cxm.EInternal, "web: no text analyzer is configured")
	}
	prev := metric.PreviousPeriod(metric.Period{From: fr.From, To: fr.To}, loc)
	rep := &emergingReport{TimeZone: loc.String(), MaxTexts: maxEmergingTexts, Suggestions: []text.Suggestion{},
		Current:  emergingPeriod{From: fr.From.In(loc).Format(time.DateOnly), To: fr.To.In(loc).Format(time.DateOnly)},
		Previous: emergingPeriod{From: prev.From.In(loc).Format(time.DateOnly), To: prev.To.In(loc).Format(time.DateOnly)}}
	if s.svc.TopicMetrics == nil {
		return writeJSON(w, http.StatusOK, rep)
	}
	count := func(from, to time.Time, out *emergingPeriod) (text.TermCounts, error) {
		sample, err := s.svc.TopicMetrics.RedactedTexts(ctx, p.WorkspaceID, from, to, maxEmergingTexts)
		if err != nil {
			return text.TermCounts{}, err
		}
		out.Texts, out.Capped = len(sample.Texts), sample.Capped
		return s.cfg.TextAnalyzer.CountTerms(sample.Texts), nil
	}
	cur, err := count(fr.From, fr.To, &rep.Current)
	if err != nil {
		return err
	}
	before, err := count(prev.From, prev.To, &rep.Previous)
	if err != nil {
		return err
	}
	if sug := s.cfg.TextAnalyzer.Emerging(cur, before, text.EmergingOptions{}); len(sug) > 0 {
		rep.Suggestions = sug
	}
	return writeJSON(w, http.StatusOK, rep)
}
