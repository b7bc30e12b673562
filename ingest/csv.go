package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// CSVOptions changes how CSV files are read.
type CSVOptions struct {
	// Location is the time zone of times written without an offset, such as
	// "2026-11-23 10:00:00": the workspace's zone. Nil means UTC.
	Location *time.Location
	// Comma is the cell separator. Zero detects it from the header line:
	// ';' when the line holds a ';' and no ',', else ','.
	Comma rune
}

// location returns the time zone with its default applied.
func (o CSVOptions) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// RowError is the problem with one row (or line) of a file. A reader that
// returns it skips the row and goes on with the next one.
type RowError struct {
	// Line is the row's 1-based line number in the file.
	Line int
	// Field names the column (or JSON field) at fault, or "row" when the
	// row as a whole is malformed.
	Field  string
	Reason string
}

// Error returns the line, field and reason.
func (e *RowError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": " + e.Field + ": " + e.Reason
}

// ItemError returns the problem as an ItemError whose Index is the line number.
func (e *RowError) ItemError() cxm.ItemError {
	return cxm.ItemError{Index: e.Line, Field: e.Field, Reason: e.Reason}
}

// utf8BOM is the byte order mark some programs put at the start of UTF-8 files.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// skipBOM returns a buffered reader of r without a leading byte order mark.
func skipBOM(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return br
}

// sniffComma returns ';' if the first line of br holds a ';' and no ',',
// and ',' otherwise. It reads nothing from br.
func sniffComma(br *bufio.Reader) rune {
	var line []byte
	for n := 512; ; n *= 2 {
		b, err := br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i]
			break
		}
		if err != nil {
			line = b
			break
		}
	}
	if bytes.IndexByte(line, ';') >= 0 && bytes.IndexByte(line, ',') < 0 {
		return ';'
	}
	return ','
}

// csvTable reads the rows of a CSV file with a header line.
type csvTable struct {
	r *csv.Reader
	// header holds the column names, trimmed.
	header []string
	// fatal is the error that ended reading; every later call returns it.
	fatal error
	// started is set once the header has been read.
	started bool
}

// newCSVTable prepares reading r; nothing is read before the first row.
func newCSVTable(r io.Reader, opt CSVOptions) *csvTable {
	br := skipBOM(r)
	comma := opt.Comma
	if comma == 0 {
		comma = sniffComma(br)
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvTable{r: cr}
}

// readHeader reads the header line and checks that no column is unnamed
// or named twice (ignoring case).
func (t *csvTable) readHeader() error {
	rec, err := t.r.Read()
	switch {
	case err == io.EOF:
		return cxm.Invalid(cxm.FieldError{Field: "header", Reason: "is missing: the file is empty"})
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return cxm.Invalid(cxm.FieldError{Field: "header", Reason: "cannot be read: " + pe.Err.Error()})
		}
		return fmt.Errorf("ingest: read CSV header: %w", err)
	}
	seen := make(map[string]bool, len(rec))
	t.header = make([]string, len(rec))
	for i, h := range rec {
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			return cxm.Invalid(cxm.FieldError{Field: "header", Reason: "is not valid UTF-8; save the file as UTF-8"})
		}
		if h == "" {
			return cxm.Invalid(cxm.FieldError{Field: "header", Reason: "column " + strconv.Itoa(i+1) + " has no name"})
		}
		if seen[strings.ToLower(h)] {
			return cxm.Invalid(cxm.FieldError{Field: "header", Reason: fmt.Sprintf("column %q appears twice", h)})
		}
		seen[strings.ToLower(h)] = true
		t.header[i] = h
	}
	return nil
}

// next returns the next row that is not blank, checked to have one valid
// UTF-8 cell per column, and its line number. The row is valid until the
// next call. A *RowError is a bad row; io.EOF ends the file; header, a
// function called once before the first row, checks the header's columns.
func (t *csvTable) next(header func() error) ([]string, int, error) {
	if t.fatal != nil {
		return nil, 0, t.fatal
	}
	if !t.started {
		t.started = true
		if err := t.readHeader(); err != nil {
			t.fatal = err
			return nil, 0, err
		}
		if err := header(); err != nil {
			t.fatal = err
			return nil, 0, err
		}
	}
	for {
		rec, err := t.r.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.StartLine, &RowError{Line: pe.StartLine, Field: "row", Reason: "is not valid CSV: " + pe.Err.Error()}
			}
			if err != io.EOF {
				err = fmt.Errorf("ingest: read CSV: %w", err)
			}
			t.fatal = err
			return nil, 0, err
		}
		line, _ := t.r.FieldPos(0)
		if blankRow(rec) {
			continue
		}
		if len(rec) != len(t.header) {
			return nil, line, &RowError{Line: line, Field: "row", Reason: fmt.Sprintf("has %d cells, but the header has %d columns", len(rec), len(t.header))}
		}
		for i, cell := range rec {
			if !utf8.ValidString(cell) {
				return nil, line, &RowError{Line: line, Field: t.header[i], Reason: "is not valid UTF-8; save the file as UTF-8"}
			}
			if strings.IndexByte(cell, 0) >= 0 {
				return nil, line, &RowError{Line: line, Field: t.header[i], Reason: "must not contain the character U+0000"}
			}
		}
		return rec, line, nil
	}
}

// blankRow reports whether every cell of rec is empty or white space, as
// in the empty rows spreadsheets leave behind.
func blankRow(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// columns maps the header's column names to their positions.
func (t *csvTable) columns() map[string]int {
	m := make(map[string]int, len(t.header))
	for i, h := range t.header {
		m[strings.ToLower(h)] = i
	}
	return m
}

// missingColumn returns the error for a header without a required column.
func missingColumn(name string) error {
	return cxm.Invalid(cxm.FieldError{Field: "header", Reason: fmt.Sprintf("lacks the required column %q", name)})
}

// cell returns rec[i], or "" when i is -1 (the column is absent).
func cell(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return rec[i]
}

// numberReason is the reason given for a cell that is not a number.
const numberReason = "must be a number such as 12.5 or 12,5"

// parseDecimal reads a number written with a decimal point or a decimal
// comma ("12.5" or "12,5"). It refuses thousands separators, hexadecimal,
// NaN and infinities. An empty s is nil.
func parseDecimal(s string) (*float64, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return nil, numberReason
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return nil, "must be a finite number"
		}
		return nil, numberReason
	}
	return &f, ""
}

// parseBool reads true/false, 1/0, yes/no or ja/nein in any case. An
// empty s is false.
func parseBool(s string) (bool, string) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "ja", "wahr":
		return true, ""
	case "false", "0", "no", "nein", "falsch", "":
		return false, ""
	}
	return false, "must be true or false (or 1/0, yes/no, ja/nein)"
}

// localLayouts are the layouts of times without offset that CSV accepts.
var localLayouts = []string{time.DateTime, "2006-01-02T15:04:05", time.DateOnly}

// csvTimeReason is the reason given for a time cell that cannot be read.
const csvTimeReason = "must be a time such as 2026-11-23T10:00:00Z, 2026-11-23 10:00:00 or 2026-11-23"

// parseCSVTime reads an RFC 3339 time, or a date with or without time of
// day in loc, and returns it in UTC. An empty s is the zero time.
func parseCSVTime(s string, loc *time.Location) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ""
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), ""
	}
	if t, err := time.Parse("2006-01-02 15:04:05Z07:00", s); err == nil {
		return t.UTC(), ""
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), ""
		}
	}
	return time.Time{}, csvTimeReason
}
