package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// loyaltyFixture stores a small hand-checked month of purchases,
// referrals, complaints and reviews in March 2026 (UTC) and returns the
// workspace and touchpoints by key.
func loyaltyFixture(t *testing.T, db *DB, slug string) (*cxm.Workspace, map[string]*cxm.Touchpoint) {
	t.Helper()
	ctx := context.Background()
	ws := mustCreateWorkspace(t, db, slug)
	tps := map[string]*cxm.Touchpoint{}
	for _, k := range []string{"shop", "hotline", "reviews"} {
		tps[k] = mustCreateTouchpointAt(t, db, ws.ID, k, "purchase")
	}
	mustCreateCustomer(t, db, ws.ID, &cxm.Customer{ExternalID: "a", Attributes: cxm.Attributes{"tier": "gold"}})
	mustCreateCustomer(t, db, ws.ID, &cxm.Customer{ExternalID: "b", Attributes: cxm.Attributes{"tier": "gold", "vip": true}})
	mustCreateCustomer(t, db, ws.ID, &cxm.Customer{ExternalID: "c", Attributes: cxm.Attributes{"tier": "silver", "since": 2024.0}})
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
	rating := func(v any) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"rating": v})
		return b
	}
	var batch []*cxm.Interaction
	add := func(who, anon, tp, typ string, at time.Time, props json.RawMessage) {
		batch = append(batch, &cxm.Interaction{ID: fmt.Sprint(slug, "-", len(batch)), Customer: who, AnonymousID: anon,
			Touchpoint: tp, Type: typ, OccurredAt: at, Properties: props})
	}
	add("a", "", "shop", "order", day(3, 2), nil)
	add("a", "", "shop", "purchase", day(3, 10), nil)
	add("a", "", "shop", "referral", day(3, 12), nil)
	add("a", "", "reviews", "review", day(3, 15), rating(5))
	add("b", "", "shop", "order", day(3, 3), nil)
	add("b", "", "hotline", "complaint", day(3, 4), nil)
	add("b", "", "reviews", "review", day(3, 6), rating(2))
	add("c", "", "shop", "order", day(2, 1), nil)
	add("c", "", "shop", "purchase", day(3, 5), nil)
	add("c", "", "shop", "complaint", day(3, 7), nil)
	add("d", "", "shop", "visit", day(3, 8), nil)
	add("d", "", "reviews", "review", day(3, 9), rating("bad"))
	add("d", "", "reviews", "review", day(3, 9), rating(9))
	add("e", "", "shop", "order", time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), nil)
	add("e", "", "shop", "order", day(4, 5), nil)
	add("", "anon-1", "reviews", "review", day(3, 20), rating(4))
	res, err := db.IngestInteractions(ctx, ws.ID, batch, cxm.IngestOptions{})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("ingest: %v %+v", err, res)
	}
	return ws, tps
}

func TestLoyaltyFacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ws, tps := loyaltyFixture(t, db, "loyal")
		// Another workspace's purchases, referrals and complaints never count.
		other, _ := loyaltyFixture(t, db, "other")
		march := cxm.LoyaltyQuery{WorkspaceID: ws.ID, From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
		gold := &cxm.AttributeFilter{Key: "tier", Value: "gold"}
		withTP := march
		withTP.FilterTouchpoints, withTP.TouchpointIDs = true, []int64{tps["hotline"].ID}
		none := march
		none.FilterTouchpoints = true
		goldQ := march
		goldQ.Attribute = gold
		vip := march
		vip.Attribute = &cxm.AttributeFilter{Key: "vip", Value: "true"}
		since := march
		since.Attribute = &cxm.AttributeFilter{Key: "since", Value: "2024"}
		for _, tc := range []struct {
			name      string
			q         cxm.LoyaltyQuery
			purchases []int
			active    int64
			referrers int64
			complain  int64
			reviews   cxm.ReviewFacts
			lastBuys  int
		}{
			// a bought twice, b and c once in March; d only visited; e bought
			// in 2025 and after March. Reviews: 5 (a), 2 (b), 4 (anonymous);
			// d's ratings "bad" and 9 are not valid.
			{"march", march, []int{1, 1, 2}, 4, 1, 2, cxm.ReviewFacts{N: 3, Sum: 11, SumSq: 45}, 4},
			{"hotline only", withTP, []int{1, 1, 2}, 4, 1, 1, cxm.ReviewFacts{}, 4},
			{"no touchpoint", none, []int{1, 1, 2}, 4, 1, 0, cxm.ReviewFacts{}, 4},
			{"gold", goldQ, []int{1, 2}, 2, 1, 1, cxm.ReviewFacts{N: 2, Sum: 7, SumSq: 29}, 2},
			{"vip", vip, []int{1}, 1, 0, 1, cxm.ReviewFacts{N: 1, Sum: 2, SumSq: 4}, 1},
			{"since 2024", since, []int{1}, 1, 0, 1, cxm.ReviewFacts{}, 1},
			{"all time", cxm.LoyaltyQuery{WorkspaceID: ws.ID}, []int{1, 2, 2, 2}, 5, 1, 2, cxm.ReviewFacts{N: 3, Sum: 11, SumSq: 45}, 4},
		} {
			f, err := db.LoyaltyFacts(ctx, tc.q)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			slices.Sort(f.PurchasesPerCustomer)
			if !slices.Equal(f.PurchasesPerCustomer, tc.purchases) {
				t.Errorf("%s: purchases per customer %v, want %v", tc.name, f.PurchasesPerCustomer, tc.purchases)
			}
			if f.ActiveCustomers != tc.active || f.Referrers != tc.referrers || f.Complainers != tc.complain {
				t.Errorf("%s: active %d, referrers %d, complainers %d; want %d, %d, %d", tc.name,
					f.ActiveCustomers, f.Referrers, f.Complainers, tc.active, tc.referrers, tc.complain)
			}
			if f.Reviews != tc.reviews {
				t.Errorf("%s: reviews %+v, want %+v", tc.name, f.Reviews, tc.reviews)
			}
			if len(f.LastPurchases) != tc.lastBuys {
				t.Errorf("%s: %d last purchases, want %d", tc.name, len(f.LastPurchases), tc.lastBuys)
			}
		}
		// The last purchases before April: e's is from June 2025, not April 2026.
		f, err := db.LoyaltyFacts(ctx, march)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(f.LastPurchases, time.Time.Compare)
		if want := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC); !f.LastPurchases[0].Equal(want) {
			t.Errorf("earliest last purchase %v, want %v", f.LastPurchases[0], want)
		}
		if want := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC); !f.LastPurchases[3].Equal(want) {
			t.Errorf("latest last purchase %v, want %v", f.LastPurchases[3], want)
		}
		if f, err := db.LoyaltyFacts(ctx, cxm.LoyaltyQuery{WorkspaceID: other.ID + ws.ID + 1000}); err != nil || f.ActiveCustomers != 0 || len(f.PurchasesPerCustomer) != 0 {
			t.Errorf("unknown workspace: %+v, %v", f, err)
		}
	})
}

func TestPurchaseHistories(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ws, _ := loyaltyFixture(t, db, "cohort")
		loyaltyFixture(t, db, "cohort-other")
		at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
		apr := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name string
			q    cxm.LoyaltyQuery
			want [][]time.Time
		}{
			// c first bought in February, e in 2025: neither is a March buyer.
			{"first in march", cxm.LoyaltyQuery{WorkspaceID: ws.ID, From: at(3, 1), To: apr},
				[][]time.Time{{at(3, 2), at(3, 10)}, {at(3, 3)}}},
			{"first since february", cxm.LoyaltyQuery{WorkspaceID: ws.ID, From: at(2, 1), To: apr},
				[][]time.Time{{at(2, 1), at(3, 5)}, {at(3, 2), at(3, 10)}, {at(3, 3)}}},
			// e's April order lies after To and is left out.
			{"before april", cxm.LoyaltyQuery{WorkspaceID: ws.ID, To: apr},
				[][]time.Time{{time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}, {at(2, 1), at(3, 5)}, {at(3, 2), at(3, 10)}, {at(3, 3)}}},
			{"gold", cxm.LoyaltyQuery{WorkspaceID: ws.ID, To: apr, Attribute: &cxm.AttributeFilter{Key: "tier", Value: "gold"}},
				[][]time.Time{{at(3, 2), at(3, 10)}, {at(3, 3)}}},
		} {
			got, err := db.PurchaseHistories(ctx, tc.q)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			for _, h := range got {
				slices.SortFunc(h, time.Time.Compare)
			}
			slices.SortFunc(got, func(a, b []time.Time) int { return a[0].Compare(b[0]) })
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: histories\n%v, want\n%v", tc.name, got, tc.want)
			}
		}
	})
}

func TestResponseFacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "rr")
		s2 := mustCreateSurvey(t, db, testSurvey(f.ws.ID, "rr-two", "delivery"))
		other := newInviteFixture(t, db, "rr-other")
		day := func(m time.Month, d int) *time.Time {
			t := time.Date(2026, m, d, 9, 0, 0, 0, time.UTC)
			return &t
		}
		// invite stores an invitation of survey s in status with contact
		// time contacted and, when response is "complete" or "partial", a
		// response that names it.
		n := 0
		invite := func(fx *inviteFixture, s *cxm.Survey, status cxm.InvitationStatus, contacted *time.Time, response string) {
			t.Helper()
			inv := fx.mustCreate(t, fx.invitation(s, fx.anna, cxm.InviteEmail, *day(3, 1)))
			err := db.inTx(ctx, func(tx queryer) error {
				_, err := tx.exec(ctx, "UPDATE invitations SET status = ?, contacted_at = ? WHERE workspace_id = ? AND id = ?",
					string(status), nullMicros(contacted), fx.ws.ID, inv.ID)
				if err != nil || response == "" {
					return err
				}
				n++
				_, err = tx.exec(ctx, `INSERT INTO responses (id, workspace_id, public_id, survey_id, invitation_id, channel, source,
					locale, answers, hidden, completed, started_at, updated_at) VALUES (?, ?, ?, ?, ?, 'email', 'email', 'de', '{}', '{}', ?, 0, 0)`,
					900000+n, fx.ws.ID, fmt.Sprint("rr-", n), s.ID, inv.ID, boolInt(response == "complete"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		invite(f, f.survey, cxm.InvitationAnswered, day(3, 2), "complete")
		invite(f, f.survey, cxm.InvitationSent, day(3, 3), "")
		invite(f, f.survey, cxm.InvitationBounced, nil, "")
		invite(f, f.survey, cxm.InvitationSkipped, nil, "")
		invite(f, f.survey, cxm.InvitationFailed, nil, "")
		invite(f, f.survey, cxm.InvitationScheduled, day(3, 4), "")
		invite(f, f.survey, cxm.InvitationShown, day(3, 4), "partial")
		invite(f, f.survey, cxm.InvitationExpired, day(3, 5), "")
		invite(f, f.survey, cxm.InvitationSent, day(2, 20), "complete")
		invite(f, s2, cxm.InvitationAnswered, day(3, 6), "complete")
		invite(other, other.survey, cxm.InvitationAnswered, day(3, 6), "complete")
		// A completed response without an invitation counts nowhere.
		err := db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, `INSERT INTO responses (id, workspace_id, public_id, survey_id, channel, source,
				locale, answers, hidden, completed, started_at, updated_at) VALUES (?, ?, 'rr-open', ?, 'web', 'link', 'de', '{}', '{}', 1, 0, 0)`,
				899999, f.ws.ID, f.survey.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		march := cxm.ResponseRateQuery{WorkspaceID: f.ws.ID, From: *day(3, 1), To: *day(4, 1)}
		got, err := db.ResponseFacts(ctx, march)
		if err != nil {
			t.Fatal(err)
		}
		// Survey one: answered, sent, shown and expired reached customers in
		// March (4); one of them has a completed response.
		want := []cxm.SurveyResponseFacts{{SurveyID: f.survey.ID, Delivered: 4, Responded: 1}, {SurveyID: s2.ID, Delivered: 1, Responded: 1}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("march: %+v, want %+v", got, want)
		}
		march.SurveyIDs = []int64{s2.ID}
		if got, err = db.ResponseFacts(ctx, march); err != nil || fmt.Sprint(got) != fmt.Sprint(want[1:]) {
			t.Errorf("survey two: %+v, %v; want %+v", got, err, want[1:])
		}
		all := cxm.ResponseRateQuery{WorkspaceID: f.ws.ID, SurveyIDs: []int64{f.survey.ID}}
		if got, err = db.ResponseFacts(ctx, all); err != nil || len(got) != 1 || got[0].Delivered != 5 || got[0].Responded != 2 {
			t.Errorf("all time: %+v, %v; want 2 of 5", got, err)
		}
	})
}

// TestLoyaltyFactsOnDemoData reads a year of the demo company: the
// purchases per customer match the generator's own interactions exactly,
// and the shares are plausible for a retailer.
func TestLoyaltyFactsOnDemoData(t *testing.T) {
	db, ws, d := seedDemo(t, 400)
	ctx := context.Background()
	perCustomer := map[string]int{}
	for _, in := range d.Interactions {
		if slices.Contains(cxm.PurchaseTypes, in.Type) && in.Customer != "" {
			perCustomer[in.Customer]++
		}
	}
	var want []int
	for _, n := range perCustomer {
		want = append(want, n)
	}
	slices.Sort(want)
	f, err := db.LoyaltyFacts(ctx, cxm.LoyaltyQuery{WorkspaceID: ws.ID, From: d.Start, To: d.End})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(f.PurchasesPerCustomer)
	if !slices.Equal(f.PurchasesPerCustomer, want) {
		t.Errorf("purchases per customer differ from the generator's: %d buyers, want %d", len(f.PurchasesPerCustomer), len(want))
	}
	repeat := metric.RepeatPurchaseRate(f.PurchasesPerCustomer, metric.Options{})
	t.Logf("repeat %v; %d active, %d referrers, %d complainers, %d reviews", repeat, f.ActiveCustomers, f.Referrers, f.Complainers, f.Reviews.N)
	if !repeat.Sufficient() || repeat.Value <= 5 || repeat.Value >= 95 {
		t.Errorf("repeat purchase rate %v, want a plausible share", repeat)
	}
	if f.ActiveCustomers < int64(len(want)) || f.Referrers == 0 || f.Complainers == 0 ||
		f.Referrers >= f.ActiveCustomers/2 || f.Complainers >= f.ActiveCustomers/2 {
		t.Errorf("%d active, %d buyers, %d referrers, %d complainers: want some referrers and complainers, a minority of the active", f.ActiveCustomers, len(want), f.Referrers, f.Complainers)
	}
	if mean := f.Reviews.Sum / float64(f.Reviews.N); f.Reviews.N < 30 || mean < 2.5 || mean > 5 {
		t.Errorf("%d reviews with mean %.2f, want many, mostly good", f.Reviews.N, mean)
	}
	// Gold customers (spent 500 or more) buy again more often than bronze.
	tier := func(v string) metric.Estimate {
		f, err := db.LoyaltyFacts(ctx, cxm.LoyaltyQuery{WorkspaceID: ws.ID, From: d.Start, To: d.End, Attribute: &cxm.AttributeFilter{Key: "loyalty_tier", Value: v}})
		if err != nil {
			t.Fatal(err)
		}
		return metric.RepeatPurchaseRate(f.PurchasesPerCustomer, metric.Options{MinN: 1})
	}
	if gold, bronze := tier("gold"), tier("bronze"); gold.N == 0 || bronze.N == 0 || gold.Value <= bronze.Value {
		t.Errorf("repeat purchase: gold %v, bronze %v; want gold higher", gold, bronze)
	}
}
