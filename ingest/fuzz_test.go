package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// checkInteraction fails t unless i is a record the decoders may return:
// valid UTF-8 text without U+0000, a time in UTC, and properties that are
// empty or a JSON object.
func checkInteraction(t *testing.T, i *cxm.Interaction) {
	t.Helper()
	if i == nil {
		t.Fatal("nil interaction returned")
	}
	for _, s := range []string{i.ID, i.Customer, i.AnonymousID, i.Touchpoint, i.Type} {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("text %q is not valid UTF-8 without NUL", s)
		}
	}
	if !i.OccurredAt.IsZero() && i.OccurredAt.Location() != time.UTC {
		t.Fatalf("occurred_at %v not in UTC", i.OccurredAt)
	}
	if len(i.Properties) > 0 && (i.Properties[0] != '{' || !json.Valid(i.Properties)) {
		t.Fatalf("properties %q are not a JSON object", i.Properties)
	}
}

// mirror is cxm.Interaction's input fields, for encoding/json to decode.
type mirror struct {
	ID          string          `json:"id"`
	Customer    string          `json:"customer"`
	AnonymousID string          `json:"anonymous_id"`
	Touchpoint  string          `json:"touchpoint"`
	Type        string          `json:"type"`
	OccurredAt  *time.Time      `json:"occurred_at"`
	Value       *float64        `json:"value"`
	Properties  json.RawMessage `json:"properties"`
}

