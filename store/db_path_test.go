package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenPathWithURICharacters opens a database whose path holds the
// characters that end a file: URI, and checks the file lands where asked.
func TestOpenPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a#b?c%d", "cxm.db")
	db, err := Open(context.Background(), Config{URL: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database is not at %s: %v", path, err)
	}
}
