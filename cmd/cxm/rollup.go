package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cxmhq/cxm"
)

// runRollup checks or repairs a workspace's response rollups:
// `cxm rollup verify|rebuild --workspace S`. Verify exits 1 when a row
// differs from the recount, so that it can guard a cron job.
func runRollup(ctx context.Context, m *Main, args []string) error {
	const usage = "cxm rollup verify|rebuild --workspace S [--json]"
	if len(args) == 0 || (args[0] != "verify" && args[0] != "rebuild") {
		fmt.Fprintln(m.Stderr, "Usage: "+usage)
		return errUsage
	}
	verb := args[0]
	var cfg config
	var slug string
	var asJSON bool
	fs := newFlags("rollup "+verb, m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	var check *cxm.RollupCheck
	if verb == "verify" {
		check, err = db.VerifyRollups(ctx, ws.ID)
	} else {
		check, err = db.RebuildRollups(ctx, ws.ID)
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		if err := enc.Encode(check); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	} else {
		printRollupCheck(m, verb, check)
	}
	if verb == "verify" && check.MismatchCount > 0 {
		return fmt.Errorf("%d rollup rows differ from the raw responses; run cxm rollup rebuild --workspace %s", check.MismatchCount, slug)
	}
	return nil
}

// printRollupCheck writes a readable summary of a verify or rebuild.
func printRollupCheck(m *Main, verb string, c *cxm.RollupCheck) {
	fmt.Fprintf(m.Stdout, "%d completed responses in %d rollup rows; %d rows differed\n", c.Responses, c.Rows, c.MismatchCount)
	for _, x := range c.Mismatches {
		fmt.Fprintf(m.Stdout, "  %s from %d survey %d touchpoint %d %s/%s: stored %d responses, recounted %d\n",
			x.Grain, x.Key.Day, x.Key.SurveyID, x.Key.TouchpointID, x.Key.Channel, x.Key.Locale, x.Stored.Responses, x.Recounted.Responses)
	}
	if verb == "rebuild" && c.MismatchCount > 0 {
		fmt.Fprintln(m.Stdout, "rebuilt: the rollups now match the raw responses")
	}
}
