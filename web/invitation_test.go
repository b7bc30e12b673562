package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/bus"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/web"
)

// forEachInvitationEnv is forEachEnv with configuration options.
func forEachInvitationEnv(t *testing.T, opt func(*web.Config), fn func(t *testing.T, e *env)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var db *store.DB
			if name == "sqlite" {
				db = storetest.SQLite(t)
			} else if db = storetest.Postgres(t); db == nil {
				t.Skip("CXM_TEST_DATABASE_URL is not set")
			}
			if opt == nil {
				opt = func(*web.Config) {}
			}
			fn(t, newEnv(t, db, opt))
		})
	}
}

// invitationBatch is the answer to POST /surveys/{id}/invitations.
type invitationBatch struct {
	Created, Skipped, Unknown int
	Results                   []struct {
		Customer   string
		Result     string
		Invitation *cxm.Invitation
	}
}

// inviteSetup creates a delivery touchpoint, an active survey and
// customers in workspace A: c1 agrees to email, c2 does not, c3 has no
// address, c4 speaks English.
func (e *env) inviteSetup() *cxm.Survey {
	e.t.Helper()
	k := e.a.writeKey
	e.newTouchpoint(k, "delivery", "delivery")
	sv := e.newSurvey(k, surveyBody("lieferung", cxm.SurveyActive, "delivery"))
	for _, c := range []map[string]any{
		{"external_id": "c1", "email": "c1@example.de", "consent": map[string]bool{"email": true}},
		{"external_id": "c2", "email": "c2@example.de"},
		{"external_id": "c3", "consent": map[string]bool{"email": true}},
		{"external_id": "c4", "email": "c4@example.com", "locale": "en", "consent": map[string]bool{"email": true}},
	} {
		e.call("POST", "/api/v1/customers", k, c, 201)
	}
	return sv
}

func TestInvitationAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		sv := e.inviteSetup()
		path := fmt.Sprintf("/api/v1/surveys/%d/invitations", sv.ID)
		var got invitationBatch
		e.call("POST", path, e.a.writeKey, map[string]any{"customers": []string{"c1", "c2", "c3", "nobody", "c4"},
			"hidden": map[string]string{"order_id": "A-1"}}, 200).decode(t, &got)
		if got.Created != 2 || got.Skipped != 2 || got.Unknown != 1 || len(got.Results) != 5 {
			t.Fatalf("batch = %+v, want 2 created, 2 skipped, 1 unknown", got)
		}
		want := []string{"c1 created ", "c2 skipped no_consent", "c3 skipped no_email", "nobody unknown_customer ", "c4 created "}
		for i, r := range got.Results {
			reason := ""
			if r.Invitation != nil {
				reason = r.Invitation.SkipReason
			}
			if s := r.Customer + " " + r.Result + " " + reason; s != want[i] {
				t.Errorf("result %d = %q, want %q", i, s, want[i])
			}
		}
		c1, c4 := got.Results[0].Invitation, got.Results[4].Invitation
		if c1.Status != cxm.InvitationScheduled || c1.Channel != cxm.InviteEmail || c1.Touchpoint != "delivery" ||
			c1.Hidden["order_id"] != "A-1" || c1.Locale != "de" || c4.Locale != "en" {
			t.Errorf("invitations = %+v and %+v, want scheduled emails at delivery in de and en", c1, c4)
		}
		jobs, _, err := e.db.ListJobs(ctx, e.a.ws.ID, cxm.JobFilter{Kind: cxm.JobSurveyInvite})
		if err != nil || len(jobs) != 2 {
			t.Errorf("invite jobs = %d (%v), want one per scheduled invitation", len(jobs), err)
		}

		// One invitation, and the lists with their filters and pages.
		var one cxm.Invitation
		e.call("GET", fmt.Sprintf("/api/v1/invitations/%d", c1.ID), e.a.readKey, nil, 200).decode(t, &one)
		if one.ID != c1.ID || one.Status != cxm.InvitationScheduled || one.CustomerID != c1.CustomerID {
			t.Errorf("GET invitation = %+v", one)
		}
		list := func(query string) []int64 {
			t.Helper()
			var ids []int64
			cursor := ""
			for {
				var page struct {
					Data       []cxm.Invitation
					NextCursor string `json:"next_cursor"`
				}
				e.call("GET", "/api/v1/invitations?limit=2&"+query+"&cursor="+cursor, e.a.readKey, nil, 200).decode(t, &page)
				for _, inv := range page.Data {
					ids = append(ids, inv.ID)
				}
				if cursor = page.NextCursor; cursor == "" {
					return ids
				}
			}
		}
		if ids := list(""); len(ids) != 4 || !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) {
			t.Errorf("all invitations = %v, want 4 newest first", ids)
		}
		if ids := list("customer=c1"); len(ids) != 1 || ids[0] != c1.ID {
			t.Errorf("c1's invitations = %v, want [%d]", ids, c1.ID)
		}
		if ids := list("customer=nobody"); len(ids) != 0 {
			t.Errorf("unknown customer's invitations = %v", ids)
		}
		if ids := list(fmt.Sprintf("status=skipped&survey_id=%d", sv.ID)); len(ids) != 2 {
			t.Errorf("skipped = %v, want 2", ids)
		}
		r := e.call("GET", "/api/v1/invitations?status=lost&survey_id=x&limit=0", e.a.readKey, nil, 400)
		if f := strings.Join(fieldNames(r), ","); f != "limit,survey_id,status" {
			t.Errorf("bad filters name %q", f)
		}
		// B sees none of it.
		e.call("GET", fmt.Sprintf("/api/v1/invitations/%d", c1.ID), e.b.readKey, nil, 404)

		// Later: due at send_at.
		at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		e.call("POST", path, e.a.writeKey, map[string]any{"customers": []string{"c4"}, "channel": "widget", "send_at": at}, 200).decode(t, &got)
		if inv := got.Results[0].Invitation; got.Created != 1 || inv.Channel != cxm.InviteWidget || !inv.DueAt.Equal(at) {
			t.Errorf("scheduled later = %+v, want a widget invitation due at %s", got, at)
		}
	})
}

