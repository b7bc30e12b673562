package ingest

import (
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

func TestFormatFromContentType(t *testing.T) {
	tests := []struct {
		ct       string
		want     Format
		wantCode string
		wantText string
	}{
		{"", JSON, "", ""},
		{"application/json", JSON, "", ""},
		{"application/json; charset=utf-8", JSON, "", ""},
		{"Application/JSON; charset=UTF-8", JSON, "", ""},
		{"application/x-ndjson", NDJSON, "", ""},
		{"application/ndjson", NDJSON, "", ""},
		{"application/jsonl", NDJSON, "", ""},
		{"application/jsonlines", NDJSON, "", ""},
		{"text/plain", 0, cxm.EUnsupported, "text/plain"},
		{"text/csv", 0, cxm.EUnsupported, "text/csv"},
		{"application/json; charset=latin1", 0, cxm.EUnsupported, "latin1"},
		{"application/json; charset", 0, cxm.EUnsupported, "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			got, err := FormatFromContentType(tt.ct)
			if got != tt.want || cxm.ErrorCode(err) != tt.wantCode {
				t.Fatalf("FormatFromContentType(%q) = %v, %v; want %v, code %q", tt.ct, got, err, tt.want, tt.wantCode)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not name %q", err, tt.wantText)
			}
		})
	}
}

func TestParseFormatAndPath(t *testing.T) {
	tests := []struct {
		in       string
		byName   Format
		byPath   Format
		wantCode string
	}{
		{"json", JSON, JSON, ""},
		{"NDJSON", NDJSON, NDJSON, ""},
		{"jsonl", NDJSON, NDJSON, ""},
		{"csv", CSV, CSV, ""},
		{"xlsx", 0, 0, cxm.EUnsupported},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if got != tt.byName || cxm.ErrorCode(err) != tt.wantCode {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", tt.in, got, err, tt.byName)
		}
		got, err = FormatFromPath("/data/export." + tt.in)
		if got != tt.byPath || cxm.ErrorCode(err) != tt.wantCode {
			t.Errorf("FormatFromPath(%q) = %v, %v; want %v", tt.in, got, err, tt.byPath)
		}
	}
	if _, err := FormatFromPath("noext"); cxm.ErrorCode(err) != cxm.EUnsupported {
		t.Errorf("FormatFromPath without extension: %v, want unsupported", err)
	}
	if got, want := NDJSON.String(), "ndjson"; got != want {
		t.Errorf("NDJSON.String() = %q, want %q", got, want)
	}
}
