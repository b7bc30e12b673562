package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CXM_DATABASE_URL": filepath.Join(dir, "cxm.db")}
	if code, _, errs := run(t, env, "", "workspace", "create", "--slug", "acme", "--name", "ACME"); code != 0 {
		t.Fatal(errs)
	}
	customers := "external_id,email,name,locale,consent_email,zip,age:number\n" +
		"K-1,k1@example.de,Anna Schmidt,de,ja,01234,41\n" +
		"K-2,not-an-email,Ben,en,no,20095,33\n" +
		"K-3,k3@example.de,Cem,de,yes,10115,x\n"
	writeFile(t, dir, "customers.csv", customers)
	code, out, errs := run(t, env, "", "import", "customers", "--workspace", "acme", "--file", filepath.Join(dir, "customers.csv"), "--quiet")
	if code != 0 || !strings.Contains(out, "3 rows, 1 stored") {
		t.Fatalf("import customers: %d %q %q", code, out, errs)
	}
	for _, want := range []string{"line 3: email", "line 4: age"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q lack %q", errs, want)
		}
	}

	events := "customer,touchpoint,type,occurred_at,value,order_id\n" +
		"K-1,shop,order,2026-03-01T10:00:00Z,99.90,A-1\n" +
		"K-1,shop,order,yesterday,5,A-2\n" +
		"K-1,delivery,delivered,2026-03-03 12:00:00,,A-1\n" +
		"K-1,shop,Bad Type,2026-03-01T10:00:00Z,1,A-3\n"
	writeFile(t, dir, "events.csv", events)
	code, out, errs = run(t, env, "", "import", "interactions", "--workspace", "acme", "--file", filepath.Join(dir, "events.csv"), "--quiet")
	if code != 0 || !strings.Contains(out, "4 rows, 0 stored") {
		t.Fatalf("import without --create-touchpoints: %d %q %q", code, out, errs)
	}
	if !strings.Contains(errs, "unknown touchpoint") {
		t.Errorf("errors %q do not name the unknown touchpoint", errs)
	}
	code, out, errs = run(t, env, "", "import", "interactions", "--workspace", "acme", "--file", filepath.Join(dir, "events.csv"), "--create-touchpoints", "--quiet")
	if code != 0 || !strings.Contains(out, "4 rows, 2 stored, 0 duplicates, 2 bad") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	for _, want := range []string{"line 3: occurred_at", "line 5: type"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q lack %q", errs, want)
		}
	}

	// Export, then import the export: everything is a duplicate.
	for _, format := range []string{"ndjson", "csv"} {
		path := filepath.Join(dir, "out."+format)
		if code, _, errs := run(t, env, "", "export", "interactions", "--workspace", "acme", "--file", path); code != 0 {
			t.Fatalf("export %s: %s", format, errs)
		}
		code, out, errs := run(t, env, "", "import", "interactions", "--workspace", "acme", "--file", path, "--quiet")
		if code != 0 || !strings.Contains(out, "2 rows, 0 stored, 2 duplicates, 0 bad") {
			t.Errorf("re-import %s: %d %q %q", format, code, out, errs)
		}
	}
	code, out, errs = run(t, env, "", "export", "customers", "--workspace", "acme", "--format", "ndjson")
	if code != 0 || !strings.Contains(out, `"zip":"01234"`) || !strings.Contains(out, `"age":41`) {
		t.Errorf("export customers: %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, env, "", "import", "interactions", "--workspace", "acme", "--file", filepath.Join(dir, "events.xlsx")); code != 1 || !strings.Contains(errs, "xlsx") {
		t.Errorf("unsupported format: %d %q", code, errs)
	}
}

func TestDemoSeedIsIdempotent(t *testing.T) {
	env := map[string]string{"CXM_DATABASE_URL": filepath.Join(t.TempDir(), "cxm.db")}
	code, out, errs := run(t, env, "", "demo", "--seed-only", "--customers", "200")
	if code != 0 || !strings.Contains(out, "login: demo@cxm.example / ") {
		t.Fatalf("demo: %d %q %q", code, out, errs)
	}
	if strings.Contains(errs, " 0 interactions") {
		t.Errorf("first demo run stored no interactions: %s", errs)
	}
	code, _, errs = run(t, env, "", "demo", "--seed-only", "--customers", "200")
	if code != 0 || !strings.Contains(errs, " 0 interactions") {
		t.Errorf("second demo run: %d %q, want nothing new", code, errs)
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
