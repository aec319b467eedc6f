package privacy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErasedName replaces a display name when a member's data is erased.
const ErasedName = "(erased)"

// Auditor records privacy actions; *store.DB is one.
type Auditor interface {
	Audit(ctx context.Context, actor, action, subject, detail string) error
}

// Store is the database an erasure runs on; *store.DB is one. Purge
// rewrites it so that what was erased is not left in free pages or the
// write-ahead log.
type Store interface {
	Auditor
	Purge(ctx context.Context) error
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

// identify builds the subject from every provider that can add to it.
func identify(ctx context.Context, s *Subject, providers []Provider) error {
	for _, p := range providers {
		if id, ok := p.(Identifier); ok {
			if err := id.Identify(ctx, s); err != nil {
				return fmt.Errorf("privacy: identify in %s: %w", p.Name(), err)
			}
		}
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
	s := NewSubject(userID, "")
	if err := identify(ctx, s, providers); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(providers))
	for _, p := range providers {
		v, err := p.ExportUser(ctx, s)
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
// writes one audit record and purges the database file. A provider that
// fails does not stop the others (a partial erasure is better than none);
// the audit record says what happened and the error names the failures.
// The audit record carries the pseudonym, not the ID, so the log does not
// undo the erasure. It is written after the providers, not with them: each
// commits its own transaction (some also rewrite files), and the record
// says which of them failed.
func Erase(ctx context.Context, db Store, actor, userID string, providers ...Provider) (EraseResult, error) {
	res := EraseResult{Pseudonym: NewPseudonym(), Changed: map[string]int64{}}
	if strings.TrimSpace(userID) == "" {
		return res, ErrNoUser
	}
	if err := checkNames(providers); err != nil {
		return res, err
	}
	s := NewSubject(userID, res.Pseudonym)
	if err := identify(ctx, s, providers); err != nil {
		return res, err
	}
	var errs []error
	var failed []string
	for _, p := range providers {
		n, err := p.EraseUser(ctx, s)
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
	if err := db.Audit(ctx, actor, "privacy.erase", res.Pseudonym, detail); err != nil {
		errs = append(errs, fmt.Errorf("privacy: audit erase: %w", err))
	}
	// Deleted and overwritten bytes stay in free pages and in the WAL
	// until the file is rewritten.
	if err := db.Purge(ctx); err != nil {
		errs = append(errs, fmt.Errorf("privacy: purge the database file: %w", err))
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
