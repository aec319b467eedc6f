package shoutouts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bothy-chat/bothy/bot"
)

// MaxReasonRunes bounds a reason; shout-outs are a line or two, not essays.
const MaxReasonRunes = 1000

// DuplicateWindow is how long the same shout-out from the same person to
// the same person counts as a duplicate.
const DuplicateWindow = 24 * time.Hour

// GiveRequest is one shout-out to one or more people.
type GiveRequest struct {
	Platform   string
	RoomID     string
	MessageID  string
	Giver      bot.User
	Recipients []bot.User
	Reason     string
	Category   string
	// MentionIn is where recipients who cannot get a direct message are
	// mentioned instead; an empty RoomID means nowhere (a shout-out given
	// in a private chat with the bot).
	MentionIn bot.Target
}

// Refusal says why one recipient's shout-out was not recorded.
type Refusal struct {
	Recipient bot.User
	Why       string
}

// GiveResult is what Give did. Every recipient appears either in Recorded
// or in Refused; when Blocked is set nothing was recorded and it says why.
type GiveResult struct {
	Recorded []Shoutout
	Refused  []Refusal
	Blocked  string
}

// RefusedError is a whole request turned down by a rule; its message is
// meant for the person, as is.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

func refusedf(format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...)}
}

// Refusal texts, kept together so the rules read as one policy.
const (
	msgSelf        = "You can't give a shout-out to yourself (though I'm sure you deserve one!). Ask someone who saw your work to give it."
	msgShortReason = "Please say what the shout-out is for in at least %d words, so everyone can see what was good. For example: shoutout @carol for the snow-day closures thread"
	msgLongReason  = "That reason is %d characters long; please keep it under %d so it reads well in the digest."
	msgDuplicate   = "You already gave %s a shout-out for that in the last 24 hours (#%d), so I haven't recorded it twice."
	msgQuotaUsed   = "You've already given %d shout-outs today, which is the daily limit. Thank you for being so generous! The limit keeps each one meaningful; you can give more tomorrow."
	msgQuotaOver   = "That would be %d shout-outs, but you have %d left today (the daily limit is %d). Try naming fewer people, or give the rest tomorrow."
)

// Give records a shout-out to each recipient, applying the rules: no
// shout-out to yourself, a reason of at least MinReasonWords words, no
// repeat of the same shout-out within DuplicateWindow, and the daily quota.
// A rule that applies to the whole request returns a *RefusedError.
func (s *Service) Give(ctx context.Context, g GiveRequest) (GiveResult, error) {
	var res GiveResult
	g.Reason = strings.TrimSpace(g.Reason)
	if CountWords(g.Reason) < MinReasonWords {
		return res, refusedf(msgShortReason, MinReasonWords)
	}
	if n := utf8.RuneCountInString(g.Reason); n > MaxReasonRunes {
		return res, refusedf(msgLongReason, n, MaxReasonRunes)
	}
	if g.Giver.ID == "" {
		return res, fmt.Errorf("shoutouts: give: no giver")
	}
	now := s.now()
	var valid []bot.User
	seen := map[string]bool{}
	for _, r := range g.Recipients {
		if r.Name == "" {
			r.Name = r.ID
		}
		switch {
		case seen[r.ID]:
			continue // the same person mentioned twice
		case r.ID == g.Giver.ID:
			res.Refused = append(res.Refused, Refusal{r, msgSelf})
		default:
			valid = append(valid, r)
		}
		seen[r.ID] = true
	}
	if len(valid) == 0 {
		return res, nil
	}
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("shoutouts: give: %w", err)
	}
	defer tx.Rollback()
	var fresh []bot.User
	for _, r := range valid {
		id, dup, err := findDuplicate(ctx, tx, g.Giver.ID, r.ID, g.Reason, now.Add(-DuplicateWindow))
		if err != nil {
			return res, fmt.Errorf("shoutouts: give: duplicate check: %w", err)
		}
		if dup {
			res.Refused = append(res.Refused, Refusal{r, fmt.Sprintf(msgDuplicate, r.Name, id)})
			continue
		}
		fresh = append(fresh, r)
	}
	if len(fresh) == 0 {
		return res, nil
	}
	if s.quota > 0 {
		given, err := countGivenSince(ctx, tx, g.Giver.ID, s.startOfDay(now))
		if err != nil {
			return res, fmt.Errorf("shoutouts: give: quota: %w", err)
		}
		if left := s.quota - given; len(fresh) > left {
			if left <= 0 {
				res.Blocked = fmt.Sprintf(msgQuotaUsed, given)
			} else {
				res.Blocked = fmt.Sprintf(msgQuotaOver, len(fresh), left, s.quota)
			}
			for _, r := range fresh {
				res.Refused = append(res.Refused, Refusal{r, "daily limit reached"})
			}
			return res, nil
		}
	}
	for _, r := range fresh {
		sh := Shoutout{
			GiverID: g.Giver.ID, GiverName: nameOr(g.Giver), RecipientID: r.ID, RecipientName: r.Name,
			Reason: g.Reason, Category: g.Category, Platform: g.Platform, RoomID: g.RoomID,
			MessageID: g.MessageID, CreatedAt: now,
		}
		sh.ID, err = insertShoutout(ctx, tx, sh)
		if err != nil {
			return GiveResult{}, fmt.Errorf("shoutouts: give: save: %w", err)
		}
		// The notice is owed from the same commit, so no crash can record
		// a shout-out and forget to tell its recipient.
		if err := insertNotice(ctx, tx, sh.ID, g.MentionIn.RoomID, g.MentionIn.ThreadID); err != nil {
			return GiveResult{}, fmt.Errorf("shoutouts: give: owe notice: %w", err)
		}
		res.Recorded = append(res.Recorded, sh)
	}
	if err := tx.Commit(); err != nil {
		return GiveResult{}, fmt.Errorf("shoutouts: give: commit: %w", err)
	}
	return res, nil
}

