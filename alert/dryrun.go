package alert

import (
	"context"
	"errors"

	"github.com/cxmhq/cxm"
)

// MaxDryRunExamples bounds the response ids a dry run shows.
const MaxDryRunExamples = 10

// DryRunResult tells how often a condition would have fired.
type DryRunResult struct {
	// Evaluated counts the responses the condition was evaluated on.
	Evaluated int `json:"evaluated"`
	// WouldFire counts those it holds for.
	WouldFire int `json:"would_fire"`
	// Failed counts those it failed on, such as by comparing an answer the
	// response lacks, and TimedOut those it ran out of time on; neither fires.
	Failed   int `json:"failed"`
	TimedOut int `json:"timed_out"`
	// Examples are the ids of up to ten responses it would have fired for,
	// newest first.
	Examples []string `json:"examples"`
}

// DryRun evaluates p on every response of facts, as the engine would
// once the text analysis is stored, and counts where it fires.
func DryRun(ctx context.Context, p *Program, facts []*cxm.AlertFacts) DryRunResult {
	out := DryRunResult{Examples: []string{}}
	for _, f := range facts {
		if ctx.Err() != nil {
			break
		}
		out.Evaluated++
		ok, err := p.Eval(ctx, NewEnv(f))
		switch {
		case errors.Is(err, ErrTimeout):
			out.TimedOut++
		case err != nil:
			out.Failed++
		case ok:
			out.WouldFire++
			if len(out.Examples) < MaxDryRunExamples {
				out.Examples = append(out.Examples, f.ResponseID)
			}
		}
	}
	return out
}
