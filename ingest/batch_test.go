package ingest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// good is a valid interaction record.
const good = `{"id":"o-1","customer":"k-1","touchpoint":"shop","type":"order","occurred_at":"2026-03-01T10:00:00Z","value":99.5,"properties":{"order_id":"A-1"}}`

// outcome summarises a decoded batch: the indexes of the records and
// "index field: reason" per error.
func outcome(recs []Record, errs []cxm.ItemError) (idx []int, problems []string) {
	for _, r := range recs {
		if r.Interaction == nil {
			panic("nil interaction")
		}
		idx = append(idx, r.Index)
	}
	for _, e := range errs {
		problems = append(problems, fmt.Sprintf("%d %s: %s", e.Index, e.Field, e.Reason))
	}
	return idx, problems
}

func TestDecodeInteractionsBatches(t *testing.T) {
	rec := func(mod string) string { return strings.Replace(good, `"customer":"k-1"`, mod, 1) }
	tests := []struct {
		name   string
		format Format
		body   string
		// wantIdx are the indexes of the decoded records.
		wantIdx []int
		// wantErrs are "index field: reason" prefixes of the item errors.
		wantErrs []string
	}{
		{"single object", JSON, good, []int{0}, nil},
		{"single object with space", JSON, " \n\t" + good + "\n ", []int{0}, nil},
		{"array", JSON, "[" + good + "," + good + "]", []int{0, 1}, nil},
		{"empty array", JSON, " [ ] ", nil, nil},
		{"array with a non-object", JSON, "[" + good + ", 42, " + good + "]", []int{0, 2}, []string{"1 body: must be a JSON object"}},
		{"array with a wrong type", JSON, "[" + good + "," + rec(`"customer":17`) + "]", []int{0}, []string{"1 customer: must be a string"}},
		{"ndjson", NDJSON, good + "\n" + good + "\n", []int{0, 1}, nil},
		{"ndjson without final newline, CRLF and blank lines", NDJSON, "\r\n" + good + "\r\n   \r\n" + good, []int{0, 1}, nil},
		{"ndjson bad line in the middle", NDJSON, good + "\n" + `{"customer":"k-3","touchpoint":"shop","type":` + "\n" + good + "\n",
			[]int{0, 2}, []string{"1 body: is not valid JSON: expected a JSON value, found end of input at byte 45 of line 2"}},
		{"ndjson index counts records, not lines", NDJSON, "\n\n" + good + "\n\n{oops}\n" + good, []int{0, 2},
			[]string{"1 body: is not valid JSON: expected a field name, found 'o' at byte 1 of line 5"}},
		{"ndjson line that is an array", NDJSON, "[1,2]\n" + good, []int{1}, []string{"0 body: must be a JSON object"}},
		{"ndjson two objects on a line", NDJSON, good + " {}", nil, []string{"0 body: is not valid JSON: expected end of line, found '{'"}},
		{"ndjson empty body", NDJSON, "", nil, nil},
		{"wrong type string", JSON, rec(`"customer":["k"]`), nil, []string{"0 customer: must be a string"}},
		{"wrong type number", JSON, rec(`"customer":"k","value":"12"`), nil, []string{"0 value: must be a number"}},
		{"wrong type time", JSON, rec(`"customer":"k","occurred_at":1700000000`), nil, []string{"0 occurred_at: must be an RFC 3339 time such as 2026-11-23T10:00:00Z"}},
		{"time without zone", JSON, strings.Replace(good, "10:00:00Z", "10:00:00", 1), nil, []string{"0 occurred_at: must be an RFC 3339 time"}},
		{"time with impossible date", JSON, strings.Replace(good, "2026-03-01", "2026-02-30", 1), nil, []string{"0 occurred_at: must be an RFC 3339 time"}},
		{"properties not an object", JSON, strings.Replace(good, `{"order_id":"A-1"}`, `"A-1"`, 1), nil, []string{"0 properties: must be a JSON object"}},
		{"value out of range", JSON, strings.Replace(good, "99.5", "1e999", 1), nil, []string{"0 value: must be a finite number"}},
		{"unknown field", JSON, rec(`"customer":"k","occured_at":"2026-03-01T10:00:00Z"`), nil, []string{"0 occured_at: unknown field"}},
		{"field names are case-sensitive", JSON, rec(`"Customer":"k"`), nil, []string{"0 Customer: unknown field"}},
		{"field given twice", JSON, rec(`"customer":"k","customer":"j"`), nil, []string{"0 customer: is given twice"}},
		{"server field refused", JSON, rec(`"customer":"k","received_at":"2026-03-01T10:00:00Z"`), nil, []string{"0 received_at: unknown field"}},
		{"NUL refused", JSON, rec(`"customer":"k\u0000"`), nil, []string{"0 customer: must not contain the character U+0000"}},
		{"invalid UTF-8 in a JSON array", JSON, "[" + good + "," + rec("\"customer\":\"k\xff\xfe\"") + "]", []int{0}, []string{"1 body: is not valid UTF-8"}},
		{"invalid UTF-8 in a single object", JSON, rec("\"customer\":\"k\xff\""), nil, []string{"0 body: is not valid UTF-8"}},
		{"invalid UTF-8 wins over a wrong type", JSON, rec("\"customer\":1,\"x\xff\":2"), nil, []string{"0 body: is not valid UTF-8"}},
		{"invalid UTF-8 in NDJSON", NDJSON, good + "\n" + rec("\"customer\":\"\xc3\"") + "\n" + good, []int{0, 2}, []string{"1 body: is not valid UTF-8"}},
		{"long unknown field name is cut", JSON, rec(`"customer":"k","` + strings.Repeat("x", 100) + `":1`), nil, []string{"0 " + strings.Repeat("x", 64) + "…: unknown field"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs, err := DecodeInteractions(strings.NewReader(tt.body), tt.format, Limits{})
			if err != nil {
				t.Fatalf("error %v", err)
			}
			gotIdx, gotErrs := outcome(recs, errs)
			if fmt.Sprint(gotIdx) != fmt.Sprint(tt.wantIdx) {
				t.Errorf("decoded indexes %v, want %v (errors %v)", gotIdx, tt.wantIdx, gotErrs)
			}
			if len(gotErrs) != len(tt.wantErrs) {
				t.Fatalf("errors %q, want %q", gotErrs, tt.wantErrs)
			}
			for i := range gotErrs {
				if !strings.HasPrefix(gotErrs[i], tt.wantErrs[i]) {
					t.Errorf("error %q, want prefix %q", gotErrs[i], tt.wantErrs[i])
				}
			}
		})
	}
}

