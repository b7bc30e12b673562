package cxm_test

import (
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// TestTokenSigner checks that a signed link carries its reference and that
// every kind of bad link is refused with the right code.
func TestTokenSigner(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := cxm.NewTokenSigner([]byte("0123456789abcdef0123456789abcdef"))
	ref := cxm.SignedRef{Purpose: cxm.PurposeSurvey, WorkspaceID: 7, ID: 123456789, Expires: now.Add(48 * time.Hour)}
	tok := s.Sign(ref)
	got, err := s.Verify(tok, cxm.PurposeSurvey, now)
	if err != nil {
		t.Fatal(err)
	}
	if got != ref {
		t.Errorf("verified %+v, want %+v", got, ref)
	}
	if len(tok) > 60 {
		t.Errorf("token %q is %d characters; links must stay short", tok, len(tok))
	}

	tampered := []byte(tok)
	tampered[3] ^= 1
	other := cxm.NewTokenSigner([]byte("another key of thirty-two bytes!"))
	for name, c := range map[string]struct {
		token   string
		purpose cxm.TokenPurpose
		at      time.Time
		code    string
	}{
		"other purpose": {tok, cxm.PurposeUnsubscribe, now, cxm.EUnauthorized},
		"tampered":      {string(tampered), cxm.PurposeSurvey, now, cxm.EUnauthorized},
		"other key":     {other.Sign(ref), cxm.PurposeSurvey, now, cxm.EUnauthorized},
		"truncated":     {tok[:len(tok)-4], cxm.PurposeSurvey, now, cxm.EUnauthorized},
		"not base64":    {"!!!" + tok, cxm.PurposeSurvey, now, cxm.EUnauthorized},
		"empty":         {"", cxm.PurposeSurvey, now, cxm.EUnauthorized},
		"expired":       {tok, cxm.PurposeSurvey, ref.Expires, cxm.EForbidden},
	} {
		if _, err := s.Verify(c.token, c.purpose, c.at); cxm.ErrorCode(err) != c.code {
			t.Errorf("%s: error %v, want code %s", name, err, c.code)
		}
	}
}
