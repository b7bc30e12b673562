// Package textjob analyses the free text of completed responses, offline
// and asynchronously, through the durable job runner: language,
// sentiment, topic mentions with their sentiment, and masked personal data.
//
// A completed response with text is marked pending by the store in the
// transaction that completes it. A text.analyze job per workspace takes
// the pending responses in batches; it is enqueued when a response
// completes (through the bus) and by a sweep at start and every minute,
// so that a lost event delays an analysis but never loses it. Analysis
// runs apart from answering, so a failure can neither delay nor lose a
// response.
package textjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/text"
)

// Config wires a Worker.
type Config struct {
	Texts cxm.TextAnalysisService
	Jobs  cxm.JobStore
	// Analyzer analyses the texts of workspaces without a trained model of
	// their own; it redacts personal data unless it was made with KeepPII.
	Analyzer *text.Analyzer
	// Model names what scores sentiment with Analyzer, stored with each
	// analysis (default "lexicon").
	Model string
	// Models, when set, holds the workspaces' trained models: a workspace
	// with an active one gets an analyzer of its own that blends it with
	// the lexicon, and its analyses name the model's version.
	Models cxm.TextModelService
	// Topics, when set, holds the workspaces' own topic taxonomies: a
	// workspace with one gets an analyzer of its own that finds them, made
	// again whenever the taxonomy's version changes.
	Topics cxm.TextTopicService
	// Options are the options of the workspaces' own analyzers, before
	// their model and taxonomy are added; they should match Analyzer's.
	Options text.Options
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// BatchSize is how many responses one transaction stores (default 200).
	BatchSize int
	// Budget bounds one job's run; the rest waits for the next job (default 20s).
	Budget time.Duration
	// Wake, when set, is called after a job is enqueued, so that the
	// runner claims it at once.
	Wake func()
	// Bus, when set, hears response.analyzed for every analysis stored,
	// so that alert rules on sentiment and topics can decide.
	Bus cxm.Bus
}

// Worker runs the text.analyze jobs.
type Worker struct {
	cfg   Config
	cache analyzers
	// queued holds, per workspace, when this node last enqueued its job,
	// so that a burst of completed responses costs one enqueue, not one
	// write each, while the job waits or runs.
	mu     sync.Mutex
	queued map[int64]time.Time
}

// New returns a worker for cfg.
func New(cfg Config) (*Worker, error) {
	if cfg.Texts == nil || cfg.Jobs == nil || cfg.Analyzer == nil {
		return nil, errors.New("textjob: Texts, Jobs and Analyzer are required")
	}
	if cfg.Model == "" {
		cfg.Model = "lexicon"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 200
	}
	if cfg.Budget <= 0 {
		cfg.Budget = 20 * time.Second
	}
	return &Worker{cfg: cfg, cache: analyzers{byWorkspace: map[int64]*workspaceAnalyzer{}}, queued: map[int64]time.Time{}}, nil
}

// Register makes r run text.analyze jobs with Handle.
func (w *Worker) Register(r *jobs.Runner) {
	r.Register(cxm.JobTextAnalyze, w.Handle)
}

// Subscribe enqueues a workspace's job whenever one of its responses
// completes, until ctx ends.
func (w *Worker) Subscribe(ctx context.Context, b cxm.Bus) error {
	err := b.Subscribe(ctx, cxm.TopicResponseCompleted, func(ctx context.Context, e cxm.Event) error {
		return w.Enqueue(ctx, e.WorkspaceID)
	})
	if err != nil {
		return fmt.Errorf("textjob: subscribe: %w", err)
	}
	return nil
}

// Enqueue makes sure a text.analyze job of the workspace is pending or
// running. One key per workspace keeps it to one job at a time. While the
// job this node enqueued has not finished (and for at most twice its
// budget, in case it died), further calls do nothing: the running job
// takes their texts in its next batch, and the sweep catches any that
// complete after its last one.
func (w *Worker) Enqueue(ctx context.Context, workspaceID int64) error {
	now := time.Now()
	w.mu.Lock()
	if at, ok := w.queued[workspaceID]; ok && now.Sub(at) < 2*w.cfg.Budget {
		w.mu.Unlock()
		return nil
	}
	w.queued[workspaceID] = now
	w.mu.Unlock()
	j := &cxm.Job{WorkspaceID: workspaceID, Kind: cxm.JobTextAnalyze, UniqueKey: "pending"}
	created, err := w.cfg.Jobs.EnqueueJob(ctx, j)
	if err != nil {
		w.settled(workspaceID)
		return fmt.Errorf("textjob: enqueue for workspace %d: %w", workspaceID, err)
	}
	if created && w.cfg.Wake != nil {
		w.cfg.Wake()
	}
	return nil
}

