package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// readAllCustomers reads r to its end and returns one line per customer
// (its fields and attributes as JSON with Go types) and per row error, and
// the fatal error if any.
func readAllCustomers(t *testing.T, r CustomerReader) ([]string, error) {
	t.Helper()
	var out []string
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatal("reader does not end")
		}
		c, line, err := r.Next()
		var re *RowError
		switch {
		case err == io.EOF:
			return out, nil
		case errors.As(err, &re):
			out = append(out, fmt.Sprintf("%d: %s: %s", re.Line, re.Field, re.Reason))
		case err != nil:
			return out, err
		default:
			if c.Attributes == nil {
				t.Errorf("line %d: nil attributes", line)
			}
			out = append(out, fmt.Sprintf("%d: %s|%s|%s|%s|%s|%v|%v %s", line, c.ExternalID, c.Email, c.Name, c.Locale, c.Birthday,
				c.Consent.Email, c.Consent.Analytics, typedAttributes(c.Attributes)))
		}
	}
}

// typedAttributes returns attrs sorted by key with each value's Go type,
// such as "zip=string:01234 score=float64:12.5".
func typedAttributes(attrs cxm.Attributes) string {
	b, _ := json.Marshal(attrs) // sorts the keys
	var keys []string
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		var skip any
		dec.Decode(&skip)
		keys = append(keys, k.(string))
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%T:%v", k, attrs[k], attrs[k])
	}
	return strings.Join(parts, " ")
}

func TestCSVCustomerReader(t *testing.T) {
	tests := []struct {
		name      string
		csv       string
		want      []string
		wantFatal string
	}{
		{
			name: "typed attribute columns",
			csv: "external_id,email,name,locale,birthday,consent_email,consent_analytics,zip,city:string,score:number,vip:bool\n" +
				"k-1, ADA@example.de ,Ada Lovelace,de,1815-12-10,ja,1,01234,Köln,\"12,5\",yes\n" +
				"k-2,,,,,,,,,,\n" +
				"k-3,,Bob,en,,no,FALSE,99999,,-3,nein\n",
			want: []string{
				"2: k-1|ADA@example.de|Ada Lovelace|de|1815-12-10|true|true city=string:Köln score=float64:12.5 vip=bool:true zip=string:01234",
				"3: k-2|||||false|false ",
				"4: k-3||Bob|en||false|false score=float64:-3 vip=bool:false zip=string:99999",
			},
		},
		{
			name: "semicolons and attributes column",
			csv: "\ufeffExternal_ID;attributes;tier\n" +
				"k-1;\"{\"\"n\"\": 2, \"\"b\"\": true, \"\"s\"\": \"\"x\"\", \"\"z\"\": null}\";gold\n" +
				"k-2;\"{\"\"tier\"\": \"\"silver\"\"}\";gold\n" +
				"k-3;\"{\"\"o\"\": {}}\";\n" +
				"k-4;[];\n",
			want: []string{
				"2: k-1|||||false|false b=bool:true n=float64:2 s=string:x tier=string:gold z=<nil>:<nil>",
				"3: attributes.tier: is also given in a column of its own",
				"4: attributes.o: must be a string, number, boolean or null",
				"5: attributes: must be a JSON object",
			},
		},
		{
			name: "bad cells",
			csv:  "external_id,consent_email,score:number,vip:bool\nk-1,maybe,,\nk-2,,abc,\nk-3,,,wahr\nk-4,,,2\n",
			want: []string{
				"2: consent_email: must be true or false (or 1/0, yes/no, ja/nein)",
				"3: score:number: " + numberReason,
				"4: k-3|||||false|false vip=bool:true",
				"5: vip:bool: must be true or false (or 1/0, yes/no, ja/nein)",
			},
		},
		{
			name: "too few cells",
			csv:  "external_id,email\nk-1\nk-2,b@example.de\n",
			want: []string{"2: row: has 1 cells, but the header has 2 columns", "3: k-2|b@example.de||||false|false "},
		},
		{name: "missing external_id", csv: "email,name\n", wantFatal: `lacks the required column "external_id"`},
		{name: "unknown type", csv: "external_id,birth:date\n", wantFatal: `column "birth:date" has the unknown type "date"`},
		{name: "attribute key not lower case", csv: "external_id,PLZ\n", wantFatal: `column "PLZ" is not an attribute: its key must be lower-case`},
		{name: "attribute twice", csv: "external_id,zip,zip:number\n", wantFatal: `attribute "zip" has two columns`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAllCustomers(t, NewCSVCustomerReader(strings.NewReader(tt.csv), CSVOptions{}))
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

func TestNDJSONCustomerReader(t *testing.T) {
	body := strings.Join([]string{
		`{"external_id":"k-1","email":"a@example.de","name":"Ada","locale":"de","birthday":"1990-01-02","attributes":{"zip":"01234","score":12.5,"vip":true,"gone":null},"consent":{"email":true,"analytics":false}}`,
		`{"external_id":"k-2"}`,
		`{"external_id":"k-3","id":7}`,
		`{"external_id":"k-4","attributes":{"a":[1]}}`,
		`{"external_id":"k-5","consent":{"sms":true}}`,
		`{"external_id":"k-6","consent":{"email":"yes"}}`,
		`{"external_id":"k-7","attributes":{"a":1,"a":2}}`,
		`{"external_id":"k-8","external_id":"k-9"}`,
		`{"external_id":"k-10","attributes":"x"}`,
		`[]`,
		"{\"external_id\":\"k-\xff\"}",
		`{"external_id":"k-12"`,
	}, "\n")
	got, err := readAllCustomers(t, NewNDJSONCustomerReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1: k-1|a@example.de|Ada|de|1990-01-02|true|false gone=<nil>:<nil> score=float64:12.5 vip=bool:true zip=string:01234",
		"2: k-2|||||false|false ",
		"3: id: unknown field",
		"4: attributes.a: must be a string, number, boolean or null",
		"5: consent.sms: unknown field",
		"6: consent.email: must be true or false",
		"7: attributes.a: is given twice",
		"8: external_id: is given twice",
		"9: attributes: must be a JSON object",
		"10: body: must be a JSON object",
		"11: body: is not valid UTF-8",
		"12: body: is not valid JSON: expected ',' or '}' after a field, found end of input at byte 21 of line 12",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewCustomerReader(t *testing.T) {
	for _, f := range []Format{CSV, NDJSON} {
		if _, err := NewCustomerReader(strings.NewReader(""), f, CSVOptions{}); err != nil {
			t.Errorf("%v: %v", f, err)
		}
	}
	if _, err := NewCustomerReader(strings.NewReader(""), JSON, CSVOptions{}); cxm.ErrorCode(err) != cxm.EUnsupported {
		t.Errorf("JSON: %v, want unsupported", err)
	}
}
