package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// WriterOptions changes what the export writers write.
type WriterOptions struct {
	// PropertyColumns names interaction properties that get a CSV column of
	// their own, after the fixed columns. A listed property whose value is
	// a non-empty string is written in its column; any other property (not
	// listed, or a number, boolean, object, null or empty string) stays in
	// the trailing properties column, a JSON object. Reading the file back
	// gives equal properties.
	PropertyColumns []string
	// AttributeColumns names customer attributes that get a CSV column of
	// their own, as "zip" or "zip:string", "score:number" or "vip:bool". A
	// listed attribute whose value has the column's type (and is not an
	// empty string) is written in its column; any other attribute stays in
	// the trailing attributes column, a JSON object. Reading the file back
	// gives equal attributes with equal types.
	AttributeColumns []string
	// SpreadsheetSafe guards against CSV injection: text cells starting
	// with = + - @, a tab or a carriage return are written with a leading
	// single quote, so that spreadsheet programs do not run them as
	// formulas. Such a file no longer imports unchanged (the quote stays
	// part of the text), so it is off by default; use it for files meant
	// for people, not for round trips. Number cells and NDJSON are not
	// changed.
	SpreadsheetSafe bool
}

// csvWriter writes CSV rows, quoting text cells when asked to.
type csvWriter struct {
	w    *csv.Writer
	safe bool
	row  []string
}

// newCSVWriter returns a CSV writer to w.
func newCSVWriter(w io.Writer, safe bool) *csvWriter {
	return &csvWriter{w: csv.NewWriter(w), safe: safe}
}

// text appends a text cell to the row.
func (c *csvWriter) text(s string) {
	if c.safe && s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		s = "'" + s
	}
	c.row = append(c.row, s)
}

// plain appends a cell the writer itself formatted, such as a number.
func (c *csvWriter) plain(s string) { c.row = append(c.row, s) }

// flushRow writes the row and starts a new one.
func (c *csvWriter) flushRow() error {
	err := c.w.Write(c.row)
	c.row = c.row[:0]
	return err
}

// flush writes buffered rows to the underlying writer.
func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// appendFloat appends f as encoding/json does: plain decimals for usual
// magnitudes, an exponent for very small and very large ones. The text
// parses back to exactly f. NaN and infinities are an error.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%v is not a finite number", f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Shorten e-09 to e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// formatFloat returns f formatted by appendFloat.
func formatFloat(f float64) (string, error) {
	b, err := appendFloat(nil, f)
	return string(b), err
}

// ndjsonWriter writes one JSON object per line.
type ndjsonWriter struct {
	bw  *bufio.Writer
	buf []byte
	n   int
}

// begin starts an object.
func (w *ndjsonWriter) begin() {
	w.buf = append(w.buf[:0], '{')
	w.n = 0
}

// key appends a field name, with a comma before all but the first.
func (w *ndjsonWriter) key(name string) {
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.n++
	w.buf = appendJSONString(w.buf, name)
	w.buf = append(w.buf, ':')
}

// text appends a string field unless s is empty.
func (w *ndjsonWriter) text(name, s string) {
	if s != "" {
		w.key(name)
		w.buf = appendJSONString(w.buf, s)
	}
}

// end finishes the object and its line and writes it.
func (w *ndjsonWriter) end() error {
	w.buf = append(w.buf, '}', '\n')
	_, err := w.bw.Write(w.buf)
	return err
}

// checkFormat returns an error unless format can be written.
func checkFormat(what string, format Format) error {
	if format != CSV && format != NDJSON {
		return cxm.Errorf(cxm.EUnsupported, "%s cannot be written as %s; use csv or ndjson", what, format)
	}
	return nil
}

// checkColumns returns an error if a name of cols is empty, given twice
// (ignoring case) or one of reserved.
func checkColumns(field string, cols []string, reserved []string) error {
	seen := map[string]bool{}
	for _, r := range reserved {
		seen[r] = true
	}
	for _, c := range cols {
		lc := strings.ToLower(strings.TrimSpace(c))
		switch {
		case lc == "":
			return cxm.Invalid(cxm.FieldError{Field: field, Reason: "holds an empty column name"})
		case c != strings.TrimSpace(c) || !utf8.ValidString(c):
			return cxm.Invalid(cxm.FieldError{Field: field, Reason: fmt.Sprintf("column %q must be valid text without leading or trailing space", c)})
		case seen[lc]:
			return cxm.Invalid(cxm.FieldError{Field: field, Reason: fmt.Sprintf("column %q is reserved or given twice", c)})
		}
		seen[lc] = true
	}
	return nil
}
