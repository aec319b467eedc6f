package meetups

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups/when"
)

// Command is the `meetup` chat command with its subcommands.
func (s *Service) Command() *bot.Command {
	return &bot.Command{
		Name:    "meetup",
		Aliases: []string{"meetups"},
		Usage:   "add|list|show|edit|cancel|rsvp|who ...",
		Summary: "community meetups: see what's on, RSVP, and (organisers) announce",
		Help: "Meetups are announced in every announcement channel on every platform, with reminders before they start. " +
			"Times are in " + s.loc.String() + ".",
		Subcommands: []*bot.Command{
			{
				Name: "add", Usage: "TITLE on|at WHEN [at|in VENUE] [online URL] [#hashtag] [capacity N]",
				Summary: "announce a new meetup", Role: bot.RoleOrganiser, Run: s.cmdAdd,
				Help: "Example: " + addExample + "\n" +
					"WHEN can be \"tomorrow 7pm\", \"Friday 18:30\", \"20 June 18:00\" (this year's), \"16 June 2030 18:00\", " +
					"or repeating: \"every first Wednesday at 18:00\", \"every Tuesday at 19:00\". " +
					"If the date is unclear or in the past I'll ask rather than guess.",
			},
			{Name: "list", Usage: "", Summary: "upcoming meetups", Run: s.cmdList},
			{Name: "show", Usage: "ID", Summary: "details of one meetup", Run: s.cmdShow},
			{
				Name: "edit", Usage: "ID FIELD VALUE", Summary: "change a meetup and announce the change",
				Role: bot.RoleOrganiser, Run: s.cmdEdit,
				Help: "FIELD is title, when, venue, online, hashtag or capacity. Use \"none\" to clear venue, online, hashtag or capacity. " +
					"Example: meetup edit 3 when 20 June 18:30",
			},
			{
				Name: "cancel", Usage: "ID [series] [REASON]", Summary: "cancel a meetup and tell every channel",
				Role: bot.RoleOrganiser, Run: s.cmdCancel,
				Help: "With the word \"series\" after the ID, a repeating meetup stops repeating too.",
			},
			{
				Name: "rsvp", Usage: "ID yes|no|maybe", Summary: "say whether you're coming", Run: s.cmdRSVP,
				Help: "Going, not going and the emoji ✅, 🤔 and ❌ work too. " +
					"When a meetup is full, a yes puts you on the waitlist; I'll tell you if a place comes up.",
			},
			{Name: "who", Usage: "ID", Summary: "who is going, waitlisted or maybe", Role: bot.RoleOrganiser, Run: s.cmdWho},
		},
	}
}

// toBot turns the parser's usage errors and unknown IDs into messages
// for the person.
func toBot(err error) error {
	if errors.Is(err, ErrNotFound) {
		return bot.Usagef("There's no meetup with that number. Type `meetup list` to see them.")
	}
	return err
}

// whenError explains a date that could not be used.
func whenError(err error, text string) error {
	var q *when.Question
	if errors.As(err, &q) {
		return usage("%s", q.Msg)
	}
	if errors.Is(err, when.ErrNoDate) {
		return usage("I couldn't find a date in %q. Try \"20 June 18:00\", \"next Wednesday 6pm\" or \"tomorrow 7pm\".", text)
	}
	return err
}

func parseID(word string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(word, "#"), 10, 64)
	if err != nil || id <= 0 {
		if word == "" {
			return 0, usage("Which meetup? Give its number (see `meetup list`).")
		}
		return 0, usage("%q is not a meetup number (see `meetup list`).", word)
	}
	return id, nil
}

func (s *Service) cmdAdd(ctx context.Context, req *bot.Request) error {
	a, err := ParseAdd(req.Args, when.Recognizes)
	if err != nil {
		return toBot(err)
	}
	p, err := s.ParseWhen(a.When)
	if err != nil {
		return toBot(whenError(err, a.When))
	}
	m, err := s.Create(ctx, Draft{Title: a.Title, Start: p.Time, Rule: p.Rule, Venue: a.Venue,
		OnlineURL: a.OnlineURL, Hashtag: a.Hashtag, Capacity: a.Capacity}, req.Msg.UserID)
	if err != nil {
		return toBot(err)
	}
	text := fmt.Sprintf("Added meetup %d: **%s**\n%s", m.ID, m.Title, s.details(m))
	text += fmt.Sprintf("Announcing it in %d channel(s). If the time is wrong: meetup edit %d when ...", len(s.channels), m.ID)
	// Deliver even if the reply failed: the meetup is stored either way.
	err = req.Reply(ctx, bot.Reply{Text: text})
	_ = s.deliverNow(ctx)
	return err
}