func TestInvitationAPIRefusesBadInput(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.inviteSetup()
		path := fmt.Sprintf("/api/v1/surveys/%d/invitations", sv.ID)
		many := make([]string, web.MaxInvitationBatch+1)
		for i := range many {
			many[i] = fmt.Sprint("c-", i)
		}
		tests := []struct {
			name   string
			body   any
			fields string
		}{
			{"no customers", map[string]any{"customers": []string{}}, "customers"},
			{"too many", map[string]any{"customers": many}, "customers"},
			{"twice and empty", map[string]any{"customers": []string{"c1", "c1", ""}}, "customers[1],customers[2]"},
			{"bad channel", map[string]any{"customers": []string{"c1"}, "channel": "fax"}, "channel"},
			{"foreign touchpoint", map[string]any{"customers": []string{"c1"}, "touchpoint": "hotline"}, "touchpoint"},
			{"undeclared hidden", map[string]any{"customers": []string{"c1"}, "hidden": map[string]string{"secret": "x"}}, "hidden.secret"},
			{"bad locale", map[string]any{"customers": []string{"c1"}, "locale": "fr"}, "locale"},
			{"far future", map[string]any{"customers": []string{"c1"}, "send_at": time.Now().AddDate(2, 0, 0)}, "send_at"},
			{"NUL in an id", `{"customers":["a\u0000b"]}`, "customers[0]"},
		}
		for _, tt := range tests {
			r := e.do(request{method: "POST", path: path, token: e.a.writeKey, body: tt.body, contentType: "application/json"})
			if r.status != 400 || strings.Join(fieldNames(r), ",") != tt.fields {
				t.Errorf("%s: %d %s, want 400 naming %s", tt.name, r.status, r.body, tt.fields)
			}
		}
		if list, _, _ := e.db.ListInvitations(context.Background(), e.a.ws.ID, cxm.InvitationFilter{}); len(list) != 0 {
			t.Errorf("refused requests stored %d invitations", len(list))
		}
		e.call("POST", path, e.a.readKey, map[string]any{"customers": []string{"c1"}}, 403)
		e.call("POST", "/api/v1/surveys/999999/invitations", e.a.writeKey, map[string]any{"customers": []string{"c1"}}, 404)
		draft := e.newSurvey(e.a.writeKey, surveyBody("entwurf", cxm.SurveyDraft, "delivery"))
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", draft.ID), e.a.writeKey, map[string]any{"customers": []string{"c1"}}, 409)
	})
}

