package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
)

// runBench runs one benchmark. With CXM_CPU_PROFILE set to a file, it
// writes a CPU profile of the whole run there, for go tool pprof.
func runBench(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, "Usage: cxm bench ingest --events N [--json]\n       cxm bench respond --responses N --concurrency C [--json]\n       cxm bench query --responses N [--json]\n       cxm bench alert --responses N --rate R [--json]")
		return errUsage
	}
	if path := m.Getenv("CXM_CPU_PROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	switch args[0] {
	case "ingest":
		return runBenchIngest(ctx, m, args[1:])
	case "respond":
		return runBenchRespond(ctx, m, args[1:])
	case "query":
		return runBenchQuery(ctx, m, args[1:])
	case "alert":
		return runBenchAlert(ctx, m, args[1:])
	}
	fmt.Fprintf(m.Stderr, "cxm bench: unknown benchmark %q; known: ingest, respond, query, alert\n", args[0])
	return errUsage
}

// printResult writes a benchmark's result as one JSON line, or as aligned
// lines for people.
func printResult(m *Main, asJSON bool, fields []benchField) error {
	if asJSON {
		var b strings.Builder
		b.WriteByte('{')
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(f.name)
			v, err := json.Marshal(f.value)
			if err != nil {
				return err
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteString("}\n")
		_, err := fmt.Fprint(m.Stdout, b.String())
		return err
	}
	for _, f := range fields {
		fmt.Fprintf(m.Stdout, "%-22s %v\n", f.name, f.value)
	}
	return nil
}

// benchField is one named figure of a benchmark result, in print order.
type benchField struct {
	name  string
	value any
}

// peakRSSMB returns the process's peak resident memory in MiB, from /proc.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// round2 rounds x to two decimals for printing.
func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// startCPUProfile profiles the process into path until the returned stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("CXM_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("CXM_CPU_PROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
