package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// DefaultMaxRecords is the largest number of records in one batch when
// Limits leaves it unset.
const DefaultMaxRecords = 10_000

// Limits bounds what DecodeInteractions accepts.
type Limits struct {
	// MaxRecords is the largest number of records in a batch; zero or less
	// means DefaultMaxRecords.
	MaxRecords int
}

// maxRecords returns the record limit with its default applied.
func (l Limits) maxRecords() int {
	if l.MaxRecords <= 0 {
		return DefaultMaxRecords
	}
	return l.MaxRecords
}

// Record is one interaction that decoded, with its position in the batch.
type Record struct {
	// Index is the record's 0-based position in the batch: its place in the
	// JSON array, or its number among the non-blank lines of NDJSON. Records
	// that failed to decode keep their places, so indexes can have gaps.
	Index       int
	Interaction *cxm.Interaction
}

// DecodeInteractions reads a batch of interactions in format (JSON or
// NDJSON) from r.
//
// It returns the records that decoded, in batch order, and an ItemError
// for each record that did not, sorted by index. A record fails on
// malformed JSON (in NDJSON, where each line stands alone), on an unknown
// field, on a field given twice or of the wrong kind, and on invalid UTF-8.
// Records are not validated: run ValidateAll with the current time next.
//
// The error is non-nil only when the batch as a whole cannot be read, and
// then no records are returned: malformed JSON in a JSON body or a body
// that is not an object or array (EInvalid, field "body", with the byte
// offset), more than lim.MaxRecords records or a body over the reader's
// http.MaxBytesReader limit (ETooLarge), a format other than JSON and
// NDJSON (EUnsupported), or a failure to read r.
func DecodeInteractions(r io.Reader, format Format, lim Limits) ([]Record, []cxm.ItemError, error) {
	if format != JSON && format != NDJSON {
		return nil, nil, cxm.Errorf(cxm.EUnsupported, "interactions cannot be sent as %s; send JSON or NDJSON", format)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, cxm.Errorf(cxm.ETooLarge, "body exceeds %d bytes", mbe.Limit)
		}
		return nil, nil, fmt.Errorf("ingest: read interactions: %w", err)
	}
	if format == NDJSON {
		return decodeNDJSON(data, lim.maxRecords())
	}
	return decodeJSON(data, lim.maxRecords())
}

// tooMany returns the error for a batch of more than max records.
func tooMany(max int) error {
	return cxm.Errorf(cxm.ETooLarge, "batch has more than %d records", max)
}

// bodyError returns the error for a body that is not the JSON it must be.
func bodyError(err error) error {
	return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "is not valid JSON: " + err.Error()})
}

// batch collects the outcome of decoding a batch.
type batch struct {
	recs []Record
	errs []cxm.ItemError
}

// add records the outcome for the record at index.
func (b *batch) add(index int, rec *cxm.Interaction, err *fieldError) {
	if err != nil {
		b.errs = append(b.errs, cxm.ItemError{Index: index, Field: err.field, Reason: err.reason})
		return
	}
	b.recs = append(b.recs, Record{Index: index, Interaction: rec})
}

// decodeJSON decodes a JSON body: one object or an array of objects.
func decodeJSON(data []byte, max int) ([]Record, []cxm.ItemError, error) {
	d := &recordDecoder{lexer: lexer{data: data}}
	valid := utf8.Valid(data)
	var b batch
	d.space()
	switch {
	case d.pos >= len(data):
		return nil, nil, cxm.Invalid(cxm.FieldError{Field: "body", Reason: "is empty; send a JSON object or an array of objects"})
	case data[d.pos] == '{':
		rec, ferr, err := d.element(valid)
		if err != nil {
			return nil, nil, bodyError(err)
		}
		b.add(0, rec, ferr)
	case data[d.pos] == '[':
		d.pos++
		d.space()
		for index := 0; d.peek() != ']'; index++ {
			if index == max {
				return nil, nil, tooMany(max)
			}
			rec, ferr, err := d.element(valid)
			if err != nil {
				return nil, nil, bodyError(err)
			}
			b.add(index, rec, ferr)
			d.space()
			switch d.peek() {
			case ',':
				d.pos++
				d.space()
				if d.peek() == ']' {
					return nil, nil, bodyError(d.expected("a JSON value after ','"))
				}
			case ']':
			default:
				return nil, nil, bodyError(d.expected("',' or ']' after an element"))
			}
		}
		d.pos++
	default:
		return nil, nil, cxm.Invalid(cxm.FieldError{Field: "body",
			Reason: "must be a JSON object or an array of objects, found " + describeByte(data, d.pos) + " at byte " + strconv.Itoa(d.pos)})
	}
	if !d.atEnd() {
		return nil, nil, bodyError(d.expected("end of input"))
	}
	return b.recs, b.errs, nil
}

