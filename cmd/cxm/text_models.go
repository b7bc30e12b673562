package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// runTextModels lists the versions of a workspace's trained sentiment
// model, newest first, marking the active one.
func runTextModels(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("text models", m, &cfg)
	slug := fs.String("workspace", "", "workspace slug (required)")
	asJSON := fs.Bool("json", false, "print the versions as a JSON array")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, *slug)
	if err != nil {
		return err
	}
	defer db.Close()
	models, err := db.ListTextModels(ctx, ws.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(models)
	}
	if len(models) == 0 {
		fmt.Fprintf(m.Stdout, "workspace %s has no trained model; its texts are scored by the lexicon\n", ws.Slug)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%-8s %-7s %-9s %-12s %-15s %s\n", "version", "active", "examples", "source", "lexicon_weight", "created_at")
	for _, tm := range models {
		active := ""
		if tm.Active {
			active = "*"
		}
		fmt.Fprintf(m.Stdout, "%-8d %-7s %-9d %-12s %-15g %s\n", tm.Version, active, tm.Examples, tm.Source, tm.LexiconWeight,
			tm.CreatedAt.Format(time.RFC3339))
	}
	return nil
}

// runTextActivate makes an earlier (or any) version of a workspace's
// model the active one.
func runTextActivate(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("text activate", m, &cfg)
	slug := fs.String("workspace", "", "workspace slug (required)")
	version := fs.Int("version", 0, "model version to activate (required)")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	if *version < 1 {
		return cxm.Invalid(cxm.FieldError{Field: "--version", Reason: "is required: a version from cxm text models"})
	}
	db, ws, err := cfg.openWorkspace(ctx, m, *slug)
	if err != nil {
		return err
	}
	defer db.Close()
	tm, err := db.ActivateTextModel(ctx, ws.ID, *version)
	if err != nil {
		return fmt.Errorf("workspace %s: %w", ws.Slug, err)
	}
	fmt.Fprintf(m.Stdout, "version %d of workspace %s is active; new answers are scored with it\n", tm.Version, ws.Slug)
	return nil
}