// deliverNow sends what was just queued without waiting for the next
// tick; anything that fails here is retried by the scheduler.
func (s *Service) deliverNow(ctx context.Context) error {
	if err := s.Deliver(ctx); err != nil {
		s.log.Warn("delivery after a command failed; the scheduler will retry", "err", err)
	}
	return nil
}

func (s *Service) cmdList(ctx context.Context, req *bot.Request) error {
	ms, err := s.Scheduled(ctx)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return req.Reply(ctx, bot.Reply{Text: "No meetups are planned yet. Organisers can add one with `meetup add`."})
	}
	lines := []string{"Upcoming meetups:"}
	for _, m := range ms {
		lines = append(lines, s.summary(m))
	}
	lines = append(lines, "Details: meetup show ID · RSVP: meetup rsvp ID yes|no|maybe")
	return req.Reply(ctx, bot.Reply{Text: strings.Join(lines, "\n")})
}

func (s *Service) cmdShow(ctx context.Context, req *bot.Request) error {
	id, err := parseID(strings.TrimSpace(req.Args))
	if err != nil {
		return toBot(err)
	}
	m, err := s.Get(ctx, id)
	if err != nil {
		return toBot(err)
	}
	head := fmt.Sprintf("**%s** (meetup %d)\n", m.Title, m.ID)
	if m.Status == StatusCancelled {
		head = fmt.Sprintf("**%s** (meetup %d) is CANCELLED", m.Title, m.ID)
		if m.CancelReason != "" {
			head += ": " + m.CancelReason
		}
		head += "\n"
	}
	text := head + s.details(m)
	if m.Status != StatusCancelled {
		text += howToRSVP(req.Msg.Platform, m.ID)
		if r, had, err := getRSVP(ctx, s.db.Read, m.ID, req.Msg.Platform, req.Msg.UserID); err == nil && had {
			text += "\nYour answer: " + r.Answer
			if r.Waitlisted {
				text += " (on the waitlist)"
			}
		}
	}
	return req.Reply(ctx, bot.Reply{Text: text})
}

func (s *Service) cmdEdit(ctx context.Context, req *bot.Request) error {
	f := strings.Fields(req.Args)
	if len(f) < 3 {
		return bot.Usagef("Usage: meetup edit ID FIELD VALUE, for example: meetup edit 3 venue The Lighthouse, Glasgow")
	}
	id, err := parseID(f[0])
	if err != nil {
		return toBot(err)
	}
	value := strings.TrimSpace(strings.SplitN(req.Args, f[1], 2)[1])
	res, err := s.Edit(ctx, id, f[1], value, req.Msg.UserID)
	if err != nil {
		return toBot(err)
	}
	text := fmt.Sprintf("Updated the %s of meetup %d: **%s**\n%s", fieldNames[res.Field], id, res.Meetup.Title, s.details(res.Meetup))
	text += "Telling every announcement channel."
	err = req.Reply(ctx, bot.Reply{Text: text})
	s.Announce(ctx, res)
	return err
}

// Announce sends what an edit queued without waiting for the scheduler,
// and tells anyone it moved off the waitlist; the chat command and the
// web console both call it after Edit, so the announcements are the same.
func (s *Service) Announce(ctx context.Context, res EditResult) {
	s.tellPromoted(ctx, res.Meetup, res.Promoted)
	_ = s.deliverNow(ctx)
}

// DeliverNow sends what Create or Cancel queued without waiting for the
// next scheduler tick; anything that fails is retried by the scheduler.
func (s *Service) DeliverNow(ctx context.Context) { _ = s.deliverNow(ctx) }

