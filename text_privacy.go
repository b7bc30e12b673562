package cxm

import "context"

// TextPrivacy is how a workspace treats personal data in free-text
// answers.
type TextPrivacy struct {
	// PIIRedaction masks emails, phone numbers, IBANs, card numbers and
	// street addresses in text answers before they are stored (default on).
	PIIRedaction bool `json:"pii_redaction"`
	// KeepOriginalEncrypted keeps the original of each masked answer,
	// encrypted, for admins to read (default off).
	KeepOriginalEncrypted bool `json:"keep_original_encrypted"`
}

// TextPrivacyUpdate holds the privacy settings to change; nil fields stay.
type TextPrivacyUpdate struct {
	PIIRedaction          *bool `json:"pii_redaction,omitempty"`
	KeepOriginalEncrypted *bool `json:"keep_original_encrypted,omitempty"`
}

// Empty reports whether u changes nothing.
func (u TextPrivacyUpdate) Empty() bool {
	return u.PIIRedaction == nil && u.KeepOriginalEncrypted == nil
}

// OriginalText is the original, unmasked text answers of a response, as
// kept encrypted when the workspace asks for it.
type OriginalText struct {
	ResponseID string `json:"response_id"`
	// Answers are the original text answers by question key; only the
	// answers that masking changed are kept.
	Answers map[string]string `json:"answers"`
}

// TextPrivacyService stores the workspaces' text privacy settings and the
// encrypted originals of masked answers.
type TextPrivacyService interface {
	// TextPrivacy returns the workspace's settings; an unknown workspace is ENotFound.
	TextPrivacy(ctx context.Context, workspaceID int64) (*TextPrivacy, error)
	// UpdateTextPrivacy changes the workspace's settings and returns them.
	UpdateTextPrivacy(ctx context.Context, workspaceID int64, u TextPrivacyUpdate) (*TextPrivacy, error)
	// ReadOriginals decrypts the response's original answers and records
	// that userID read them; none kept is ENotFound.
	ReadOriginals(ctx context.Context, workspaceID int64, responseID string, userID int64) (*OriginalText, error)
}
