package main

import (
	"context"
	"fmt"

	"github.com/cxmhq/cxm/text"
	"github.com/cxmhq/cxm/textjob"
)

// runTextBackfill analyses the free text of a workspace's completed
// responses that were never analysed, such as those stored before text
// analysis existed or imported, with a progress line. --again analyses
// every response once more, for example after the taxonomy changed.
func runTextBackfill(ctx context.Context, m *Main, args []string) error {
	var cfg config
	var slug string
	var again bool
	fs := newFlags("text backfill", m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.BoolVar(&again, "again", false, "analyse responses that were analysed before, too")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	marked, err := db.MarkTextsPending(ctx, ws.ID, again)
	if err != nil {
		return err
	}
	analyzer, err := text.NewAnalyzer(text.Options{})
	if err != nil {
		return err
	}
	wk, err := textjob.New(textjob.Config{Texts: db, Jobs: db, Analyzer: analyzer, Models: db, Topics: db, Now: m.Now, BatchSize: 500})
	if err != nil {
		return err
	}
	p := newProgress(m.Stderr, "analysed", false)
	total := 0
	for {
		n, err := wk.RunBatch(ctx, ws.ID)
		if err != nil {
			p.done()
			return fmt.Errorf("after %d responses: %w", total, err)
		}
		if n == 0 {
			break
		}
		total += n
		p.add(n, 0)
	}
	p.done()
	fmt.Fprintf(m.Stdout, "%d responses marked for analysis, %d analysed\n", marked, total)
	return nil
}
