package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// addTouchpoint creates a touchpoint in the tenant's workspace.
func (e *env) addTouchpoint(tn tenant, key, stage string, ch cxm.Channel) {
	e.t.Helper()
	e.call("POST", "/api/v1/touchpoints", tn.writeKey, map[string]any{"key": key, "name": key, "stage": stage, "channel": ch}, 201)
}

// countInteractions counts the interactions stored in the tenant's workspace.
func (e *env) countInteractions(tn tenant) int {
	e.t.Helper()
	var page struct {
		Data []cxm.Interaction `json:"data"`
	}
	e.call("GET", "/api/v1/interactions?limit=1000", tn.readKey, nil, 200).decode(e.t, &page)
	return len(page.Data)
}

func TestIngestInteractions(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.addTouchpoint(e.a, "shop", "purchase", cxm.ChannelWeb)
		e.addTouchpoint(e.a, "delivery", "receipt", cxm.ChannelDelivery)
		key := e.a.writeKey

		// One object.
		var res cxm.BatchResult
		e.call("POST", "/api/v1/interactions", key, map[string]any{"id": "o-1", "customer": "k-1", "touchpoint": "shop",
			"type": "order", "occurred_at": "2026-03-01T10:00:00Z", "value": 99.5, "properties": map[string]any{"order_id": "A-1"}}, 200).decode(t, &res)
		if res.Accepted != 1 || res.IDs[0] != "o-1" {
			t.Fatalf("single: %+v", res)
		}

		// The same id again is a duplicate, not an error.
		e.call("POST", "/api/v1/interactions", key, map[string]any{"id": "o-1", "customer": "k-1", "touchpoint": "shop",
			"type": "order", "occurred_at": "2026-03-01T10:00:00Z"}, 200).decode(t, &res)
		if res.Accepted != 0 || res.Duplicates != 1 || len(res.DuplicateIndexes) != 1 {
			t.Fatalf("duplicate: %+v", res)
		}

		// An array with good and bad records keeps the good ones.
		batch := []map[string]any{
			{"customer": "k-2", "touchpoint": "shop", "type": "order", "occurred_at": "2026-03-02T10:00:00Z"},
			{"customer": "k-2", "touchpoint": "nowhere", "type": "order", "occurred_at": "2026-03-02T10:00:00Z"},
			{"customer": "k-2", "touchpoint": "delivery", "type": "delivered", "occurred_at": "2999-01-01T00:00:00Z"},
			{"customer": "k-2", "touchpoint": "delivery", "type": "delivered", "occurred_at": "2026-03-04T10:00:00Z", "value": "12"},
			{"customer": "k-2", "touchpoint": "delivery", "type": "delivered", "occurred_at": "2026-03-05T10:00:00Z"},
		}
		e.call("POST", "/api/v1/interactions", key, batch, 200).decode(t, &res)
		if res.Accepted != 2 || res.Rejected != 3 {
			t.Fatalf("mixed batch: %+v", res)
		}
		want := map[int]string{1: "touchpoint", 2: "occurred_at", 3: "value"}
		for _, ie := range res.Errors {
			if want[ie.Index] != ie.Field {
				t.Errorf("error %+v, want field %q at index %d", ie, want[ie.Index], ie.Index)
			}
			delete(want, ie.Index)
		}
		if len(want) > 0 {
			t.Errorf("errors not reported for %v", want)
		}

		// NDJSON with a broken line in the middle.
		nd := `{"customer":"k-3","touchpoint":"shop","type":"view","occurred_at":"2026-03-06T10:00:00Z"}
{"customer":"k-3","touchpoint":"shop","type":
{"customer":"k-3","touchpoint":"shop","type":"order","occurred_at":"2026-03-06T11:00:00Z"}
`
		e.do(request{method: "POST", path: "/api/v1/interactions", token: key, body: nd, contentType: "application/x-ndjson"}).decode(t, &res)
		if res.Accepted != 2 || res.Rejected != 1 || res.Errors[0].Index != 1 {
			t.Fatalf("ndjson: %+v", res)
		}
		if got := e.countInteractions(e.a); got != 5 {
			t.Errorf("stored %d interactions, want 5", got)
		}
	})
}

