package shoutouts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
)

// ErrRoundExists is returned when opening a round whose name is taken.
var ErrRoundExists = errors.New("an awards round with that name already exists")

// normCategory folds a category as typed ("#Best-Thread,") to its key.
func normCategory(c string) string {
	c = strings.TrimSpace(c)
	c = strings.TrimPrefix(c, "#")
	c = strings.TrimRight(c, ".,;:!?")
	return strings.ToLower(c)
}

// OpenRound starts an awards round with its categories.
func (s *Service) OpenRound(ctx context.Context, name string, categories []string, actor string) (Round, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Round{}, refusedf("Please give the round a name, then its categories: awards open NAME CATEGORY...")
	}
	r := Round{Name: name, OpenedBy: actor, OpenedAt: s.now()}
	seen := map[string]bool{}
	for _, c := range categories {
		for _, part := range strings.Split(c, ",") {
			k := normCategory(part)
			if k != "" && !seen[k] {
				seen[k] = true
				r.Categories = append(r.Categories, k)
			}
		}
	}
	if len(r.Categories) == 0 {
		return r, refusedf("An awards round needs at least one category: awards open %s CATEGORY...", quoteName(name))
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		id, err := insertRound(ctx, tx, r)
		if err != nil {
			return err
		}
		r.ID = id
		return store.AuditIn(ctx, tx, actor, "awards.open", "awards:"+name, strings.Join(r.Categories, ", "))
	})
	if errors.Is(err, ErrRoundExists) {
		return r, refusedf("There is already an awards round called %q; choose another name.", name)
	}
	if err != nil {
		return r, fmt.Errorf("shoutouts: open round: %w", err)
	}
	return r, nil
}

// Rounds lists every round, open ones first, newest first within each.
func (s *Service) Rounds(ctx context.Context) ([]Round, error) {
	out, err := listRounds(ctx, s.db.Read, "ORDER BY closed_at != '', id DESC")
	if err != nil {
		return nil, fmt.Errorf("shoutouts: rounds: %w", err)
	}
	return out, nil
}

// Round finds a round by name (case-insensitive).
func (s *Service) Round(ctx context.Context, name string) (Round, error) {
	r, err := roundByName(ctx, s.db.Read, strings.TrimSpace(name))
	if err != nil {
		return r, fmt.Errorf("shoutouts: round %q: %w", name, err)
	}
	return r, nil
}

// CloseRound ends a round and returns its shortlist.
func (s *Service) CloseRound(ctx context.Context, name, actor string) (Round, []Shortlist, error) {
	r, err := roundByName(ctx, s.db.Read, strings.TrimSpace(name))
	if errors.Is(err, ErrNotFound) {
		return r, nil, refusedf("There is no awards round called %q. Type awards to see the rounds.", name)
	}
	if err != nil {
		return r, nil, fmt.Errorf("shoutouts: close round: %w", err)
	}
	if !r.Open() {
		return r, nil, refusedf("The %s round is already closed. Type awards shortlist %s to see its shortlist.", r.Name, quoteName(r.Name))
	}
	now := s.now()
	closed := false
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if closed, err = closeRound(ctx, tx, r.ID, actor, now); err != nil || !closed {
			return err
		}
		// The shortlist has one list per category.
		return store.AuditIn(ctx, tx, actor, "awards.close", "awards:"+r.Name, fmt.Sprintf("%d categories", len(r.Categories)))
	})
	if err != nil {
		return r, nil, fmt.Errorf("shoutouts: close round: %w", err)
	}
	if !closed {
		return r, nil, refusedf("The %s round is already closed.", r.Name)
	}
	r.ClosedBy, r.ClosedAt = actor, now
	sl, err := s.Shortlist(ctx, r)
	if err != nil {
		return r, nil, err
	}
	return r, sl, nil
}

// ShortlistSize is how many places each category's shortlist has; people
// tied on the last place are all included.
const ShortlistSize = 3

// Shortlist is one category's leading nominees.
type Shortlist struct {
	Category string
	Entries  []ShortlistEntry
}

// ShortlistEntry is one nominee on a shortlist.
type ShortlistEntry struct {
	NomineeID   string
	NomineeName string
	// Nominators counts distinct people who nominated them.
	Nominators int
	Reasons    []string
}