func (s *Service) cmdCancel(ctx context.Context, req *bot.Request) error {
	word, rest, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	id, err := parseID(word)
	if err != nil {
		return toBot(err)
	}
	rest = strings.TrimSpace(rest)
	all := false
	if w, r, _ := strings.Cut(rest, " "); strings.EqualFold(w, "series") {
		all, rest = true, strings.TrimSpace(r)
	}
	if len([]rune(rest)) > maxVenue {
		return bot.Usagef("Please keep the reason under %d characters.", maxVenue)
	}
	before, err := s.Get(ctx, id)
	if err != nil {
		return toBot(err)
	}
	m, err := s.Cancel(ctx, id, rest, req.Msg.UserID, all)
	if err != nil {
		return toBot(err)
	}
	text := fmt.Sprintf("Cancelled meetup %d (%s). Telling every announcement channel.", m.ID, m.Title)
	switch {
	case before.Status == StatusCancelled:
		text = fmt.Sprintf("Meetup %d (%s) was already cancelled; now its series won't repeat any more either.", m.ID, m.Title)
	case all && m.SeriesID != 0:
		text += " It won't repeat any more."
	case m.SeriesID != 0:
		text += fmt.Sprintf(" Only this date is cancelled: the meetup still repeats %s, and the next date is announced once this one has passed. "+
			"To stop it repeating: meetup cancel %d series", before.Recurrence, m.ID)
	}
	// Deliver even if the reply failed: the meetup is stored either way.
	err = req.Reply(ctx, bot.Reply{Text: text})
	_ = s.deliverNow(ctx)
	return err
}

// normaliseAnswer reads an RSVP in any form the bot itself offers: the
// words, the button labels (going, maybe, not going) and the emoji that
// platforms without buttons show for them.
func normaliseAnswer(w string) (string, bool) {
	if ans, ok := reactionAnswers[bot.NormaliseEmoji(w)]; ok {
		return ans, true
	}
	switch strings.Join(strings.Fields(strings.ToLower(strings.Trim(w, ".! "))), " ") {
	case "yes", "y", "going", "in":
		return AnswerYes, true
	case "no", "n", "not", "out", "not going", "can't go", "cannot go":
		return AnswerNo, true
	case "maybe", "perhaps", "?":
		return AnswerMaybe, true
	}
	return "", false
}

func (s *Service) cmdRSVP(ctx context.Context, req *bot.Request) error {
	f := strings.Fields(req.Args)
	if len(f) < 2 {
		return bot.Usagef("Usage: meetup rsvp ID yes|no|maybe, for example: meetup rsvp 3 yes")
	}
	id, err := parseID(f[0])
	if err != nil {
		return toBot(err)
	}
	ans, ok := normaliseAnswer(strings.Join(f[1:], " "))
	if !ok {
		return bot.Usagef("Please answer yes, no or maybe (or going, not going, ✅, 🤔, ❌), for example: meetup rsvp %d yes", id)
	}
	res, err := s.RecordRSVP(ctx, id, req.Msg.Platform, req.Msg.UserID, req.Msg.UserName, ans)
	if err != nil {
		return toBot(err)
	}
	if err := req.Reply(ctx, bot.Reply{Text: rsvpText(res)}); err != nil {
		return err
	}
	s.tellPromoted(ctx, res.Meetup, res.Promoted)
	return nil
}

func rsvpText(res RSVPResult) string {
	m := res.Meetup
	switch res.Status {
	case "going":
		return fmt.Sprintf("You're going to **%s** (meetup %d). %d going so far. See you there!", m.Title, m.ID, m.Going)
	case "waitlisted":
		return fmt.Sprintf("**%s** is full (%s), so you're number %d on the waitlist. I'll tell you if a place comes up.",
			m.Title, plural(m.Capacity, "place")[3:], res.Position)
	case AnswerMaybe:
		return fmt.Sprintf("Noted: maybe for **%s** (meetup %d).", m.Title, m.ID)
	case AnswerNo:
		return fmt.Sprintf("Noted: not going to **%s** (meetup %d). Thanks for letting us know.", m.Title, m.ID)
	}
	return fmt.Sprintf("Your RSVP for **%s** is withdrawn.", m.Title)
}

