package web_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// loyaltyAnswer is the part of GET /api/v1/metrics/loyalty the tests read.
type loyaltyAnswer struct {
	ActiveCustomers int64 `json:"active_customers"`
	RepeatPurchase  struct {
		Rate         estimateWire `json:"rate"`
		Buyers       int64        `json:"buyers"`
		RepeatBuyers int64        `json:"repeat_buyers"`
	} `json:"repeat_purchase"`
	Referral struct {
		Rate      estimateWire `json:"rate"`
		Referrers int64        `json:"referrers"`
	} `json:"referral"`
	Complaint struct {
		Rate        estimateWire `json:"rate"`
		Complainers int64        `json:"complainers"`
	} `json:"complaint"`
	Reviews struct {
		Count int64        `json:"count"`
		Mean  estimateWire `json:"mean"`
	} `json:"reviews"`
	Churn struct {
		ChurnDays int          `json:"churn_days"`
		Customers int64        `json:"customers"`
		Churned   int64        `json:"churned"`
		Rate      estimateWire `json:"rate"`
	} `json:"churn"`
}

// estimateWire is an estimate as the API sends it.
type estimateWire struct {
	Status string   `json:"status"`
	Value  *float64 `json:"value"`
	N      int64    `json:"n"`
}

// near reports whether the estimate is shown and equals want to 1e-6.
func (e estimateWire) near(want float64) bool {
	return e.Status == "ok" && e.Value != nil && math.Abs(*e.Value-want) < 1e-6
}

// postLoyaltyFixture posts, for workspace A, a March 2026 of purchases,
// a referral, complaints and reviews:
// c1 buys twice (Mar 2, 10), refers and reviews 5 stars; c2 buys once
// (Mar 3), complains at the hotline and reviews 2 stars; c3 buys on Jan 5
// and Mar 5 and complains in the shop; c4 only visits; c5 last bought in
// June 2025.
func postLoyaltyFixture(t *testing.T, e *env) {
	t.Helper()
	for _, tp := range []string{"shop", "hotline", "reviews"} {
		e.call("POST", "/api/v1/touchpoints", e.a.writeKey, map[string]any{"key": tp, "name": tp, "stage": "purchase", "channel": "web"}, 201)
	}
	e.call("POST", "/api/v1/customers", e.a.writeKey, map[string]any{"external_id": "c1", "attributes": map[string]any{"tier": "gold"}}, 201)
	e.call("POST", "/api/v1/customers", e.a.writeKey, map[string]any{"external_id": "c2", "attributes": map[string]any{"tier": "gold"}}, 201)
	type ev struct{ who, tp, typ, at string }
	var batch []map[string]any
	for i, x := range []ev{
		{"c1", "shop", "order", "2026-03-02"}, {"c1", "shop", "purchase", "2026-03-10"}, {"c1", "shop", "referral", "2026-03-12"},
		{"c1", "reviews", "review5", "2026-03-15"},
		{"c2", "shop", "order", "2026-03-03"}, {"c2", "hotline", "complaint", "2026-03-04"}, {"c2", "reviews", "review2", "2026-03-06"},
		{"c3", "shop", "order", "2026-01-05"}, {"c3", "shop", "purchase", "2026-03-05"}, {"c3", "shop", "complaint", "2026-03-07"},
		{"c4", "shop", "visit", "2026-03-08"},
		{"c5", "shop", "order", "2025-06-01"},
	} {
		rec := map[string]any{"id": fmt.Sprint("loy-", i), "customer": x.who, "touchpoint": x.tp, "type": x.typ, "occurred_at": x.at + "T12:00:00Z"}
		if x.typ == "review5" || x.typ == "review2" {
			rec["type"], rec["properties"] = "review", map[string]any{"rating": int(x.typ[6] - '0')}
		}
		batch = append(batch, rec)
	}
	e.call("POST", "/api/v1/interactions", e.a.writeKey, batch, 200)
}

// namesField reports whether the error answer r names field exactly.
func namesField(r response, field string) bool {
	return slices.ContainsFunc(r.errorFields(), func(f string) bool {
		name, _, _ := strings.Cut(f, ":")
		return name == field
	})
}

func TestLoyaltyMetricsAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		postLoyaltyFixture(t, e)
		const march = "/api/v1/metrics/loyalty?from=2026-03-01&to=2026-04-01"
		var got loyaltyAnswer
		e.call("GET", march+"&min_n=1", e.a.readKey, nil, 200).decode(t, &got)
		// Buyers in March: c1 (2), c2, c3 → 1 of 3 repeat. Active: c1-c4.
		if !got.RepeatPurchase.Rate.near(100.0/3) || got.RepeatPurchase.Rate.N != 3 || got.ActiveCustomers != 4 {
			t.Errorf("repeat purchase %+v of %d active, want 33.3%% of 3 buyers and 4 active", got.RepeatPurchase.Rate, got.ActiveCustomers)
		}
		if !got.Referral.Rate.near(25) || got.Referral.Rate.N != 4 || !got.Complaint.Rate.near(50) || got.Complaint.Complainers != 2 {
			t.Errorf("referral %+v, complaint %+v: want 25%% and 50%% of 4", got.Referral, got.Complaint)
		}
		if got.Reviews.Count != 2 || !got.Reviews.Mean.near(3.5) {
			t.Errorf("reviews %+v, want 2 with mean 3.5", got.Reviews)
		}
		// Churn as of April 1 with 180 days: only c5 (June 2025) of 4 buyers.
		if got.Churn.ChurnDays != cxm.DefaultChurnDays || got.Churn.Customers != 4 || got.Churn.Churned != 1 || !got.Churn.Rate.near(25) {
			t.Errorf("churn %+v, want 1 of 4 after %d days", got.Churn, cxm.DefaultChurnDays)
		}

		// Below the default minimum n every figure carries only its n.
		var low loyaltyAnswer
		e.call("GET", march, e.a.readKey, nil, 200).decode(t, &low)
		for name, est := range map[string]estimateWire{"repeat": low.RepeatPurchase.Rate, "referral": low.Referral.Rate,
			"complaint": low.Complaint.Rate, "reviews": low.Reviews.Mean, "churn": low.Churn.Rate} {
			if est.Status != "insufficient_data" || est.Value != nil || est.N == 0 {
				t.Errorf("%s without min_n: %+v, want insufficient_data with its n", name, est)
			}
		}

		// Filters: the hotline keeps c2's complaint and no review; gold keeps c1 and c2.
		var tp loyaltyAnswer
		e.call("GET", march+"&min_n=1&touchpoint=hotline", e.a.readKey, nil, 200).decode(t, &tp)
		if tp.Complaint.Complainers != 1 || tp.Reviews.Count != 0 || tp.RepeatPurchase.Rate.N != 3 {
			t.Errorf("hotline: complaint %+v, reviews %+v, repeat %+v", tp.Complaint, tp.Reviews, tp.RepeatPurchase)
		}
		var gold loyaltyAnswer
		e.call("GET", march+"&min_n=1&attribute=tier:gold", e.a.readKey, nil, 200).decode(t, &gold)
		if gold.ActiveCustomers != 2 || !gold.RepeatPurchase.Rate.near(50) || gold.Churn.Customers != 2 || gold.Reviews.Count != 2 {
			t.Errorf("gold: %+v", gold)
		}

		// A shorter churn period, set through the workspace, churns c2 and
		// c3 too (last purchases March 3 and 5, over 25 days before April 1)
		// but not c1 (March 10).
		var ws cxm.Workspace
		r := e.do(request{method: "PATCH", path: "/api/v1/workspace", client: e.signIn(e.a.adminEmail, "acme"), body: map[string]any{"churn_days": 25}})
		if r.status != 200 {
			t.Fatalf("set churn days: %d %s", r.status, r.body)
		}
		r.decode(t, &ws)
		if ws.ChurnDays != 25 {
			t.Errorf("workspace churn_days %d after PATCH, want 25", ws.ChurnDays)
		}
		e.call("GET", march+"&min_n=1", e.a.readKey, nil, 200).decode(t, &got)
		if got.Churn.ChurnDays != 25 || got.Churn.Churned != 3 {
			t.Errorf("churn with 25 days: %+v, want c2, c3, c5 churned", got.Churn)
		}
		// B sees none of A's customers.
		var b loyaltyAnswer
		e.call("GET", march+"&min_n=1", e.b.readKey, nil, 200).decode(t, &b)
		if b.ActiveCustomers != 0 || b.Churn.Customers != 0 || b.Churn.ChurnDays != cxm.DefaultChurnDays {
			t.Errorf("workspace B: %+v", b)
		}
	})
}

