package text

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// The model file format: the magic "CXMSENT", a version byte, then
// uvarints bits, dense count and example count, the three biases, the
// number of non-zero weight rows, each row as a uvarint index delta and
// three float32, and last a CRC-32 (IEEE) of everything before it. All
// numbers are little-endian.
const (
	modelMagic   = "CXMSENT"
	modelVersion = 1
)

// ErrModelFormat reports a model file that cxm cannot read.
var ErrModelFormat = errors.New("text: not a cxm sentiment model")

// MarshalBinary encodes the model in the versioned model format.
func (m *Model) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, modelMagic...)
	b = append(b, modelVersion)
	b = binary.AppendUvarint(b, uint64(m.bits))
	b = binary.AppendUvarint(b, numDense)
	b = binary.AppendUvarint(b, uint64(m.examples))
	for _, v := range m.bias {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	rows := 0
	for _, w := range m.weights {
		if w != [3]float32{} {
			rows++
		}
	}
	b = binary.AppendUvarint(b, uint64(rows))
	last := 0
	for i, w := range m.weights {
		if w == [3]float32{} {
			continue
		}
		b = binary.AppendUvarint(b, uint64(i-last))
		last = i
		for _, v := range w {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalModel decodes a model written by MarshalBinary. It fails with
// an error wrapping ErrModelFormat for anything else, a damaged file, or
// a newer version.
func UnmarshalModel(b []byte) (*Model, error) {
	m := &Model{}
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return m, nil
}

// UnmarshalBinary decodes a model written by MarshalBinary into m.
func (m *Model) UnmarshalBinary(b []byte) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrModelFormat, why) }
	if len(b) < len(modelMagic)+5 || string(b[:len(modelMagic)]) != modelMagic {
		return bad("wrong magic")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return bad("checksum mismatch")
	}
	if v := body[len(modelMagic)]; v != modelVersion {
		return bad(fmt.Sprintf("version %d, this cxm reads version %d", v, modelVersion))
	}
	r := &reader{b: body[len(modelMagic)+1:]}
	bits, dense, examples := r.uvarint(), r.uvarint(), r.uvarint()
	if r.err == nil && (bits < 10 || bits > 22 || dense != numDense) {
		return bad(fmt.Sprintf("unsupported layout: %d bits, %d dense features", bits, dense))
	}
	out := Model{bits: uint(bits), examples: int(examples)}
	for c := range 3 {
		out.bias[c] = r.float32()
	}
	rows := r.uvarint()
	if r.err != nil {
		return bad(r.err.Error())
	}
	n := uint64(1)<<bits + numDense
	if rows > n {
		return bad("too many rows")
	}
	out.weights = make([][3]float32, n)
	idx := uint64(0)
	for i := uint64(0); i < rows; i++ {
		idx += r.uvarint()
		if r.err != nil || idx >= n {
			return bad("row index out of range")
		}
		for c := range 3 {
			out.weights[idx][c] = r.float32()
		}
	}
	if r.err != nil {
		return bad(r.err.Error())
	}
	if len(r.b) != 0 {
		return bad("trailing bytes")
	}
	*m = out
	return nil
}

// reader decodes the model body and remembers the first error.
type reader struct {
	b   []byte
	err error
}

// uvarint reads one uvarint.
func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// float32 reads one little-endian float32.
func (r *reader) float32() float32 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 4 {
		r.err = errors.New("truncated")
		return 0
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.b))
	r.b = r.b[4:]
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		r.err = errors.New("weight is not a finite number")
	}
	return v
}
