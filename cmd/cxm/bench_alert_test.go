package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBenchAlert runs the alert benchmark small and checks its JSON line
// and its counts: every third of 300 responses fires the rule, and each
// of those alerts reaches both the signed webhook and the event stream
// exactly once, and no other response's alert arrives.
func TestBenchAlert(t *testing.T) {
	const n = 300
	code, out, errs := run(t, nil, "", "bench", "alert", "--responses", strconv.Itoa(n), "--rate", "300", "--json")
	if code != 0 {
		t.Fatalf("bench alert: exit %d: %s", code, errs)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if r["responses"] != float64(n) || r["rate"] != 300.0 || r["lost"] != 0.0 {
		t.Errorf("output %q: want %d responses at rate 300 and nothing lost", out, n)
	}
	for _, k := range []string{"webhook_p50_ms", "webhook_p99_ms", "sse_p99_ms"} {
		v, ok := r[k].(float64)
		if !ok || v < 0 {
			t.Errorf("output %q: %s = %v, want a non-negative number", out, k, r[k])
		}
	}
	if r["webhook_p50_ms"].(float64) > r["webhook_p99_ms"].(float64) {
		t.Errorf("output %q: p50 above p99", out)
	}
	want := 0
	for i := range n {
		if _, ok := alertBenchScore(i); ok {
			want++
		}
	}
	if want != n/3 {
		t.Fatalf("alertBenchScore matches %d of %d responses, want a third", want, n)
	}
	for _, recv := range []string{"webhooks", "SSE events"} {
		m := regexp.MustCompile(recv + ` received (\d+) of (\d+), (\d+) duplicates, (\d+) unexpected`).FindStringSubmatch(errs)
		if m == nil {
			t.Fatalf("stderr lacks the counts of %s: %s", recv, errs)
		}
		for i, w := range []int{want, want, 0, 0} {
			if got, _ := strconv.Atoi(m[i+1]); got != w {
				t.Errorf("%s: %q, want %d received of %d, no duplicates and nothing unexpected", recv, m[0], want, want)
				break
			}
		}
	}
	if !strings.Contains(errs, "0 bad signatures") {
		t.Errorf("stderr: want every webhook signature verified: %s", errs)
	}
}

// TestAlertBenchScore checks that the rule `nps <= 3` matches exactly the
// responses the benchmark expects, with valid NPS scores.
func TestAlertBenchScore(t *testing.T) {
	for i := range 100 {
		score, matches := alertBenchScore(i)
		if score < 0 || score > 10 {
			t.Fatalf("response %d: score %d is not an NPS", i, score)
		}
		if got, want := score <= 3, i%3 == 0; got != want || matches != want {
			t.Fatalf("response %d: score %d, matches %v; want matching %v", i, score, matches, want)
		}
	}
}