func TestWorkspaceChurnDaysValidation(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		admin := e.signIn(e.a.adminEmail, "acme")
		for _, bad := range []any{0, -1, 3651, "x"} {
			r := e.do(request{method: "PATCH", path: "/api/v1/workspace", client: admin, body: map[string]any{"churn_days": bad}})
			if r.status != 400 || !namesField(r, "churn_days") {
				t.Errorf("churn_days %v: %d with fields %v, want 400 naming churn_days", bad, r.status, r.errorFields())
			}
		}
		var ws cxm.Workspace
		e.call("GET", "/api/v1/workspace", e.a.readKey, nil, 200).decode(t, &ws)
		if ws.ChurnDays != cxm.DefaultChurnDays {
			t.Errorf("churn_days %d after refused updates, want the default %d", ws.ChurnDays, cxm.DefaultChurnDays)
		}
	})
}

func TestLoyaltyMetricsBadParameters(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		postLoyaltyFixture(t, e)
		var sv cxm.Survey
		e.call("POST", "/api/v1/surveys", e.b.writeKey, surveyBody("b-only", cxm.SurveyActive), 201).decode(t, &sv)
		for _, tc := range []struct{ path, field string }{
			{"/api/v1/metrics/loyalty?metric=nps", "metric"},
			{"/api/v1/metrics/loyalty?from=2026-13-01", "from"},
			{"/api/v1/metrics/loyalty?from=2026-03-01&to=2026-03-01", "to"},
			{"/api/v1/metrics/loyalty?attribute=tier", "attribute"},
			{"/api/v1/metrics/loyalty?attribute=Tier:gold", "attribute"},
			{"/api/v1/metrics/loyalty?attribute=a:b&attribute=c:d", "attribute"},
			{"/api/v1/metrics/loyalty?touchpoint=nowhere", "touchpoint"},
			{"/api/v1/metrics/loyalty?stage=nowhere", "stage"},
			{"/api/v1/metrics/loyalty?min_n=0", "min_n"},
			{"/api/v1/metrics/cohorts?touchpoint=shop", "touchpoint"},
			{"/api/v1/metrics/cohorts?to=tomorrow", "to"},
			{"/api/v1/metrics/response-rate?survey=abc", "survey"},
			{"/api/v1/metrics/response-rate?survey=" + fmt.Sprint(sv.ID), "survey"},
			{"/api/v1/metrics/response-rate?attribute=tier:gold", "attribute"},
		} {
			r := e.call("GET", tc.path, e.a.readKey, nil, 400)
			if !namesField(r, tc.field) {
				t.Errorf("%s: fields %v, want %s", tc.path, r.errorFields(), tc.field)
			}
		}
	})
}

func TestCohortMetricsAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		postLoyaltyFixture(t, e)
		var got struct {
			From    string `json:"from"`
			Cohorts struct {
				Through string `json:"through"`
				Cohorts []struct {
					Month     string         `json:"month"`
					Size      int64          `json:"size"`
					Active    []int64        `json:"active"`
					Retention []estimateWire `json:"retention"`
				} `json:"cohorts"`
			} `json:"cohorts"`
		}
		e.call("GET", "/api/v1/metrics/cohorts?to=2026-04-01&min_n=1", e.a.readKey, nil, 200).decode(t, &got)
		// Without from: the twelve months April 2025 to March 2026 (Berlin).
		// c5 is June 2025's cohort and never bought again; c3 is January's,
		// active again in March (k = 2); c1 and c2 are March's.
		if got.From != "2025-04-01" || got.Cohorts.Through != "2026-03" || len(got.Cohorts.Cohorts) != 3 {
			t.Fatalf("cohorts: %+v", got)
		}
		jun, jan, mar := got.Cohorts.Cohorts[0], got.Cohorts.Cohorts[1], got.Cohorts.Cohorts[2]
		if jun.Month != "2025-06" || jun.Size != 1 || len(jun.Active) != 10 || jun.Active[0] != 1 || slices.Max(jun.Active[1:]) != 0 {
			t.Errorf("June cohort %+v", jun)
		}
		if jan.Month != "2026-01" || jan.Size != 1 || !slices.Equal(jan.Active, []int64{1, 0, 1}) || !jan.Retention[2].near(100) {
			t.Errorf("January cohort %+v", jan)
		}
		if mar.Month != "2026-03" || mar.Size != 2 || !slices.Equal(mar.Active, []int64{2}) || mar.Retention[0].N != 2 {
			t.Errorf("March cohort %+v", mar)
		}
		e.call("GET", "/api/v1/metrics/cohorts?from=2025-07-01&to=2026-04-01", e.a.readKey, nil, 200).decode(t, &got)
		if len(got.Cohorts.Cohorts) != 2 || got.Cohorts.Cohorts[0].Month != "2026-01" || got.Cohorts.Cohorts[0].Retention[0].Status != "insufficient_data" {
			t.Errorf("cohorts since July 2025 with the default min_n: %+v", got.Cohorts)
		}
	})
}

func TestResponseRateAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.call("POST", "/api/v1/touchpoints", e.a.writeKey, map[string]any{"key": "delivery", "name": "Delivery", "stage": "receipt", "channel": "delivery"}, 201)
		var sv cxm.Survey
		e.call("POST", "/api/v1/surveys", e.a.writeKey, surveyBody("rr", cxm.SurveyActive, "delivery"), 201).decode(t, &sv)
		var cust cxm.Customer
		e.call("POST", "/api/v1/customers", e.a.writeKey, map[string]any{"external_id": "rr-1", "email": "rr@example.de"}, 201).decode(t, &cust)
		now := time.Now().UTC()
		invite := func(status cxm.InvitationStatus, contacted bool) *cxm.Invitation {
			inv := &cxm.Invitation{WorkspaceID: e.a.ws.ID, SurveyID: sv.ID, CustomerID: cust.ID, Touchpoint: "delivery",
				Channel: cxm.InviteEmail, Locale: "de", Status: status, DueAt: now.Add(-time.Hour)}
			if status == cxm.InvitationSkipped {
				inv.SkipReason = cxm.SkipNoConsent
			}
			if contacted {
				inv.ContactedAt, inv.SentAt = &now, &now
			}
			if _, err := e.db.CreateInvitation(ctx, inv); err != nil {
				t.Fatal(err)
			}
			return inv
		}
		answered := invite(cxm.InvitationSent, true)
		invite(cxm.InvitationSent, true)
		invite(cxm.InvitationBounced, false)
		invite(cxm.InvitationSkipped, false)
		full, err := e.db.FindSurvey(ctx, e.a.ws.ID, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, invID := range []int64{answered.ID, 0} {
			source := cxm.SourceEmail
			if invID == 0 {
				source = cxm.SourceAPI
			}
			r := &cxm.Response{ID: fmt.Sprint("rr-", i), WorkspaceID: e.a.ws.ID, SurveyID: sv.ID, Source: source, Locale: "de",
				Touchpoint: "delivery", InvitationID: invID, Answers: cxm.Answers{"nps": 9.0}, Completed: true}
			r.Derive(full)
			if _, err := e.db.SubmitResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		var got struct {
			Total struct {
				Delivered, Responded int64
				Rate                 estimateWire
			} `json:"total"`
			Surveys []struct {
				SurveyID  int64        `json:"survey_id"`
				Slug      string       `json:"slug"`
				Delivered int64        `json:"delivered"`
				Responded int64        `json:"responded"`
				Rate      estimateWire `json:"rate"`
			} `json:"surveys"`
		}
		e.call("GET", "/api/v1/metrics/response-rate?min_n=1&survey="+fmt.Sprint(sv.ID), e.a.readKey, nil, 200).decode(t, &got)
		// Two invitations reached the customer; one was answered. The
		// bounced and skipped ones and the response without an invitation
		// count nowhere.
		if len(got.Surveys) != 1 || got.Surveys[0].Slug != "rr" || got.Surveys[0].Delivered != 2 || got.Surveys[0].Responded != 1 ||
			!got.Surveys[0].Rate.near(50) || got.Total.Delivered != 2 || got.Total.Rate.N != 2 {
			t.Errorf("response rate: %+v", got)
		}
		e.call("GET", "/api/v1/metrics/response-rate", e.a.readKey, nil, 200).decode(t, &got)
		if got.Total.Rate.Status != "insufficient_data" || got.Total.Rate.N != 2 {
			t.Errorf("response rate with the default min_n: %+v", got.Total)
		}
		e.call("GET", "/api/v1/metrics/response-rate?min_n=1", e.b.readKey, nil, 200).decode(t, &got)
		if len(got.Surveys) != 0 || got.Total.Delivered != 0 {
			t.Errorf("workspace B sees %+v", got)
		}
	})
}
