package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// readBody reads the whole body, which http.MaxBytesReader already bounds.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, cxm.Errorf(cxm.EInvalid, "cannot read request body: %v", err)
	}
	return b, nil
}

// decodeJSON reads a JSON object from the body into v, strictly: unknown
// fields, wrong types, invalid UTF-8, trailing data and a wrong media type
// are each an error naming what is wrong.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return cxm.Errorf(cxm.EUnsupported, "content type %q is not supported; send application/json", ct)
		}
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return unmarshalStrict(body, v)
}

// unmarshalStrict decodes one JSON value from body into v and explains
// any failure by field.
func unmarshalStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "is empty; send a JSON object"})
	}
	if !utf8.Valid(body) {
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "is not valid UTF-8"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "has data after the JSON value"})
	}
	return nil
}

// jsonError turns an encoding/json error into a field error.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)})
	case errors.As(err, &typ):
		field := withoutEmbedded(typ.Field)
		if field == "" {
			field = "body"
		}
		return cxm.Invalid(cxm.FieldError{Field: field, Reason: "must be " + jsonTypeName(typ.Type.Kind().String())})
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "ends before the JSON value is complete"})
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return cxm.Invalid(cxm.FieldError{Field: strings.Trim(name, `"`), Reason: "unknown field"})
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return cxm.Invalid(cxm.FieldError{Field: "body", Reason: err.Error()})
}

// withoutEmbedded drops from a field path the names of embedded Go
// structs, which encoding/json puts in it, as in
// "WorkspaceUpdate.churn_days". They are the capitalised segments before
// the last; JSON names in this API are lower case.
func withoutEmbedded(path string) string {
	parts := strings.Split(path, ".")
	kept := parts[:0]
	for i, p := range parts {
		if i < len(parts)-1 && p != "" && unicode.IsUpper(rune(p[0])) {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ".")
}

// jsonTypeName names a Go kind in JSON terms.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// pathID parses the {name} path value as a positive id.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, cxm.Invalid(cxm.FieldError{Field: name, Reason: "must be a positive integer id"})
	}
	return id, nil
}

// pageOf reads the cursor and limit query parameters.
func pageOf(r *http.Request) (cxm.Page, error) {
	q := r.URL.Query()
	p := cxm.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > cxm.MaxPageLimit {
			return p, cxm.Invalid(cxm.FieldError{Field: "limit", Reason: "must be an integer from 1 to 1000"})
		}
		p.Limit = n
	}
	return p.Normalize(), nil
}