// TestInvitationAPIContactRules: a customer who answered a survey within
// the workspace's contact frequency is recorded as skipped at once.
func TestInvitationAPIContactRules(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.inviteSetup()
		e.call("PATCH", "/api/v1/workspace", e.b.writeKey, map[string]any{"contact_frequency_days": 30}, 403)
		aAdmin := e.signIn(e.a.adminEmail, "acme")
		r := e.do(request{method: "PATCH", path: "/api/v1/workspace", client: aAdmin, body: map[string]any{"contact_frequency_days": 30}})
		if r.status != 200 {
			t.Fatalf("set contact frequency: %d %s", r.status, r.body)
		}
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), e.a.writeKey, map[string]any{"customer": "c1",
			"completed": true, "answers": map[string]any{"nps": 7}}, 201)
		var got invitationBatch
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", sv.ID), e.a.writeKey,
			map[string]any{"customers": []string{"c1", "c4"}}, 200).decode(t, &got)
		if got.Skipped != 1 || got.Results[0].Invitation.SkipReason != cxm.SkipContactFrequency || got.Results[1].Result != "created" {
			t.Errorf("batch = %+v, want c1 skipped for contact_frequency and c4 created", got)
		}
	})
}

// unsubscribeLink returns the path of inv's signed unsubscribe link.
func unsubscribeLink(inv *cxm.Invitation, expires time.Time) string {
	return "/u/" + testSigner.Sign(cxm.SignedRef{Purpose: cxm.PurposeUnsubscribe, WorkspaceID: inv.WorkspaceID, ID: inv.ID, Expires: expires})
}

func TestUnsubscribePage(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		sv := e.inviteSetup()
		name := "Müller & <Söhne>"
		aAdmin := e.signIn(e.a.adminEmail, "acme")
		e.do(request{method: "PATCH", path: "/api/v1/workspace", client: aAdmin, body: map[string]any{"name": name}})
		var got invitationBatch
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", sv.ID), e.a.writeKey,
			map[string]any{"customers": []string{"c1", "c4"}}, 200).decode(t, &got)
		de, en := got.Results[0].Invitation, got.Results[1].Invitation
		consent := func(ext string) bool {
			c, err := e.db.FindCustomerByExternalID(ctx, e.a.ws.ID, ext)
			if err != nil {
				t.Fatal(err)
			}
			return c.Consent.Email
		}
		expires := time.Now().Add(24 * time.Hour)

		// Opening the link asks and changes nothing.
		r := e.do(request{method: "GET", path: unsubscribeLink(de, expires), header: map[string]string{"Accept-Language": "en"}})
		body := string(r.body)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(body, `<html lang="de">`) ||
			!strings.Contains(body, `<form method="post">`) || !strings.Contains(body, ">Abmelden</button>") ||
			!strings.Contains(body, "Müller &amp; &lt;Söhne&gt;") || strings.Contains(body, "<Söhne>") || strings.Contains(body, "<script") {
			t.Fatalf("confirmation page = %d %s", r.status, body)
		}
		if r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("page headers = %v, want no referrer and no caching", r.header)
		}
		if !consent("c1") {
			t.Fatal("opening the unsubscribe link withdrew consent")
		}
		// The button withdraws consent, once and for good.
		for i := 0; i < 2; i++ {
			r = e.do(request{method: "POST", path: unsubscribeLink(de, expires)})
			if r.status != 200 || !strings.Contains(string(r.body), "Sie erhalten keine Umfrage-E-Mails mehr von Müller &amp; &lt;Söhne&gt;.") {
				t.Fatalf("unsubscribe %d = %d %s", i, r.status, r.body)
			}
		}
		if consent("c1") || !consent("c4") {
			t.Errorf("consent after unsubscribing c1 = %v, c4 = %v; want only c1's withdrawn", consent("c1"), consent("c4"))
		}
		// English for an English invitation; one-click unsubscribing posts a form body.
		r = e.do(request{method: "GET", path: unsubscribeLink(en, expires)})
		if !strings.Contains(string(r.body), `<html lang="en">`) || !strings.Contains(string(r.body), ">Unsubscribe</button>") {
			t.Errorf("English page = %s", r.body)
		}
		r = e.do(request{method: "POST", path: unsubscribeLink(en, expires), body: "List-Unsubscribe=One-Click",
			contentType: "application/x-www-form-urlencoded"})
		if r.status != 200 || !strings.Contains(string(r.body), "You will get no more survey emails") || consent("c4") {
			t.Errorf("one-click unsubscribe = %d %s, consent %v", r.status, r.body, consent("c4"))
		}

		// Bad links get friendly pages, never JSON, and change nothing.
		e.call("PATCH", "/api/v1/customers/"+fmt.Sprint(de.CustomerID), e.a.writeKey, map[string]any{"consent": map[string]bool{"email": true}}, 200)
		survey := "/u/" + testSigner.Sign(cxm.SignedRef{Purpose: cxm.PurposeSurvey, WorkspaceID: de.WorkspaceID, ID: de.ID, Expires: expires})
		for _, tt := range []struct {
			path   string
			status int
			text   string
		}{
			{"/u/garbage", 401, "Dieser Link ist ungültig"},
			{survey, 401, "Dieser Link ist ungültig"},
			{unsubscribeLink(de, time.Now().Add(-time.Hour)), 403, "Kein Zugriff"},
			{unsubscribeLink(&cxm.Invitation{WorkspaceID: e.b.ws.ID, ID: de.ID}, expires), 404, "Seite nicht gefunden"},
		} {
			for _, method := range []string{"GET", "POST"} {
				r := e.do(request{method: method, path: tt.path, header: map[string]string{"Accept-Language": "de"}})
				if r.status != tt.status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), tt.text) {
					t.Errorf("%s %s = %d %s %s, want %d with %q", method, tt.path, r.status, r.header.Get("Content-Type"), r.body, tt.status, tt.text)
				}
			}
		}
		if !consent("c1") {
			t.Error("a bad link withdrew consent")
		}
	})
}