// settled forgets that the workspace's job is queued, so that the next
// completed response enqueues one again.
func (w *Worker) settled(workspaceID int64) {
	w.mu.Lock()
	delete(w.queued, workspaceID)
	w.mu.Unlock()
}

// Sweep enqueues a job for every workspace with text waiting.
func (w *Worker) Sweep(ctx context.Context) error {
	ids, err := w.cfg.Texts.WorkspacesWithPendingTexts(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		w.settled(id) // the sweep enqueues whatever this node believes
		if err := w.Enqueue(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// SweepEvery sweeps at once and then every interval until ctx ends.
func (w *Worker) SweepEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("text analysis sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Handle runs one text.analyze job: it analyses the workspace's pending
// responses batch by batch until none is left or the budget is spent; a
// sweep enqueues the job again for what remains.
func (w *Worker) Handle(ctx context.Context, j *cxm.Job) error {
	defer w.settled(j.WorkspaceID)
	deadline := time.Now().Add(w.cfg.Budget)
	for time.Now().Before(deadline) {
		n, err := w.RunBatch(ctx, j.WorkspaceID)
		if err != nil {
			return err
		}
		if n < w.cfg.BatchSize {
			return nil
		}
	}
	return nil
}

// RunBatch analyses and stores up to one batch of the workspace's pending
// responses and returns how many it took.
func (w *Worker) RunBatch(ctx context.Context, workspaceID int64) (int, error) {
	pending, err := w.cfg.Texts.PendingTexts(ctx, workspaceID, w.cfg.BatchSize)
	if err != nil {
		return 0, err
	}
	if len(pending) == 0 {
		return 0, nil
	}
	an, err := w.analyzerFor(ctx, workspaceID)
	if err != nil {
		return 0, err
	}
	out := make([]*cxm.TextAnalysis, len(pending))
	for i, p := range pending {
		out[i] = w.analyzeWith(an.analyzer, an.name, p)
	}
	if err := w.cfg.Texts.SaveTextAnalyses(ctx, out); err != nil {
		return 0, err
	}
	w.publishAnalyzed(ctx, out)
	return len(pending), nil
}

// Analyze analyses one response's text answers. The language and the
// overall sentiment come from all answers together; every mention keeps
// its question and the sentiment of its sentence. A response without text
// answers gets an analysis with none, which only marks it done.
func (w *Worker) Analyze(p *cxm.PendingText) *cxm.TextAnalysis {
	return w.analyzeWith(w.cfg.Analyzer, w.cfg.Model, p)
}

// analyzeWith analyses p with an, naming model as what scored it.
func (w *Worker) analyzeWith(an *text.Analyzer, model string, p *cxm.PendingText) *cxm.TextAnalysis {
	a := &cxm.TextAnalysis{WorkspaceID: p.WorkspaceID, ResponseID: p.ResponseID, Mentions: []cxm.TopicMention{},
		Redacted: map[string]string{}, Model: model, AnalyzedAt: w.cfg.Now().UTC().Truncate(time.Microsecond)}
	if len(p.Texts) == 0 {
		return a
	}
	keys := slices.Sorted(maps.Keys(p.Texts))
	all := make([]string, 0, len(keys))
	for _, k := range keys {
		t := p.Texts[k]
		all = append(all, t)
		res := an.Analyze(t)
		a.Redacted[k] = t
		if res.Redacted != "" {
			a.Redacted[k] = res.Redacted
		}
		for _, m := range res.Mentions {
			a.Mentions = append(a.Mentions, cxm.TopicMention{Question: k, Topic: m.Topic, Term: m.Term, Start: m.Start,
				End: m.End, Sentiment: m.Sentiment.Score, SentimentLabel: string(m.Sentiment.Label)})
		}
	}
	whole := an.Analyze(strings.Join(all, "\n\n"))
	a.Language = string(whole.Language)
	a.Sentiment, a.SentimentLabel = whole.Sentiment.Score, string(whole.Sentiment.Label)
	a.Label = a.SentimentLabel
	return a
}

// publishAnalyzed announces stored analyses on the bus, when there is
// one. They are stored already, so a failure is logged only.
func (w *Worker) publishAnalyzed(ctx context.Context, as []*cxm.TextAnalysis) {
	if w.cfg.Bus == nil {
		return
	}
	for _, a := range as {
		data, err := json.Marshal(map[string]string{"response_id": a.ResponseID})
		if err != nil {
			continue
		}
		e := cxm.Event{Topic: cxm.TopicResponseAnalyzed, WorkspaceID: a.WorkspaceID, ID: "analyzed:" + a.ResponseID, At: w.cfg.Now(), Data: data}
		if err := w.cfg.Bus.Publish(ctx, e); err != nil {
			w.cfg.Logger.Warn("publish analysed response", "workspace", a.WorkspaceID, "response", a.ResponseID, "err", err)
		}
	}
}
