package shoutouts

import (
	"context"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for the award_nominations table.

// Nomination is one member's nomination of another in an awards round.
type Nomination struct {
	ID            int64
	RoundID       int64
	Round         string
	Category      string
	NomineeID     string
	NomineeName   string
	NominatorID   string
	NominatorName string
	Reason        string
	Platform      string
	CreatedAt     time.Time
}

const nominationCols = `n.id, n.round_id, r.name, n.category, n.nominee_id, n.nominee_name,
	n.nominator_id, n.nominator_name, n.reason, n.platform, n.created_at`

func queryNominations(ctx context.Context, q querier, where string, args ...any) ([]Nomination, error) {
	return store.List(ctx, q, func(sc store.Scanner) (Nomination, error) {
		var n Nomination
		var created string
		if err := sc.Scan(&n.ID, &n.RoundID, &n.Round, &n.Category, &n.NomineeID, &n.NomineeName,
			&n.NominatorID, &n.NominatorName, &n.Reason, &n.Platform, &created); err != nil {
			return n, err
		}
		var err error
		n.CreatedAt, err = store.ParseTime(created)
		return n, err
	}, "SELECT "+nominationCols+" FROM award_nominations n JOIN award_rounds r ON r.id = n.round_id "+where, args...)
}

func insertNomination(ctx context.Context, q querier, n Nomination) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO award_nominations(round_id, category, nominee_id, nominee_name,
		nominator_id, nominator_name, reason, platform, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.RoundID, n.Category, n.NomineeID, n.NomineeName, n.NominatorID, n.NominatorName, n.Reason, n.Platform, store.Time(n.CreatedAt))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func nominationExists(ctx context.Context, q querier, roundID int64, category, nominee, nominator string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM award_nominations
		WHERE round_id = ? AND category = ? AND nominee_id = ? AND nominator_id = ?`,
		roundID, category, nominee, nominator).Scan(&n)
	return n > 0, err
}

// nominationNames collects the names recorded for a user in nominations.
func nominationNames(ctx context.Context, q querier, userID string) ([]string, error) {
	return store.List(ctx, q, store.Column[string], `SELECT nominee_name FROM award_nominations WHERE nominee_id = ?1
		UNION SELECT nominator_name FROM award_nominations WHERE nominator_id = ?1`, userID)
}

// eraseNominations pseudonymises the member as nominee and nominator,
// erases the reasons they wrote and scrubs them from the others; rows stay
// so shortlists hold.
func eraseNominations(ctx context.Context, q querier, s *privacy.Subject) (int64, error) {
	var total int64
	for _, stmt := range []string{
		"UPDATE award_nominations SET reason = ?4 WHERE nominator_id = ?1",
		"UPDATE award_nominations SET nominee_id = ?2, nominee_name = ?3 WHERE nominee_id = ?1",
		"UPDATE award_nominations SET nominator_id = ?2, nominator_name = ?3 WHERE nominator_id = ?1",
	} {
		res, err := q.ExecContext(ctx, stmt, s.UserID, s.Pseudonym, privacy.ErasedName, privacy.ErasedText)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	type reason struct {
		id   int64
		text string
	}
	all, err := store.List(ctx, q, func(sc store.Scanner) (reason, error) {
		var r reason
		err := sc.Scan(&r.id, &r.text)
		return r, err
	}, "SELECT id, reason FROM award_nominations")
	if err != nil {
		return total, err
	}
	for _, r := range all {
		scrubbed := s.Scrub(r.text)
		if scrubbed == r.text {
			continue
		}
		if _, err := q.ExecContext(ctx, "UPDATE award_nominations SET reason = ? WHERE id = ?", scrubbed, r.id); err != nil {
			return total, err
		}
		total++
	}
	return total, nil
}