// Shortlist ranks each category's nominees by how many different people
// nominated them (earlier first nomination breaks ties).
func (s *Service) Shortlist(ctx context.Context, r Round) ([]Shortlist, error) {
	noms, err := queryNominations(ctx, s.db.Read, "WHERE n.round_id = ? ORDER BY n.id", r.ID)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: shortlist: %w", err)
	}
	type acc struct {
		entry ShortlistEntry
		first int
		by    map[string]bool
	}
	byCat := map[string]map[string]*acc{}
	for i, n := range noms {
		m := byCat[n.Category]
		if m == nil {
			m = map[string]*acc{}
			byCat[n.Category] = m
		}
		a := m[n.NomineeID]
		if a == nil {
			a = &acc{entry: ShortlistEntry{NomineeID: n.NomineeID}, first: i, by: map[string]bool{}}
			m[n.NomineeID] = a
		}
		a.entry.NomineeName = n.NomineeName
		a.by[n.NominatorID] = true
		a.entry.Reasons = append(a.entry.Reasons, n.Reason)
	}
	var out []Shortlist
	for _, c := range r.Categories {
		sl := Shortlist{Category: c}
		var all []*acc
		for _, a := range byCat[c] {
			a.entry.Nominators = len(a.by)
			all = append(all, a)
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].entry.Nominators != all[j].entry.Nominators {
				return all[i].entry.Nominators > all[j].entry.Nominators
			}
			return all[i].first < all[j].first
		})
		for i, a := range all {
			if i >= ShortlistSize && a.entry.Nominators < all[ShortlistSize-1].entry.Nominators {
				break
			}
			sl.Entries = append(sl.Entries, a.entry)
		}
		out = append(out, sl)
	}
	return out, nil
}

// NominateRequest is a nomination as typed, with people resolved.
type NominateRequest struct {
	Platform  string
	Nominator bot.User
	Nominee   bot.User
	Category  string
	// Round names the round when several open rounds share a category.
	Round  string
	Reason string
}

// Nominate records a nomination in an open round, with the same fairness
// rules as shout-outs: not yourself, a real reason, no repeats.
func (s *Service) Nominate(ctx context.Context, n NominateRequest) (Nomination, error) {
	cat := normCategory(n.Category)
	if n.Nominee.ID == n.Nominator.ID {
		return Nomination{}, refusedf("You can't nominate yourself; ask a colleague who knows your work to nominate you!")
	}
	if CountWords(n.Reason) < MinReasonWords {
		return Nomination{}, refusedf("Please say why in at least %d words, so the judges know: nominate @person for CATEGORY because REASON", MinReasonWords)
	}
	rounds, err := listRounds(ctx, s.db.Read, "WHERE closed_at = '' ORDER BY id")
	if err != nil {
		return Nomination{}, fmt.Errorf("shoutouts: nominate: %w", err)
	}
	if len(rounds) == 0 {
		return Nomination{}, refusedf("No awards round is open right now, so I can't take nominations. Organisers open one with: awards open NAME CATEGORY...")
	}
	var match []Round
	for _, r := range rounds {
		if n.Round != "" && !strings.EqualFold(r.Name, strings.TrimSpace(n.Round)) {
			continue
		}
		if r.HasCategory(cat) {
			match = append(match, r)
		}
	}
	switch {
	case len(match) == 0 && n.Round != "":
		return Nomination{}, refusedf("No open awards round called %q has a category %q. Type awards to see the open rounds and their categories.", n.Round, cat)
	case len(match) == 0:
		var list []string
		for _, r := range rounds {
			list = append(list, fmt.Sprintf("%s: %s", r.Name, strings.Join(r.Categories, ", ")))
		}
		return Nomination{}, refusedf("%q isn't a category in any open awards round. Open rounds and categories: %s.", cat, strings.Join(list, "; "))
	case len(match) > 1:
		names := make([]string, len(match))
		for i, r := range match {
			names[i] = r.Name
		}
		return Nomination{}, refusedf("More than one open round has the category %q (%s); say which: nominate @person for %s in ROUND because REASON", cat, strings.Join(names, ", "), cat)
	}
	r := match[0]
	nom := Nomination{
		RoundID: r.ID, Round: r.Name, Category: cat, NomineeID: n.Nominee.ID, NomineeName: nameOr(n.Nominee),
		NominatorID: n.Nominator.ID, NominatorName: nameOr(n.Nominator), Reason: strings.TrimSpace(n.Reason),
		Platform: n.Platform, CreatedAt: s.now(),
	}
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nom, fmt.Errorf("shoutouts: nominate: %w", err)
	}
	defer tx.Rollback()
	dup, err := nominationExists(ctx, tx, r.ID, cat, nom.NomineeID, nom.NominatorID)
	if err != nil {
		return nom, fmt.Errorf("shoutouts: nominate: %w", err)
	}
	if dup {
		return nom, refusedf("You have already nominated %s for %s in %s; one nomination each is enough.", nom.NomineeName, cat, r.Name)
	}
	if nom.ID, err = insertNomination(ctx, tx, nom); err != nil {
		return nom, fmt.Errorf("shoutouts: nominate: save: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nom, fmt.Errorf("shoutouts: nominate: commit: %w", err)
	}
	return nom, nil
}

