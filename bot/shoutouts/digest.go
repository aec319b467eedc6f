package shoutouts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
)

// DigestCheckEvery is how often the running bot checks whether a digest is
// due; a digest goes out within this long of its time.
const DigestCheckEvery = time.Minute

// DigestGrace is how late a missed digest may still go out (the bot was
// down at the due time). Later than this the period is skipped with a log
// line: a "weekly" digest arriving days late, or straight after a fresh
// install, helps nobody.
const DigestGrace = 72 * time.Hour

// DigestDue returns the most recent digest time at or before now: the
// configured weekday and wall-clock time in the community time zone, so
// it stays at 16:00 local across daylight-saving changes.
func (s *Service) DigestDue(now time.Time) time.Time {
	h, m, _ := parseClock(s.digest.Time)
	l := now.In(s.loc)
	back := (int(l.Weekday()) - int(s.digest.Day) + 7) % 7
	due := time.Date(l.Year(), l.Month(), l.Day()-back, h, m, 0, 0, s.loc)
	if due.After(now) {
		due = time.Date(l.Year(), l.Month(), l.Day()-back-7, h, m, 0, 0, s.loc)
	}
	return due
}

// Tick posts the digest for the current period to every channel that has
// not had it yet. Each channel's post is recorded as intended before it is
// sent and as sent after, so restarts never repeat it; a post interrupted
// between the two is retried with the same idempotency key, which
// platforms that support one (Matrix transaction IDs) deliver only once.
// If the bot was down at the due time, the digest goes out late (once)
// within DigestGrace.
func (s *Service) Tick(ctx context.Context) error {
	if len(s.digest.Channels) == 0 || s.send == nil {
		return nil
	}
	s.digestMu.Lock()
	defer s.digestMu.Unlock()
	now := s.now()
	due := s.DigestDue(now)
	period := due.In(s.loc).Format(time.DateOnly)
	since, err := s.digestStart(ctx, now)
	if err != nil {
		return err
	}
	late := now.Sub(due) > DigestGrace
	// A period that was due before this bot first ran is not "missed": a
	// fresh install posts its first digest at the next due time.
	beforeInstall := since.Sub(due) > DigestCheckEvery
	var text string
	var errs []error
	for _, ch := range s.digest.Channels {
		st, err := digestState(ctx, s.db.Write, period, ch)
		if err != nil {
			errs = append(errs, fmt.Errorf("shoutouts: digest state: %w", err))
			continue
		}
		if st == "sent" {
			continue
		}
		if (late || beforeInstall) && st == "" {
			if s.skipped != period {
				s.skipped = period
				if beforeInstall {
					s.log.Info("first weekly digest will go out at the next due time", "period", period)
				} else {
					s.log.Warn("weekly digest not sent: the bot was not running near its time", "period", period, "due", due)
				}
			}
			continue
		}
		if text == "" {
			since := time.Date(due.In(s.loc).Year(), due.In(s.loc).Month(), due.In(s.loc).Day()-7, due.In(s.loc).Hour(), due.In(s.loc).Minute(), 0, 0, s.loc)
			if text, err = s.DigestText(ctx, since, due); err != nil {
				return fmt.Errorf("shoutouts: digest: %w", err)
			}
		}
		if err := markDigestSending(ctx, s.db.Write, period, ch, now); err != nil {
			errs = append(errs, fmt.Errorf("shoutouts: digest mark: %w", err))
			continue
		}
		if st == "sending" {
			s.log.Info("retrying a digest post that may not have gone out", "period", period, "platform", ch.Platform, "room", ch.RoomID)
		}
		if _, err := s.send.Send(ctx, ch.Platform, bot.Target{RoomID: ch.RoomID}, bot.Reply{Text: text, Key: digestKey(period, ch)}); err != nil {
			errs = append(errs, fmt.Errorf("shoutouts: digest to %s %s: %w", ch.Platform, ch.RoomID, err))
			continue
		}
		if err := markDigestSent(ctx, s.db.Write, period, ch, s.now()); err != nil {
			errs = append(errs, fmt.Errorf("shoutouts: digest mark sent: %w", err))
		}
	}
	return errors.Join(errs...)
}

// digestStart returns when this database first checked for a digest,
// recording now on the first check. A database that already has digest
// marks (from before this was recorded) counts as installed long ago.
func (s *Service) digestStart(ctx context.Context, now time.Time) (time.Time, error) {
	if !s.digestSince.IsZero() {
		return s.digestSince, nil
	}
	const ns, key = "shoutouts", "digest_since"
	v, ok, err := s.db.GetKV(ctx, ns, key)
	if err != nil {
		return time.Time{}, fmt.Errorf("shoutouts: digest start: %w", err)
	}
	if ok {
		t, err := store.ParseTime(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("shoutouts: digest start: %w", err)
		}
		s.digestSince = t
		return t, nil
	}
	start := now
	var old bool
	if err := s.db.Write.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM shoutout_digests)").Scan(&old); err != nil {
		return time.Time{}, fmt.Errorf("shoutouts: digest start: %w", err)
	}
	if old {
		start = time.Unix(0, 0)
	}
	if err := s.db.SetKV(ctx, ns, key, store.Time(start)); err != nil {
		return time.Time{}, fmt.Errorf("shoutouts: digest start: %w", err)
	}
	s.digestSince = start
	return start, nil
}

