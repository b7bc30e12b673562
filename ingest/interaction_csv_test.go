package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// readAllInteractions reads r to its end and returns one line per record
// ("line: customer touchpoint type time value properties") and per row
// error ("line: field: reason"), and the fatal error if any.
func readAllInteractions(t *testing.T, r InteractionReader) ([]string, error) {
	t.Helper()
	var out []string
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatal("reader does not end")
		}
		i, line, err := r.Next()
		var re *RowError
		switch {
		case err == io.EOF:
			return out, nil
		case errors.As(err, &re):
			if re.Line != line {
				t.Errorf("row error line %d, Next line %d", re.Line, line)
			}
			out = append(out, fmt.Sprintf("%d: %s: %s", re.Line, re.Field, re.Reason))
		case err != nil:
			// A fatal error repeats.
			if _, _, again := r.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("fatal error %v, then %v", err, again)
			}
			return out, err
		default:
			out = append(out, fmt.Sprintf("%d: %s", line, describe(i)))
		}
	}
}

// describe returns the fields of i in one line.
func describe(i *cxm.Interaction) string {
	v := "-"
	if i.Value != nil {
		v = fmt.Sprint(*i.Value)
	}
	who := i.Customer
	if i.AnonymousID != "" {
		who += "/" + i.AnonymousID
	}
	if i.ID != "" {
		who = i.ID + " " + who
	}
	return fmt.Sprintf("%s %s %s %s %s %s", who, i.Touchpoint, i.Type, i.OccurredAt.Format(time.RFC3339Nano), v, i.Properties)
}

