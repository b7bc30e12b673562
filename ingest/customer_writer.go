package ingest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/cxmhq/cxm"
)

// CustomerWriter writes customers to a CSV or NDJSON file that
// CSVCustomerReader or NDJSONCustomerReader reads back unchanged.
//
// NDJSON lines hold external_id, email, name, locale, birthday (empty ones
// left out), attributes and consent. Fields the store sets (id, first
// touchpoint, times) are not written, since an import refuses them.
//
// CSV files have the header external_id, email, name, locale, birthday,
// consent_email, consent_analytics, then one column per
// WriterOptions.AttributeColumns (named with its type, such as
// "score:number", so that reading it back keeps the type), then an
// attributes column with every other attribute as a JSON object.
type CustomerWriter struct {
	csv  *csvWriter
	nd   *ndjsonWriter
	cols []attrColumn
	// inCol marks, per record, the attributes written in their own column.
	inCol map[string]bool
	buf   []byte
}

// NewCustomerWriter returns a writer of customers to w in format, CSV or
// NDJSON. An attribute column that is not an attribute key with an
// optional type, or that is given twice, is an EInvalid error. Call Flush
// when done.
func NewCustomerWriter(w io.Writer, format Format, opt WriterOptions) (*CustomerWriter, error) {
	if err := checkFormat("customers", format); err != nil {
		return nil, err
	}
	if format == NDJSON {
		return &CustomerWriter{nd: &ndjsonWriter{bw: bufio.NewWriterSize(w, 64<<10)}}, nil
	}
	cw := &CustomerWriter{csv: newCSVWriter(w, opt.SpreadsheetSafe), inCol: map[string]bool{}}
	seen := map[string]bool{}
	for _, name := range opt.AttributeColumns {
		c, err := parseAttrColumn(name)
		if err != nil {
			return nil, cxm.Invalid(cxm.FieldError{Field: "attribute_columns", Reason: cxm.ErrorFields(err)[0].Reason})
		}
		if seen[c.key] {
			return nil, cxm.Invalid(cxm.FieldError{Field: "attribute_columns", Reason: fmt.Sprintf("attribute %q is given twice", c.key)})
		}
		seen[c.key] = true
		cw.cols = append(cw.cols, c)
	}
	for _, c := range customerColumns {
		cw.csv.plain(c)
	}
	for _, c := range cw.cols {
		cw.csv.plain(c.header())
	}
	cw.csv.plain(colAttributes)
	if err := cw.csv.flushRow(); err != nil {
		return nil, fmt.Errorf("ingest: write customers header: %w", err)
	}
	return cw, nil
}

// Write writes one customer. An attribute value that is not a string,
// finite number, boolean or null is an error, and nothing is written.
func (w *CustomerWriter) Write(c *cxm.Customer) error {
	var err error
	if w.nd != nil {
		err = w.writeNDJSON(c)
	} else {
		err = w.writeCSV(c)
	}
	if err != nil {
		return fmt.Errorf("ingest: write customer %q: %w", c.ExternalID, err)
	}
	return nil
}

// writeNDJSON writes c as one line of JSON.
func (w *CustomerWriter) writeNDJSON(c *cxm.Customer) error {
	nd := w.nd
	nd.begin()
	nd.text("external_id", c.ExternalID)
	nd.text("email", c.Email)
	nd.text("name", c.Name)
	nd.text("locale", c.Locale)
	nd.text("birthday", c.Birthday)
	nd.key("attributes")
	var err error
	if nd.buf, _, err = appendAttributes(nd.buf, c.Attributes, nil); err != nil {
		return err
	}
	nd.key("consent")
	nd.buf = append(nd.buf, `{"email":`...)
	nd.buf = strconv.AppendBool(nd.buf, c.Consent.Email)
	nd.buf = append(nd.buf, `,"analytics":`...)
	nd.buf = strconv.AppendBool(nd.buf, c.Consent.Analytics)
	nd.buf = append(nd.buf, '}')
	return nd.end()
}

// writeCSV writes c as one row.
func (w *CustomerWriter) writeCSV(c *cxm.Customer) error {
	clear(w.inCol)
	cells := make([]string, len(w.cols))
	for i, col := range w.cols {
		v, ok := c.Attributes[col.key]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case string:
			if col.kind == kindString && v != "" {
				cells[i] = v
			}
		case bool:
			if col.kind == kindBool {
				cells[i] = strconv.FormatBool(v)
			}
		default:
			if col.kind == kindNumber {
				if s, ok := numberText(v); ok {
					cells[i] = s
				}
			}
		}
		if cells[i] != "" {
			w.inCol[col.key] = true
		}
	}
	rest, n, err := appendAttributes(w.buf[:0], c.Attributes, w.inCol)
	if err != nil {
		return err
	}
	w.buf = rest
	cw := w.csv
	cw.text(c.ExternalID)
	cw.text(c.Email)
	cw.text(c.Name)
	cw.text(c.Locale)
	cw.text(c.Birthday)
	cw.plain(strconv.FormatBool(c.Consent.Email))
	cw.plain(strconv.FormatBool(c.Consent.Analytics))
	for i, col := range w.cols {
		if col.kind == kindString {
			cw.text(cells[i])
		} else {
			cw.plain(cells[i])
		}
	}
	if n == 0 {
		cw.plain("")
	} else {
		cw.plain(string(rest))
	}
	return cw.flushRow()
}

// numberText formats a number attribute, reporting false for anything
// that is not a finite number.
func numberText(v any) (string, bool) {
	switch v := v.(type) {
	case float64:
		s, err := formatFloat(v)
		return s, err == nil
	case json.Number:
		l := lexer{data: []byte(v)}
		if _, err := l.number(); err != nil || l.pos != len(v) {
			return "", false
		}
		return string(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// appendAttributes appends the attributes not in skip to b as a JSON
// object with sorted keys, and returns how many it appended.
func appendAttributes(b []byte, attrs cxm.Attributes, skip map[string]bool) ([]byte, int, error) {
	n := 0
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if skip[k] {
			continue
		}
		if n == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		n++
		b = appendJSONString(b, k)
		b = append(b, ':')
		switch v := attrs[k].(type) {
		case nil:
			b = append(b, "null"...)
		case string:
			b = appendJSONString(b, v)
		case bool:
			b = strconv.AppendBool(b, v)
		default:
			s, ok := numberText(v)
			if !ok {
				return b, n, fmt.Errorf("attribute %q: %v is not a string, finite number, boolean or null", k, v)
			}
			b = append(b, s...)
		}
	}
	if n == 0 {
		b = append(b, '{')
	}
	return append(b, '}'), n, nil
}

// Flush writes any buffered data to the underlying writer and reports any
// error of an earlier write.
func (w *CustomerWriter) Flush() error {
	var err error
	if w.nd != nil {
		err = w.nd.bw.Flush()
	} else {
		err = w.csv.flush()
	}
	if err != nil {
		return fmt.Errorf("ingest: write customers: %w", err)
	}
	return nil
}
