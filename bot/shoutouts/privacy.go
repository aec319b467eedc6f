package shoutouts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
)

// Name labels this feature's section in privacy exports.
func (s *Service) Name() string { return "shoutouts" }

// UserExport is everything the shout-outs feature holds about one member.
type UserExport struct {
	Given               []Record         `json:"given"`
	Received            []Record         `json:"received"`
	NominationsMade     []NominationJSON `json:"nominations_made"`
	NominationsReceived []NominationJSON `json:"nominations_received"`
	RoundsOpened        []string         `json:"award_rounds_opened"`
	RoundsClosed        []string         `json:"award_rounds_closed"`
	// NotificationsOff lists the platforms where the member turned off
	// shout-out notifications.
	NotificationsOff []string `json:"notifications_off"`
	// Naming are other people's shout-outs whose reason or retraction
	// names the member (or that they retracted).
	Naming []Record `json:"shoutouts_naming_you"`
	// NominationsNaming are other people's nominations that name them.
	NominationsNaming []NominationJSON `json:"nominations_naming_you"`
}

// NominationJSON is a nomination as exported.
type NominationJSON struct {
	ID            int64  `json:"id"`
	Round         string `json:"round"`
	Category      string `json:"category"`
	NomineeID     string `json:"nominee_id"`
	NomineeName   string `json:"nominee_name"`
	NominatorID   string `json:"nominator_id"`
	NominatorName string `json:"nominator_name"`
	Reason        string `json:"reason"`
	Platform      string `json:"platform"`
	CreatedAt     string `json:"created_at"`
}

func nominationJSON(n Nomination) NominationJSON {
	return NominationJSON{
		ID: n.ID, Round: n.Round, Category: n.Category, NomineeID: n.NomineeID, NomineeName: n.NomineeName,
		NominatorID: n.NominatorID, NominatorName: n.NominatorName, Reason: n.Reason, Platform: n.Platform,
		CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339),
	}
}

// caseStudyID is the knowledge document Promote writes for a shout-out.
func caseStudyID(id int64) string { return fmt.Sprintf("case-study-shoutout-%d", id) }

// Identify adds the member's display names, what they wrote (reasons of
// shout-outs they gave and of their nominations, and the case-study titles
// made from those reasons) and the case studies of shout-outs they gave or
// received.
func (s *Service) Identify(ctx context.Context, subj *privacy.Subject) error {
	userID := subj.UserID
	names, err := namesOf(ctx, s.db.Read, userID)
	if err != nil {
		return fmt.Errorf("shoutouts: identify: %w", err)
	}
	more, err := nominationNames(ctx, s.db.Read, userID)
	if err != nil {
		return fmt.Errorf("shoutouts: identify: %w", err)
	}
	for _, n := range append(names, more...) {
		subj.AddName(n)
	}
	given, received, err := byUser(ctx, s.db.Read, userID)
	if err != nil {
		return fmt.Errorf("shoutouts: identify: %w", err)
	}
	for _, sh := range given {
		subj.AddText(sh.Reason)
		subj.AddText(caseStudyTitle(sh.Reason))
		subj.AddText(titleFrom(sh.Reason))
		subj.AddDocument(caseStudyID(sh.ID))
	}
	for _, sh := range received {
		subj.AddDocument(caseStudyID(sh.ID))
	}
	retracted, err := queryShoutouts(ctx, s.db.Read, "WHERE retracted_by = ? ORDER BY id", userID)
	if err != nil {
		return fmt.Errorf("shoutouts: identify: %w", err)
	}
	for _, sh := range retracted {
		subj.AddText(sh.RetractReason)
	}
	made, err := queryNominations(ctx, s.db.Read, "WHERE n.nominator_id = ? ORDER BY n.id", userID)
	if err != nil {
		return fmt.Errorf("shoutouts: identify: %w", err)
	}
	for _, n := range made {
		subj.AddText(n.Reason)
	}
	return nil
}

