package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/analysis"
	"github.com/cxmhq/cxm/metric"
)

// registerTopicMetricRoutes registers the figures by topic and by text
// sentiment; see routes.go.
func (s *Server) registerTopicMetricRoutes() {
	s.handle("GET", "/api/v1/metrics/topics", permRead, s.topicMetrics)
	s.handle("GET", "/api/v1/metrics/sentiment", permRead, s.sentimentMetrics)
}

// topicParams lists the query parameters of the topic and sentiment
// figures and whether each may repeat.
var topicParams = map[string]bool{
	"from": false, "to": false, "by": false, "min_n": false,
	"touchpoint": true, "stage": true, "survey": true, "channel": true, "locale": true,
}

// topicRequest is a parsed topic or sentiment query.
type topicRequest struct {
	query        cxm.TopicQuery
	opts         metric.Options
	matchNothing bool
	tpKeys       map[int64]string
	period       topicPeriod
}

// topicPeriod is the analysed period as the answer shows it: from and to
// (excluded) as dates in the workspace's time zone.
type topicPeriod struct {
	From     string `json:"from"`
	To       string `json:"to"`
	TimeZone string `json:"time_zone"`
	By       string `json:"by,omitempty"`
	MinN     int64  `json:"min_n"`
}

// parseTopicRequest reads and checks every query parameter of a topic or
// sentiment query, naming each bad one; byAllowed lists the groupings the
// endpoint offers.
func (s *Server) parseTopicRequest(r *http.Request, p *cxm.Principal, byAllowed ...cxm.TopicGrouping) (*topicRequest, error) {
	ctx := r.Context()
	ws, err := s.svc.Workspaces.FindWorkspaceByID(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	tps, err := s.svc.Touchpoints.ListTouchpoints(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	loc := ws.Location()
	v := r.URL.Query()
	var errs cxm.FieldErrors
	for name, vals := range v {
		repeatable, known := topicParams[name]
		switch {
		case !known:
			errs.Add(name, "is not a parameter of this endpoint")
		case !repeatable && len(vals) > 1:
			errs.Add(name, "may be given only once")
		}
	}
	tr := &topicRequest{query: cxm.TopicQuery{Loc: loc}, opts: metric.Options{MinN: metric.DefaultMinN}, tpKeys: map[int64]string{}}
	for _, t := range tps {
		tr.tpKeys[t.ID] = t.Key
	}
	if raw := v.Get("by"); raw != "" {
		by := cxm.TopicGrouping(raw)
		if !slices.Contains(byAllowed, by) || by == cxm.TopicsOverall {
			names := ""
			for _, b := range byAllowed {
				if b != cxm.TopicsOverall {
					names += ", " + string(b)
				}
			}
			errs.Add("by", "must be one of "+names[2:])
		}
		tr.query.By = by
	}
	if raw := v.Get("min_n"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 || n > maxMinN {
			errs.Add("min_n", "must be an integer from 1 to "+strconv.Itoa(maxMinN))
		} else {
			tr.opts.MinN = n
		}
	}
	fr := &analysis.FeedbackRequest{Loc: loc, Touchpoints: tps}
	s.parseFeedbackPeriod(v.Get("from"), v.Get("to"), loc, fr, &errs)
	if err := s.parseFeedbackFilters(r, p, tps, fr, &errs); err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	tr.query.From, tr.query.To = fr.From, fr.To
	tr.query.SurveyIDs, tr.query.TouchpointIDs = fr.Filter.SurveyIDs, fr.Filter.TouchpointIDs
	tr.query.Channels, tr.query.Locales = fr.Filter.Channels, fr.Filter.Locales
	tr.matchNothing = fr.MatchNothing
	if b := tr.query.By; b == cxm.TopicsByWeek || b == cxm.TopicsByMonth {
		g := metric.Week
		if b == cxm.TopicsByMonth {
			g = metric.Month
		}
		if n := len(metric.Buckets(fr.From, fr.To, g, loc, cxm.MaxTopicBuckets+1)); n > cxm.MaxTopicBuckets {
			return nil, cxm.Invalid(cxm.FieldError{Field: "by", Reason: "the period holds more than " + strconv.Itoa(cxm.MaxTopicBuckets) + " " + string(b) + "s; choose a shorter period"})
		}
	}
	tr.period = topicPeriod{From: fr.From.Format(time.DateOnly), To: fr.To.Format(time.DateOnly), TimeZone: loc.String(),
		By: string(tr.query.By), MinN: tr.opts.MinN}
	return tr, nil
}

// groupKey names a group in an answer: its touchpoint's key, or its week
// or month.
type groupKey struct {
	Touchpoint string `json:"touchpoint,omitempty"`
	Bucket     string `json:"bucket,omitempty"`
}

// key returns the answer's name of group g.
func (tr *topicRequest) key(g cxm.TopicGroup) groupKey {
	switch tr.query.By {
	case cxm.TopicsByTouchpoint:
		if g.TouchpointID == 0 {
			return groupKey{Touchpoint: "(none)"}
		}
		if k, ok := tr.tpKeys[g.TouchpointID]; ok {
			return groupKey{Touchpoint: k}
		}
		return groupKey{Touchpoint: strconv.FormatInt(g.TouchpointID, 10)}
	case cxm.TopicsByWeek:
		return groupKey{Bucket: metric.BucketLabel(g.Bucket.In(tr.query.Loc), metric.Week)}
	case cxm.TopicsByMonth:
		return groupKey{Bucket: metric.BucketLabel(g.Bucket.In(tr.query.Loc), metric.Month)}
	}
	return groupKey{}
}

// scoreFigures are the NPS and CSAT of a set of responses, each with its n.
type scoreFigures struct {
	Responses int64           `json:"responses"`
	NPS       metric.Estimate `json:"nps"`
	CSAT      metric.Estimate `json:"csat"`
}

// scores returns the NPS and CSAT of the sums.
func scores(f cxm.FeedbackSums, o metric.Options) scoreFigures {
	return scoreFigures{Responses: f.Responses,
		NPS:  metric.NPS(metric.NPSCounts{Promoters: f.Promoters, Passives: f.Passives, Detractors: f.Detractors}, o),
		CSAT: metric.CSAT(metric.Proportion{Hits: f.CSATTop2, N: f.CSATN}, o)}
}

// topicFigure is what one group's responses said about one topic.
type topicFigure struct {
	Topic string `json:"topic"`
	cxm.MentionCounts
	// ShareNegative is the percentage of negative mentions, n the mentions.
	ShareNegative metric.Estimate `json:"share_negative"`
	// Mentioning are the responses that mention the topic, and
	// MentioningNegatively those with a negative mention of it.
	Mentioning           scoreFigures `json:"mentioning"`
	MentioningNegatively scoreFigures `json:"mentioning_negatively"`
}

// topicGroupFigures are the figures of one group.
type topicGroupFigures struct {
	groupKey
	// All are every completed response of the group; Analysed how many
	// of them have analysed free text.
	All      scoreFigures  `json:"all"`
	Analysed int64         `json:"analysed"`
	Topics   []topicFigure `json:"topics"`
}

// topicReport answers /api/v1/metrics/topics.
type topicReport struct {
	topicPeriod
	Groups []*topicGroupFigures `json:"groups"`
}

// topicMetrics answers the mentions, the share of negative mentions and
// the NPS and CSAT of the responses mentioning each topic, per group.
func (s *Server) topicMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	tr, err := s.parseTopicRequest(r, p, cxm.TopicsByTouchpoint, cxm.TopicsByWeek, cxm.TopicsByMonth)
	if err != nil {
		return err
	}
	counts := &cxm.TopicCounts{}
	if !tr.matchNothing && s.svc.TopicMetrics != nil {
		if counts, err = s.svc.TopicMetrics.TopicCounts(r.Context(), p.WorkspaceID, tr.query); err != nil {
			return err
		}
	}
	rep := &topicReport{topicPeriod: tr.period, Groups: []*topicGroupFigures{}}
	groups := map[groupKey]*topicGroupFigures{}
	group := func(g cxm.TopicGroup) *topicGroupFigures {
		k := tr.key(g)
		if groups[k] == nil {
			groups[k] = &topicGroupFigures{groupKey: k, All: scores(cxm.FeedbackSums{}, tr.opts), Topics: []topicFigure{}}
			rep.Groups = append(rep.Groups, groups[k])
		}
		return groups[k]
	}
	for _, t := range counts.Totals {
		g := group(t.TopicGroup)
		g.All, g.Analysed = scores(t.FeedbackSums, tr.opts), t.Analysed
	}
	for _, ts := range counts.Topics {
		g := group(ts.TopicGroup)
		g.Topics = append(g.Topics, topicFigure{Topic: ts.Topic, MentionCounts: ts.MentionCounts,
			ShareNegative:        metric.Rate(metric.Proportion{Hits: ts.Negative, N: ts.Mentions}, tr.opts),
			Mentioning:           scores(ts.Responses, tr.opts),
			MentioningNegatively: scores(ts.NegativeResponses, tr.opts)})
	}
	for _, g := range rep.Groups {
		slices.SortFunc(g.Topics, func(a, b topicFigure) int {
			return cmp.Or(cmp.Compare(b.Mentions, a.Mentions), cmp.Compare(a.Topic, b.Topic))
		})
	}
	sortGroups(rep.Groups, func(g *topicGroupFigures) groupKey { return g.groupKey })
	return writeJSON(w, http.StatusOK, rep)
}

// sortGroups orders groups by their key.
func sortGroups[G any](gs []G, key func(G) groupKey) {
	slices.SortFunc(gs, func(a, b G) int {
		ka, kb := key(a), key(b)
		return cmp.Or(cmp.Compare(ka.Touchpoint, kb.Touchpoint), cmp.Compare(ka.Bucket, kb.Bucket))
	})
}

// sentimentFigure is the NPS and CSAT of the responses whose text has one
// overall sentiment label.
type sentimentFigure struct {
	Label string `json:"label"`
	scoreFigures
}

// sentimentGroupFigures are the figures of one group by sentiment label.
type sentimentGroupFigures struct {
	groupKey
	All      scoreFigures      `json:"all"`
	Analysed int64             `json:"analysed"`
	Labels   []sentimentFigure `json:"labels"`
}

// sentimentReport answers /api/v1/metrics/sentiment.
type sentimentReport struct {
	topicPeriod
	Groups []*sentimentGroupFigures `json:"groups"`
}

// sentimentLabels are the sentiment labels in the order answers list them.
var sentimentLabels = []string{"negative", "neutral", "positive"}

// sentimentMetrics answers the NPS and CSAT of the responses by the
// overall sentiment of their free text, per group.
func (s *Server) sentimentMetrics(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	tr, err := s.parseTopicRequest(r, p, cxm.TopicsByTouchpoint, cxm.TopicsByWeek, cxm.TopicsByMonth)
	if err != nil {
		return err
	}
	counts := &cxm.SentimentCounts{}
	if !tr.matchNothing && s.svc.TopicMetrics != nil {
		if counts, err = s.svc.TopicMetrics.SentimentCounts(r.Context(), p.WorkspaceID, tr.query); err != nil {
			return err
		}
	}
	rep := &sentimentReport{topicPeriod: tr.period, Groups: []*sentimentGroupFigures{}}
	groups := map[groupKey]*sentimentGroupFigures{}
	group := func(g cxm.TopicGroup) *sentimentGroupFigures {
		k := tr.key(g)
		if groups[k] == nil {
			sg := &sentimentGroupFigures{groupKey: k, All: scores(cxm.FeedbackSums{}, tr.opts)}
			for _, l := range sentimentLabels {
				sg.Labels = append(sg.Labels, sentimentFigure{Label: l, scoreFigures: scores(cxm.FeedbackSums{}, tr.opts)})
			}
			groups[k] = sg
			rep.Groups = append(rep.Groups, sg)
		}
		return groups[k]
	}
	for _, t := range counts.Totals {
		g := group(t.TopicGroup)
		g.All, g.Analysed = scores(t.FeedbackSums, tr.opts), t.Analysed
	}
	for _, sl := range counts.Labels {
		g := group(sl.TopicGroup)
		if i := slices.Index(sentimentLabels, sl.Label); i >= 0 {
			g.Labels[i].scoreFigures = scores(sl.FeedbackSums, tr.opts)
		}
	}
	sortGroups(rep.Groups, func(g *sentimentGroupFigures) groupKey { return g.groupKey })
	return writeJSON(w, http.StatusOK, rep)
}
