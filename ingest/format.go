package ingest

import (
	"mime"
	"path/filepath"
	"strings"

	"github.com/cxmhq/cxm"
)

// Format is an encoding of a list of records.
type Format int

// The formats the package reads and writes. The zero Format is none of them.
const (
	// JSON is a single JSON object or an array of objects.
	JSON Format = iota + 1
	// NDJSON is one JSON object per line (also called JSON Lines).
	NDJSON
	// CSV is comma- or semicolon-separated values with a header line.
	CSV
)

// String returns the format's usual name, such as "ndjson".
func (f Format) String() string {
	switch f {
	case JSON:
		return "json"
	case NDJSON:
		return "ndjson"
	case CSV:
		return "csv"
	}
	return "unknown format"
}

// ParseFormat returns the format named s: json, ndjson (or jsonl) or csv.
// Any other name is an EUnsupported error.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "json":
		return JSON, nil
	case "ndjson", "jsonl", "jsonlines":
		return NDJSON, nil
	case "csv":
		return CSV, nil
	}
	return 0, cxm.Errorf(cxm.EUnsupported, "format %q is not supported; use json, ndjson or csv", s)
}

// FormatFromPath returns the format a file name's extension stands for:
// .json, .ndjson, .jsonl or .csv (in any case). Any other extension is an
// EUnsupported error.
func FormatFromPath(path string) (Format, error) {
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if ext == "" {
		return 0, cxm.Errorf(cxm.EUnsupported, "file %q has no extension; name the format", filepath.Base(path))
	}
	f, err := ParseFormat(ext)
	if err != nil {
		return 0, cxm.Errorf(cxm.EUnsupported, "file extension .%s is not supported; use .json, .ndjson, .jsonl or .csv", ext)
	}
	return f, nil
}

// FormatFromContentType returns the format of an HTTP body with content
// type ct: application/json is JSON; application/x-ndjson,
// application/ndjson, application/jsonl and application/jsonlines are
// NDJSON; an empty ct means JSON. Any other media type, and any charset
// other than UTF-8, is an EUnsupported error naming it.
func FormatFromContentType(ct string) (Format, error) {
	if strings.TrimSpace(ct) == "" {
		return JSON, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return 0, cxm.Errorf(cxm.EUnsupported, "content type %q cannot be read; send application/json or application/x-ndjson", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return 0, cxm.Errorf(cxm.EUnsupported, "charset %q is not supported; send UTF-8", cs)
	}
	switch mt {
	case "application/json":
		return JSON, nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines":
		return NDJSON, nil
	}
	return 0, cxm.Errorf(cxm.EUnsupported, "media type %s is not supported; send application/json or application/x-ndjson", mt)
}
