package ingest

import (
	"io"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// The fixed columns of an interactions CSV file; any other column is a property.
const (
	colID          = "id"
	colCustomer    = "customer"
	colAnonymousID = "anonymous_id"
	colTouchpoint  = "touchpoint"
	colType        = "type"
	colOccurredAt  = "occurred_at"
	colValue       = "value"
	// colProperties holds further properties as a JSON object.
	colProperties = "properties"
)

// interactionColumns lists the fixed columns in the order the writer puts them.
var interactionColumns = []string{colID, colCustomer, colAnonymousID, colTouchpoint, colType, colOccurredAt, colValue}

// CSVInteractionReader reads interactions from a CSV file, one per row.
//
// The header line names the columns, in any order and case. customer (or
// anonymous_id), touchpoint, type and occurred_at are required; id, value,
// anonymous_id and properties are optional. Every further column is a
// property of type string named like the column; empty cells are left out.
// A properties column holds further properties as a JSON object, which is
// how NewInteractionWriter writes properties without a column of their own.
//
// A property given both in its own column and in the properties column is
// a row error.
//
// occurred_at is RFC 3339 or "2006-01-02 15:04:05", "2006-01-02T15:04:05"
// or "2006-01-02" in CSVOptions.Location; it is returned in UTC. value is
// empty (none) or a number with a decimal point or comma. touchpoint,
// type, occurred_at and value are trimmed of spaces; every other cell is
// taken as it is, so that an export imports unchanged.
type CSVInteractionReader struct {
	t   *csvTable
	loc *time.Location
	// Positions of the fixed columns; -1 when absent.
	id, customer, anonymousID, touchpoint, typ, occurredAt, value, props int
	// extra lists the property columns.
	extra []int
	// keys holds the keys of the properties column's object, reused per row.
	keys map[string]bool
}

// NewCSVInteractionReader returns a reader of interactions from the CSV
// file r. Nothing is read before the first call of Next.
func NewCSVInteractionReader(r io.Reader, opt CSVOptions) *CSVInteractionReader {
	return &CSVInteractionReader{t: newCSVTable(r, opt), loc: opt.location()}
}

// header finds the columns and checks that the required ones are there.
func (r *CSVInteractionReader) header() error {
	cols := r.t.columns()
	at := func(name string) int {
		if i, ok := cols[name]; ok {
			return i
		}
		return -1
	}
	r.id, r.customer, r.anonymousID = at(colID), at(colCustomer), at(colAnonymousID)
	r.touchpoint, r.typ, r.occurredAt = at(colTouchpoint), at(colType), at(colOccurredAt)
	r.value, r.props = at(colValue), at(colProperties)
	if r.customer < 0 && r.anonymousID < 0 {
		return missingColumn(colCustomer)
	}
	for _, c := range []struct {
		name string
		i    int
	}{{colTouchpoint, r.touchpoint}, {colType, r.typ}, {colOccurredAt, r.occurredAt}} {
		if c.i < 0 {
			return missingColumn(c.name)
		}
	}
	fixed := []int{r.id, r.customer, r.anonymousID, r.touchpoint, r.typ, r.occurredAt, r.value, r.props}
	for i := range r.t.header {
		if !containsInt(fixed, i) {
			r.extra = append(r.extra, i)
		}
	}
	return nil
}

// containsInt reports whether s holds v.
func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Next returns the next interaction and its row's line number.
//
// A *RowError means the row is bad; the reader skips it and the next call
// goes on with the following row. io.EOF ends the file. Any other error
// (a missing header column, a failure to read) ends reading, and every
// later call returns it again.
func (r *CSVInteractionReader) Next() (*cxm.Interaction, int, error) {
	rec, line, err := r.t.next(r.header)
	if err != nil {
		return nil, line, err
	}
	i, ferr := r.row(rec)
	if ferr != nil {
		return nil, line, &RowError{Line: line, Field: ferr.field, Reason: ferr.reason}
	}
	return i, line, nil
}

// row decodes one row.
func (r *CSVInteractionReader) row(rec []string) (*cxm.Interaction, *fieldError) {
	i := &cxm.Interaction{
		ID:          cell(rec, r.id),
		Customer:    cell(rec, r.customer),
		AnonymousID: cell(rec, r.anonymousID),
		Touchpoint:  strings.TrimSpace(rec[r.touchpoint]),
		Type:        strings.TrimSpace(rec[r.typ]),
	}
	var reason string
	if i.OccurredAt, reason = parseCSVTime(rec[r.occurredAt], r.loc); reason != "" {
		return nil, &fieldError{field: colOccurredAt, reason: reason}
	}
	if i.Value, reason = parseDecimal(cell(rec, r.value)); reason != "" {
		return nil, &fieldError{field: colValue, reason: reason}
	}
	props, ferr := r.properties(rec)
	if ferr != nil {
		return nil, ferr
	}
	i.Properties = props
	return i, nil
}

// properties builds the JSON object of the row's properties: those of the
// properties column followed by the non-empty property columns.
func (r *CSVInteractionReader) properties(rec []string) ([]byte, *fieldError) {
	inner := ""
	if r.props >= 0 {
		if r.keys == nil {
			r.keys = make(map[string]bool)
		}
		clear(r.keys)
		var ferr *fieldError
		inner, ferr = objectCell(rec[r.props], colProperties, r.keys)
		if ferr != nil {
			return nil, ferr
		}
	}
	var b []byte
	n := 0
	if inner != "" {
		b = append(b, '{')
		b = append(b, inner...)
		n++
	}
	for _, c := range r.extra {
		v := rec[c]
		if v == "" {
			continue
		}
		key := r.t.header[c]
		if r.keys[key] {
			return nil, &fieldError{field: key, reason: "is also given in the properties column"}
		}
		if n == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		b = append(b, ':')
		b = appendJSONString(b, v)
		n++
	}
	if r.props >= 0 && n == 0 && strings.TrimSpace(rec[r.props]) != "" {
		return []byte("{}"), nil
	}
	if n == 0 {
		return nil, nil
	}
	return append(b, '}'), nil
}

// objectCell checks that s is empty or a JSON object, adds the object's
// keys to keys, and returns the object's text between its braces, trimmed.
func objectCell(s, field string, keys map[string]bool) (string, *fieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	l := lexer{data: []byte(s)}
	if l.peek() != '{' {
		return "", &fieldError{field: field, reason: "must be a JSON object"}
	}
	err := l.object(func(key []byte) error {
		keys[string(key)] = true
		return l.skip(1)
	})
	if err == nil && !l.atEnd() {
		err = l.expected("end of cell")
	}
	if err != nil {
		return "", &fieldError{field: field, reason: "must be a JSON object: " + err.Error()}
	}
	return strings.TrimSpace(s[1 : len(s)-1]), nil
}
