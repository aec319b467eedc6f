package shoutouts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/knowledge"
)

// Register adds the shout-out, leaderboard and awards commands.
func (s *Service) Register(b *bot.Bot) {
	b.Register(&bot.Command{
		Name:    "shoutout",
		Aliases: []string{"kudos", "thanks", "shout-out"},
		Usage:   "@person [@person2 ...] for REASON [#category]",
		Summary: "thank someone in the community for good work",
		Help: "Records a shout-out and tells the person. Say what it is for in at least 3 words; add a #category at the end if you like.\n" +
			"Fair-play rules: not to yourself, not the same shout-out twice in 24 hours, and at most a few a day (so each one means something).\n" +
			"Example: shoutout @carol for the snow-day school closures thread #crisis",
		Run: s.cmdGive,
		Subcommands: []*bot.Command{
			{Name: "notifications", Usage: "off|on", Summary: "stop or restart notices when you receive a shout-out", Run: s.cmdNotifications},
			{Name: "retract", Usage: "ID REASON", Summary: "withdraw a shout-out (kept in the audit log)", Role: bot.RoleOrganiser, Run: s.cmdRetract},
			{Name: "promote", Usage: "ID", Summary: "turn a shout-out into a draft case study in the knowledge base", Role: bot.RoleOrganiser, Run: s.cmdPromote},
		},
	})
	b.Register(&bot.Command{
		Name:    "shoutouts",
		Aliases: []string{"leaderboard"},
		Usage:   "[this week|this month|this year] [#category] | for @person",
		Summary: "leaderboard of shout-outs, or one person's shout-outs",
		Help:    "Examples: shoutouts this month · shoutouts this year #crisis · shoutouts for @carol · shoutouts for me",
		Run:     s.cmdBoard,
	})
	b.Register(&bot.Command{
		Name:    "awards",
		Usage:   "[open|close|shortlist] ...",
		Summary: "community awards rounds: list them, or (organisers) open and close one",
		Run:     s.cmdAwards,
		Subcommands: []*bot.Command{
			{Name: "open", Usage: "NAME CATEGORY...", Summary: "open a round for nominations (quote a NAME with spaces)", Role: bot.RoleOrganiser, Run: s.cmdAwardsOpen},
			{Name: "close", Usage: "NAME", Summary: "close a round and post its shortlist", Role: bot.RoleOrganiser, Run: s.cmdAwardsClose},
			{Name: "shortlist", Usage: "NAME", Summary: "show a closed round's shortlist", Run: s.cmdAwardsShortlist},
		},
	})
	b.Register(&bot.Command{
		Name:    "nominate",
		Usage:   "@person for CATEGORY [in ROUND] because REASON",
		Summary: "nominate someone in an open awards round",
		Help:    "Example: nominate @carol for best-thread because her closures thread kept parents informed all day",
		Run:     s.cmdNominate,
	})
}

// sender is who posts notifications: the configured Sender, or the bot
// that is handling the request.
func (s *Service) sender(req *bot.Request) bot.Sender {
	if s.send != nil {
		return s.send
	}
	return req.Bot
}

// calledAs is the command word the person typed ("thanks", "kudos").
func calledAs(req *bot.Request) string {
	f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(req.Msg.Text), "!"))
	if len(f) == 0 {
		return ""
	}
	return strings.ToLower(f[0])
}

// meWords are what people type to mean themselves. Taken as names they
// would record a person called "me", so they resolve to the sender, and
// the no-self-shout-out rule applies.
var meWords = map[string]bool{"me": true, "myself": true}

// resolve turns a mention into a user, "me" and "myself" (with or without
// "@") being the sender.
func resolve(ctx context.Context, req *bot.Request, mention string) (bot.User, error) {
	if meWords[strings.ToLower(strings.TrimPrefix(mention, "@"))] {
		return bot.User{ID: req.Msg.UserID, Name: req.Msg.UserName}, nil
	}
	return req.ResolveUser(ctx, mention)
}

