package ingest

import (
	"fmt"
	"io"
	"strings"

	"github.com/cxmhq/cxm"
)

// The fixed columns of a customers CSV file; any other column is an attribute.
const (
	colExternalID       = "external_id"
	colEmail            = "email"
	colName             = "name"
	colLocale           = "locale"
	colBirthday         = "birthday"
	colConsentEmail     = "consent_email"
	colConsentAnalytics = "consent_analytics"
	// colAttributes holds further attributes as a JSON object.
	colAttributes = "attributes"
)

// customerColumns lists the fixed columns in the order the writer puts them.
var customerColumns = []string{colExternalID, colEmail, colName, colLocale, colBirthday, colConsentEmail, colConsentAnalytics}

// attrKind is the type of an attribute column.
type attrKind int

// The types an attribute column can have.
const (
	kindString attrKind = iota
	kindNumber
	kindBool
)

// attrColumn is an attribute column of a customers CSV file.
type attrColumn struct {
	key  string
	kind attrKind
	// pos is the column's position in the file.
	pos int
}

// parseAttrColumn reads a column name such as "zip", "score:number",
// "vip:bool" or "zip:string": an attribute key and its type, string when
// none is given. A key that cannot be an attribute's, or an unknown type,
// is an EInvalid error.
func parseAttrColumn(name string) (attrColumn, error) {
	key, typ, typed := strings.Cut(name, ":")
	c := attrColumn{key: key}
	switch strings.ToLower(typ) {
	case "string", "text":
		c.kind = kindString
	case "number":
		c.kind = kindNumber
	case "bool", "boolean":
		c.kind = kindBool
	default:
		if typed {
			return c, cxm.Invalid(cxm.FieldError{Field: "header",
				Reason: fmt.Sprintf("column %q has the unknown type %q; use string, number or bool", name, typ)})
		}
	}
	var errs cxm.FieldErrors
	cxm.Attributes{key: ""}.Validate("attribute", &errs)
	if len(errs) > 0 {
		return c, cxm.Invalid(cxm.FieldError{Field: "header",
			Reason: fmt.Sprintf("column %q is not an attribute: its %s", name, errs[0].Reason)})
	}
	return c, nil
}

// header returns the column name for the attribute, with its type unless
// it is a string whose key is no fixed column.
func (c attrColumn) header() string {
	switch c.kind {
	case kindNumber:
		return c.key + ":number"
	case kindBool:
		return c.key + ":bool"
	}
	for _, f := range customerColumns {
		if f == c.key {
			return c.key + ":string"
		}
	}
	if c.key == colAttributes {
		return c.key + ":string"
	}
	return c.key
}

// CSVCustomerReader reads customers from a CSV file, one per row.
//
// The header line names the columns, in any order and case: external_id
// (required), email, name, locale, birthday, consent_email and
// consent_analytics (true/false, 1/0, yes/no or ja/nein; empty is false).
// Every further column is an attribute, typed by its name and never by
// guessing: "zip" and "zip:string" hold strings (so "01234" stays
// "01234"), "score:number" numbers (12.5 or 12,5) and "vip:bool" booleans.
// Empty attribute cells are left out. An attributes column holds further
// attributes as a JSON object, which is how NewCustomerWriter writes
// attributes without a column of their own.
type CSVCustomerReader struct {
	t *csvTable
	// Positions of the fixed columns; -1 when absent.
	externalID, email, name, locale, birthday, consentEmail, consentAnalytics, attrs int

	// cols lists the attribute columns.
	cols []attrColumn
	// keys holds the keys of the attributes column's object, reused per row.
	keys map[string]bool
}

// NewCSVCustomerReader returns a reader of customers from the CSV file r.
// Nothing is read before the first call of Next; opt.Location is not used.
func NewCSVCustomerReader(r io.Reader, opt CSVOptions) *CSVCustomerReader {
	return &CSVCustomerReader{t: newCSVTable(r, opt)}
}

