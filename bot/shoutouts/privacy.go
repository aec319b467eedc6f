package shoutouts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// ExportUser returns the member's shout-outs given and received (retracted
// ones included, marked), nominations made and received, rounds they
// opened or closed, and their notification preference.
func (s *Service) ExportUser(ctx context.Context, userID string) (any, error) {
	out := UserExport{Given: []Record{}, Received: []Record{}, NominationsMade: []NominationJSON{},
		NominationsReceived: []NominationJSON{}, RoundsOpened: []string{}, RoundsClosed: []string{}}
	given, received, err := byUser(ctx, s.db.Read, userID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: export user: %w", err)
	}
	for _, sh := range given {
		out.Given = append(out.Given, record(sh))
	}
	for _, sh := range received {
		out.Received = append(out.Received, record(sh))
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
// becomes privacy.Pseudonym(userID) and their names "(erased)", mentions of
// them in reasons are replaced, and their notification preference is
// deleted. Shout-outs and nominations stay, so counts and shortlists do not
// change. All of it happens in one transaction.
func (s *Service) EraseUser(ctx context.Context, userID string) (int64, error) {
	if strings.TrimSpace(userID) == "" {
		return 0, privacy.ErrNoUser
	}
	pseudo := privacy.Pseudonym(userID)
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("shoutouts: erase: %w", err)
	}
	defer tx.Rollback()
	names, err := namesOf(ctx, tx, userID)
	if err != nil {
		return 0, fmt.Errorf("shoutouts: erase: names: %w", err)
	}
	more, err := nominationNames(ctx, tx, userID)
	if err != nil {
		return 0, fmt.Errorf("shoutouts: erase: names: %w", err)
	}
	names = append(names, more...)
	var total int64
	for _, step := range []func() (int64, error){
		// Notices owed to them go first, while shout-outs still carry their ID.
		func() (int64, error) { return eraseNotices(ctx, tx, userID) },
		func() (int64, error) { return eraseShoutouts(ctx, tx, userID, pseudo, privacy.ErasedName, names) },
		func() (int64, error) {
			return eraseNominations(ctx, tx, userID, pseudo, privacy.ErasedName, names)
		},
		func() (int64, error) { return eraseRounds(ctx, tx, userID, pseudo) },
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

// MinScrubName is the shortest display name replaced inside free text;
// shorter ones ("Al") would also match ordinary words too often.
const MinScrubName = 3

// scrub replaces whole-word occurrences of the user's ID (also inside
// <@ID> and @ID mentions) with the pseudonym and of their names with the
// erased name.
func scrub(text, userID, pseudonym string, names []string) string {
	text = replaceWord(text, userID, pseudonym)
	for _, n := range names {
		if utf8.RuneCountInString(n) < MinScrubName || n == privacy.ErasedName || n == userID {
			continue
		}
		text = replaceWord(text, n, privacy.ErasedName)
	}
	return text
}

// replaceWord replaces old with repl where old is not part of a longer
// word (the characters either side are not letters, digits or "_").
func replaceWord(s, old, repl string) string {
	if old == "" || !strings.Contains(s, old) {
		return s
	}
	// A boundary only matters on a side where old itself starts or ends
	// with a word character ("@carol:example.org" ends in one, "<@U1>" not).
	first, _ := utf8.DecodeRuneInString(old)
	last, _ := utf8.DecodeLastRuneInString(old)
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(s[i:], old)
		if j < 0 {
			break
		}
		j += i
		end := j + len(old)
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[end:])
		okBefore := j == 0 || !isWordRune(before) || !isWordRune(first)
		okAfter := end == len(s) || !isWordRune(after) || !isWordRune(last)
		if okBefore && okAfter {
			b.WriteString(s[i:j])
			b.WriteString(repl)
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	b.WriteString(s[i:])
	return b.String()
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}
