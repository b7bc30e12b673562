// Command cxm is the cxm Customer Experience Management server and its
// administration tool, in one binary.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main holds everything the commands depend on, so tests can run them
// with their own input, output, environment and clock.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, m *Main, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"demo", "fill a demo workspace with a realistic retailer and run the server", runDemo},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"workspace", "create a workspace: workspace create --slug S --name N", runWorkspace},
		{"user", "create a user: user create --workspace S --email E --role admin|analyst|agent", runUser},
		{"apikey", "create an API key: apikey create --workspace S --name N --scope read|write", runAPIKey},
		{"import", "import customers or interactions: import customers|interactions --workspace S --file F", runImport},
		{"export", "export customers or interactions: export customers|interactions --workspace S --file F", runExport},
		{"survey", "a survey's link or QR code: survey link|qr --workspace S --survey ID|SLUG [--touchpoint K] --public-url U", runSurvey},
		{"text", "text analytics: text eval --data F [--lang de|en|auto] [--model M] [--json] | text train --data F --out M", runText},
		{"rollup", "check or repair the response rollups: rollup verify|rebuild --workspace S", runRollup},
		{"report", "feedback metrics as a table: report nps|csat|ces|rating --workspace S [--by touchpoint] [--period 2026-10] [--compare previous]", runReport},
		{"case", "closed-loop cases as a table: case list --workspace S [--status new,in_progress] [--breached]", runCase},
		{"bench", "measure speed: bench ingest|respond … --json", runBench},
		{"version", "print the version", runVersion},
	}
}

// Run runs the subcommand named by args[0] and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage()
		return 2
	}
	for _, c := range m.commands() {
		if c.name == args[0] {
			if err := c.run(ctx, m, args[1:]); err != nil {
				if err == errUsage {
					return 2
				}
				fmt.Fprintf(m.Stderr, "cxm %s: %v\n", c.name, err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(m.Stderr, "cxm: unknown command %q\n\n", args[0])
	m.usage()
	return 2
}

func (m *Main) usage() {
	fmt.Fprintln(m.Stderr, "Usage: cxm <command> [flags]\n\nCommands:")
	for _, c := range m.commands() {
		fmt.Fprintf(m.Stderr, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(m.Stderr, "\nEvery flag can also be set as an environment variable: --database-url is CXM_DATABASE_URL.")
	fmt.Fprintln(m.Stderr, "Run cxm <command> -h for the flags of a command.")
}
