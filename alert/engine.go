package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
)

// EngineConfig wires an Engine.
type EngineConfig struct {
	Rules cxm.AlertRuleService
	Facts cxm.AlertFactSource
	// Cases opens the cases of rules that open one; nil opens none.
	Cases cxm.CaseService
	// Notifier sends the notifications; nil sends none.
	Notifier cxm.Notifier
	// Jobs holds the digest jobs; nil sends digest rules' alerts at once.
	Jobs cxm.JobStore
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Wake, when set, is called after a digest job is enqueued.
	Wake func()
	// Workers bounds how many events from Subscribe the engine handles
	// at once; zero means DefaultWorkers, one handles them in order.
	Workers int
}

// DefaultWorkers is how many events from Subscribe an engine handles at
// once by default. Each event's writes wait for a commit; handled side by
// side, their writes share commits, and a burst of alerts does not queue
// behind one another. Exactly once holds regardless: the firing, unique
// per rule and response, decides who acts.
const DefaultWorkers = 8

// Engine acts on completed responses: it evaluates the workspace's
// enabled rules on each and, for every rule that fires, opens a case and
// notifies, at once or in the rule's digest.
//
// When it evaluates: a rule that reads no fact of the text analysis is
// evaluated when the response completes (response.completed). A rule that
// does is evaluated then only for a response without text, which is never
// analysed; for a response with text it waits for response.analyzed,
// which the text analysis publishes once the analysis is stored.
//
// Exactly once: before it acts, the engine stores a firing, unique per
// rule and response, and acts only if it stored a new one; a redelivered
// event, or the same rule seen at completion and after the analysis,
// acts once. The case store is another's, so the firing and the case are
// two transactions: a crash between them leaves a firing without a case
// (at most once, never twice), which the firing shows by its empty case.
type Engine struct {
	cfg EngineConfig

	mu       sync.Mutex
	programs map[int64]cachedProgram
}

// cachedProgram is a rule's compiled condition as of the rule's update.
type cachedProgram struct {
	updated time.Time
	prog    *Program
	err     error
}

// NewEngine returns an engine for cfg.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Rules == nil || cfg.Facts == nil {
		return nil, errors.New("alert: Rules and Facts are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	return &Engine{cfg: cfg, programs: map[int64]cachedProgram{}}, nil
}

// Register makes r run the digest jobs with HandleDigest.
func (e *Engine) Register(r *jobs.Runner) {
	r.Register(cxm.JobAlertDigest, e.HandleDigest)
}

// Subscribe evaluates the rules on every completed and every analysed
// response published on b, until ctx ends, handling up to Workers events
// at once: while all are busy, the subscription waits, so that the bus's
// queue bounds the backlog.
func (e *Engine) Subscribe(ctx context.Context, b cxm.Bus) error {
	slots := make(chan struct{}, e.cfg.Workers)
	if err := b.Subscribe(ctx, cxm.TopicResponseCompleted, e.concurrently(slots, e.HandleCompleted)); err != nil {
		return fmt.Errorf("alert: subscribe: %w", err)
	}
	if err := b.Subscribe(ctx, cxm.TopicResponseAnalyzed, e.concurrently(slots, e.HandleAnalyzed)); err != nil {
		return fmt.Errorf("alert: subscribe: %w", err)
	}
	return nil
}

// concurrently returns a bus handler that runs h in a goroutine of its
// own once one of slots is free, and logs its error or panic, which the
// bus would otherwise have done. With one slot it calls h in place.
func (e *Engine) concurrently(slots chan struct{}, h func(context.Context, cxm.Event) error) func(context.Context, cxm.Event) error {
	if cap(slots) <= 1 {
		return h
	}
	return func(ctx context.Context, ev cxm.Event) error {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		go func() {
			defer func() {
				<-slots
				if p := recover(); p != nil {
					e.cfg.Logger.Error("alert: handler panicked", "topic", ev.Topic, "event", ev.ID, "panic", p)
				}
			}()
			if err := h(ctx, ev); err != nil {
				e.cfg.Logger.Error("alert: handle event", "topic", ev.Topic, "workspace", ev.WorkspaceID, "event", ev.ID, "err", err)
			}
		}()
		return nil
	}
}

// HandleCompleted evaluates the rules that can be decided on a response
// that has just completed.
func (e *Engine) HandleCompleted(ctx context.Context, ev cxm.Event) error {
	return e.handle(ctx, ev, false)
}

// HandleAnalyzed evaluates the rules on text facts that waited for the
// analysis of a response's text.
func (e *Engine) HandleAnalyzed(ctx context.Context, ev cxm.Event) error {
	return e.handle(ctx, ev, true)
}

