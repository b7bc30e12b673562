package cxm

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

var crockford = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewEventID returns a new unique, time-ordered id for a record whose
// sender gave none: 48 bits of milliseconds and 72 random bits, as 24
// characters of Crockford base32. Ids made later sort after earlier ones,
// which keeps index inserts at the end of the index.
func NewEventID(now time.Time) string {
	var b [15]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:])
	return crockford.EncodeToString(b[:])
}