// ParsedNomination is "@person for CATEGORY [in ROUND] because REASON".
type ParsedNomination struct {
	// Mention is the person as typed. Mentions has everyone named before
	// "for": more than one is a mistake to explain, since a nomination is
	// for one person.
	Mention  string
	Mentions []string
	Category string
	Round    string
	Reason   string
}

// ParseNomination reads a nominate command's arguments. isMention says
// which words name someone (see ParseShoutout); nil means "@name".
func ParseNomination(args string, isMention func(word string) bool) (ParsedNomination, bool) {
	if isMention == nil {
		isMention = func(w string) bool { return strings.HasPrefix(w, "@") }
	}
	var p ParsedNomination
	words := strings.Fields(args)
	because, forAt := -1, -1
	for i, w := range words {
		if forAt < 0 && strings.EqualFold(w, "for") {
			forAt = i
		}
		if strings.EqualFold(w, "because") {
			because = i
			break
		}
	}
	if forAt < 1 || because < 0 || because < forAt+2 {
		return p, false
	}
	p.Mentions = splitPeople(words[:forAt], isMention)
	if len(p.Mentions) == 0 {
		return p, false
	}
	p.Mention = p.Mentions[0]
	mid := words[forAt+1 : because]
	p.Category = normCategory(mid[0])
	if len(mid) > 2 && strings.EqualFold(mid[1], "in") {
		p.Round = strings.Trim(strings.Join(mid[2:], " "), doubleQuotes+singleQuotes)
	} else if len(mid) > 1 {
		return p, false
	}
	p.Reason = strings.Join(words[because+1:], " ")
	return p, p.Category != "" && p.Reason != ""
}

// splitPeople groups the words naming people: each mention starts a
// person, as does a word after "and" or a comma; other words belong to
// the person before them (a console name typed without "@").
func splitPeople(words []string, isMention func(string) bool) []string {
	var people []string
	next := true
	for _, w := range words {
		for i, part := range strings.Split(w, ",") {
			if i > 0 {
				next = true
			}
			part = strings.TrimRight(part, ";:!.")
			if part == "" {
				continue
			}
			if isJoiner(part) {
				next = true
				continue
			}
			if next || isMention(part) {
				people = append(people, part)
			} else {
				people[len(people)-1] += " " + part
			}
			next = false
		}
	}
	return people
}

// splitName takes a round name off the front of args: one word, or a name
// in double or single quotes, straight or curly (phones type “ ” and ‘ ’,
// and may close with a straight quote).
func splitName(args string) (name, rest string) {
	args = strings.TrimSpace(args)
	first, size := utf8.DecodeRuneInString(args)
	var closers string
	switch {
	case strings.ContainsRune(doubleQuotes, first):
		closers = doubleQuotes
	case strings.ContainsRune(singleQuotes, first):
		closers = singleQuotes
	}
	if closers != "" {
		body := args[size:]
		// The closing quote ends a word, so an apostrophe inside one
		// ('Sam's picks') does not end the name.
		for i, r := range body {
			if !strings.ContainsRune(closers, r) {
				continue
			}
			after := body[i+utf8.RuneLen(r):]
			if next, _ := utf8.DecodeRuneInString(after); after == "" || unicode.IsSpace(next) {
				return strings.TrimSpace(body[:i]), strings.TrimSpace(after)
			}
		}
		return strings.TrimSpace(body), ""
	}
	f := strings.Fields(args)
	if len(f) == 0 {
		return "", ""
	}
	return f[0], strings.TrimSpace(strings.TrimPrefix(args, f[0]))
}

// The quotes a round name may be written in.
const (
	doubleQuotes = "\"“”"
	singleQuotes = "'‘’"
)

func quoteName(n string) string {
	if strings.ContainsAny(n, " \t") {
		return `"` + n + `"`
	}
	return n
}

// ShortlistText renders shortlists for chat.
func ShortlistText(r Round, sl []Shortlist) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Shortlist for %s:\n", r.Name)
	for _, c := range sl {
		fmt.Fprintf(&b, "#%s\n", c.Category)
		if len(c.Entries) == 0 {
			b.WriteString("  no nominations\n")
			continue
		}
		for i, e := range c.Entries {
			fmt.Fprintf(&b, "  %d. %s (%s)", i+1, e.NomineeName, plural(e.Nominators, "nomination", "nominations"))
			if len(e.Reasons) > 0 {
				fmt.Fprintf(&b, ": \"%s\"", e.Reasons[0])
			}
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
