package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestBenchQuery runs the query benchmark on a small workspace and checks
// its JSON lines; the benchmark itself fails unless rollups and raw
// responses give the same counts for every query.
func TestBenchQuery(t *testing.T) {
	env := map[string]string{}
	pg := os.Getenv("CXM_TEST_DATABASE_URL")
	if pg != "" {
		env["CXM_TEST_DATABASE_URL"] = pg
	}
	code, out, errs := run(t, env, "", "bench", "query", "--responses", "3000", "--batch", "700", "--runs", "1", "--json")
	if code != 0 {
		t.Fatalf("bench query: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"sqlite"}
	if pg != "" {
		want = append(want, "postgres")
	}
	if len(lines) != len(want) {
		t.Fatalf("want %d lines, got %q", len(want), out)
	}
	for i, line := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r["responses"] != 3000.0 || r["database"] != want[i] {
			t.Errorf("line %q: want 3000 responses on %s", line, want[i])
		}
		for _, k := range []string{"rollup_p50_ms", "raw_p50_ms", "speedup", "rss_mb"} {
			if v, ok := r[k].(float64); !ok || v <= 0 {
				t.Errorf("line %q: %s = %v, want a positive number", line, k, r[k])
			}
		}
	}
	if !strings.Contains(errs, "loaded 3000 of 3000") || !strings.Contains(errs, "weak spots") {
		t.Errorf("stderr lacks progress or query timings: %s", errs)
	}
}