// element decodes the value at pos, one record of a JSON body. It returns
// the record or the record's problem; err is malformed JSON, which spoils
// the whole body. utf8OK says that the whole body is valid UTF-8.
func (d *recordDecoder) element(utf8OK bool) (rec *cxm.Interaction, ferr *fieldError, err error) {
	start := d.pos
	if d.peek() == '{' {
		rec, err = d.interaction()
		if fe, ok := err.(*fieldError); ok {
			ferr, rec = fe, nil
			d.pos = start
			err = d.skip(0)
		}
	} else {
		ferr = &fieldError{field: "body", reason: "must be a JSON object"}
		err = d.skip(0)
	}
	if err != nil {
		return nil, nil, err
	}
	if !utf8OK && !utf8.Valid(d.data[start:d.pos]) {
		return nil, &fieldError{field: "body", reason: "is not valid UTF-8"}, nil
	}
	return rec, ferr, nil
}

// decodeNDJSON decodes an NDJSON body, one record per non-blank line.
func decodeNDJSON(data []byte, max int) ([]Record, []cxm.ItemError, error) {
	d := &recordDecoder{}
	var b batch
	b.recs = make([]Record, 0, min(bytes.Count(data, []byte{'\n'})+1, max))
	index, lineNo := 0, 0
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		lineNo++
		if blank(line) {
			continue
		}
		if index == max {
			return nil, nil, tooMany(max)
		}
		rec, err := d.line(line)
		b.add(index, rec, lineError(err, lineNo))
		index++
	}
	return b.recs, b.errs, nil
}

// blank reports whether line holds only white space.
func blank(line []byte) bool {
	for _, c := range line {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// line decodes one line of NDJSON as an interaction. The error is a
// *syntaxError or a *fieldError.
func (d *recordDecoder) line(line []byte) (*cxm.Interaction, error) {
	if !utf8.Valid(line) {
		return nil, &fieldError{field: "body", reason: "is not valid UTF-8"}
	}
	d.data, d.pos = line, 0
	d.space()
	if d.peek() != '{' {
		if err := d.skip(0); err != nil {
			return nil, err
		}
		return nil, &fieldError{field: "body", reason: "must be a JSON object"}
	}
	rec, err := d.interaction()
	if err != nil {
		return nil, err
	}
	if !d.atEnd() {
		return nil, d.expected("end of line")
	}
	return rec, nil
}

// lineError turns the error of decoding line lineNo into a field error,
// naming the line for malformed JSON.
func lineError(err error, lineNo int) *fieldError {
	switch e := err.(type) {
	case nil:
		return nil
	case *fieldError:
		return e
	}
	return &fieldError{field: "body", reason: "is not valid JSON: " + err.Error() + " of line " + strconv.Itoa(lineNo)}
}

// ValidateAll runs (*cxm.Interaction).Validate with now on every record.
// It returns the valid records, in order, and an ItemError for each
// problem of the invalid ones, with the record's index and the field's
// name, sorted by index. recs is not changed.
func ValidateAll(recs []Record, now time.Time) ([]Record, []cxm.ItemError) {
	valid := make([]Record, 0, len(recs))
	var errs []cxm.ItemError
	var fe cxm.FieldErrors
	for _, r := range recs {
		fe = fe[:0]
		r.Interaction.Validate(now, "", &fe)
		if len(fe) == 0 {
			valid = append(valid, r)
			continue
		}
		for _, f := range fe {
			errs = append(errs, cxm.ItemError{Index: r.Index, Field: f.Field, Reason: f.Reason})
		}
	}
	SortItemErrors(errs)
	return valid, errs
}

// SortItemErrors sorts errs by index, keeping the order of errors of the
// same record, so that errors merged from several steps read in batch order.
func SortItemErrors(errs []cxm.ItemError) {
	slices.SortStableFunc(errs, func(a, b cxm.ItemError) int { return a.Index - b.Index })
}
