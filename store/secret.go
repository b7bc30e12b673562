package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
)

// randomToken returns n random bytes as unpadded URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Secret returns the server secret called name: 32 random bytes made on
// first use and shared by every node through the database, such as the
// key that signs invitation links. Two nodes asking at once get the same.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	read := func(q queryer) ([]byte, error) {
		var v string
		if err := q.queryRow(ctx, "SELECT value FROM server_secrets WHERE name = ?", name).Scan(&v); err != nil {
			return nil, err
		}
		return base64.RawURLEncoding.DecodeString(v)
	}
	key, err := read(db.reader())
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			name, randomToken(32), micros(db.stampNow()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	if key, err = read(db.reader()); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	return key, nil
}

// secretCipher returns the AES-256-GCM cipher keyed by the server secret
// called name, for what the store keeps sealed.
func (db *DB) secretCipher(ctx context.Context, name string) (cipher.AEAD, error) {
	key, err := db.Secret(ctx, name)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: cipher %s: %w", name, err)
	}
	return cipher.NewGCM(block)
}
