// Package privacy answers data-protection requests (UK GDPR subject access
// and erasure) across every feature that stores personal data. Each
// feature implements Provider; this package runs them together and keeps
// the audit trail.
package privacy

import (
	"context"
	"time"
)

// Provider is one feature's share of a member's data.
type Provider interface {
	// Name labels this provider's section of an export ("shoutouts").
	Name() string
	// ExportUser returns everything stored about the subject, ready for
	// JSON: at least everything EraseUser would remove or change.
	ExportUser(ctx context.Context, s *Subject) (any, error)
	// EraseUser removes or anonymises the subject's data, keeping
	// aggregate counts honest (their ID becomes s.Pseudonym), and returns
	// how many records it changed.
	EraseUser(ctx context.Context, s *Subject) (int64, error)
	// Prune deletes records older than before that the retention policy
	// covers (questions, logs); providers with nothing to prune return 0.
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// Identifier is optional for a Provider: it adds to the subject the names
// the member had and the text they wrote in this feature, and documents
// derived from them, so that every provider (and the audit log) can find
// them in its own free text. All identifiers run before any export or
// erasure.
type Identifier interface {
	Identify(ctx context.Context, s *Subject) error
}
