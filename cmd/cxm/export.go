package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/ingest"
)

func runExport(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || (args[0] != "customers" && args[0] != "interactions") {
		fmt.Fprintln(m.Stderr, "Usage: cxm export customers|interactions --workspace S --file F [--format csv|ndjson]")
		return errUsage
	}
	kind := args[0]
	var cfg config
	var slug, path, formatName string
	fs := newFlags("export "+kind, m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&path, "file", "-", "file to write; - for standard output")
	fs.StringVar(&formatName, "format", "", "csv or ndjson; default from the file's extension, ndjson on standard output")
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	format := ingest.NDJSON
	var err error
	if formatName != "" {
		format, err = ingest.ParseFormat(formatName)
	} else if path != "-" {
		format, err = ingest.FormatFromPath(path)
	}
	if err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	var out io.Writer = m.Stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	n := 0
	page := cxm.Page{Limit: cxm.MaxPageLimit}
	if kind == "customers" {
		w, err := ingest.NewCustomerWriter(bw, format, ingest.WriterOptions{})
		if err != nil {
			return err
		}
		for {
			cs, next, err := db.ListCustomers(ctx, ws.ID, cxm.CustomerFilter{Page: page})
			if err != nil {
				return err
			}
			for _, c := range cs {
				if err := w.Write(c); err != nil {
					return err
				}
			}
			n += len(cs)
			if page.Cursor = next; next == "" {
				break
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
	} else {
		w, err := ingest.NewInteractionWriter(bw, format, ingest.WriterOptions{})
		if err != nil {
			return err
		}
		for {
			is, next, err := db.ListInteractions(ctx, ws.ID, cxm.InteractionFilter{Page: page})
			if err != nil {
				return err
			}
			for _, i := range is {
				if err := w.Write(i); err != nil {
					return err
				}
			}
			n += len(is)
			if page.Cursor = next; next == "" {
				break
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(m.Stderr, "exported %d %s from %s\n", n, kind, ws.Slug)
	return nil
}