func nameOr(u bot.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}

// maxNoticeAttempts bounds retries of a notice that keeps failing; with
// NoticeRetryEvery that is about ten minutes of a platform being away.
const maxNoticeAttempts = 10

// NoticeRetryEvery is how often RunNotices looks for notices still owed.
const NoticeRetryEvery = time.Minute

// RunNotices delivers the notices a crash or a platform outage left owed:
// at once (so a restart makes good what the last run could not) and then
// every NoticeRetryEvery until ctx ends. It is a bot service.
func (s *Service) RunNotices(ctx context.Context) error {
	t := time.NewTicker(NoticeRetryEvery)
	defer t.Stop()
	for {
		s.deliverNotices(ctx, s.send, nil)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// deliverNotices tells recipients about their shout-outs: a direct message
// where the platform can, otherwise a mention where the shout-out was
// given. ids limits it to those shout-outs; nil delivers every notice
// still owed (see RunNotices). A notice is deleted once sent, or
// when the member opted out or the shout-out was retracted.
func (s *Service) deliverNotices(ctx context.Context, snd bot.Sender, ids []int64) {
	if snd == nil {
		return
	}
	s.noticeMu.Lock()
	defer s.noticeMu.Unlock()
	owed, err := owedNotices(ctx, s.db.Write, ids)
	if err != nil {
		if ctx.Err() == nil { // shutting down is not worth a warning: the notices wait for the next start
			s.log.Warn("shout-out notices unreadable", "err", err)
		}
		return
	}
	for _, n := range owed {
		log := s.log.With("shoutout", n.ID)
		off, err := s.OptedOut(ctx, n.Platform, n.RecipientID)
		if err != nil {
			log.Warn("notification preference unreadable; will try later", "err", err)
			continue
		}
		if off || n.retracted || n.attempts >= maxNoticeAttempts {
			if n.attempts >= maxNoticeAttempts {
				log.Error("giving up on a shout-out notice", "attempts", n.attempts)
			}
			if err := deleteNotice(ctx, s.db.Write, n.ID); err != nil {
				log.Warn("could not clear a notice", "err", err)
			}
			continue
		}
		if n.started {
			log.Info("re-sending an interrupted shout-out notice with its original key")
		}
		if err := markNoticeStarted(ctx, s.db.Write, n.ID); err != nil {
			log.Warn("could not record a notice attempt", "err", err)
			continue
		}
		if s.tell(ctx, snd, n) {
			if err := deleteNotice(ctx, s.db.Write, n.ID); err != nil {
				log.Warn("could not clear a sent notice", "err", err)
			}
		}
	}
}

// tell sends one notice and reports whether the recipient was reached
// (or cannot be reached at all, which no retry would change).
func (s *Service) tell(ctx context.Context, snd bot.Sender, n owedNotice) bool {
	text := fmt.Sprintf("🎉 You received a shout-out from %s: \"%s\"%s (#%d). To stop these notices, say: shoutout notifications off",
		n.GiverName, n.Reason, categorySuffix(n.Category), n.ID)
	_, ok, err := snd.SendDirect(ctx, n.Platform, n.RecipientID, bot.Reply{Text: text, Key: fmt.Sprintf("shoutout-%d-dm", n.ID)})
	if ok && err == nil {
		return true
	}
	if err != nil {
		s.log.Warn("direct notification failed; mentioning in the room instead", "shoutout", n.ID, "err", err)
	}
	if n.fallbackRoom == "" {
		return err == nil // given in a private chat: there is no room to mention them in
	}
	text = fmt.Sprintf("%s, you received a shout-out from %s: \"%s\"%s (#%d). (shoutout notifications off to stop these)",
		snd.Mention(n.Platform, n.RecipientID), n.GiverName, n.Reason, categorySuffix(n.Category), n.ID)
	to := bot.Target{RoomID: n.fallbackRoom, ThreadID: n.fallbackThread}
	if _, err := snd.Send(ctx, n.Platform, to, bot.Reply{Text: text, Key: fmt.Sprintf("shoutout-%d-mention", n.ID), Mentions: []string{n.RecipientID}}); err != nil {
		s.log.Warn("mention notification failed; will try later", "shoutout", n.ID, "err", err)
		return false
	}
	return true
}

func categorySuffix(c string) string {
	if c == "" {
		return ""
	}
	return " #" + c
}
