package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// exportInteractions are interactions with every kind of field an export
// meets, including awkward text and numbers.
func exportInteractions() []*cxm.Interaction {
	cet := time.FixedZone("CET", 3600)
	return []*cxm.Interaction{
		{ID: "o-1", Customer: "k-1", AnonymousID: "a-1", Touchpoint: "shop", Type: "order",
			OccurredAt: time.Date(2026, 3, 1, 11, 0, 0, 123456789, cet), Value: ptr(99.5),
			Properties: json.RawMessage(`{"order_id":"A-1","items":3,"note":"=SUM(A1)","empty":"","nested":{"a":[1,2.5,null]}}`)},
		{Customer: "k-2", Touchpoint: "newsletter", Type: "open", OccurredAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{ID: "-5", AnonymousID: "=anon", Touchpoint: "hotline", Type: "call", OccurredAt: time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC),
			Value: ptr(0.0), Properties: json.RawMessage(`{}`)},
		{ID: "x,y;\"z\"\nline", Customer: "Jörg, \"der Große\"", Touchpoint: "store", Type: "visit.in_store",
			OccurredAt: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC), Value: ptr(-1e-7),
			Properties: json.RawMessage("{\n  \"order_id\": 17,\n  \"text\": \"a\\nb \\u2028 <&>\"\n}")},
		{Customer: "k-5", Touchpoint: "shop", Type: "order", OccurredAt: time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC),
			Value: ptr(1e21), Properties: json.RawMessage(`{"order_id":"A-5"}`)},
		{Customer: "k-6", Touchpoint: "shop", Type: "order", OccurredAt: time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC),
			Value: ptr(12345678.901234567)},
	}
}

// sameJSON reports whether a and b are both empty or equal JSON values.
func sameJSON(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// sameInteraction reports how got differs from want after a round trip,
// or "" if it does not.
func sameInteraction(got, want *cxm.Interaction) string {
	switch {
	case got.ID != want.ID || got.Customer != want.Customer || got.AnonymousID != want.AnonymousID ||
		got.Touchpoint != want.Touchpoint || got.Type != want.Type:
		return "text fields differ"
	case !got.OccurredAt.Equal(want.OccurredAt) || got.OccurredAt.Location() != time.UTC:
		return "occurred_at " + got.OccurredAt.String()
	case (got.Value == nil) != (want.Value == nil) || (got.Value != nil && *got.Value != *want.Value):
		return "value differs"
	case !sameJSON(got.Properties, want.Properties):
		return "properties " + string(got.Properties)
	}
	return ""
}

func TestInteractionRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		opt    WriterOptions
	}{
		{"ndjson", NDJSON, WriterOptions{}},
		{"csv", CSV, WriterOptions{}},
		{"csv with property columns", CSV, WriterOptions{PropertyColumns: []string{"order_id", "note", "empty", "missing"}}},
	}
	want := exportInteractions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewInteractionWriter(&buf, tt.format, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range want {
				if err := w.Write(i); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			r, err := NewInteractionReader(bytes.NewReader(buf.Bytes()), tt.format, CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []*cxm.Interaction
			for {
				i, line, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("line %d: %v\n%s", line, err, buf.String())
				}
				got = append(got, i)
			}
			if tt.format == NDJSON {
				recs, errs, err := DecodeInteractions(bytes.NewReader(buf.Bytes()), NDJSON, Limits{})
				if err != nil || len(errs) > 0 || len(recs) != len(got) {
					t.Fatalf("DecodeInteractions: %d records, %v, %v", len(recs), errs, err)
				}
				for k, rec := range recs {
					if diff := sameInteraction(rec.Interaction, got[k]); diff != "" {
						t.Errorf("DecodeInteractions record %d: %s", k, diff)
					}
				}
			}
			if len(got) != len(want) {
				t.Fatalf("read %d interactions, want %d\n%s", len(got), len(want), buf.String())
			}
			for k := range want {
				if diff := sameInteraction(got[k], want[k]); diff != "" {
					t.Errorf("record %d: %s\n%s", k, diff, buf.String())
				}
			}
		})
	}
}