func TestDecodeInteractionsFields(t *testing.T) {
	body := `{"id":"e-\u00e9\ud83d\ude00","customer":"k-1","anonymous_id":"a-1","touchpoint":"shop","type":"order",
		"occurred_at":"2026-03-01T11:30:00.123456+01:00","value":-12.5e1,
		"properties":{ "order_id" : "A-1", "items": [1, {"x": null}] }}`
	recs, errs, err := DecodeInteractions(strings.NewReader(body), JSON, Limits{})
	if err != nil || len(errs) > 0 || len(recs) != 1 {
		t.Fatalf("got %d records, %v, %v", len(recs), errs, err)
	}
	got := recs[0].Interaction
	want := cxm.Interaction{
		ID: "e-é😀", Customer: "k-1", AnonymousID: "a-1", Touchpoint: "shop", Type: "order",
		OccurredAt: time.Date(2026, 3, 1, 10, 30, 0, 123456000, time.UTC),
	}
	if got.ID != want.ID || got.Customer != want.Customer || got.AnonymousID != want.AnonymousID ||
		got.Touchpoint != want.Touchpoint || got.Type != want.Type {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if !got.OccurredAt.Equal(want.OccurredAt) || got.OccurredAt.Location() != time.UTC {
		t.Errorf("occurred_at = %v, want %v in UTC", got.OccurredAt, want.OccurredAt)
	}
	if got.Value == nil || *got.Value != -125 {
		t.Errorf("value = %v, want -125", got.Value)
	}
	if want := `{ "order_id" : "A-1", "items": [1, {"x": null}] }`; string(got.Properties) != want {
		t.Errorf("properties = %s, want %s", got.Properties, want)
	}

	// Nulls leave fields empty.
	recs, errs, _ = DecodeInteractions(strings.NewReader(`{"id":null,"customer":"k","touchpoint":"shop","type":"order","occurred_at":null,"value":null,"properties":null}`), JSON, Limits{})
	if len(recs) != 1 || len(errs) > 0 {
		t.Fatalf("nulls: %v %v", recs, errs)
	}
	if i := recs[0].Interaction; i.ID != "" || !i.OccurredAt.IsZero() || i.Value != nil || i.Properties != nil {
		t.Errorf("nulls gave %+v", i)
	}
}

func TestDecodeInteractionsBodyErrors(t *testing.T) {
	tests := []struct {
		name     string
		format   Format
		body     string
		lim      Limits
		wantCode string
		wantText string
	}{
		{"array not closed", JSON, "[" + good + "," + good, Limits{}, cxm.EInvalid, "body: is not valid JSON: expected ',' or ']' after an element, found end of input at byte " + fmt.Sprint(2*len(good)+2)},
		{"object not closed", JSON, `{"customer":`, Limits{}, cxm.EInvalid, "body: is not valid JSON: expected a JSON value, found end of input at byte 12"},
		{"malformed element", JSON, `[{"customer" "k"}]`, Limits{}, cxm.EInvalid, "expected ':' after a field name, found '\"' at byte 13"},
		{"trailing comma", JSON, "[" + good + ",]", Limits{}, cxm.EInvalid, "expected a JSON value after ','"},
		{"trailing data", JSON, good + "x", Limits{}, cxm.EInvalid, "expected end of input, found 'x' at byte " + fmt.Sprint(len(good))},
		{"a string", JSON, `"hello"`, Limits{}, cxm.EInvalid, "must be a JSON object or an array of objects, found '\"' at byte 0"},
		{"empty", JSON, "  ", Limits{}, cxm.EInvalid, "body: is empty"},
		{"too many in an array", JSON, "[" + good + "," + good + "," + good + "]", Limits{MaxRecords: 2}, cxm.ETooLarge, "batch has more than 2 records"},
		{"too many in NDJSON", NDJSON, good + "\n\n" + good + "\n" + good + "\n", Limits{MaxRecords: 2}, cxm.ETooLarge, "batch has more than 2 records"},
		{"CSV body", CSV, "customer\n", Limits{}, cxm.EUnsupported, "csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs, err := DecodeInteractions(strings.NewReader(tt.body), tt.format, tt.lim)
			if cxm.ErrorCode(err) != tt.wantCode || recs != nil || errs != nil {
				t.Fatalf("got %d records, %v, error %v; want code %s and nothing else", len(recs), errs, err, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantText)
			}
		})
	}
}

