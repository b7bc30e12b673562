package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/ingest"
	"github.com/cxmhq/cxm/store"
)

// importConfig holds the settings of cxm import.
type importConfig struct {
	config
	Workspace         string
	File              string
	Format            string
	CreateTouchpoints bool
	Batch             int
	MaxErrors         int
	Quiet             bool
}

// importSummary counts what an import did.
type importSummary struct {
	Rows, Accepted, Duplicates, Bad int
}

func runImport(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || (args[0] != "customers" && args[0] != "interactions") {
		fmt.Fprintln(m.Stderr, "Usage: cxm import customers|interactions --workspace S --file F [--format csv|ndjson] [--create-touchpoints]")
		return errUsage
	}
	kind := args[0]
	var cfg importConfig
	fs := newFlags("import "+kind, m, &cfg.config)
	fs.StringVar(&cfg.Workspace, "workspace", "", "workspace slug (required)")
	fs.StringVar(&cfg.File, "file", "", "file to read; - for standard input (required)")
	fs.StringVar(&cfg.Format, "format", "", "csv or ndjson; default from the file's extension")
	fs.BoolVar(&cfg.CreateTouchpoints, "create-touchpoints", false, "create unknown touchpoints instead of rejecting their rows")
	fs.IntVar(&cfg.Batch, "batch", 5000, "rows per transaction")
	fs.IntVar(&cfg.MaxErrors, "max-errors", 1000, "bad rows to print; the summary counts all")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no progress line")
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	if cfg.Workspace == "" || cfg.File == "" {
		return cxm.Invalid(cxm.FieldError{Field: "--workspace, --file", Reason: "are required"})
	}
	if cfg.Batch < 1 || cfg.Batch > 50000 {
		return cxm.Invalid(cxm.FieldError{Field: "--batch", Reason: "must be from 1 to 50000"})
	}
	format, in, err := openInput(m, cfg.File, cfg.Format)
	if err != nil {
		return err
	}
	defer in.Close()
	db, ws, err := cfg.openWorkspace(ctx, m, cfg.Workspace)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	prog := newProgress(m.Stderr, "import "+kind, cfg.Quiet)
	rep := &rowReporter{w: m.Stderr, max: cfg.MaxErrors, prog: prog}
	var sum importSummary
	opt := ingest.CSVOptions{Location: ws.Location()}
	if kind == "customers" {
		sum, err = importCustomers(ctx, db, ws.ID, in, format, opt, cfg.Batch, rep)
	} else {
		sum, err = importInteractions(ctx, m, db, ws.ID, in, format, opt, cfg, rep)
	}
	prog.done()
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(m.Stdout, "imported %s into %s: %d rows, %d stored, %d duplicates, %d bad, in %s (%.0f rows/s)\n",
		kind, ws.Slug, sum.Rows, sum.Accepted, sum.Duplicates, sum.Bad, d.Round(time.Millisecond), float64(sum.Rows)/d.Seconds())
	return nil
}