func TestCSVInteractionReader(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	tests := []struct {
		name      string
		csv       string
		opt       CSVOptions
		want      []string
		wantFatal string
	}{
		{
			name: "extra columns become string properties",
			csv: "customer,touchpoint,type,occurred_at,value,order_id,Channel Note\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,99.5,A-1,\"said \"\"hi\"\"\"\n" +
				"k-2,shop,view,2026-03-01T11:00:00+02:00,,,\n",
			want: []string{
				`2: k-1 shop order 2026-03-01T10:00:00Z 99.5 {"order_id":"A-1","Channel Note":"said \"hi\""}`,
				`3: k-2 shop view 2026-03-01T09:00:00Z - `,
			},
		},
		{
			name: "semicolons, decimal comma, local times",
			csv:  "Customer;Touchpoint;Type;Occurred_At;Value;ID\nk-1;shop;order;2026-03-01 10:00:00;12,5;o-1\nk-1;shop;order;2026-07-01T10:00:00;1.250;o-2\nk-1;shop;order;2026-03-02;-3;o-3\n",
			opt:  CSVOptions{Location: berlin},
			want: []string{
				"2: o-1 k-1 shop order 2026-03-01T09:00:00Z 12.5 ",
				"3: o-2 k-1 shop order 2026-07-01T08:00:00Z 1.25 ",
				"4: o-3 k-1 shop order 2026-03-01T23:00:00Z -3 ",
			},
		},
		{
			name: "byte order mark and CRLF",
			csv:  "\ufeffcustomer,touchpoint,type,occurred_at\r\nk-1,shop,order,2026-03-01T10:00:00Z\r\n",
			want: []string{"2: k-1 shop order 2026-03-01T10:00:00Z - "},
		},
		{
			name: "anonymous id instead of customer, blank rows skipped",
			csv:  "anonymous_id,touchpoint,type,occurred_at\n\na-1,shop,view,2026-03-01T10:00:00Z\n,,,\n a-2 ,shop,view,2026-03-01T10:00:00Z\n",
			want: []string{"3: /a-1 shop view 2026-03-01T10:00:00Z - ", "5: / a-2  shop view 2026-03-01T10:00:00Z - "},
		},
		{
			name: "bad rows are reported and skipped",
			csv: "customer,touchpoint,type,occurred_at,value\n" +
				"k-1,shop,order\n" +
				"k-2,shop,order,2026-03-01T10:00:00Z,1,2\n" +
				"k-3,shop,order,yesterday,1\n" +
				"k-4,shop,order,2026-03-01T10:00:00Z,\"1.234,5\"\n" +
				"k-5,shop,order,2026-03-01T10:00:00Z,NaN\n" +
				"k-6,shop,order,2026-03-01T10:00:00Z,\"1\"x\n" +
				"k-7\xff,shop,order,2026-03-01T10:00:00Z,1\n" +
				"k-8,shop,order,2026-03-01T10:00:00Z,8\n",
			want: []string{
				"2: row: has 3 cells, but the header has 5 columns",
				"3: row: has 6 cells, but the header has 5 columns",
				"4: occurred_at: " + csvTimeReason,
				"5: value: " + numberReason,
				"6: value: " + numberReason,
				`7: row: is not valid CSV: extraneous or missing " in quoted-field`,
				"8: customer: is not valid UTF-8; save the file as UTF-8",
				"9: k-8 shop order 2026-03-01T10:00:00Z 8 ",
			},
		},
		{
			name: "properties column merges with property columns",
			csv: "customer,touchpoint,type,occurred_at,properties,order_id\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,\"{\"\"items\"\": 3}\",A-1\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,{},\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,,A-2\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,\"{\"\"order_id\"\": 1}\",A-3\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,[1],\n" +
				"k-1,shop,order,2026-03-01T10:00:00Z,\"{\"\"a\"\":\",\n",
			want: []string{
				`2: k-1 shop order 2026-03-01T10:00:00Z - {"items": 3,"order_id":"A-1"}`,
				`3: k-1 shop order 2026-03-01T10:00:00Z - {}`,
				`4: k-1 shop order 2026-03-01T10:00:00Z - {"order_id":"A-2"}`,
				`5: order_id: is also given in the properties column`,
				`6: properties: must be a JSON object`,
				`7: properties: must be a JSON object: expected a JSON value, found end of input at byte 5`,
			},
		},
		{
			name:      "missing header column",
			csv:       "customer,touchpoint,occurred_at\nk-1,shop,2026-03-01T10:00:00Z\n",
			wantFatal: `invalid header: lacks the required column "type"`,
		},
		{
			name:      "neither customer nor anonymous id",
			csv:       "touchpoint,type,occurred_at\n",
			wantFatal: `lacks the required column "customer"`,
		},
		{
			name:      "column twice",
			csv:       "customer,touchpoint,type,occurred_at,Type\n",
			wantFatal: `column "Type" appears twice`,
		},
		{
			name:      "unnamed column",
			csv:       "customer,touchpoint,type,occurred_at,\n",
			wantFatal: `column 5 has no name`,
		},
		{
			name:      "empty file",
			csv:       "",
			wantFatal: "header: is missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAllInteractions(t, NewCSVInteractionReader(strings.NewReader(tt.csv), tt.opt))
			if tt.wantFatal != "" {
				if cxm.ErrorCode(err) != cxm.EInvalid || !strings.Contains(err.Error(), tt.wantFatal) {
					t.Fatalf("fatal error %v, want %q", err, tt.wantFatal)
				}
				return
			}
			if err != nil {
				t.Fatalf("fatal error %v", err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestNDJSONInteractionReader(t *testing.T) {
	body := "\ufeff" + good + "\n\n" +
		`{"customer":"k-2","touchpoint":"shop","type":"view","occurred_at":"2026-03-01T10:00:00Z","extra":1}` + "\r\n" +
		"not json\n" +
		strings.Repeat(" ", MaxLineBytes) + "{}\n" +
		`{"customer":"k-3","touchpoint":"shop","type":"view","occurred_at":"2026-03-01T10:00:00Z"}`
	got, err := readAllInteractions(t, NewNDJSONInteractionReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`1: o-1 k-1 shop order 2026-03-01T10:00:00Z 99.5 {"order_id":"A-1"}`,
		`3: extra: unknown field`,
		`4: body: is not valid JSON: expected the literal null, found 'o' at byte 1 of line 4`,
		`5: row: is longer than 1048576 bytes`,
		`6: k-3 shop view 2026-03-01T10:00:00Z - `,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewInteractionReader(t *testing.T) {
	for _, f := range []Format{CSV, NDJSON} {
		if _, err := NewInteractionReader(strings.NewReader(""), f, CSVOptions{}); err != nil {
			t.Errorf("%v: %v", f, err)
		}
	}
	if _, err := NewInteractionReader(strings.NewReader(""), JSON, CSVOptions{}); cxm.ErrorCode(err) != cxm.EUnsupported {
		t.Errorf("JSON: %v, want unsupported", err)
	}
}