// TestIngestPublishesNewInteractions: the ingest API publishes the
// interactions it stored, with their resolved customers, and neither the
// duplicates nor the rejected ones.
func TestIngestPublishesNewInteractions(t *testing.T) {
	b := bus.New(bus.Options{Logger: slog.New(slog.DiscardHandler)})
	defer b.Close()
	forEachInvitationEnv(t, func(c *web.Config) { c.Bus = b }, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var got []cxm.Interaction
		done := make(chan struct{}, 10)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		err := b.Subscribe(ctx, cxm.TopicInteractionsIngested, func(_ context.Context, ev cxm.Event) error {
			var batch []cxm.Interaction
			if err := json.Unmarshal(ev.Data, &batch); err != nil {
				return err
			}
			if ev.WorkspaceID == e.a.ws.ID {
				mu.Lock()
				got = append(got, batch...)
				mu.Unlock()
			}
			done <- struct{}{}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		e.newTouchpoint(e.a.writeKey, "delivery", "delivery")
		at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		rec := func(id, customer string) map[string]any {
			return map[string]any{"id": id, "customer": customer, "touchpoint": "delivery", "type": "delivered", "occurred_at": at,
				"properties": map[string]string{"order_id": "A-" + id}}
		}
		e.call("POST", "/api/v1/interactions", e.a.writeKey, rec("i-0", "c0"), 200)
		<-done
		mu.Lock()
		got = nil
		mu.Unlock()
		bad := rec("i-bad", "c9")
		bad["touchpoint"] = "unknown"
		e.call("POST", "/api/v1/interactions", e.a.writeKey, []any{rec("i-1", "c1"), rec("i-0", "c0"), bad, rec("i-2", "c2")}, 200)
		<-done
		mu.Lock()
		defer mu.Unlock()
		var ids []string
		for _, in := range got {
			ids = append(ids, in.ID)
			if in.CustomerID == 0 || in.Touchpoint != "delivery" || in.Type != "delivered" || in.OccurredAt.IsZero() {
				t.Errorf("published %+v, want it with its customer id, touchpoint, type and time", in)
			}
		}
		if strings.Join(ids, ",") != "i-1,i-2" {
			t.Errorf("published %v, want the new i-1 and i-2 only", ids)
		}
	})
}