// handle loads the facts of the event's response and evaluates the rules.
func (e *Engine) handle(ctx context.Context, ev cxm.Event, analyzed bool) error {
	id := responseID(ev)
	if id == "" {
		return fmt.Errorf("alert: event %s of workspace %d names no response", ev.Topic, ev.WorkspaceID)
	}
	rules, err := e.cfg.Rules.ListAlertRules(ctx, ev.WorkspaceID, true)
	if err != nil || len(rules) == 0 {
		return err
	}
	facts, err := e.cfg.Facts.AlertFacts(ctx, ev.WorkspaceID, []string{id})
	if err != nil || len(facts) == 0 {
		return err
	}
	f := facts[0]
	env := NewEnv(f)
	var errs []error
	for _, r := range rules {
		p := e.program(r)
		if p == nil {
			continue
		}
		// A rule on text facts of a response with text decides once the
		// analysis is stored (at completion only if it already is); every
		// other rule decides at completion.
		waits := p.UsesText && f.HasText
		decide := !waits || f.Analysis != nil
		if analyzed {
			decide = waits
		}
		if !decide {
			continue
		}
		ok, err := p.Eval(ctx, env)
		if errors.Is(err, ErrTimeout) {
			e.cfg.Logger.Error("alert rule ran out of time", "workspace", r.WorkspaceID, "rule", r.ID, "response", f.ResponseID)
			continue
		}
		if err != nil {
			e.cfg.Logger.Debug("alert rule failed on a response", "workspace", r.WorkspaceID, "rule", r.ID, "response", f.ResponseID, "err", err)
			continue
		}
		if ok {
			if err := e.Fire(ctx, r, f); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// responseID returns the id of the response an event is about.
func responseID(ev cxm.Event) string {
	var body struct {
		ID         string `json:"id"`
		ResponseID string `json:"response_id"`
	}
	if len(ev.Data) > 0 && json.Unmarshal(ev.Data, &body) == nil {
		if body.ResponseID != "" {
			return body.ResponseID
		}
		if body.ID != "" {
			return body.ID
		}
	}
	return ev.ID
}

// program returns the rule's compiled condition, or nil (logged) when it
// does not compile any more.
func (e *Engine) program(r *cxm.AlertRule) *Program {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.programs[r.ID]
	if !ok || !c.updated.Equal(r.UpdatedAt) {
		c.updated = r.UpdatedAt
		c.prog, c.err = Compile(r.Condition)
		e.programs[r.ID] = c
		if c.err != nil {
			e.cfg.Logger.Error("alert rule does not compile", "workspace", r.WorkspaceID, "rule", r.ID, "err", c.err)
		}
	}
	return c.prog
}

// Fire acts on a rule that fired for the response with facts f: it
// stores the firing and, unless the rule fired for the response before,
// opens a case and notifies or adds the alert to the rule's digest.
func (e *Engine) Fire(ctx context.Context, r *cxm.AlertRule, f *cxm.AlertFacts) error {
	now := e.cfg.Now().UTC()
	firing := &cxm.AlertFiring{WorkspaceID: r.WorkspaceID, RuleID: r.ID, ResponseID: f.ResponseID, FiredAt: now}
	created, err := e.cfg.Rules.RecordAlertFiring(ctx, firing)
	if err != nil || !created {
		return err
	}
	var caseID int64
	if oc := r.Actions.OpenCase; oc != nil && e.cfg.Cases != nil {
		title := oc.Title
		if title == "" {
			title = r.Name
		}
		c := &cxm.Case{WorkspaceID: r.WorkspaceID, Title: title, Status: cxm.CaseNew, Priority: oc.Priority, TeamID: oc.TeamID,
			ResponseID: f.ResponseID, CustomerID: f.CustomerID, TouchpointID: f.TouchpointID, RuleID: r.ID}
		err := e.cfg.Cases.CreateCase(ctx, c, 0)
		switch {
		case cxm.ErrorCode(err) == cxm.EConflict:
			e.cfg.Logger.Info("alert rule fired on a response that has an open case", "workspace", r.WorkspaceID, "rule", r.ID, "response", f.ResponseID)
		case err != nil:
			return fmt.Errorf("alert: rule %d: open case for response %s: %w", r.ID, f.ResponseID, err)
		default:
			caseID = c.ID
			if err := e.cfg.Rules.SetAlertFiringCase(ctx, r.WorkspaceID, r.ID, f.ResponseID, caseID); err != nil {
				return err
			}
		}
	}
	if e.cfg.Notifier == nil {
		return nil
	}
	if r.DigestMinutes > 0 && e.cfg.Jobs != nil {
		return e.enqueueDigest(ctx, r, now)
	}
	n := alertNotification(r, f, caseID, now)
	if err := e.cfg.Notifier.Notify(ctx, n, r.Actions.Notify); err != nil {
		return fmt.Errorf("alert: rule %d: notify for response %s: %w", r.ID, f.ResponseID, err)
	}
	return e.cfg.Rules.MarkAlertFiringNotified(ctx, r.WorkspaceID, r.ID, f.ResponseID, now)
}

// digestPayload is the payload of an alert.digest job.
type digestPayload struct {
	RuleID int64     `json:"rule_id"`
	Until  time.Time `json:"until"`
}

// enqueueDigest makes sure the digest job of the rule's window that
// holds now is pending: one job per rule and window, due at its end.
func (e *Engine) enqueueDigest(ctx context.Context, r *cxm.AlertRule, now time.Time) error {
	window := time.Duration(r.DigestMinutes) * time.Minute
	until := now.Truncate(window).Add(window)
	payload, err := json.Marshal(digestPayload{RuleID: r.ID, Until: until})
	if err != nil {
		return fmt.Errorf("alert: digest payload: %w", err)
	}
	j := &cxm.Job{WorkspaceID: r.WorkspaceID, Kind: cxm.JobAlertDigest, Payload: payload, RunAt: until,
		UniqueKey: fmt.Sprintf("rule:%d:%d", r.ID, until.Unix())}
	created, err := e.cfg.Jobs.EnqueueJob(ctx, j)
	if err != nil {
		return fmt.Errorf("alert: rule %d: enqueue digest: %w", r.ID, err)
	}
	if created && e.cfg.Wake != nil {
		e.cfg.Wake()
	}
	return nil
}

// HandleDigest runs one alert.digest job: it sends one notification of
// kind digest with the rule's alerts of the window that are not yet sent.
// A retry sends the same digest again.
func (e *Engine) HandleDigest(ctx context.Context, j *cxm.Job) error {
	var p digestPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.RuleID == 0 {
		return jobs.Permanent(fmt.Errorf("alert: digest payload %s: %v", j.Payload, err))
	}
	r, err := e.cfg.Rules.FindAlertRule(ctx, j.WorkspaceID, p.RuleID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return nil // the rule was deleted, and its firings with it
	}
	if err != nil {
		return err
	}
	firings, err := e.cfg.Rules.TakeAlertDigest(ctx, j.WorkspaceID, r.ID, p.Until)
	if err != nil || len(firings) == 0 || e.cfg.Notifier == nil {
		return err
	}
	n := digestNotification(r, firings, p.Until)
	if err := e.cfg.Notifier.Notify(ctx, n, r.Actions.Notify); err != nil {
		return fmt.Errorf("alert: rule %d: notify digest: %w", r.ID, err)
	}
	return nil
}

// alertNotification describes one alert.
func alertNotification(r *cxm.AlertRule, f *cxm.AlertFacts, caseID int64, now time.Time) *cxm.Notification {
	data := map[string]any{"survey_id": f.SurveyID, "touchpoint": f.TouchpointKey, "condition": r.Condition}
	var parts []string
	for _, s := range []struct {
		name string
		v    *int
	}{{"nps", f.NPS}, {"csat", f.CSAT}, {"ces", f.CES}, {"rating", f.Rating}} {
		if s.v != nil {
			data[s.name] = *s.v
			parts = append(parts, fmt.Sprintf("%s %d", strings.ToUpper(s.name), *s.v))
		}
	}
	if f.NPSClass != "" {
		data["nps_class"] = string(f.NPSClass)
	}
	if f.Analysis != nil {
		data["sentiment"] = f.Analysis.Sentiment
		data["sentiment_label"] = f.Analysis.Label
	}
	body := strings.Join(parts, ", ")
	if f.TouchpointKey != "" {
		body = strings.TrimPrefix(body+" at "+f.TouchpointKey, " ")
	}
	if f.CustomerExternalID != "" {
		body += " from customer " + f.CustomerExternalID
	}
	return &cxm.Notification{WorkspaceID: r.WorkspaceID, Kind: "alert", Title: r.Name, Body: strings.TrimSpace(body),
		RuleID: r.ID, CaseID: caseID, ResponseID: f.ResponseID, CustomerID: f.CustomerID, Data: data, At: now}
}

// maxDigestIDs bounds the response ids a digest lists.
const maxDigestIDs = 50

// digestNotification describes a window's alerts of one rule.
func digestNotification(r *cxm.AlertRule, firings []*cxm.AlertFiring, until time.Time) *cxm.Notification {
	ids, cases := []string{}, []int64{}
	for _, f := range firings {
		if len(ids) < maxDigestIDs {
			ids = append(ids, f.ResponseID)
		}
		if f.CaseID != 0 && len(cases) < maxDigestIDs {
			cases = append(cases, f.CaseID)
		}
	}
	title := fmt.Sprintf("%s: %d alerts", r.Name, len(firings))
	if len(firings) == 1 {
		title = r.Name + ": 1 alert"
	}
	return &cxm.Notification{WorkspaceID: r.WorkspaceID, Kind: "digest", Title: title,
		Body:   fmt.Sprintf("%d responses matched in the %d minutes before %s.", len(firings), r.DigestMinutes, until.Format(time.RFC3339)),
		RuleID: r.ID, Data: map[string]any{"count": len(firings), "response_ids": ids, "case_ids": cases, "until": until}, At: until}
}