const giveExample = "shoutout @person for what they did [#category]"

func (s *Service) cmdGive(ctx context.Context, req *bot.Request) error {
	p, err := ParseShoutout(req.Args, req.IsMention)
	switch {
	case errors.Is(err, ErrNoRecipient) && calledAs(req) == "thanks":
		return req.Reply(ctx, bot.Reply{Text: "You're welcome! To thank someone in the community, say: thanks @person for what they did"})
	case errors.Is(err, ErrNoRecipient):
		return bot.Usagef("Who is the shout-out for? Try: %s", giveExample)
	case errors.Is(err, ErrNoReason):
		return bot.Usagef("What is the shout-out for? Say it in a few words, e.g. shoutout @carol for the snow-day closures thread")
	case errors.Is(err, ErrTooManyMentions):
		return bot.Usagef("That's a lot of people! One shout-out can name up to %d; please split it up.", MaxRecipients)
	case err != nil:
		return bot.Usagef("Try: %s", giveExample)
	}
	var refused []Refusal
	var people []bot.User
	for _, m := range p.Mentions {
		u, err := resolve(ctx, req, m)
		if err != nil || u.ID == "" {
			refused = append(refused, Refusal{bot.User{ID: m, Name: m}, fmt.Sprintf("I couldn't work out who %q is; please mention them (like @name).", m)})
			continue
		}
		people = append(people, u)
	}
	g := GiveRequest{
		Platform: req.Msg.Platform, RoomID: req.Msg.RoomID, MessageID: req.Msg.ID,
		Giver:      bot.User{ID: req.Msg.UserID, Name: req.Msg.UserName},
		Recipients: people, Reason: p.Reason, Category: p.Category,
	}
	if !req.Msg.Direct {
		g.MentionIn = req.Target()
	}
	res, err := s.Give(ctx, g)
	var re *RefusedError
	if errors.As(err, &re) {
		return req.Reply(ctx, bot.Reply{Text: re.Msg})
	}
	if err != nil {
		return err
	}
	res.Refused = append(refused, res.Refused...)
	if err := req.Reply(ctx, bot.Reply{Text: giveText(res)}); err != nil {
		return err
	}
	ids := make([]int64, len(res.Recorded))
	for i, sh := range res.Recorded {
		ids[i] = sh.ID
	}
	s.deliverNotices(ctx, s.sender(req), ids)
	return nil
}