// ExportUser returns the member's shout-outs given and received (retracted
// ones included, marked), nominations made and received, rounds they
// opened or closed, their notification preference, and other people's
// shout-outs and nominations whose text names them.
func (s *Service) ExportUser(ctx context.Context, subj *privacy.Subject) (any, error) {
	userID := subj.UserID
	out := UserExport{Given: []Record{}, Received: []Record{}, NominationsMade: []NominationJSON{},
		NominationsReceived: []NominationJSON{}, RoundsOpened: []string{}, RoundsClosed: []string{},
		Naming: []Record{}, NominationsNaming: []NominationJSON{}}
	given, received, err := byUser(ctx, s.db.Read, userID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	mine := map[int64]bool{}
	for _, sh := range given {
		out.Given = append(out.Given, record(sh))
		mine[sh.ID] = true
	}
	for _, sh := range received {
		out.Received = append(out.Received, record(sh))
		mine[sh.ID] = true
	}
	all, err := queryShoutouts(ctx, s.db.Read, "ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	for _, sh := range all {
		if !mine[sh.ID] && (subj.Mentions(sh.Reason) || subj.Mentions(sh.RetractReason) || sh.RetractedBy == userID) {
			out.Naming = append(out.Naming, record(sh))
		}
	}
	made, err := queryNominations(ctx, s.db.Read, "WHERE n.nominator_id = ? ORDER BY n.id", userID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	for _, n := range made {
		out.NominationsMade = append(out.NominationsMade, nominationJSON(n))
	}
	got, err := queryNominations(ctx, s.db.Read, "WHERE n.nominee_id = ? ORDER BY n.id", userID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	for _, n := range got {
		out.NominationsReceived = append(out.NominationsReceived, nominationJSON(n))
	}
	others, err := queryNominations(ctx, s.db.Read, "WHERE n.nominee_id != ?1 AND n.nominator_id != ?1 ORDER BY n.id", userID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	for _, n := range others {
		if subj.Mentions(n.Reason) {
			out.NominationsNaming = append(out.NominationsNaming, nominationJSON(n))
		}
	}
	rounds, err := listRounds(ctx, s.db.Read, "WHERE opened_by = ?1 OR closed_by = ?1 ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	for _, r := range rounds {
		if r.OpenedBy == userID {
			out.RoundsOpened = append(out.RoundsOpened, r.Name)
		}
		if r.ClosedBy == userID {
			out.RoundsClosed = append(out.RoundsClosed, r.Name)
		}
	}
	if out.NotificationsOff, err = optoutsOf(ctx, s.db.Read, userID); err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	return out, nil
}

// EraseUser anonymises the member in every shout-outs table: their ID
// becomes the erasure's pseudonym and their names "(erased)", what they
// wrote becomes "[erased]", mentions of them in other people's text are
// replaced, and their notification preference is deleted. Shout-outs and
// nominations stay, so counts and shortlists do not change. All of it
// happens in one transaction.
func (s *Service) EraseUser(ctx context.Context, subj *privacy.Subject) (int64, error) {
	if strings.TrimSpace(subj.UserID) == "" {
		return 0, privacy.ErrNoUser
	}
	userID := subj.UserID
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("shoutouts: erase: %w", err)
	}
	defer tx.Rollback()
	var total int64
	for _, step := range []func() (int64, error){
		// Notices owed to them go first, while shout-outs still carry their ID.
		func() (int64, error) { return eraseNotices(ctx, tx, userID) },
		func() (int64, error) { return eraseShoutouts(ctx, tx, subj) },
		func() (int64, error) { return eraseNominations(ctx, tx, subj) },
		func() (int64, error) { return eraseRounds(ctx, tx, userID, subj.Pseudonym) },
		func() (int64, error) { return eraseOptouts(ctx, tx, userID) },
	} {
		n, err := step()
		if err != nil {
			return 0, fmt.Errorf("shoutouts: erase: %w", err)
		}
		total += n
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("shoutouts: erase: commit: %w", err)
	}
	return total, nil
}

// digestMarkKeep is how long digest marks are kept whatever the retention
// setting, since they are what stops a recent digest being posted again.
const digestMarkKeep = 30 * 24 * time.Hour

// Prune deletes old digest marks (operational records). Shout-outs and
// nominations are the community's record and are kept; erasure, not
// retention, covers them.
func (s *Service) Prune(ctx context.Context, before time.Time) (int64, error) {
	if limit := s.now().Add(-digestMarkKeep); before.After(limit) {
		before = limit
	}
	n, err := pruneDigests(ctx, s.db.Write, before)
	if err != nil {
		return 0, fmt.Errorf("shoutouts: prune: %w", err)
	}
	return n, nil
}
