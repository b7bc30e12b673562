package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cxmhq/cxm"
)

// InteractionWriter writes interactions to a CSV or NDJSON file that
// CSVInteractionReader or NDJSONInteractionReader reads back unchanged.
//
// NDJSON lines hold the fields a sender gives: id, customer, anonymous_id,
// touchpoint, type, occurred_at (RFC 3339 in UTC), value and properties;
// empty ones are left out. Fields the store sets (customer_id, channel,
// received_at) are not written, since an import refuses them.
//
// CSV files have the header id, customer, anonymous_id, touchpoint, type,
// occurred_at, value, then one column per WriterOptions.PropertyColumns,
// then a properties column with every other property as a JSON object.
type InteractionWriter struct {
	csv *csvWriter
	nd  *ndjsonWriter
	// props holds the property columns' names and, per record, their cells.
	props   []string
	cells   map[string]string
	compact bytes.Buffer
	rest    []byte
	lex     lexer
}

// NewInteractionWriter returns a writer of interactions to w in format,
// CSV or NDJSON. A property column that is empty, given twice or named
// like a fixed column is an EInvalid error. Call Flush when done.
func NewInteractionWriter(w io.Writer, format Format, opt WriterOptions) (*InteractionWriter, error) {
	if err := checkFormat("interactions", format); err != nil {
		return nil, err
	}
	if format == NDJSON {
		return &InteractionWriter{nd: &ndjsonWriter{bw: bufio.NewWriterSize(w, 64<<10)}}, nil
	}
	reserved := append([]string{colProperties}, interactionColumns...)
	if err := checkColumns("property_columns", opt.PropertyColumns, reserved); err != nil {
		return nil, err
	}
	iw := &InteractionWriter{csv: newCSVWriter(w, opt.SpreadsheetSafe), props: opt.PropertyColumns, cells: map[string]string{}}
	for _, c := range interactionColumns {
		iw.csv.plain(c)
	}
	for _, c := range opt.PropertyColumns {
		iw.csv.plain(c)
	}
	iw.csv.plain(colProperties)
	if err := iw.csv.flushRow(); err != nil {
		return nil, fmt.Errorf("ingest: write interactions header: %w", err)
	}
	return iw, nil
}

// Write writes one interaction. Properties that are not a JSON object and
// a value that is not finite are errors, and nothing is written for them.
func (w *InteractionWriter) Write(i *cxm.Interaction) error {
	if err := w.compactProperties(i.Properties); err != nil {
		return fmt.Errorf("ingest: write interaction %q: properties: %w", i.ID, err)
	}
	var value string
	if i.Value != nil {
		var err error
		if value, err = formatFloat(*i.Value); err != nil {
			return fmt.Errorf("ingest: write interaction %q: value: %w", i.ID, err)
		}
	}
	occurred := ""
	if !i.OccurredAt.IsZero() {
		occurred = i.OccurredAt.UTC().Format(time.RFC3339Nano)
	}
	var err error
	if w.nd != nil {
		err = w.writeNDJSON(i, occurred, value)
	} else {
		err = w.writeCSV(i, occurred, value)
	}
	if err != nil {
		return fmt.Errorf("ingest: write interaction %q: %w", i.ID, err)
	}
	return nil
}

// compactProperties puts props, without white space, in w.compact, and
// checks that it is empty or a JSON object.
func (w *InteractionWriter) compactProperties(props json.RawMessage) error {
	w.compact.Reset()
	if len(props) == 0 {
		return nil
	}
	if err := json.Compact(&w.compact, props); err != nil {
		return err
	}
	if b := w.compact.Bytes(); b[0] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	return nil
}

// writeNDJSON writes i as one line of JSON.
func (w *InteractionWriter) writeNDJSON(i *cxm.Interaction, occurred, value string) error {
	nd := w.nd
	nd.begin()
	nd.text("id", i.ID)
	nd.text("customer", i.Customer)
	nd.text("anonymous_id", i.AnonymousID)
	nd.text("touchpoint", i.Touchpoint)
	nd.text("type", i.Type)
	nd.text("occurred_at", occurred)
	if value != "" {
		nd.key("value")
		nd.buf = append(nd.buf, value...)
	}
	if w.compact.Len() > 0 {
		nd.key("properties")
		nd.buf = append(nd.buf, w.compact.Bytes()...)
	}
	return nd.end()
}

// writeCSV writes i as one row.
func (w *InteractionWriter) writeCSV(i *cxm.Interaction, occurred, value string) error {
	c := w.csv
	c.text(i.ID)
	c.text(i.Customer)
	c.text(i.AnonymousID)
	c.text(i.Touchpoint)
	c.text(i.Type)
	c.plain(occurred)
	c.plain(value)
	clear(w.cells)
	rest := w.compact.Bytes()
	if len(w.props) > 0 && len(rest) > 0 {
		rest = w.splitProperties(rest)
	}
	for _, p := range w.props {
		c.text(w.cells[p])
	}
	c.plain(string(rest))
	return c.flushRow()
}

// splitProperties moves the string properties that have a column of their
// own from the compact object props to w.cells and returns the object of
// the others, or nil if none is left (but "{}" if props is empty, so that
// an empty object reads back as one).
func (w *InteractionWriter) splitProperties(props []byte) []byte {
	isColumn := func(k string) bool {
		for _, p := range w.props {
			if p == k {
				return true
			}
		}
		return false
	}
	w.rest = append(w.rest[:0], '{')
	l := &w.lex
	l.data, l.pos = props, 0
	// props is valid compact JSON, so the lexer cannot fail.
	l.object(func(key []byte) error {
		k := string(key)
		start := l.pos
		if _, dup := w.cells[k]; !dup && isColumn(k) && l.peek() == '"' {
			if s, err := l.stringBytes(); err == nil && len(s) > 0 {
				w.cells[k] = string(s)
				return nil
			}
			l.pos = start
		}
		if err := l.skip(1); err != nil {
			return err
		}
		if len(w.rest) > 1 {
			w.rest = append(w.rest, ',')
		}
		w.rest = appendJSONString(w.rest, k)
		w.rest = append(w.rest, ':')
		w.rest = append(w.rest, props[start:l.pos]...)
		return nil
	})
	if len(w.rest) == 1 {
		if len(w.cells) == 0 {
			return []byte("{}")
		}
		return nil
	}
	return append(w.rest, '}')
}

// Flush writes any buffered data to the underlying writer and reports any
// error of an earlier write.
func (w *InteractionWriter) Flush() error {
	var err error
	if w.nd != nil {
		err = w.nd.bw.Flush()
	} else {
		err = w.csv.flush()
	}
	if err != nil {
		return fmt.Errorf("ingest: write interactions: %w", err)
	}
	return nil
}
