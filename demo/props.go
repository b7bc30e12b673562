package demo

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// props builds the JSON object of an interaction's properties in the order
// the fields are added. It is much cheaper than marshalling a map for each
// of tens of thousands of records, and the order keeps the output stable.
type props struct{ b []byte }

// key starts the member k.
func (p *props) key(k string) {
	if len(p.b) == 0 {
		p.b = append(p.b, '{')
	} else {
		p.b = append(p.b, ',')
	}
	p.b = appendString(p.b, k)
	p.b = append(p.b, ':')
}

// str adds the string member k.
func (p *props) str(k, v string) *props {
	p.key(k)
	p.b = appendString(p.b, v)
	return p
}

// num adds the number member k.
func (p *props) num(k string, v float64) *props {
	p.key(k)
	p.b = strconv.AppendFloat(p.b, v, 'f', -1, 64)
	return p
}

// int adds the integer member k.
func (p *props) int(k string, v int) *props {
	p.key(k)
	p.b = strconv.AppendInt(p.b, int64(v), 10)
	return p
}

// bool adds the boolean member k.
func (p *props) bool(k string, v bool) *props {
	p.key(k)
	p.b = strconv.AppendBool(p.b, v)
	return p
}

// raw returns the finished object, or nil when nothing was added.
func (p *props) raw() json.RawMessage {
	if p == nil || len(p.b) == 0 {
		return nil
	}
	return append(p.b, '}')
}

// appendString appends s as a JSON string. Text that is not valid UTF-8
// has its bad bytes replaced, so the output is always valid JSON.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
