package ingest

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchBody returns n interaction records of about 200 bytes each, as
// NDJSON or as a JSON array.
func benchBody(n int, format Format) []byte {
	var b bytes.Buffer
	if format == JSON {
		b.WriteByte('[')
	}
	touchpoints := []string{"shop", "newsletter", "hotline", "delivery", "store"}
	for i := range n {
		if format == JSON && i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"ev-%08d","customer":"cust-%06d","touchpoint":%q,"type":"order","occurred_at":"2026-03-%02dT10:%02d:00Z","value":%d.5,"properties":{"order_id":"A-%d","items":3,"payment":"card"}}`,
			i, i%5000, touchpoints[i%len(touchpoints)], i%28+1, i%60, i%200, i)
		if format == NDJSON {
			b.WriteByte('\n')
		}
	}
	if format == JSON {
		b.WriteByte(']')
	}
	return b.Bytes()
}

// benchDecode decodes a batch of 10,000 records per iteration and reports
// records per second.
func benchDecode(b *testing.B, format Format) {
	const n = 10_000
	body := benchBody(n, format)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		recs, errs, err := DecodeInteractions(bytes.NewReader(body), format, Limits{})
		if err != nil || len(errs) > 0 || len(recs) != n {
			b.Fatalf("decoded %d records, errors %v, %v", len(recs), errs, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(len(body))/n, "bytes/record")
}

func BenchmarkDecodeNDJSON(b *testing.B) { benchDecode(b, NDJSON) }

func BenchmarkDecodeJSONArray(b *testing.B) { benchDecode(b, JSON) }

// BenchmarkCSVInteractions reads 10,000 CSV rows per iteration, as an
// import does, and reports records per second.
func BenchmarkCSVInteractions(b *testing.B) {
	const n = 10_000
	var buf bytes.Buffer
	w, err := NewInteractionWriter(&buf, CSV, WriterOptions{PropertyColumns: []string{"order_id", "payment"}})
	if err != nil {
		b.Fatal(err)
	}
	recs, _, err := DecodeInteractions(bytes.NewReader(benchBody(n, NDJSON)), NDJSON, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r.Interaction); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	body := buf.Bytes()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := NewCSVInteractionReader(bytes.NewReader(body), CSVOptions{})
		got := 0
		for {
			_, _, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != n {
			b.Fatalf("read %d rows, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
