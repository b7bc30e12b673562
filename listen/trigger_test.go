package listen_test

import (
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/listen"
)

// TestSampledIsDeterministicAndFair draws the same answer every time for
// the same ids, and close to the sampling percentage over many customers.
func TestSampledIsDeterministicAndFair(t *testing.T) {
	for _, pct := range []int{1, 10, 50, 90} {
		s := &cxm.Survey{ID: 4242, SamplingPercent: pct}
		const n = 20000
		drawn := 0
		for c := int64(1); c <= n; c++ {
			first := listen.Sampled(s, c, 1000+c)
			if listen.Sampled(s, c, 1000+c) != first {
				t.Fatalf("%d%%: customer %d drawn differently the second time", pct, c)
			}
			if first {
				drawn++
			}
		}
		// Three standard deviations of a binomial draw.
		want := float64(n*pct) / 100
		sd := 3 * sqrt(want*(1-float64(pct)/100))
		if got := float64(drawn); got < want-sd || got > want+sd {
			t.Errorf("%d%%: drew %d of %d, want %.0f ± %.0f", pct, drawn, n, want, sd)
		}
	}
	all := &cxm.Survey{ID: 1, SamplingPercent: 100}
	for c := int64(1); c < 1000; c++ {
		if !listen.Sampled(all, c, c) {
			t.Fatalf("100%% sampling left out customer %d", c)
		}
	}
}

func sqrt(x float64) float64 {
	z := x
	for i := 0; i < 50 && z > 0; i++ {
		z = (z + x/z) / 2
	}
	return z
}

// TestSamplingSkipsAreRecorded triggers a 50% survey for many deliveries:
// the ones not drawn are stored as skipped for sampling, and the draw is
// the one Sampled makes.
func TestSamplingSkipsAreRecorded(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		s := f.survey("half", cxm.InviteEmail, func(s *cxm.Survey) { s.SamplingPercent = 50 })
		skipped, scheduled := 0, 0
		for i := 0; i < 40; i++ {
			for _, inv := range f.deliver("d-"+string(rune('a'+i%26))+string(rune('a'+i/26)), "anna", f.clock.Now()) {
				drawn := listen.Sampled(s, inv.CustomerID, inv.InteractionID)
				switch {
				case drawn && inv.Status == cxm.InvitationScheduled:
					scheduled++
				case !drawn && inv.Status == cxm.InvitationSkipped && inv.SkipReason == cxm.SkipSampling:
					skipped++
				default:
					t.Errorf("invitation %+v: drawn %v", inv, drawn)
				}
			}
		}
		if skipped == 0 || scheduled == 0 || skipped+scheduled != 40 {
			t.Errorf("skipped %d, scheduled %d; want both of 40", skipped, scheduled)
		}
		jobs, _, _ := f.db.ListJobs(f.ctx, f.ws.ID, cxm.JobFilter{Kind: cxm.JobSurveyInvite, Page: cxm.Page{Limit: 1000}})
		if len(jobs) != scheduled {
			t.Errorf("%d invite jobs, want one per scheduled invitation (%d)", len(jobs), scheduled)
		}
	})
}

// TestTriggerMatchesTypeAndTouchpoint: only the trigger's interaction type
// at its touchpoint invites; paused surveys invite nobody.
func TestTriggerMatchesTypeAndTouchpoint(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.survey("paused", cxm.InviteEmail, func(s *cxm.Survey) { s.Status = cxm.SurveyPaused })
		f.survey("active", cxm.InviteEmail, nil)
		tp := &cxm.Touchpoint{WorkspaceID: f.ws.ID, Key: "hotline", Name: "Hotline", StageKey: "receipt", Channel: cxm.ChannelPhone}
		if err := f.db.CreateTouchpoint(f.ctx, tp); err != nil {
			t.Fatal(err)
		}
		batch := []*cxm.Interaction{
			{ID: "x-1", Customer: "anna", Touchpoint: "delivery", Type: "ordered", OccurredAt: f.clock.Now()},
			{ID: "x-2", Customer: "anna", Touchpoint: "hotline", Type: "delivered", OccurredAt: f.clock.Now()},
			{ID: "x-3", Customer: "anna", Touchpoint: "delivery", Type: "delivered", OccurredAt: f.clock.Now()},
		}
		if _, err := f.db.IngestInteractions(f.ctx, f.ws.ID, batch, cxm.IngestOptions{}); err != nil {
			t.Fatal(err)
		}
		invs, err := f.l.Trigger(f.ctx, f.ws.ID, batch)
		if err != nil || len(invs) != 1 {
			t.Fatalf("trigger = %d invitations, %v; want 1", len(invs), err)
		}
		refs, _ := f.db.InteractionRefs(f.ctx, f.ws.ID, []string{"x-3"})
		if invs[0].InteractionID != refs["x-3"].RowID {
			t.Errorf("invitation names interaction %d, want x-3's %d", invs[0].InteractionID, refs["x-3"].RowID)
		}
	})
}