// digestKey is the idempotency key of one period's post to one channel,
// made of safe characters whatever the room ID holds.
func digestKey(period string, ch bot.Channel) string {
	sum := sha256.Sum256([]byte(ch.Platform + "\x00" + ch.RoomID))
	return "bothy-digest-" + period + "-" + hex.EncodeToString(sum[:6])
}

// RunDigest checks for a due digest now and then every DigestCheckEvery
// until ctx ends. It is the bot service behind the weekly digest.
func (s *Service) RunDigest(ctx context.Context) error {
	t := time.NewTicker(DigestCheckEvery)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("weekly digest", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// DigestHighlights is how many shout-outs a digest quotes.
const DigestHighlights = 3

// DigestText writes the digest for shout-outs in [since, until): counts,
// the most appreciated people, highlights, categories, then new knowledge
// documents and upcoming meetups when those sources are wired in.
func (s *Service) DigestText(ctx context.Context, since, until time.Time) (string, error) {
	list, err := s.between(ctx, since, until)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Weekly digest** (%s to %s)\n\n", since.In(s.loc).Format("Mon 2 Jan"), until.In(s.loc).Format("Mon 2 Jan 2006"))
	if len(list) == 0 {
		b.WriteString("No shout-outs this week. Who helped you lately? Say: shoutout @person for what they did\n")
	} else {
		givers, people, cats := map[string]bool{}, map[string]*Count{}, map[string]int{}
		for _, sh := range list {
			givers[sh.GiverID] = true
			c := people[sh.RecipientID]
			if c == nil {
				c = &Count{ID: sh.RecipientID}
				people[sh.RecipientID] = c
			}
			c.Name = sh.RecipientName
			c.Count++
			if sh.Category != "" {
				cats[sh.Category]++
			}
		}
		fmt.Fprintf(&b, "Shout-outs: %d, from %s to %s.\n", len(list), plural(len(givers), "person", "people"), plural(len(people), "person", "people"))
		ranked := make([]*Count, 0, len(people))
		for _, c := range people {
			ranked = append(ranked, c)
		}
		sort.Slice(ranked, func(i, j int) bool {
			if ranked[i].Count != ranked[j].Count {
				return ranked[i].Count > ranked[j].Count
			}
			return ranked[i].Name < ranked[j].Name
		})
		var top []string
		for i, c := range ranked {
			if i == 5 {
				break
			}
			top = append(top, fmt.Sprintf("%s (%d)", c.Name, c.Count))
		}
		b.WriteString("Most appreciated: " + strings.Join(top, ", ") + "\n")
		b.WriteString("\nHighlights:\n")
		for i := 0; i < DigestHighlights && i < len(list); i++ {
			sh := list[len(list)-1-i]
			fmt.Fprintf(&b, "- %s, from %s: %s%s\n", sh.RecipientName, sh.GiverName, sh.Reason, categorySuffix(sh.Category))
		}
		if len(cats) > 0 {
			names := make([]string, 0, len(cats))
			for c := range cats {
				names = append(names, c)
			}
			sort.Slice(names, func(i, j int) bool {
				if cats[names[i]] != cats[names[j]] {
					return cats[names[i]] > cats[names[j]]
				}
				return names[i] < names[j]
			})
			parts := make([]string, len(names))
			for i, n := range names {
				parts[i] = fmt.Sprintf("#%s %d", n, cats[n])
			}
			b.WriteString("Categories: " + strings.Join(parts, ", ") + "\n")
		}
	}
	if d := s.digest.Documents; d != nil {
		s.section(&b, "New in the knowledge base", func() ([]string, error) { return d.DocumentsSince(ctx, since) })
	}
	if m := s.digest.Meetups; m != nil {
		s.section(&b, "Coming up", func() ([]string, error) { return m.MeetupsBefore(ctx, s.now().Add(digestAhead)) })
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// section adds a list from another feature; a failure there is noted and
// logged rather than holding back the whole digest.
func (s *Service) section(b *strings.Builder, title string, f func() ([]string, error)) {
	items, err := f()
	if err != nil {
		s.log.Warn("digest section unavailable", "section", title, "err", err)
		fmt.Fprintf(b, "\n%s: not available this week.\n", title)
		return
	}
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
}