// TestIngestBadInput sends each kind of bad input and wants a precise 4xx
// naming the problem, and nothing stored.
func TestIngestBadInput(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.addTouchpoint(e.a, "shop", "purchase", cxm.ChannelWeb)
		good := `{"customer":"k","touchpoint":"shop","type":"order","occurred_at":"2026-03-01T10:00:00Z"}`
		future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		tooMany := "[" + strings.TrimSuffix(strings.Repeat(good+",", 501), ",") + "]"
		tests := []struct {
			name        string
			token       string
			body        string
			contentType string
			status      int
			code        string
			field       string
		}{
			{"malformed JSON", e.a.writeKey, `{"customer":`, "application/json", 400, "invalid", "body"},
			{"wrong type", e.a.writeKey, `{"customer":"k","touchpoint":"shop","type":"order","occurred_at":"2026-03-01T10:00:00Z","value":"many"}`, "application/json", 400, "invalid", "[0].value"},
			{"unknown touchpoint", e.a.writeKey, `{"customer":"k","touchpoint":"moon","type":"order","occurred_at":"2026-03-01T10:00:00Z"}`, "application/json", 400, "invalid", "[0].touchpoint"},
			{"future time", e.a.writeKey, `{"customer":"k","touchpoint":"shop","type":"order","occurred_at":"` + future + `"}`, "application/json", 400, "invalid", "[0].occurred_at"},
			{"missing customer", e.a.writeKey, `{"touchpoint":"shop","type":"order","occurred_at":"2026-03-01T10:00:00Z"}`, "application/json", 400, "invalid", "[0].customer"},
			{"unknown field", e.a.writeKey, `{"customer":"k","touchpoint":"shop","type":"order","occured_at":"2026-03-01T10:00:00Z"}`, "application/json", 400, "invalid", ""},
			{"invalid UTF-8", e.a.writeKey, "{\"customer\":\"k\xff\xfe\",\"touchpoint\":\"shop\",\"type\":\"order\",\"occurred_at\":\"2026-03-01T10:00:00Z\"}", "application/json", 400, "invalid", ""},
			{"oversized body", e.a.writeKey, `[` + strings.Repeat(" ", 2<<20) + good + `]`, "application/json", 413, "too_large", ""},
			{"too many records", e.a.writeKey, tooMany, "application/json", 413, "too_large", ""},
			{"wrong media type", e.a.writeKey, good, "text/plain", 415, "unsupported", ""},
			{"no auth", "", good, "application/json", 401, "unauthorized", ""},
			{"bad key", "cxm_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", good, "application/json", 401, "unauthorized", ""},
			{"read-only key", e.a.readKey, good, "application/json", 403, "forbidden", ""},
			{"other workspace's key", e.b.writeKey, good, "application/json", 400, "invalid", "[0].touchpoint"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(request{method: "POST", path: "/api/v1/interactions", token: tt.token, body: tt.body, contentType: tt.contentType})
				if r.status != tt.status || r.errorCode() != tt.code {
					t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
				}
				if tt.field != "" && !strings.HasPrefix(strings.Join(r.errorFields(), "|"), tt.field+":") {
					t.Errorf("fields %v, want %s first", r.errorFields(), tt.field)
				}
			})
		}
		if got := e.countInteractions(e.a); got != 0 {
			t.Errorf("bad input stored %d interactions", got)
		}
		if got := e.countInteractions(e.b); got != 0 {
			t.Errorf("bad input stored %d interactions in B", got)
		}
	})
}

