package store

import (
	"context"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestOriginalsAreEncrypted stores an original answer and checks that the
// database holds no plain text of it, that reading decrypts it and is
// recorded, that another workspace or response cannot read it, that a
// ciphertext moved to another response fails, and that erasing the
// response erases it.
func TestOriginalsAreEncrypted(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ws := textFixture(t, db, "acme")
		other := textFixture(t, db, "globex")
		if p, err := db.TextPrivacy(ctx, ws.ID); err != nil || !p.PIIRedaction || p.KeepOriginalEncrypted {
			t.Errorf("default privacy %+v %v", p, err)
		}
		on := true
		if p, err := db.UpdateTextPrivacy(ctx, ws.ID, cxm.TextPrivacyUpdate{KeepOriginalEncrypted: &on}); err != nil || !p.KeepOriginalEncrypted || !p.PIIRedaction {
			t.Errorf("after turning originals on: %+v %v", p, err)
		}
		if _, err := db.UpdateTextPrivacy(ctx, 999999, cxm.TextPrivacyUpdate{KeepOriginalEncrypted: &on}); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("unknown workspace: %v", err)
		}
		const plain = "Mail an geheim@example.de"
		aead, err := db.originalsCipher(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = db.inTx(ctx, func(tx queryer) error {
			return sealOriginals(ctx, tx, aead, ws.ID, "r-1", map[string]string{"why": plain}, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		var enc string
		if err := db.reader().queryRow(ctx, "SELECT ciphertext FROM response_originals WHERE workspace_id = ? AND response_id = ?", ws.ID, "r-1").Scan(&enc); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(enc, "geheim") || enc == "" {
			t.Errorf("ciphertext %q shows the text", enc)
		}
		got, err := db.ReadOriginals(ctx, ws.ID, "r-1", 42)
		if err != nil || got.Answers["why"] != plain {
			t.Fatalf("read = %+v %v", got, err)
		}
		var reads int
		db.reader().queryRow(ctx, "SELECT COUNT(*) FROM original_reads WHERE workspace_id = ? AND response_id = ? AND user_id = 42", ws.ID, "r-1").Scan(&reads)
		if reads != 1 {
			t.Errorf("recorded reads = %d, want 1", reads)
		}
		if _, err := db.ReadOriginals(ctx, other.ID, "r-1", 42); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("other workspace reads: %v", err)
		}
		// A ciphertext copied to another response does not decrypt.
		err = db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, "INSERT INTO response_originals (workspace_id, response_id, question, ciphertext, stored_at) VALUES (?, ?, ?, ?, 0)",
				ws.ID, "r-copy", "why", enc)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReadOriginals(ctx, ws.ID, "r-copy", 42); err == nil {
			t.Error("a moved ciphertext decrypted")
		}
		if err := db.DeleteResponse(ctx, ws.ID, "r-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReadOriginals(ctx, ws.ID, "r-1", 42); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("original after erasing the response: %v", err)
		}
	})
}