// header finds the columns, reads the attribute columns' types, and checks
// that external_id is there.
func (r *CSVCustomerReader) header() error {
	fixed := map[string]*int{
		colExternalID: &r.externalID, colEmail: &r.email, colName: &r.name, colLocale: &r.locale,
		colBirthday: &r.birthday, colConsentEmail: &r.consentEmail, colConsentAnalytics: &r.consentAnalytics,
		colAttributes: &r.attrs,
	}
	for _, p := range fixed {
		*p = -1
	}
	seen := map[string]bool{}
	for i, h := range r.t.header {
		if p, ok := fixed[strings.ToLower(h)]; ok {
			*p = i
			continue
		}
		c, err := parseAttrColumn(h)
		if err != nil {
			return err
		}
		if seen[c.key] {
			return cxm.Invalid(cxm.FieldError{Field: "header", Reason: fmt.Sprintf("attribute %q has two columns", c.key)})
		}
		seen[c.key] = true
		c.pos = i
		r.cols = append(r.cols, c)
	}
	if r.externalID < 0 {
		return missingColumn(colExternalID)
	}
	return nil
}

// Next returns the next customer and its row's line number. Its Attributes
// are never nil. Errors are as for CSVInteractionReader.Next.
func (r *CSVCustomerReader) Next() (*cxm.Customer, int, error) {
	rec, line, err := r.t.next(r.header)
	if err != nil {
		return nil, line, err
	}
	c, ferr := r.row(rec)
	if ferr != nil {
		return nil, line, &RowError{Line: line, Field: ferr.field, Reason: ferr.reason}
	}
	return c, line, nil
}

// row decodes one row.
func (r *CSVCustomerReader) row(rec []string) (*cxm.Customer, *fieldError) {
	c := &cxm.Customer{
		ExternalID: rec[r.externalID],
		Email:      strings.TrimSpace(cell(rec, r.email)),
		Name:       cell(rec, r.name),
		Locale:     strings.TrimSpace(cell(rec, r.locale)),
		Birthday:   strings.TrimSpace(cell(rec, r.birthday)),
		Attributes: cxm.Attributes{},
	}
	var reason string
	if c.Consent.Email, reason = parseBool(cell(rec, r.consentEmail)); reason != "" {
		return nil, &fieldError{field: colConsentEmail, reason: reason}
	}
	if c.Consent.Analytics, reason = parseBool(cell(rec, r.consentAnalytics)); reason != "" {
		return nil, &fieldError{field: colConsentAnalytics, reason: reason}
	}
	for _, col := range r.cols {
		v := rec[col.pos]
		if v == "" {
			continue
		}
		switch col.kind {
		case kindString:
			c.Attributes[col.key] = v
		case kindNumber:
			f, reason := parseDecimal(v)
			if reason != "" {
				return nil, &fieldError{field: r.t.header[col.pos], reason: reason}
			}
			if f != nil {
				c.Attributes[col.key] = *f
			}
		case kindBool:
			b, reason := parseBool(v)
			if reason != "" {
				return nil, &fieldError{field: r.t.header[col.pos], reason: reason}
			}
			c.Attributes[col.key] = b
		}
	}
	if r.attrs >= 0 {
		if ferr := r.attributesCell(rec[r.attrs], c.Attributes); ferr != nil {
			return nil, ferr
		}
	}
	return c, nil
}

// attributesCell adds the attributes of the JSON object s to attrs,
// refusing a key that a column gives too.
func (r *CSVCustomerReader) attributesCell(s string, attrs cxm.Attributes) *fieldError {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if r.keys == nil {
		r.keys = make(map[string]bool)
	}
	clear(r.keys)
	for k := range attrs {
		r.keys[k] = true
	}
	l := lexer{data: []byte(s)}
	if l.peek() != '{' {
		return &fieldError{field: colAttributes, reason: "must be a JSON object"}
	}
	fresh := cxm.Attributes{}
	err := l.attributes(colAttributes, fresh, r.keys)
	if err == nil && !l.atEnd() {
		err = l.expected("end of cell")
	}
	switch e := err.(type) {
	case nil:
	case *fieldError:
		return e
	default:
		return &fieldError{field: colAttributes, reason: "must be a JSON object: " + err.Error()}
	}
	for k, v := range fresh {
		attrs[k] = v
	}
	return nil
}