func TestIdentifyMergeAndTimeline(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		key := e.a.writeKey
		e.addTouchpoint(e.a, "instagram", "awareness", cxm.ChannelSocial)
		e.addTouchpoint(e.a, "shop", "purchase", cxm.ChannelWeb)
		e.addTouchpoint(e.a, "hotline", "receipt", cxm.ChannelPhone)
		post := func(v map[string]any) { e.call("POST", "/api/v1/interactions", key, v, 200) }
		post(map[string]any{"anonymous_id": "anon-1", "touchpoint": "instagram", "type": "ad.click", "occurred_at": "2026-02-01T09:00:00Z"})
		post(map[string]any{"anonymous_id": "anon-1", "touchpoint": "shop", "type": "view", "occurred_at": "2026-02-01T09:05:00Z"})
		post(map[string]any{"customer": "k-7", "touchpoint": "shop", "type": "order", "occurred_at": "2026-02-01T09:20:00Z", "value": 120})

		var id cxm.IdentifyResult
		e.call("POST", "/api/v1/identify", key, map[string]any{"anonymous_id": "anon-1", "customer": "k-7", "email": "k7@example.de"}, 200).decode(t, &id)
		if id.Linked != 2 || id.Customer.FirstTouchpointKey != "instagram" {
			t.Fatalf("identify: linked %d, first touchpoint %q; want 2, instagram", id.Linked, id.Customer.FirstTouchpointKey)
		}
		// A second profile of the same person, with a hotline call.
		post(map[string]any{"customer": "k-7-dup", "touchpoint": "hotline", "type": "call", "occurred_at": "2026-02-03T12:00:00Z"})
		var dup cxm.Customer
		var list struct{ Data []cxm.Customer }
		e.call("GET", "/api/v1/customers?external_id=k-7-dup", key, nil, 200).decode(t, &list)
		if len(list.Data) != 1 {
			t.Fatalf("find duplicate: %+v", list)
		}
		dup = list.Data[0]
		var merged cxm.Customer
		e.call("POST", fmt.Sprintf("/api/v1/customers/%d/merge", id.Customer.ID), key, map[string]any{"from": dup.ID}, 200).decode(t, &merged)
		e.call("GET", fmt.Sprintf("/api/v1/customers/%d", dup.ID), key, nil, 404)

		var tl struct {
			Data       []cxm.TimelineEntry `json:"data"`
			NextCursor string              `json:"next_cursor"`
		}
		e.call("GET", fmt.Sprintf("/api/v1/customers/%d/timeline?limit=2", merged.ID), key, nil, 200).decode(t, &tl)
		got := []string{}
		for {
			for _, en := range tl.Data {
				got = append(got, en.Interaction.Touchpoint+":"+en.Interaction.Type)
			}
			if tl.NextCursor == "" {
				break
			}
			path := fmt.Sprintf("/api/v1/customers/%d/timeline?limit=2&cursor=%s", merged.ID, url.QueryEscape(tl.NextCursor))
			tl.NextCursor = ""
			e.call("GET", path, key, nil, 200).decode(t, &tl)
			if len(got) > 10 {
				t.Fatalf("timeline pages do not end: %v", got)
			}
		}
		want := "instagram:ad.click shop:view shop:order hotline:call"
		if strings.Join(got, " ") != want {
			t.Errorf("timeline = %v, want %s", got, want)
		}
		// The merged profile's external id still resolves to the kept one.
		post(map[string]any{"customer": "k-7-dup", "touchpoint": "hotline", "type": "call", "occurred_at": "2026-02-04T12:00:00Z"})
		var ms struct{ Data []cxm.CustomerMerge }
		e.call("GET", fmt.Sprintf("/api/v1/customers/%d/merges", merged.ID), key, nil, 200).decode(t, &ms)
		if len(ms.Data) != 1 || ms.Data[0].From.ExternalID != "k-7-dup" {
			t.Errorf("merges = %+v", ms.Data)
		}
		var page struct{ Data []cxm.Interaction }
		e.call("GET", fmt.Sprintf("/api/v1/interactions?customer_id=%d", merged.ID), key, nil, 200).decode(t, &page)
		if len(page.Data) != 5 {
			t.Errorf("kept customer has %d interactions, want 5", len(page.Data))
		}
	})
}

func TestTouchpointsAndJourneys(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		key := e.a.writeKey
		var js struct{ Data []cxm.Journey }
		e.call("GET", "/api/v1/journeys", key, nil, 200).decode(t, &js)
		if len(js.Data) != 1 || len(js.Data[0].Stages) != 5 || js.Data[0].Stages[1].Names["de"] != "Abwägung" {
			t.Fatalf("default journey: %+v", js.Data)
		}
		var tp cxm.Touchpoint
		e.call("POST", "/api/v1/touchpoints", key, map[string]any{"key": "store-hamburg", "name": "Filiale Hamburg", "stage": "purchase", "channel": "store"}, 201).decode(t, &tp)
		if tp.Online || tp.StageKey != "purchase" {
			t.Errorf("created %+v: want offline at purchase", tp)
		}
		r := e.call("POST", "/api/v1/touchpoints", key, map[string]any{"key": "store-hamburg", "name": "again", "stage": "purchase", "channel": "store"}, 409)
		if r.errorCode() != "conflict" {
			t.Errorf("duplicate key: %s", r.body)
		}
		r = e.call("POST", "/api/v1/touchpoints", key, map[string]any{"key": "Bad Key", "name": "", "stage": "nirvana", "channel": "fax"}, 400)
		if f := strings.Join(r.errorFields(), "|"); !strings.Contains(f, "key:") || !strings.Contains(f, "name:") || !strings.Contains(f, "channel:") {
			t.Errorf("fields = %s", f)
		}
		e.call("PATCH", "/api/v1/touchpoints/store-hamburg", key, map[string]any{"name": "Filiale HH", "stage": "receipt"}, 200).decode(t, &tp)
		if tp.Name != "Filiale HH" || tp.StageKey != "receipt" {
			t.Errorf("updated %+v", tp)
		}
		e.call("POST", "/api/v1/interactions", key, map[string]any{"customer": "k", "touchpoint": "store-hamburg", "type": "visit", "occurred_at": "2026-01-01T10:00:00Z"}, 200)
		e.call("DELETE", fmt.Sprintf("/api/v1/touchpoints/%d", tp.ID), key, nil, 409)
		e.call("DELETE", "/api/v1/touchpoints/99999999", key, nil, 404)
		e.call("GET", "/api/v1/touchpoints/abc", key, nil, 404)
	})
}