func FuzzDecodeInteractions(f *testing.F) {
	seeds := []string{
		good,
		"[" + good + "," + good + "]",
		good + "\n" + good + "\n",
		"[]", "{}", "", " ", "null", "[null]", "[1,2", `{"customer":`, `[{"customer" "k"}]`, "[" + good + ",]",
		`{"id":"\ud83d\ude00\ud800x\udc00\u0041\n","customer":"k","touchpoint":"shop","type":"order","occurred_at":"2026-03-01T10:00:00.5+05:30"}`,
		`{"customer":"k","value":-0.0e-0,"properties":{"a":[{"b":[]}],"c":"\""}}`,
		`{"customer":"k","value":1e999}`, `{"customer":"k","value":01}`, `{"customer":"k","value":"1"}`,
		`{"customer":"k","customer":"k"}`, `{"Customer":"k"}`, `{"customer":"\u0000"}`,
		"{\"customer\":\"k\xff\"}", "[{\"x\xff\":1},{}]", "\n\n{}\n\n[]\n{\"a\":1}\n{",
		strings.Repeat("[", 1200) + strings.Repeat("]", 1200),
		`{"properties":` + strings.Repeat(`{"a":`, 1100) + "1" + strings.Repeat("}", 1100) + "}",
		`{"occurred_at":"2026-02-30T10:00:00Z"}`, `{"occurred_at":"2026-03-01T24:00:00Z"}`, `{"occurred_at":null,"properties":null}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, ndjson bool) {
		format := JSON
		if ndjson {
			format = NDJSON
		}
		const max = 50
		recs, errs, err := DecodeInteractions(bytes.NewReader(data), format, Limits{MaxRecords: max})
		if err != nil {
			if recs != nil || errs != nil {
				t.Fatalf("error %v with records or item errors", err)
			}
			if code := cxm.ErrorCode(err); code != cxm.EInvalid && code != cxm.ETooLarge {
				t.Fatalf("error code %s: %v", code, err)
			}
			if fields := cxm.ErrorFields(err); cxm.ErrorCode(err) == cxm.EInvalid && (len(fields) != 1 || fields[0].Field != "body") {
				t.Fatalf("body error without field body: %v", err)
			}
		}
		// Indexes are within range, increasing, and each names one record.
		limit := max
		if format == NDJSON {
			limit = min(max, bytes.Count(data, []byte{'\n'})+1)
		}
		seen := map[int]bool{}
		last := -1
		for _, r := range recs {
			checkInteraction(t, r.Interaction)
			if r.Index <= last || r.Index >= limit {
				t.Fatalf("record index %d after %d, limit %d", r.Index, last, limit)
			}
			last = r.Index
			seen[r.Index] = true
		}
		last = -1
		for _, e := range errs {
			if e.Field == "" || e.Reason == "" {
				t.Fatalf("item error %+v does not name a field and reason", e)
			}
			if e.Index <= last || e.Index >= limit || seen[e.Index] {
				t.Fatalf("error index %d after %d, limit %d, or also a record", e.Index, last, limit)
			}
			last = e.Index
		}
		if format != JSON {
			return
		}
		// The syntax check agrees with encoding/json on shallow bodies.
		trimmed := bytes.TrimLeft(data, " \t\r\n")
		shallow := bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) < maxDepth
		if !json.Valid(data) && err == nil {
			t.Fatalf("encoding/json finds the body malformed, DecodeInteractions does not")
		}
		if json.Valid(data) && shallow && len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && err != nil && cxm.ErrorCode(err) != cxm.ETooLarge {
			t.Fatalf("encoding/json reads the body, DecodeInteractions says %v", err)
		}
		// A single object that decoded decodes the same with encoding/json.
		if len(recs) == 1 && len(trimmed) > 0 && trimmed[0] == '{' {
			var m mirror
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			got := recs[0].Interaction
			if m.ID != got.ID || m.Customer != got.Customer || m.AnonymousID != got.AnonymousID ||
				m.Touchpoint != got.Touchpoint || m.Type != got.Type {
				t.Fatalf("text differs from encoding/json: %+v vs %+v", got, m)
			}
			if (m.OccurredAt == nil) != got.OccurredAt.IsZero() || (m.OccurredAt != nil && !m.OccurredAt.Equal(got.OccurredAt)) {
				t.Fatalf("occurred_at %v, encoding/json %v", got.OccurredAt, m.OccurredAt)
			}
			if (m.Value == nil) != (got.Value == nil) || (m.Value != nil && *m.Value != *got.Value) {
				t.Fatalf("value differs from encoding/json")
			}
			if string(m.Properties) == "null" {
				m.Properties = nil
			}
			if !sameJSON(m.Properties, got.Properties) {
				t.Fatalf("properties %s, encoding/json %s", got.Properties, m.Properties)
			}
		}
	})
}

// fuzzCSVSeeds are CSV files, valid and broken.
var fuzzCSVSeeds = []string{
	"customer,touchpoint,type,occurred_at,value,order_id\nk-1,shop,order,2026-03-01T10:00:00Z,99.5,A-1\n",
	"\ufeffcustomer;touchpoint;type;occurred_at;value\nk-1;shop;order;2026-03-01 10:00:00;12,5\n",
	"anonymous_id,touchpoint,type,occurred_at,properties\na,shop,view,2026-03-01,\"{\"\"a\"\":1}\"\n",
	"customer,touchpoint,type,occurred_at\nk-1,shop\n\"unterminated,shop,order,2026\n",
	"customer,touchpoint,type,occurred_at,properties,a\nk,s,t,2026-03-01,\"{\"\"a\"\":1}\",x\nk,s,t,2026-03-01,[,\n",
	"customer,touchpoint,type,occurred_at,value\nk\xff,s,t,x,1e999\nk,s,t,2026-03-01T10:00:00,NaN\n,,,,\n",
	"customer,customer\n", "", "\n\n", "a\"b,c\n", "customer,touchpoint,type,occurred_at,\n",
	"external_id,email,consent_email,zip,score:number,vip:bool,attributes\nk,a@b.de,ja,01234,\"1,5\",nein,\"{\"\"x\"\":null}\"\n",
}

func FuzzCSVInteractions(f *testing.F) {
	for _, s := range fuzzCSVSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		r := NewCSVInteractionReader(strings.NewReader(data), CSVOptions{})
		lines := strings.Count(data, "\n") + strings.Count(data, "\r") + 1
		last := 0
		for calls := 0; ; calls++ {
			if calls > len(data)+2 {
				t.Fatal("reader does not end")
			}
			i, line, err := r.Next()
			if err == io.EOF {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				if _, _, again := r.Next(); again == nil || again.Error() != err.Error() {
					t.Fatalf("fatal error %v, then %v", err, again)
				}
				return
			}
			if line <= last || line > lines {
				t.Fatalf("line %d after %d, file has %d", line, last, lines)
			}
			last = line
			if re != nil {
				if re.Field == "" || re.Reason == "" || re.Line != line {
					t.Fatalf("row error %+v at line %d", re, line)
				}
				continue
			}
			checkInteraction(t, i)
		}
	})
}

func FuzzCustomers(f *testing.F) {
	for _, s := range fuzzCSVSeeds {
		f.Add(s, false)
	}
	for _, s := range []string{
		`{"external_id":"k","attributes":{"a":1,"b":"x","c":true,"d":null},"consent":{"email":true}}`,
		`{"external_id":"k","attributes":{"a":[1]}}` + "\n" + `{"consent":null,"attributes":null}`,
		`{"x":1}`, `[]`, "{\"external_id\":\"\xff\"}", `{"external_id":"k"`,
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data string, ndjson bool) {
		format := CSV
		if ndjson {
			format = NDJSON
		}
		r, err := NewCustomerReader(strings.NewReader(data), format, CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for calls := 0; ; calls++ {
			if calls > len(data)+2 {
				t.Fatal("reader does not end")
			}
			c, line, err := r.Next()
			if err == io.EOF {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				return
			}
			if line <= last {
				t.Fatalf("line %d after %d", line, last)
			}
			last = line
			if re != nil {
				if re.Field == "" || re.Reason == "" {
					t.Fatalf("row error %+v", re)
				}
				continue
			}
			if c == nil || c.Attributes == nil {
				t.Fatalf("customer %+v", c)
			}
			// What was read writes and reads back the same.
			var buf bytes.Buffer
			w, _ := NewCustomerWriter(&buf, format, WriterOptions{})
			if err := w.Write(c); err != nil {
				t.Fatalf("write %+v: %v", c, err)
			}
			w.Flush()
			back, _, err := must(NewCustomerReader(&buf, format, CSVOptions{})).Next()
			if err != nil {
				t.Fatalf("read back %q: %v", buf.String(), err)
			}
			if diff := sameCustomer(back, c); diff != "" && !(format == CSV && strings.TrimSpace(c.ExternalID) != c.ExternalID) {
				t.Fatalf("round trip of %+v: %s", c, diff)
			}
		}
	})
}

// must returns v, for readers whose constructor cannot fail here.
func must[T any](v T, _ error) T { return v }