// giveText acknowledges what was recorded and says why anything was not.
func giveText(res GiveResult) string {
	var b strings.Builder
	if len(res.Recorded) > 0 {
		parts := make([]string, len(res.Recorded))
		for i, sh := range res.Recorded {
			parts[i] = fmt.Sprintf("%s (#%d)", sh.RecipientName, sh.ID)
		}
		sh := res.Recorded[0]
		fmt.Fprintf(&b, "Shout-out recorded for %s: \"%s\"%s. Thank you for recognising good work!", joinAnd(parts), sh.Reason, categorySuffix(sh.Category))
	}
	if res.Blocked != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(res.Blocked)
	}
	for _, r := range res.Refused {
		if res.Blocked != "" && r.Why == "daily limit reached" {
			continue // already explained above
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if len(res.Recorded) == 0 && len(res.Refused) == 1 && res.Blocked == "" {
			b.WriteString(r.Why)
		} else {
			fmt.Fprintf(&b, "Not recorded for %s: %s", r.Recipient.Name, r.Why)
		}
	}
	if b.Len() == 0 {
		return "I didn't record anything: no one to give it to. Try: " + giveExample
	}
	return b.String()
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func (s *Service) cmdNotifications(ctx context.Context, req *bot.Request) error {
	switch strings.ToLower(strings.TrimSpace(req.Args)) {
	case "off", "stop", "no":
		if err := s.SetNotifications(ctx, req.Msg.Platform, req.Msg.UserID, false); err != nil {
			return err
		}
		return req.Reply(ctx, bot.Reply{Text: "Done: I won't tell you when you receive a shout-out. They are still recorded; say shoutout notifications on to hear about them again."})
	case "on", "start", "yes":
		if err := s.SetNotifications(ctx, req.Msg.Platform, req.Msg.UserID, true); err != nil {
			return err
		}
		return req.Reply(ctx, bot.Reply{Text: "Done: I'll tell you when you receive a shout-out."})
	case "":
		off, err := s.OptedOut(ctx, req.Msg.Platform, req.Msg.UserID)
		if err != nil {
			return err
		}
		state := "on"
		if off {
			state = "off"
		}
		return req.Reply(ctx, bot.Reply{Text: "Shout-out notifications are " + state + " for you. Change with: shoutout notifications off|on"})
	}
	return bot.Usagef("Usage: shoutout notifications off|on")
}

// parseID reads "12" or "#12".
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Service) cmdRetract(ctx context.Context, req *bot.Request) error {
	f := strings.Fields(req.Args)
	if len(f) == 0 {
		return bot.Usagef("Usage: shoutout retract ID REASON (the reason goes in the audit log)")
	}
	id, ok := parseID(f[0])
	if !ok {
		return bot.Usagef("%q is not a shout-out number. Usage: shoutout retract ID REASON", f[0])
	}
	reason := strings.TrimSpace(strings.Join(f[1:], " "))
	if reason == "" {
		return bot.Usagef("Please give a reason for retracting #%d; it goes in the audit log. Usage: shoutout retract ID REASON", id)
	}
	sh, err := s.Retract(ctx, id, req.Msg.UserID, reason)
	switch {
	case errors.Is(err, ErrNotFound):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("There is no shout-out #%d.", id)})
	case errors.Is(err, ErrAlreadyRetracted):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Shout-out #%d was already retracted on %s by %s.", id, sh.RetractedAt.In(s.loc).Format("2 Jan 2006"), sh.RetractedBy)})
	case err != nil:
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Retracted shout-out #%d (to %s from %s). It no longer counts on leaderboards; the record and your reason are kept in the audit log.", id, sh.RecipientName, sh.GiverName)})
}

func (s *Service) cmdPromote(ctx context.Context, req *bot.Request) error {
	id, ok := parseID(req.Args)
	if !ok {
		return bot.Usagef("Usage: shoutout promote ID (the number shown when the shout-out was recorded)")
	}
	path, err := s.Promote(ctx, id, req.Msg.UserID)
	var unrecorded *UnrecordedError
	switch {
	case errors.As(err, &unrecorded):
		s.log.Error("shoutout promote: audit record failed", "shoutout", id, "path", unrecorded.Path, "file_kept", unrecorded.Kept, "err", unrecorded.Err)
		if unrecorded.Kept {
			return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("I wrote the draft case study to %s, but could not record that in the audit log, and could not remove the file again. "+
				"It is a draft, so it is not answered from. Please tell whoever runs Bothy: the details are in its log.", unrecorded.Path)})
		}
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("I could not record the promotion of shout-out #%d in the audit log, so I removed the draft case study again: nothing has changed. "+
			"Please try again later; if it keeps failing, tell whoever runs Bothy (the details are in its log).", id)})
	case errors.Is(err, ErrNoKnowledgeDir):
		return req.Reply(ctx, bot.Reply{Text: "I can't write the case study yet. " + knowledge.SetUpFolderHelp})
	case errors.Is(err, ErrNotFound):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("There is no shout-out #%d.", id)})
	case errors.Is(err, ErrAlreadyRetracted):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Shout-out #%d was retracted, so I won't turn it into a case study.", id)})
	case errors.Is(err, ErrAlreadyPromoted):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Shout-out #%d has already been promoted: %s", id, path)})
	case err != nil:
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Draft case study written to %s. It is not answered from yet: please check it with the people involved, "+
		"fill in the gaps, remove the draft note, then say kb publish case-study-shoutout-%d.", path, id)})
}

