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
	// ExportUser returns everything stored about userID, ready for JSON.
	ExportUser(ctx context.Context, userID string) (any, error)
	// EraseUser removes or anonymises userID's data, keeping aggregate
	// counts honest, and returns how many records it changed.
	EraseUser(ctx context.Context, userID string) (int64, error)
	// Prune deletes records older than before that the retention policy
	// covers (questions, logs); providers with nothing to prune return 0.
	Prune(ctx context.Context, before time.Time) (int64, error)
}
