package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration files are named NNNN_name.sql and written in the portable SQL
// of both databases. The one token that must differ is {{pk}}: SQLite's
// INTEGER PRIMARY KEY is its fast rowid, PostgreSQL needs BIGINT.
func dialectSQL(d Dialect, src string) string {
	pk := "INTEGER PRIMARY KEY"
	if d == Postgres {
		pk = "BIGINT PRIMARY KEY"
	}
	return strings.ReplaceAll(src, "{{pk}}", pk)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies every embedded migration not yet applied, each in its own
// transaction. On PostgreSQL an advisory lock keeps nodes that start
// together from migrating twice.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
	if db.dialect == Postgres {
		c, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock(7434901)"); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer c.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7434901)")
	}
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
		return err
	})
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, m := range ms {
		err := db.inTx(ctx, func(tx queryer) error {
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(dialectSQL(db.dialect, m.sql)) {
				if _, err := tx.exec(ctx, stmt); err != nil {
					return fmt.Errorf("%w\nin statement: %s", err, stmt)
				}
			}
			_, err := tx.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, micros(db.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	if err := db.fillRollupPeriods(ctx); err != nil {
		return err
	}
	return db.fillPublicKeys(ctx)
}

// MigrationVersion returns the newest applied migration.
func (db *DB) MigrationVersion(ctx context.Context) (int, error) {
	var v int
	err := db.reader().queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: migration version: %w", err)
	}
	return v, nil
}

// splitStatements splits a migration at semicolons that end a line, and
// drops comment-only lines.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