// ReceivedListSize is how many shout-outs "shoutouts for" lists.
const ReceivedListSize = 15

func (s *Service) cmdBoard(ctx context.Context, req *bot.Request) error {
	args := strings.TrimSpace(req.Args)
	if w, rest, _ := strings.Cut(args, " "); strings.EqualFold(w, "for") {
		return s.cmdFor(ctx, req, strings.TrimSpace(rest))
	}
	var cat string
	var words []string
	for _, w := range strings.Fields(args) {
		if c, ok := categoryWord(w); ok {
			cat = c
			continue
		}
		words = append(words, w)
	}
	p, err := ParsePeriod(strings.Join(words, " "))
	if err != nil {
		return bot.Usagef("%v. Usage: shoutouts [this week|this month|this year] [#category], or shoutouts for @person", err)
	}
	b, err := s.Leaderboard(ctx, p, cat)
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: b.Text()})
}

func (s *Service) cmdFor(ctx context.Context, req *bot.Request, who string) error {
	if who == "" {
		return bot.Usagef("Whose shout-outs? Try: shoutouts for @person (or shoutouts for me)")
	}
	mention := strings.Fields(who)[0]
	u, err := resolve(ctx, req, mention)
	if err != nil || u.ID == "" {
		return bot.Usagef("I couldn't work out who %q is; please mention them (like @name).", who)
	}
	list, err := s.Received(ctx, u.ID, ReceivedListSize)
	if err != nil {
		return err
	}
	name := nameOr(u)
	switch {
	case len(list) == 0 && u.ID == req.Msg.UserID:
		// Not "shoutout me": that is refused; thanking others is the way.
		return req.Reply(ctx, bot.Reply{Text: "You haven't received any shout-outs yet. Why not thank someone whose work helped you? shoutout @person for ..."})
	case len(list) == 0:
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("%s hasn't received any shout-outs yet. Why not give one? shoutout %s for ...", name, mention)})
	}
	_, total, err := s.receivedCount(ctx, u.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has received %s", name, plural(total, "shout-out", "shout-outs"))
	if total > len(list) {
		fmt.Fprintf(&b, " (latest %d)", len(list))
	}
	b.WriteString(":\n")
	for _, sh := range list {
		fmt.Fprintf(&b, "#%d %s from %s: %s%s\n", sh.ID, sh.CreatedAt.In(s.loc).Format("2 Jan 2006"), sh.GiverName, sh.Reason, categorySuffix(sh.Category))
	}
	return req.Reply(ctx, bot.Reply{Text: strings.TrimRight(b.String(), "\n")})
}