func TestDecodeInteractionsDefaultLimit(t *testing.T) {
	body := strings.Repeat(good+"\n", DefaultMaxRecords)
	recs, _, err := DecodeInteractions(strings.NewReader(body), NDJSON, Limits{})
	if err != nil || len(recs) != DefaultMaxRecords {
		t.Fatalf("at the limit: %d records, %v", len(recs), err)
	}
	_, _, err = DecodeInteractions(strings.NewReader(body+good), NDJSON, Limits{})
	if cxm.ErrorCode(err) != cxm.ETooLarge {
		t.Fatalf("over the limit: %v, want too_large", err)
	}
}

func TestDecodeInteractionsReadErrors(t *testing.T) {
	w := httptest.NewRecorder()
	body := http.MaxBytesReader(w, io.NopCloser(strings.NewReader("["+strings.Repeat(good+",", 10)+good+"]")), 100)
	_, _, err := DecodeInteractions(body, JSON, Limits{})
	if cxm.ErrorCode(err) != cxm.ETooLarge || err.Error() != "body exceeds 100 bytes" {
		t.Errorf("over MaxBytesReader: %v, want too_large body exceeds 100 bytes", err)
	}
	broken := errors.New("connection reset")
	_, _, err = DecodeInteractions(io.MultiReader(strings.NewReader("["), &errReader{broken}), JSON, Limits{})
	if !errors.Is(err, broken) || cxm.ErrorCode(err) != cxm.EInternal {
		t.Errorf("read failure: %v, want it wrapped", err)
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

func TestValidateAll(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	body := strings.Join([]string{
		good,
		`{"touchpoint":"shop","type":"order","occurred_at":"2026-03-01T10:00:00Z"}`,
		`{"customer":1}`,
		`{"customer":"k","touchpoint":"Shop!","type":"","occurred_at":"2999-01-01T00:00:00Z"}`,
		good,
	}, "\n")
	recs, errs, err := DecodeInteractions(strings.NewReader(body), NDJSON, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	valid, verrs := ValidateAll(recs, now)
	all := append(errs, verrs...)
	SortItemErrors(all)
	gotIdx, got := outcome(valid, all)
	if want := "[0 4]"; fmt.Sprint(gotIdx) != want {
		t.Errorf("valid indexes %v, want %s", gotIdx, want)
	}
	want := []string{
		"1 customer: customer or anonymous_id is required",
		"2 customer: must be a string",
		"3 touchpoint: must be a touchpoint key",
		"3 type: is required",
		"3 occurred_at: lies in the future",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(recs) != 4 {
		t.Errorf("ValidateAll changed its input: %d records", len(recs))
	}
}
