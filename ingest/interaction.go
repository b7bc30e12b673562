package ingest

import (
	"bytes"
	"time"

	"github.com/cxmhq/cxm"
)

// timeReason is the reason given for an occurred_at that cannot be read.
const timeReason = "must be an RFC 3339 time such as 2026-11-23T10:00:00Z"

// The fields of an interaction record, as bits, to find a field given twice.
const (
	seenID = 1 << iota
	seenCustomer
	seenAnonymousID
	seenTouchpoint
	seenType
	seenOccurredAt
	seenValue
	seenProperties
)

// recordDecoder decodes interaction records. It remembers short repeated
// values (touchpoint keys and types) so that a batch shares one string for
// each instead of allocating it per record, and it allocates records,
// values and properties in chunks, which saves most of the garbage
// collector's work on large batches.
type recordDecoder struct {
	lexer
	names  map[string]string
	recs   []cxm.Interaction
	floats []float64
	bytes  []byte
}

// Chunk sizes of a recordDecoder's allocations. A record kept after its
// batch keeps its chunk alive, so they are small.
const (
	recChunk   = 64
	floatChunk = 256
	byteChunk  = 16 << 10
)

// newInteraction returns a new, empty interaction.
func (d *recordDecoder) newInteraction() *cxm.Interaction {
	if len(d.recs) == 0 {
		d.recs = make([]cxm.Interaction, recChunk)
	}
	i := &d.recs[0]
	d.recs = d.recs[1:]
	return i
}

// value reads a number or null (as nil) for the field value.
func (d *recordDecoder) value() (*float64, error) {
	f, ok, err := d.number64("value")
	if err != nil || !ok {
		return nil, err
	}
	if len(d.floats) == 0 {
		d.floats = make([]float64, floatChunk)
	}
	p := &d.floats[0]
	d.floats = d.floats[1:]
	*p = f
	return p, nil
}

// properties reads an object or null (as nil) for the field properties and
// returns a copy of its bytes.
func (d *recordDecoder) properties() ([]byte, error) {
	const field = "properties"
	switch d.peek() {
	case '{':
		start := d.pos
		if err := d.skip(0); err != nil {
			return nil, err
		}
		raw := d.data[start:d.pos]
		if len(raw) > byteChunk/4 {
			return bytes.Clone(raw), nil
		}
		if len(raw) > cap(d.bytes)-len(d.bytes) {
			d.bytes = make([]byte, 0, byteChunk)
		}
		n := len(d.bytes)
		d.bytes = append(d.bytes, raw...)
		return d.bytes[n:len(d.bytes):len(d.bytes)], nil
	case 'n':
		return nil, d.literal("null")
	}
	return nil, d.wrongKind(field, "must be a JSON object")
}

// maxInterned bounds how many distinct values a recordDecoder remembers.
const maxInterned = 512

// name reads a string or null for field, sharing repeated values.
func (d *recordDecoder) name(field string) (string, error) {
	b, err := d.textBytes(field)
	if err != nil || b == nil {
		return "", err
	}
	if s, ok := d.names[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(s) <= 64 && len(d.names) < maxInterned {
		if d.names == nil {
			d.names = make(map[string]string)
		}
		d.names[s] = s
	}
	return s, nil
}

// occurredAt reads an RFC 3339 time with zone, or null (as the zero time),
// and returns it in UTC.
func (d *recordDecoder) occurredAt() (time.Time, error) {
	const field = "occurred_at"
	if d.peek() != '"' {
		if d.peek() == 'n' {
			return time.Time{}, d.literal("null")
		}
		return time.Time{}, d.wrongKind(field, timeReason)
	}
	b, err := d.stringBytes()
	if err != nil {
		return time.Time{}, err
	}
	var t time.Time
	if err := t.UnmarshalText(b); err != nil {
		return time.Time{}, &fieldError{field: field, reason: timeReason}
	}
	return t.UTC(), nil
}

// interaction reads the object at pos (which holds '{') as an interaction.
// A *syntaxError means the JSON is malformed; a *fieldError means it is
// well-formed but a field is wrong, and pos is then somewhere inside the
// object.
func (d *recordDecoder) interaction() (*cxm.Interaction, error) {
	rec := d.newInteraction()
	var seen int
	err := d.object(func(key []byte) error {
		var bit int
		var err error
		switch string(key) {
		case "id":
			bit = seenID
			rec.ID, err = d.text("id")
		case "customer":
			bit = seenCustomer
			rec.Customer, err = d.text("customer")
		case "anonymous_id":
			bit = seenAnonymousID
			rec.AnonymousID, err = d.text("anonymous_id")
		case "touchpoint":
			bit = seenTouchpoint
			rec.Touchpoint, err = d.name("touchpoint")
		case "type":
			bit = seenType
			rec.Type, err = d.name("type")
		case "occurred_at":
			bit = seenOccurredAt
			rec.OccurredAt, err = d.occurredAt()
		case "value":
			bit = seenValue
			rec.Value, err = d.value()
		case "properties":
			bit = seenProperties
			rec.Properties, err = d.properties()
		default:
			name := fieldName(key)
			if err := d.skip(0); err != nil {
				return err
			}
			return &fieldError{field: name, reason: "unknown field"}
		}
		if err != nil {
			return err
		}
		if seen&bit != 0 {
			return &fieldError{field: interactionFieldName(bit), reason: "is given twice"}
		}
		seen |= bit
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// interactionFieldName returns the JSON name of the field with bit seen.
func interactionFieldName(bit int) string {
	switch bit {
	case seenID:
		return "id"
	case seenCustomer:
		return "customer"
	case seenAnonymousID:
		return "anonymous_id"
	case seenTouchpoint:
		return "touchpoint"
	case seenType:
		return "type"
	case seenOccurredAt:
		return "occurred_at"
	case seenValue:
		return "value"
	}
	return "properties"
}
