package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/cxmhq/cxm"
)

// MaxLineBytes is the longest line an NDJSON file reader accepts; a longer
// line is a RowError and is skipped.
const MaxLineBytes = 1 << 20

// lineReader reads the non-blank lines of a file with their numbers.
type lineReader struct {
	br *bufio.Reader
	// n is the number of the last line read.
	n int
	// long holds a line longer than br's buffer.
	long []byte
	// err is the error that ended reading.
	err error
}

// newLineReader returns a reader of the lines of r, without a leading
// byte order mark.
func newLineReader(r io.Reader) *lineReader { return &lineReader{br: skipBOM(r)} }

// next returns the next non-blank line, without its line ending, and its
// 1-based number. The line is valid until the next call. A line longer
// than MaxLineBytes is a *RowError. At the end it returns io.EOF, and a
// failure to read is returned wrapped; both repeat on later calls.
func (lr *lineReader) next() ([]byte, int, error) {
	for lr.err == nil {
		line, err := lr.br.ReadSlice('\n')
		tooLong := false
		if err == bufio.ErrBufferFull {
			lr.long = append(lr.long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = lr.br.ReadSlice('\n')
				if len(lr.long)+len(line) > MaxLineBytes {
					tooLong = true
				} else {
					lr.long = append(lr.long, line...)
				}
			}
			line = lr.long
		}
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("ingest: read line %d: %w", lr.n+1, err)
			}
			lr.err = err
			if len(line) == 0 {
				break
			}
		}
		lr.n++
		if tooLong {
			return nil, lr.n, &RowError{Line: lr.n, Field: "row", Reason: "is longer than " + strconv.Itoa(MaxLineBytes) + " bytes"}
		}
		if !blank(line) {
			return line, lr.n, nil
		}
	}
	return nil, 0, lr.err
}

// NDJSONInteractionReader reads interactions from an NDJSON file, one JSON
// object per line, as DecodeInteractions reads an NDJSON body. Blank lines
// are skipped.
type NDJSONInteractionReader struct {
	lines *lineReader
	d     recordDecoder
}

// NewNDJSONInteractionReader returns a reader of interactions from the
// NDJSON file r.
func NewNDJSONInteractionReader(r io.Reader) *NDJSONInteractionReader {
	return &NDJSONInteractionReader{lines: newLineReader(r)}
}

// Next returns the next interaction and its 1-based line number.
//
// A *RowError means the line is bad (malformed JSON, an unknown or wrong
// field, invalid UTF-8, too long); the next call goes on with the following
// line. io.EOF ends the file; any other error is a failure to read and
// repeats on later calls.
func (r *NDJSONInteractionReader) Next() (*cxm.Interaction, int, error) {
	line, n, err := r.lines.next()
	if err != nil {
		return nil, n, err
	}
	rec, err := r.d.line(line)
	if ferr := lineError(err, n); ferr != nil {
		return nil, n, &RowError{Line: n, Field: ferr.field, Reason: ferr.reason}
	}
	return rec, n, nil
}

// InteractionReader is a source of interactions from a file, such as a
// *CSVInteractionReader or an *NDJSONInteractionReader.
type InteractionReader interface {
	// Next returns the next interaction and its line number; a *RowError
	// skips a bad row, io.EOF ends the file, and any other error is fatal.
	Next() (*cxm.Interaction, int, error)
}

// NewInteractionReader returns a reader of interactions from the file r in
// format, which is CSV or NDJSON; opt applies to CSV. A JSON file is read
// whole with DecodeInteractions instead.
func NewInteractionReader(r io.Reader, format Format, opt CSVOptions) (InteractionReader, error) {
	switch format {
	case CSV:
		return NewCSVInteractionReader(r, opt), nil
	case NDJSON:
		return NewNDJSONInteractionReader(r), nil
	}
	return nil, cxm.Errorf(cxm.EUnsupported, "interaction files in %s cannot be read record by record; use csv or ndjson", format)
}

// IsRowError reports whether err is a *RowError, a bad row after which a
// reader can go on.
func IsRowError(err error) bool {
	var re *RowError
	return errors.As(err, &re)
}