// receivedCount counts standing shout-outs given by and to a person.
func (s *Service) receivedCount(ctx context.Context, userID string) (given, received int, err error) {
	err = s.db.Read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM shoutouts WHERE giver_id = ?1 AND retracted_at = ''),
		(SELECT count(*) FROM shoutouts WHERE recipient_id = ?1 AND retracted_at = '')`, userID).Scan(&given, &received)
	if err != nil {
		return 0, 0, fmt.Errorf("shoutouts: counts for %s: %w", userID, err)
	}
	return given, received, nil
}

func (s *Service) cmdAwards(ctx context.Context, req *bot.Request) error {
	if strings.TrimSpace(req.Args) != "" {
		return bot.Usagef("Unknown awards command %q. Try: awards, awards shortlist NAME, or (organisers) awards open NAME CATEGORY... / awards close NAME", strings.Fields(req.Args)[0])
	}
	rounds, err := s.Rounds(ctx)
	if err != nil {
		return err
	}
	if len(rounds) == 0 {
		return req.Reply(ctx, bot.Reply{Text: "There are no awards rounds yet. Organisers can open one with: awards open NAME CATEGORY..."})
	}
	var b strings.Builder
	for _, r := range rounds {
		if r.Open() {
			fmt.Fprintf(&b, "Open: %s, categories %s. Nominate with: nominate @person for CATEGORY because REASON\n", r.Name, hashList(r.Categories))
		} else {
			fmt.Fprintf(&b, "Closed %s: %s (see: awards shortlist %s)\n", r.ClosedAt.In(s.loc).Format("2 Jan 2006"), r.Name, quoteName(r.Name))
		}
	}
	return req.Reply(ctx, bot.Reply{Text: strings.TrimRight(b.String(), "\n")})
}

func hashList(cats []string) string {
	out := make([]string, len(cats))
	for i, c := range cats {
		out[i] = "#" + c
	}
	return strings.Join(out, ", ")
}

func (s *Service) cmdAwardsOpen(ctx context.Context, req *bot.Request) error {
	name, rest := splitName(req.Args)
	if name == "" {
		return bot.Usagef("Usage: awards open NAME CATEGORY... (for example: awards open 2026 best-thread crisis-comms)")
	}
	r, err := s.OpenRound(ctx, name, strings.Fields(rest), req.Msg.UserID)
	var re *RefusedError
	if errors.As(err, &re) {
		return req.Reply(ctx, bot.Reply{Text: re.Msg})
	}
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("The %s awards round is open for nominations in %s. Members nominate with: nominate @person for CATEGORY because REASON", r.Name, hashList(r.Categories))})
}

func (s *Service) cmdAwardsClose(ctx context.Context, req *bot.Request) error {
	name, _ := splitName(req.Args)
	if name == "" {
		return bot.Usagef("Usage: awards close NAME")
	}
	r, sl, err := s.CloseRound(ctx, name, req.Msg.UserID)
	var re *RefusedError
	if errors.As(err, &re) {
		return req.Reply(ctx, bot.Reply{Text: re.Msg})
	}
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: "Nominations are closed. " + ShortlistText(r, sl)})
}

func (s *Service) cmdAwardsShortlist(ctx context.Context, req *bot.Request) error {
	name, _ := splitName(req.Args)
	if name == "" {
		return bot.Usagef("Usage: awards shortlist NAME")
	}
	r, err := s.Round(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("There is no awards round called %q. Type awards to see the rounds.", name)})
	}
	if err != nil {
		return err
	}
	if r.Open() {
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("The %s round is still open; its shortlist is made when an organiser closes it.", r.Name)})
	}
	sl, err := s.Shortlist(ctx, r)
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: ShortlistText(r, sl)})
}

func (s *Service) cmdNominate(ctx context.Context, req *bot.Request) error {
	p, ok := ParseNomination(req.Args, req.IsMention)
	if !ok {
		return bot.Usagef("Usage: nominate @person for CATEGORY [in ROUND] because REASON (type awards to see the open rounds)")
	}
	if len(p.Mentions) > 1 {
		// Each nominee gets their own reason on the shortlist, so one
		// nomination names one person.
		in := ""
		if p.Round != "" {
			in = " in " + quoteName(p.Round)
		}
		tries := make([]string, len(p.Mentions))
		for i, m := range p.Mentions {
			tries[i] = fmt.Sprintf("nominate %s for %s%s because ...", m, p.Category, in)
		}
		return bot.Usagef("One person per nomination, please: %s", strings.Join(tries, ", then "))
	}
	u, err := resolve(ctx, req, p.Mention)
	if err != nil || u.ID == "" {
		return bot.Usagef("I couldn't work out who %q is; please mention them (like @name).", p.Mention)
	}
	n, err := s.Nominate(ctx, NominateRequest{
		Platform: req.Msg.Platform, Nominator: bot.User{ID: req.Msg.UserID, Name: req.Msg.UserName},
		Nominee: u, Category: p.Category, Round: p.Round, Reason: p.Reason,
	})
	var re *RefusedError
	if errors.As(err, &re) {
		return req.Reply(ctx, bot.Reply{Text: re.Msg})
	}
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Thank you! Nomination recorded: %s for #%s in %s (nomination %d).", n.NomineeName, n.Category, n.Round, n.ID)})
}
