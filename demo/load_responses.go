package demo

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/cxmhq/cxm"
)

// responseWorkers is how many responses Load submits at once; the store
// commits concurrent submits together.
const responseWorkers = 16

// loadSurveys creates the surveys of d that the workspace does not have
// yet (by slug) and returns the ids of all of them, in the order of
// d.Surveys, and which of them it created. A slug taken by another
// workspace of the server is EConflict.
func loadSurveys(ctx context.Context, s cxm.SurveyService, workspaceID int64, d *Dataset) ([]int64, []bool, error) {
	ids := make([]int64, len(d.Surveys))
	created := make([]bool, len(d.Surveys))
	for i := range d.Surveys {
		sv := d.Surveys[i]
		for try := 0; ids[i] == 0; try++ {
			found, err := s.FindSurveyBySlug(ctx, sv.Slug)
			switch {
			case err == nil && found.WorkspaceID == workspaceID:
				ids[i] = found.ID
				continue
			case err == nil:
				return ids, created, cxm.Errorf(cxm.EConflict,
					"demo: survey slug %s belongs to another workspace; choose another survey prefix", sv.Slug)
			case cxm.ErrorCode(err) != cxm.ENotFound:
				return ids, created, fmt.Errorf("demo: find survey %s: %w", sv.Slug, err)
			}
			c := copySurvey(&sv)
			c.WorkspaceID = workspaceID
			err = s.CreateSurvey(ctx, c)
			switch {
			case cxm.ErrorCode(err) == cxm.EConflict && try == 0:
				// Created meanwhile: look it up again.
			case err != nil:
				return ids, created, fmt.Errorf("demo: create survey %s: %w", sv.Slug, err)
			default:
				ids[i], created[i] = c.ID, true
			}
		}
	}
	return ids, created, nil
}

// copySurvey returns a copy of s that shares nothing Validate may change.
func copySurvey(s *cxm.Survey) *cxm.Survey {
	c := *s
	c.Touchpoints = append([]string(nil), s.Touchpoints...)
	c.HiddenFields = append([]string(nil), s.HiddenFields...)
	c.Questions = append([]cxm.Question(nil), s.Questions...)
	if s.Widget != nil {
		w := *s.Widget
		w.Triggers = append([]cxm.WidgetTrigger(nil), s.Widget.Triggers...)
		c.Widget = &w
	}
	return &c
}

// storedResponses returns the ids of the responses stored for the
// surveys ids that were not created just now.
func storedResponses(ctx context.Context, s cxm.ResponseService, workspaceID int64, ids []int64, created []bool) (map[string]bool, error) {
	out := map[string]bool{}
	for i, id := range ids {
		if created[i] {
			continue
		}
		for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
			list, next, err := s.ListResponses(ctx, workspaceID, cxm.ResponseFilter{SurveyID: id, Page: page})
			if err != nil {
				return nil, fmt.Errorf("demo: list responses: %w", err)
			}
			for _, r := range list {
				out[r.ID] = true
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
	}
	return out, nil
}

// loadResponses submits the responses of d, validated against their
// surveys, with several submits at a time. A response stored before,
// as listed in stored, is counted as a duplicate and left as it is,
// partial ones included.
func loadResponses(ctx context.Context, s cxm.ResponseService, workspaceID int64, d *Dataset, ids []int64,
	stored map[string]bool, sum *Summary) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	for range responseWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				created, err := submitOne(ctx, s, workspaceID, d, ids, i)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				if created {
					sum.Responses++
				} else {
					sum.ResponseDuplicates++
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range d.Responses {
		if stored[d.Responses[i].ID] {
			sum.ResponseDuplicates++
			continue
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// The caller's context ended.
		firstErr = fmt.Errorf("demo: load responses: %w", ctx.Err())
	}
	return firstErr
}

// submitOne stores response i of d and reports whether it was new.
func submitOne(ctx context.Context, s cxm.ResponseService, workspaceID int64, d *Dataset, ids []int64, i int) (bool, error) {
	gr := &d.Responses[i]
	r := gr.Response
	r.WorkspaceID, r.SurveyID = workspaceID, ids[gr.Survey]
	r.Answers = maps.Clone(gr.Answers)
	r.Hidden = maps.Clone(gr.Hidden)
	if gr.CompletedAt != nil {
		t := *gr.CompletedAt
		r.CompletedAt = &t
	}
	sv := &d.Surveys[gr.Survey]
	if err := sv.ValidateAnswers(r.Answers, r.Completed); err != nil {
		return false, fmt.Errorf("demo: response %s: %w", r.ID, err)
	}
	r.Derive(sv)
	res, err := s.SubmitResponse(ctx, &r)
	if err != nil {
		return false, fmt.Errorf("demo: submit response %s: %w", r.ID, err)
	}
	// A partial response stored meanwhile takes the same answers again.
	return res.Created, nil
}