func TestInteractionCSVLayout(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewInteractionWriter(&buf, CSV, WriterOptions{PropertyColumns: []string{"order_id", "note"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range exportInteractions()[:2] {
		if err := w.Write(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "id,customer,anonymous_id,touchpoint,type,occurred_at,value,order_id,note,properties\n" +
		`o-1,k-1,a-1,shop,order,2026-03-01T10:00:00.123456789Z,99.5,A-1,=SUM(A1),"{""items"":3,""empty"":"""",""nested"":{""a"":[1,2.5,null]}}"` + "\n" +
		",k-2,,newsletter,open,2026-03-02T00:00:00Z,,,,\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewInteractionWriter(&buf, CSV, WriterOptions{PropertyColumns: []string{"note"}, SpreadsheetSafe: true})
	if err != nil {
		t.Fatal(err)
	}
	i := &cxm.Interaction{ID: "-1", Customer: "=HYPERLINK(\"x\")", AnonymousID: "@a", Touchpoint: "+t", Type: "\tt",
		OccurredAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Value: ptr(-2.5), Properties: json.RawMessage(`{"note":"\r=1","n":"-x"}`)}
	if err := w.Write(i); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := rows[1]
	want := []string{"'-1", "'=HYPERLINK(\"x\")", "'@a", "'+t", "'\tt", "2026-03-01T00:00:00Z", "-2.5", "'\r=1", `{"n":"-x"}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("row %q, want %q", got, want)
	}

	// Customers too, but not their number cells.
	buf.Reset()
	cw, err := NewCustomerWriter(&buf, CSV, WriterOptions{AttributeColumns: []string{"score:number", "note"}, SpreadsheetSafe: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Write(&cxm.Customer{ExternalID: "=1", Name: "+Bob", Attributes: cxm.Attributes{"score": -3.0, "note": "@x"}}); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows[1], []string{"'=1", "", "'+Bob", "", "", "false", "false", "-3", "'@x", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("customer row %q, want %q", got, want)
	}
}

// exportCustomers are customers with every kind of attribute.
func exportCustomers() []*cxm.Customer {
	return []*cxm.Customer{
		{ExternalID: "k-1", Email: "ada@example.de", Name: "Ada Lovelace", Locale: "de", Birthday: "1815-12-10",
			Consent: cxm.Consent{Email: true},
			Attributes: cxm.Attributes{"zip": "01234", "score": 12.5, "vip": true, "count": 3.0, "big": 1e300,
				"note": "=cmd", "blank": "", "gone": nil, "name": "Ada L."}},
		{ExternalID: "k-2"},
		{ExternalID: "Jörg, \"der Große\"\n2", Name: "x;y", Locale: "en", Consent: cxm.Consent{Analytics: true},
			Attributes: cxm.Attributes{"vip": "yes", "zip": 1234.0, "score": "high"}},
	}
}

// sameCustomer reports how got differs from want after a round trip, or
// "" if it does not. Attributes must be equal with equal Go types.
func sameCustomer(got, want *cxm.Customer) string {
	if got.ExternalID != want.ExternalID || got.Email != want.Email || got.Name != want.Name ||
		got.Locale != want.Locale || got.Birthday != want.Birthday || got.Consent != want.Consent {
		return "fields differ"
	}
	if len(got.Attributes) != len(want.Attributes) {
		return "attributes " + typedAttributes(got.Attributes)
	}
	for k, v := range want.Attributes {
		g, ok := got.Attributes[k]
		if !ok || reflect.TypeOf(g) != reflect.TypeOf(v) || g != v {
			return "attributes " + typedAttributes(got.Attributes)
		}
	}
	return ""
}

func TestCustomerRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		opt    WriterOptions
	}{
		{"ndjson", NDJSON, WriterOptions{}},
		{"csv", CSV, WriterOptions{}},
		{"csv with attribute columns", CSV, WriterOptions{AttributeColumns: []string{"zip", "score:number", "vip:bool", "name", "blank", "missing:number"}}},
	}
	want := exportCustomers()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewCustomerWriter(&buf, tt.format, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range want {
				if err := w.Write(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			r, err := NewCustomerReader(bytes.NewReader(buf.Bytes()), tt.format, CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []*cxm.Customer
			for {
				c, line, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("line %d: %v\n%s", line, err, buf.String())
				}
				got = append(got, c)
			}
			if len(got) != len(want) {
				t.Fatalf("read %d customers, want %d\n%s", len(got), len(want), buf.String())
			}
			for k := range want {
				if diff := sameCustomer(got[k], want[k]); diff != "" {
					t.Errorf("customer %d: %s\n%s", k, diff, buf.String())
				}
			}
			if tt.name == "csv with attribute columns" {
				header, _, _ := strings.Cut(buf.String(), "\n")
				if want := "external_id,email,name,locale,birthday,consent_email,consent_analytics,zip,score:number,vip:bool,name:string,blank,missing:number,attributes"; header != want {
					t.Errorf("header %s, want %s", header, want)
				}
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	optErrs := []struct {
		name     string
		make     func() error
		wantCode string
	}{
		{"interactions as JSON", func() error { _, err := NewInteractionWriter(io.Discard, JSON, WriterOptions{}); return err }, cxm.EUnsupported},
		{"customers as JSON", func() error { _, err := NewCustomerWriter(io.Discard, JSON, WriterOptions{}); return err }, cxm.EUnsupported},
		{"property column named like a fixed one", func() error {
			_, err := NewInteractionWriter(io.Discard, CSV, WriterOptions{PropertyColumns: []string{"Type"}})
			return err
		}, cxm.EInvalid},
		{"property column twice", func() error {
			_, err := NewInteractionWriter(io.Discard, CSV, WriterOptions{PropertyColumns: []string{"a", "A"}})
			return err
		}, cxm.EInvalid},
		{"property column with space", func() error {
			_, err := NewInteractionWriter(io.Discard, CSV, WriterOptions{PropertyColumns: []string{" a"}})
			return err
		}, cxm.EInvalid},
		{"attribute column not a key", func() error {
			_, err := NewCustomerWriter(io.Discard, CSV, WriterOptions{AttributeColumns: []string{"Zip"}})
			return err
		}, cxm.EInvalid},
		{"attribute column of unknown type", func() error {
			_, err := NewCustomerWriter(io.Discard, CSV, WriterOptions{AttributeColumns: []string{"d:date"}})
			return err
		}, cxm.EInvalid},
		{"attribute column twice", func() error {
			_, err := NewCustomerWriter(io.Discard, CSV, WriterOptions{AttributeColumns: []string{"a", "a:number"}})
			return err
		}, cxm.EInvalid},
	}
	for _, tt := range optErrs {
		if err := tt.make(); cxm.ErrorCode(err) != tt.wantCode {
			t.Errorf("%s: %v, want code %s", tt.name, err, tt.wantCode)
		}
	}
	for _, f := range []Format{CSV, NDJSON} {
		iw, _ := NewInteractionWriter(io.Discard, f, WriterOptions{})
		if err := iw.Write(&cxm.Interaction{ID: "x", Value: ptr(math.NaN())}); err == nil || !strings.Contains(err.Error(), "value") {
			t.Errorf("%v: NaN value: %v", f, err)
		}
		if err := iw.Write(&cxm.Interaction{ID: "x", Properties: json.RawMessage(`[1]`)}); err == nil || !strings.Contains(err.Error(), "properties") {
			t.Errorf("%v: array properties: %v", f, err)
		}
		if err := iw.Write(&cxm.Interaction{ID: "x", Properties: json.RawMessage(`{"a":`)}); err == nil {
			t.Errorf("%v: broken properties written", f)
		}
		cw, _ := NewCustomerWriter(io.Discard, f, WriterOptions{})
		if err := cw.Write(&cxm.Customer{ExternalID: "k", Attributes: cxm.Attributes{"list": []int{1}}}); err == nil || !strings.Contains(err.Error(), `"list"`) {
			t.Errorf("%v: list attribute: %v", f, err)
		}
	}
	broken := errors.New("disk full")
	iw, _ := NewInteractionWriter(&failWriter{broken}, NDJSON, WriterOptions{})
	iw.Write(exportInteractions()[0])
	if err := iw.Flush(); !errors.Is(err, broken) {
		t.Errorf("flush to a failing writer: %v", err)
	}
}

// failWriter fails every write with err.
type failWriter struct{ err error }

func (w *failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {99.5, "99.5"}, {-3, "-3"}, {1e21, "1e+21"}, {1e20, "100000000000000000000"},
		{1e-7, "1e-7"}, {0.000001, "0.000001"}, {12345678.901234567, "12345678.901234567"},
	}
	for _, tt := range tests {
		got, err := formatFloat(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("formatFloat(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := formatFloat(math.Inf(1)); err == nil {
		t.Error("formatFloat(+Inf) gave no error")
	}
}
