package meetups

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// Deliver sends every outbox row that is due. For each row it first
// commits status "pending" (the intent), then sends with the row's
// idempotency key, then commits "sent". A crash between the two commits
// leaves the row pending; the next pass sends it again with the same key,
// which platforms with transaction IDs (Matrix) deliver only once.
func (s *Service) Deliver(ctx context.Context) error {
	if s.send == nil {
		return nil
	}
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	var errs []error
	var after int64
	for ctx.Err() == nil {
		now := s.clock.Now()
		d, ok, err := nextDue(ctx, s.db.Write, now, after)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		after = d.ID // each pass visits a row at most once
		if err := s.deliverOne(ctx, d, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) deliverOne(ctx context.Context, d delivery, now time.Time) error {
	m, err := getMeetup(ctx, s.db.Write, d.MeetupID)
	if err != nil {
		return err
	}
	reminder := strings.HasPrefix(d.Kind, "remind-")
	log := s.log.With("meetup", m.ID, "kind", d.Kind, "platform", d.Platform, "room", d.RoomID, "key", d.Key)
	switch {
	case reminder && !m.StartsAt.After(now):
		log.Warn("reminder skipped: the meetup has already started", "due", d.DueAt.Format(time.RFC3339))
		return setStatus(ctx, s.db.Write, d.ID, outSkipped, "meetup started before the reminder could be sent")
	case reminder && m.Status == StatusCancelled:
		log.Info("reminder skipped: meetup cancelled")
		return setStatus(ctx, s.db.Write, d.ID, outSkipped, "cancelled")
	case (d.Kind == "announce" || strings.HasPrefix(d.Kind, "edit-")) && m.Status == StatusCancelled && d.Status == outScheduled:
		return setStatus(ctx, s.db.Write, d.ID, outSkipped, "cancelled before it was announced")
	}
	if reminder && d.Status == outScheduled {
		stale, err := s.hasLaterReminder(ctx, d, now)
		if err != nil {
			return err
		}
		if stale {
			log.Info("reminder skipped: a later reminder for the same meetup is due too", "due", d.DueAt.Format(time.RFC3339))
			return setStatus(ctx, s.db.Write, d.ID, outSkipped, "superseded by a later reminder")
		}
	}
	if d.Status == outScheduled {
		if err := setStatus(ctx, s.db.Write, d.ID, outPending, ""); err != nil {
			return err
		}
	} else {
		log.Info("re-sending an interrupted delivery with its original key")
	}
	if late := now.Sub(d.DueAt); reminder && late > 5*time.Minute {
		log.Info("sending a reminder late", "late", late.Round(time.Minute).String())
	}
	reply := s.render(d, m, now)
	reply.Key = d.Key
	ref, err := s.send.Send(ctx, d.Platform, bot.Target{RoomID: d.RoomID}, reply)
	if err != nil {
		attempts := d.Attempts + 1
		s.metrics.Failed("meetups")
		if attempts >= s.maxTries {
			log.Error("delivery failed; giving up", "attempts", attempts, "err", err)
			return setStatus(ctx, s.db.Write, d.ID, outFailed, err.Error())
		}
		backoff := time.Duration(1<<min(attempts, 6)) * 30 * time.Second
		log.Warn("delivery failed; will retry", "attempts", attempts, "retry_in", backoff.String(), "err", err)
		return markRetry(ctx, s.db.Write, d.ID, attempts, now.Add(backoff), err.Error())
	}
	if err := markSent(ctx, s.db.Write, d.ID, ref.ID, now); err != nil {
		return err
	}
	s.metrics.Delivered(kindLabel(d.Kind))
	return nil
}

func (s *Service) hasLaterReminder(ctx context.Context, d delivery, now time.Time) (bool, error) {
	return laterReminderDue(ctx, s.db.Write, d, now)
}

// tellPromoted lets people who moved off the waitlist know: by direct
// message where the platform has them, else by a mention in that
// platform's announcement channels.
func (s *Service) tellPromoted(ctx context.Context, m Meetup, promoted []RSVP) {
	if s.send == nil {
		return
	}
	for _, r := range promoted {
		text := "Good news: a place came up and you're now going to **" + m.Title + "** (" + s.when(m) + "). " +
			"If you can't make it after all, reply `meetup rsvp " + itoa(m.ID) + " no` so the next person gets it."
		_, ok, err := s.send.SendDirect(ctx, r.Platform, r.UserID, bot.Reply{Text: text})
		if ok && err == nil {
			continue
		}
		if err != nil {
			s.log.Warn("direct message to promoted member failed; mentioning in channel", "platform", r.Platform, "err", err)
		}
		sent := false
		for _, ch := range s.channels {
			if ch.Platform != r.Platform {
				continue
			}
			if _, err := s.send.Send(ctx, ch.Platform, bot.Target{RoomID: ch.RoomID}, bot.Reply{Text: s.send.Mention(r.Platform, r.UserID) + ": " + text, Mentions: []string{r.UserID}}); err == nil {
				sent = true
				break
			}
		}
		if !sent {
			s.log.Warn("could not tell a member they moved off the waitlist", "platform", r.Platform, "meetup", m.ID)
		}
	}
}
