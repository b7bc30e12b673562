package ingest

import (
	"io"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// NDJSONCustomerReader reads customers from an NDJSON file, one JSON
// object per line in the form the API uses: external_id, email, name,
// locale, birthday, attributes (an object of strings, numbers, booleans
// and nulls) and consent ({"email": bool, "analytics": bool}). Any other
// field is refused. Blank lines are skipped.
type NDJSONCustomerReader struct {
	lines *lineReader
	l     lexer
}

// NewNDJSONCustomerReader returns a reader of customers from the NDJSON file r.
func NewNDJSONCustomerReader(r io.Reader) *NDJSONCustomerReader {
	return &NDJSONCustomerReader{lines: newLineReader(r)}
}

// Next returns the next customer and its 1-based line number. Its
// Attributes are never nil. Errors are as for NDJSONInteractionReader.Next.
func (r *NDJSONCustomerReader) Next() (*cxm.Customer, int, error) {
	line, n, err := r.lines.next()
	if err != nil {
		return nil, n, err
	}
	c, err := r.line(line)
	if ferr := lineError(err, n); ferr != nil {
		return nil, n, &RowError{Line: n, Field: ferr.field, Reason: ferr.reason}
	}
	return c, n, nil
}

// line decodes one line as a customer; the error is a *syntaxError or a
// *fieldError.
func (r *NDJSONCustomerReader) line(line []byte) (*cxm.Customer, error) {
	if !utf8.Valid(line) {
		return nil, &fieldError{field: "body", reason: "is not valid UTF-8"}
	}
	l := &r.l
	l.data, l.pos = line, 0
	l.space()
	if l.peek() != '{' {
		return nil, l.wrongKind("body", "must be a JSON object")
	}
	c, err := l.customer()
	if err != nil {
		return nil, err
	}
	if !l.atEnd() {
		return nil, l.expected("end of line")
	}
	return c, nil
}

// customer reads the object at pos (which holds '{') as a customer.
func (l *lexer) customer() (*cxm.Customer, error) {
	c := &cxm.Customer{Attributes: cxm.Attributes{}}
	seen := map[string]bool{}
	err := l.object(func(key []byte) error {
		name := string(key)
		if seen[name] {
			return l.wrongKind(fieldName(key), "is given twice")
		}
		seen[name] = true
		var err error
		switch name {
		case "external_id":
			c.ExternalID, err = l.text(name)
		case "email":
			c.Email, err = l.text(name)
		case "name":
			c.Name, err = l.text(name)
		case "locale":
			c.Locale, err = l.text(name)
		case "birthday":
			c.Birthday, err = l.text(name)
		case "attributes":
			err = l.attributes(name, c.Attributes, nil)
		case "consent":
			err = l.consent(&c.Consent)
		default:
			return l.wrongKind(fieldName(key), "unknown field")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// attributes reads an object of scalars, or null, for field into attrs. A
// key already in attrs or in taken is refused.
func (l *lexer) attributes(field string, attrs cxm.Attributes, taken map[string]bool) error {
	switch l.peek() {
	case 'n':
		return l.literal("null")
	case '{':
	default:
		return l.wrongKind(field, "must be a JSON object")
	}
	return l.object(func(key []byte) error {
		k := string(key)
		f := field + "." + fieldName(key)
		if _, dup := attrs[k]; dup {
			return l.wrongKind(f, "is given twice")
		}
		if taken[k] {
			return l.wrongKind(f, "is also given in a column of its own")
		}
		v, err := l.scalar(f)
		if err != nil {
			return err
		}
		attrs[k] = v
		return nil
	})
}

// consent reads the consent object, or null, into c.
func (l *lexer) consent(c *cxm.Consent) error {
	const field = "consent"
	switch l.peek() {
	case 'n':
		return l.literal("null")
	case '{':
	default:
		return l.wrongKind(field, "must be a JSON object")
	}
	var seenEmail, seenAnalytics bool
	return l.object(func(key []byte) error {
		var dst *bool
		var seen *bool
		switch string(key) {
		case "email":
			dst, seen = &c.Email, &seenEmail
		case "analytics":
			dst, seen = &c.Analytics, &seenAnalytics
		default:
			return l.wrongKind(field+"."+fieldName(key), "unknown field")
		}
		f := field + "." + string(key)
		if *seen {
			return l.wrongKind(f, "is given twice")
		}
		*seen = true
		v, err := l.boolean(f)
		*dst = v
		return err
	})
}

// CustomerReader is a source of customers from a file, such as a
// *CSVCustomerReader or an *NDJSONCustomerReader.
type CustomerReader interface {
	// Next returns the next customer and its line number; a *RowError
	// skips a bad row, io.EOF ends the file, and any other error is fatal.
	Next() (*cxm.Customer, int, error)
}

// NewCustomerReader returns a reader of customers from the file r in
// format, which is CSV or NDJSON; opt applies to CSV.
func NewCustomerReader(r io.Reader, format Format, opt CSVOptions) (CustomerReader, error) {
	switch format {
	case CSV:
		return NewCSVCustomerReader(r, opt), nil
	case NDJSON:
		return NewNDJSONCustomerReader(r), nil
	}
	return nil, cxm.Errorf(cxm.EUnsupported, "customer files in %s cannot be read; use csv or ndjson", format)
}
