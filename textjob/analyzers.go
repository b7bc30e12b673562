package textjob

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/cxmhq/cxm/text"
)

// analyzers caches one analyzer per workspace, made for the workspace's
// active model version and topics version; a new version of either
// replaces it.
type analyzers struct {
	mu          sync.Mutex
	byWorkspace map[int64]*workspaceAnalyzer
}

// workspaceAnalyzer is the analyzer of one workspace and what it was made of.
type workspaceAnalyzer struct {
	model    int // active model version, 0 for the lexicon alone
	topics   int // topics version, 0 for the default taxonomy
	analyzer *text.Analyzer
	name     string // what analyses name as their model
}

// analyzerFor returns the analyzer of the workspace: the shared one while
// it has neither an active model nor topics of its own, else one made
// once per (workspace, model version, topics version) that blends the
// model with the lexicon and finds the workspace's topics.
func (w *Worker) analyzerFor(ctx context.Context, workspaceID int64) (*workspaceAnalyzer, error) {
	shared := &workspaceAnalyzer{analyzer: w.cfg.Analyzer, name: w.cfg.Model}
	var model, topics int
	var err error
	if w.cfg.Models != nil {
		if model, err = w.cfg.Models.ActiveTextModelVersion(ctx, workspaceID); err != nil {
			return nil, fmt.Errorf("textjob: analyzer of workspace %d: %w", workspaceID, err)
		}
	}
	if w.cfg.Topics != nil {
		if topics, err = w.cfg.Topics.TextTopicsVersion(ctx, workspaceID); err != nil {
			return nil, fmt.Errorf("textjob: analyzer of workspace %d: %w", workspaceID, err)
		}
	}
	if model == 0 && topics == 0 {
		return shared, nil
	}
	w.cache.mu.Lock()
	cached := w.cache.byWorkspace[workspaceID]
	w.cache.mu.Unlock()
	if cached != nil && cached.model == model && cached.topics == topics {
		return cached, nil
	}
	opt := w.cfg.Options
	wa := &workspaceAnalyzer{model: model, topics: topics, name: w.cfg.Model}
	if model != 0 {
		m, err := w.cfg.Models.FindTextModel(ctx, workspaceID, model)
		if err != nil {
			return nil, fmt.Errorf("textjob: analyzer of workspace %d: %w", workspaceID, err)
		}
		if opt.Model, err = text.UnmarshalModel(m.Blob); err != nil {
			// A model that cannot be read must not hold up the analysis.
			w.cfg.Logger.Warn("text model unreadable; analysing with the lexicon", "workspace", workspaceID, "version", model, "err", err)
			opt.Model = nil
		} else {
			opt.LexiconWeight, wa.name = m.LexiconWeight, m.ModelName()
		}
	}
	if topics != 0 {
		t, err := w.cfg.Topics.FindTextTopics(ctx, workspaceID)
		if err != nil {
			return nil, fmt.Errorf("textjob: analyzer of workspace %d: %w", workspaceID, err)
		}
		var tax text.Taxonomy
		if err := json.Unmarshal(t.Taxonomy, &tax); err != nil {
			return nil, fmt.Errorf("textjob: topics of workspace %d: %w", workspaceID, err)
		}
		opt.Taxonomy = &tax
	}
	if wa.analyzer, err = text.NewAnalyzer(opt); err != nil {
		return nil, fmt.Errorf("textjob: analyzer of workspace %d: %w", workspaceID, err)
	}
	w.cache.mu.Lock()
	w.cache.byWorkspace[workspaceID] = wa
	w.cache.mu.Unlock()
	return wa, nil
}
