package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TextPrivacyService.
var _ cxm.TextPrivacyService = (*DB)(nil)

// originalsSecret names the server secret that encrypts original answers.
const originalsSecret = "text-originals"

// TextPrivacy returns the workspace's text privacy settings.
func (db *DB) TextPrivacy(ctx context.Context, workspaceID int64) (*cxm.TextPrivacy, error) {
	var redact, keep int
	err := db.reader().queryRow(ctx, "SELECT pii_redaction, keep_original_encrypted FROM workspaces WHERE id = ?", workspaceID).
		Scan(&redact, &keep)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cxm.NotFound("workspace")
	}
	if err != nil {
		return nil, fmt.Errorf("store: text privacy: %w", err)
	}
	return &cxm.TextPrivacy{PIIRedaction: redact == 1, KeepOriginalEncrypted: keep == 1}, nil
}

// UpdateTextPrivacy changes the workspace's text privacy settings.
func (db *DB) UpdateTextPrivacy(ctx context.Context, workspaceID int64, u cxm.TextPrivacyUpdate) (*cxm.TextPrivacy, error) {
	err := db.inTx(ctx, func(tx queryer) error {
		for col, v := range map[string]*bool{"pii_redaction": u.PIIRedaction, "keep_original_encrypted": u.KeepOriginalEncrypted} {
			if v == nil {
				continue
			}
			res, err := tx.exec(ctx, "UPDATE workspaces SET "+col+" = ? WHERE id = ?", boolInt(*v), workspaceID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return cxm.NotFound("workspace")
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update text privacy: %w", err)
	}
	return db.TextPrivacy(ctx, workspaceID)
}

// originalsCipher returns the AES-256-GCM cipher of the original answers.
func (db *DB) originalsCipher(ctx context.Context) (cipher.AEAD, error) {
	return db.secretCipher(ctx, originalsSecret)
}

// originalAD binds a ciphertext to its row, so that it cannot be moved
// to another response or workspace.
func originalAD(workspaceID int64, responseID, question string) []byte {
	return []byte(strconv.FormatInt(workspaceID, 10) + "\x00" + responseID + "\x00" + question)
}

// keepOriginals stores the encrypted originals of the submitted
// response's masked answers in the submit's transaction, so that the
// masked response is never stored without them.
func (s *submit) keepOriginals() error {
	if len(s.r.Originals) == 0 {
		return nil
	}
	if err := sealOriginals(s.ctx, s.tx, s.sealer, s.r.WorkspaceID, s.r.ID, s.r.Originals, micros(s.now)); err != nil {
		return fmt.Errorf("keep originals: %w", err)
	}
	return nil
}

// sealOriginals encrypts each answer, bound to its workspace, response
// and question, and upserts it inside tx.
func sealOriginals(ctx context.Context, tx queryer, aead cipher.AEAD, workspaceID int64, responseID string, answers map[string]string, now int64) error {
	for q, text := range answers {
		nonce := make([]byte, aead.NonceSize())
		rand.Read(nonce)
		sealed := aead.Seal(nonce, nonce, []byte(text), originalAD(workspaceID, responseID, q))
		_, err := tx.exec(ctx, `INSERT INTO response_originals (workspace_id, response_id, question, ciphertext, stored_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id, response_id, question)
			DO UPDATE SET ciphertext = excluded.ciphertext, stored_at = excluded.stored_at`,
			workspaceID, responseID, q, base64.StdEncoding.EncodeToString(sealed), now)
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadOriginals decrypts the response's original answers and records the
// read by userID in the same transaction; none kept is ENotFound.
func (db *DB) ReadOriginals(ctx context.Context, workspaceID int64, responseID string, userID int64) (*cxm.OriginalText, error) {
	aead, err := db.originalsCipher(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: read originals: %w", err)
	}
	out := &cxm.OriginalText{ResponseID: responseID, Answers: map[string]string{}}
	err = db.inTx(ctx, func(tx queryer) error {
		rows, err := tx.query(ctx, "SELECT question, ciphertext FROM response_originals WHERE workspace_id = ? AND response_id = ?",
			workspaceID, responseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q, enc string
			if err := rows.Scan(&q, &enc); err != nil {
				return err
			}
			sealed, err := base64.StdEncoding.DecodeString(enc)
			if err != nil || len(sealed) < aead.NonceSize() {
				return fmt.Errorf("original of %s: not a ciphertext", q)
			}
			plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], originalAD(workspaceID, responseID, q))
			if err != nil {
				return fmt.Errorf("original of %s: %w", q, err)
			}
			out.Answers[q] = string(plain)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out.Answers) == 0 {
			return cxm.NotFound("original text")
		}
		_, err = tx.exec(ctx, "INSERT INTO original_reads (workspace_id, response_id, user_id, read_at) VALUES (?, ?, ?, ?)",
			workspaceID, responseID, userID, micros(db.stampNow()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: read originals: %w", err)
	}
	return out, nil
}