func (s *Service) cmdWho(ctx context.Context, req *bot.Request) error {
	id, err := parseID(strings.TrimSpace(req.Args))
	if err != nil {
		return toBot(err)
	}
	m, err := s.Get(ctx, id)
	if err != nil {
		return toBot(err)
	}
	rs, err := s.Who(ctx, id)
	if err != nil {
		return err
	}
	groups := map[string][]string{}
	for _, r := range rs {
		g := r.Answer
		if r.Answer == AnswerYes && r.Waitlisted {
			g = "waitlist"
		}
		name := r.UserName
		if name == "" || name == r.UserID {
			name = r.UserID
		} else {
			name += " (" + r.UserID + ")"
		}
		groups[g] = append(groups[g], name+" ["+r.Platform+"]")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (meetup %d)\n", m.Title, m.ID)
	for _, g := range []struct{ key, label string }{{AnswerYes, "Going"}, {"waitlist", "Waitlist"}, {AnswerMaybe, "Maybe"}, {AnswerNo, "Not going"}} {
		fmt.Fprintf(&b, "%s (%d): %s\n", g.label, len(groups[g.key]), orNone(strings.Join(groups[g.key], ", ")))
	}
	return req.Reply(ctx, bot.Reply{Text: strings.TrimRight(b.String(), "\n")})
}

func orNone(s string) string {
	if s == "" {
		return "nobody yet"
	}
	return s
}

// handleAction takes an RSVP button press ("<id>:yes").
func (s *Service) handleAction(ctx context.Context, a bot.Action, ad bot.Adapter) error {
	idText, ansText, _ := strings.Cut(a.Value, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	ans, ok := normaliseAnswer(ansText)
	if err != nil || !ok {
		return fmt.Errorf("meetups: bad RSVP button value %q", a.Value)
	}
	res, err := s.RecordRSVP(ctx, id, a.Platform, a.UserID, a.UserName, ans)
	text := ""
	if err != nil {
		err = toBot(err)
		var ue *bot.UsageError
		if !errors.As(err, &ue) {
			return err
		}
		text = ue.Msg
	} else {
		text = rsvpText(res)
		defer s.tellPromoted(ctx, res.Meetup, res.Promoted)
	}
	// The answer goes to the person alone where the platform allows.
	if dm, can := ad.(bot.DirectMessenger); can {
		_, err = dm.SendDirect(ctx, a.UserID, bot.Reply{Text: text})
		return err
	}
	_, err = ad.Send(ctx, bot.Target{RoomID: a.RoomID, ThreadID: a.ThreadID}, bot.Reply{Text: text})
	return err
}

// reactionAnswers are the emoji that count as answers to an announcement
// (adapters hand reactions over as Unicode with skin tones dropped).
var reactionAnswers = map[string]string{
	"👍": AnswerYes, "✅": AnswerYes, "🙋": AnswerYes,
	"👎": AnswerNo, "❌": AnswerNo,
	"🤔": AnswerMaybe, "❓": AnswerMaybe,
}

// handleReaction treats reactions on an announcement as RSVPs. Removing
// the reaction that matches the current answer withdraws it.
func (s *Service) handleReaction(ctx context.Context, r bot.Reaction, ad bot.Adapter) error {
	ans, ok := reactionAnswers[r.Emoji]
	if !ok {
		return nil
	}
	id, found, err := meetupForMessage(ctx, s.db.Read, r.Platform, r.MessageID)
	if err != nil || !found {
		return err
	}
	if r.Removed {
		prev, had, err := getRSVP(ctx, s.db.Read, id, r.Platform, r.UserID)
		if err != nil || !had || prev.Answer != ans {
			return err
		}
		ans = ""
	}
	res, err := s.RecordRSVP(ctx, id, r.Platform, r.UserID, r.UserName, ans)
	if err != nil {
		var ue *bot.UsageError
		if errors.As(err, &ue) {
			s.log.Info("reaction RSVP refused", "meetup", id, "reason", ue.Msg)
			return nil
		}
		return err
	}
	if res.Status == "waitlisted" && res.Changed {
		if dm, can := ad.(bot.DirectMessenger); can {
			_, _ = dm.SendDirect(ctx, r.UserID, bot.Reply{Text: rsvpText(res)})
		}
	}
	s.tellPromoted(ctx, res.Meetup, res.Promoted)
	return nil
}
