package privacy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErasedName replaces a display name when a member's data is erased.
const ErasedName = "(erased)"

// Pseudonym is the stable stand-in for an erased user ID. Every provider
// uses the same one, so aggregate counts (shout-outs received, RSVPs) still
// group correctly, and an auditor who is given the original ID can confirm
// the erasure happened; the ID itself cannot be read back from it.
func Pseudonym(userID string) string {
	sum := sha256.Sum256([]byte("bothy-erased:" + userID))
	return "erased-" + hex.EncodeToString(sum[:8])
}

// IsPseudonym reports whether id is the result of Pseudonym.
func IsPseudonym(id string) bool { return strings.HasPrefix(id, "erased-") }

// Auditor records privacy actions; *store.DB is one.
type Auditor interface {
	Audit(ctx context.Context, actor, action, subject, detail string) error
}

// ErrNoUser is returned for an empty user ID.
var ErrNoUser = errors.New("privacy: no user ID given")

func checkNames(providers []Provider) error {
	seen := map[string]bool{}
	for _, p := range providers {
		if seen[p.Name()] {
			return fmt.Errorf("privacy: two providers are named %q", p.Name())
		}
		seen[p.Name()] = true
	}
	return nil
}

// Export gathers everything the providers hold about userID, one section
// per provider name, ready for encoding/json.
func Export(ctx context.Context, userID string, providers ...Provider) (map[string]any, error) {
	if strings.TrimSpace(userID) == "" {
		return nil, ErrNoUser
	}
	if err := checkNames(providers); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(providers))
	for _, p := range providers {
		v, err := p.ExportUser(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("privacy: export from %s: %w", p.Name(), err)
		}
		out[p.Name()] = v
	}
	return out, nil
}

// EraseResult says what an erasure changed.
type EraseResult struct {
	// Pseudonym is what the user's ID became wherever a record was kept.
	Pseudonym string `json:"pseudonym"`
	// Changed counts records removed or anonymised, per provider.
	Changed map[string]int64 `json:"changed"`
	Total   int64            `json:"total"`
}

// Summary is one line for people: "12 records (meetups 2, shoutouts 10)".
func (r EraseResult) Summary() string {
	names := make([]string, 0, len(r.Changed))
	for n := range r.Changed {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, r.Changed[n])
	}
	return fmt.Sprintf("%d records (%s); kept records now say %s", r.Total, strings.Join(parts, ", "), r.Pseudonym)
}

// Erase asks every provider to remove or anonymise userID's data, then
// writes one audit record. A provider that fails does not stop the others
// (a partial erasure is better than none); the audit record says what
// happened and the error names the failures. The audit record carries the
// pseudonym, not the ID, so the log does not undo the erasure.
func Erase(ctx context.Context, audit Auditor, actor, userID string, providers ...Provider) (EraseResult, error) {
	res := EraseResult{Pseudonym: Pseudonym(userID), Changed: map[string]int64{}}
	if strings.TrimSpace(userID) == "" {
		return res, ErrNoUser
	}
	if err := checkNames(providers); err != nil {
		return res, err
	}
	var errs []error
	var failed []string
	for _, p := range providers {
		n, err := p.EraseUser(ctx, userID)
		res.Changed[p.Name()] = n
		res.Total += n
		if err != nil {
			errs = append(errs, fmt.Errorf("privacy: erase in %s: %w", p.Name(), err))
			failed = append(failed, p.Name())
		}
	}
	detail := res.Summary()
	if len(failed) > 0 {
		detail += "; FAILED in " + strings.Join(failed, ", ")
	}
	if err := audit.Audit(ctx, actor, "privacy.erase", res.Pseudonym, detail); err != nil {
		errs = append(errs, fmt.Errorf("privacy: audit erase: %w", err))
	}
	return res, errors.Join(errs...)
}

// Prune asks every provider to delete records older than before that the
// retention policy covers, and returns the counts per provider.
func Prune(ctx context.Context, before time.Time, providers ...Provider) (map[string]int64, error) {
	if err := checkNames(providers); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(providers))
	var errs []error
	for _, p := range providers {
		n, err := p.Prune(ctx, before)
		out[p.Name()] = n
		if err != nil {
			errs = append(errs, fmt.Errorf("privacy: prune %s: %w", p.Name(), err))
		}
	}
	return out, errors.Join(errs...)
}
