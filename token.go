package cxm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// TokenPurpose separates the kinds of signed link, so that a token made
// for one can never be used as another.
type TokenPurpose byte

// The purposes of signed links.
const (
	// PurposeSurvey opens an invitation's survey page.
	PurposeSurvey TokenPurpose = 's'
	// PurposeUnsubscribe withdraws the customer's email consent.
	PurposeUnsubscribe TokenPurpose = 'u'
)

// SignedRef is what a signed link refers to.
type SignedRef struct {
	Purpose     TokenPurpose
	WorkspaceID int64
	// ID is the invitation's id.
	ID int64
	// Expires is when the link stops working, to the second.
	Expires time.Time
}

// TokenSigner makes and checks the signed links of invitations: a short
// URL-safe token that carries the workspace, the invitation and an expiry
// under an HMAC-SHA256. Single use is the store's part: an answered
// invitation refuses a second response.
type TokenSigner struct {
	key []byte
}

// NewTokenSigner returns a signer with key, which must hold at least 32
// random bytes shared by every node.
func NewTokenSigner(key []byte) *TokenSigner {
	return &TokenSigner{key: append([]byte(nil), key...)}
}

// tokenMACSize is the length of the truncated HMAC: 128 bits.
const tokenMACSize = 16

// Sign returns the token for ref.
func (s *TokenSigner) Sign(ref SignedRef) string {
	b := make([]byte, 1, 1+3*binary.MaxVarintLen64+tokenMACSize)
	b[0] = byte(ref.Purpose)
	b = binary.AppendUvarint(b, uint64(ref.WorkspaceID))
	b = binary.AppendUvarint(b, uint64(ref.ID))
	b = binary.AppendUvarint(b, uint64(ref.Expires.Unix()))
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Verify checks token for purpose at now and returns what it refers to.
// A token that is malformed, forged or made for another purpose is
// EUnauthorized; an expired one is EForbidden with a message that says so.
func (s *TokenSigner) Verify(token string, purpose TokenPurpose, now time.Time) (SignedRef, error) {
	bad := Errorf(EUnauthorized, "this link is not valid; please check that it was copied completely")
	if len(token) > 100 {
		return SignedRef{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 1+3+tokenMACSize {
		return SignedRef{}, bad
	}
	body, mac := b[:len(b)-tokenMACSize], b[len(b)-tokenMACSize:]
	if !hmac.Equal(mac, s.mac(body)) || TokenPurpose(body[0]) != purpose {
		return SignedRef{}, bad
	}
	rest := body[1:]
	var vals [3]uint64
	for i := range vals {
		v, n := binary.Uvarint(rest)
		if n <= 0 || v > 1<<62 {
			return SignedRef{}, bad
		}
		vals[i], rest = v, rest[n:]
	}
	if len(rest) != 0 {
		return SignedRef{}, bad
	}
	ref := SignedRef{Purpose: purpose, WorkspaceID: int64(vals[0]), ID: int64(vals[1]), Expires: time.Unix(int64(vals[2]), 0).UTC()}
	if !now.Before(ref.Expires) {
		return ref, Errorf(EForbidden, "this link expired on %s", ref.Expires.Format("2006-01-02"))
	}
	return ref, nil
}

// mac returns the truncated HMAC-SHA256 of b.
func (s *TokenSigner) mac(b []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write(b)
	return h.Sum(nil)[:tokenMACSize]
}