// openInput opens the file (or standard input for "-") and decides its format.
func openInput(m *Main, path, name string) (ingest.Format, io.ReadCloser, error) {
	var format ingest.Format
	var err error
	if name != "" {
		format, err = ingest.ParseFormat(name)
	} else if path == "-" {
		err = cxm.Invalid(cxm.FieldError{Field: "--format", Reason: "is required when reading standard input"})
	} else {
		format, err = ingest.FormatFromPath(path)
	}
	if err != nil {
		return 0, nil, err
	}
	if format == ingest.JSON {
		return 0, nil, cxm.Invalid(cxm.FieldError{Field: "--format", Reason: "imports read csv or ndjson; turn a JSON array into NDJSON first"})
	}
	if path == "-" {
		return format, io.NopCloser(m.Stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return format, f, nil
}

// rowReporter prints bad rows with their line number and reason, up to
// max. The reading and the storing goroutine both report.
type rowReporter struct {
	mu      sync.Mutex
	w       io.Writer
	max     int
	printed int
	prog    *progress
}

func (r *rowReporter) report(line int, field, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printed++
	if r.printed <= r.max {
		fmt.Fprintf(r.w, "\rline %d: %s: %s\n", line, field, reason)
	} else if r.printed == r.max+1 {
		fmt.Fprintf(r.w, "\rmore bad rows follow; only the first %d are shown\n", r.max)
	}
}

// importInteractions streams interactions into the store a batch at a time.
func importInteractions(ctx context.Context, m *Main, db *store.DB, ws int64, in io.Reader, format ingest.Format,
	opt ingest.CSVOptions, cfg importConfig, rep *rowReporter) (importSummary, error) {
	rd, err := ingest.NewInteractionReader(in, format, opt)
	if err != nil {
		return importSummary{}, err
	}
	valid := func(rec *cxm.Interaction, line int) bool {
		var errs cxm.FieldErrors
		rec.Validate(m.Now(), "", &errs)
		for _, e := range errs {
			rep.report(line, e.Field, e.Reason)
		}
		return len(errs) == 0
	}
	save := func(batch []*cxm.Interaction) (cxm.BatchResult, error) {
		return db.IngestInteractions(ctx, ws, batch, cxm.IngestOptions{CreateTouchpoints: cfg.CreateTouchpoints})
	}
	return importAll(ctx, rd.Next, valid, save, cfg.Batch, rep)
}

// importCustomers streams customers into the store a batch at a time.
func importCustomers(ctx context.Context, db *store.DB, ws int64, in io.Reader, format ingest.Format,
	opt ingest.CSVOptions, size int, rep *rowReporter) (importSummary, error) {
	rd, err := ingest.NewCustomerReader(in, format, opt)
	if err != nil {
		return importSummary{}, err
	}
	valid := func(c *cxm.Customer, _ int) bool {
		c.WorkspaceID = ws
		return true
	}
	save := func(batch []*cxm.Customer) (cxm.BatchResult, error) { return db.UpsertCustomers(ctx, ws, batch) }
	return importAll(ctx, rd.Next, valid, save, size, rep)
}

// importAll reads records with next, drops those valid refuses, and
// stores the rest with save in batches of size. Reading runs in a
// goroutine of its own, so that parsing the next batch overlaps with
// storing this one. Bad rows are reported by line number and counted.
func importAll[T any](ctx context.Context, next func() (T, int, error), valid func(T, int) bool,
	save func([]T) (cxm.BatchResult, error), size int, rep *rowReporter) (importSummary, error) {
	type batch struct {
		recs  []T
		lines []int
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	readDone := make(chan error, 1)
	var read importSummary // owned by the reader until readDone
	go func() {
		defer close(batches)
		b := batch{recs: make([]T, 0, size), lines: make([]int, 0, size)}
		send := func() bool {
			select {
			case batches <- b:
				b = batch{recs: make([]T, 0, size), lines: make([]int, 0, size)}
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			rec, line, err := next()
			if errors.Is(err, io.EOF) {
				break
			}
			read.Rows++
			if err != nil {
				var re *ingest.RowError
				if !errors.As(err, &re) {
					readDone <- err
					return
				}
				read.Bad++
				rep.report(re.Line, re.Field, re.Reason)
				rep.prog.add(1, 1)
				continue
			}
			if !valid(rec, line) {
				read.Bad++
				rep.prog.add(1, 1)
				continue
			}
			b.recs = append(b.recs, rec)
			b.lines = append(b.lines, line)
			if len(b.recs) == size && !send() {
				readDone <- ctx.Err()
				return
			}
		}
		if len(b.recs) > 0 && !send() {
			readDone <- ctx.Err()
			return
		}
		readDone <- nil
	}()
	var sum importSummary
	for b := range batches {
		res, err := save(b.recs)
		if err != nil {
			return sum, err
		}
		for _, e := range res.Errors {
			rep.report(b.lines[e.Index], e.Field, e.Reason)
		}
		sum.Accepted += res.Accepted
		sum.Duplicates += res.Duplicates
		sum.Bad += res.Rejected
		rep.prog.add(len(b.recs), res.Rejected)
	}
	if err := <-readDone; err != nil {
		return sum, err
	}
	sum.Rows = read.Rows
	sum.Bad += read.Bad
	return sum, nil
}
