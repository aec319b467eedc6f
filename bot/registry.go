package bot

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strings"
)

// Role is what a command needs of the person calling it.
type Role int

const (
	// RoleMember is anyone in the community.
	RoleMember Role = iota
	// RoleOrganiser is someone on the configured organiser list (or with
	// the platform's equivalent, such as a Matrix power level).
	RoleOrganiser
)

func (r Role) String() string {
	if r == RoleOrganiser {
		return "organiser"
	}
	return "member"
}

// Handler runs a command.
type Handler func(ctx context.Context, req *Request) error

// Command is one entry in the registry: the data help is generated from.
type Command struct {
	// Name is what people type (without the ! prefix).
	Name    string
	Aliases []string
	// Usage is the one-line synopsis after the name, e.g. "QUESTION".
	Usage string
	// Summary is one line for the help list.
	Summary string
	// Help is the longer text shown by "help NAME".
	Help string
	Role Role
	Run  Handler
	// AnswersEdits runs the command again when the message that called it
	// is edited (its reply is then edited in place). Only for commands
	// that just answer, such as ask: running one that changes something
	// (adding a meetup, giving a shout-out) twice would do it twice.
	AnswersEdits bool
	// Subcommands are nested commands ("meetup add", "kb gaps"); a command
	// may have both Run (for no or unknown subcommand) and Subcommands.
	Subcommands []*Command
}

// ErrUnknownCommand is returned by Lookup for a name nobody registered.
var ErrUnknownCommand = errors.New("unknown command")

// Registry holds commands by name and alias.
type Registry struct {
	byName map[string]*Command
	order  []*Command
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]*Command{}}
}

// Register adds a command. A duplicate name or alias is a programming error
// and panics at start-up, as database/sql does for drivers.
func (r *Registry) Register(c *Command) {
	if c == nil || c.Name == "" {
		panic("bot: Register: command without a name")
	}
	if c.Run == nil && len(c.Subcommands) == 0 {
		panic("bot: Register: command " + c.Name + " has no handler")
	}
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		key := strings.ToLower(n)
		if prev, dup := r.byName[key]; dup {
			panic(fmt.Sprintf("bot: Register: %q already registered by command %q", n, prev.Name))
		}
		r.byName[key] = c
	}
	r.order = append(r.order, c)
}

// Lookup finds a command by name or alias, case-insensitively.
func (r *Registry) Lookup(name string) (*Command, error) {
	c, ok := r.byName[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownCommand, name)
	}
	return c, nil
}

// Commands returns the registered commands sorted by name.
func (r *Registry) Commands() []*Command {
	out := append([]*Command(nil), r.order...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Suggest returns the registered names closest to name (edit distance at
// most 2, or a shared prefix), best first.
func (r *Registry) Suggest(name string) []string {
	return nearest(name, func(yield func(n, canonical string) bool) {
		for n, c := range r.byName {
			if !yield(n, c.Name) {
				return
			}
		}
	})
}

// suggestSub is Suggest among c's subcommands.
func (c *Command) suggestSub(name string) []string {
	return nearest(name, func(yield func(n, canonical string) bool) {
		for _, s := range c.Subcommands {
			if !yield(s.Name, s.Name) {
				return
			}
			for _, a := range s.Aliases {
				if !yield(strings.ToLower(a), s.Name) {
					return
				}
			}
		}
	})
}

// nearest ranks the canonical names of the names close to name (edit
// distance at most 2, or a shared prefix; an alias only within one edit),
// best first, each once.
func nearest(name string, names iter.Seq2[string, string]) []string {
	name = strings.ToLower(name)
	type cand struct {
		n string
		d int
	}
	var cs []cand
	for n, canonical := range names {
		d := EditDistance(name, n)
		if d <= 2 || (len(name) >= 3 && strings.HasPrefix(n, name)) {
			if n != canonical && d > 1 {
				continue // aliases only when very close
			}
			cs = append(cs, cand{canonical, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].n < cs[j].n
	})
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		if !seen[c.n] {
			seen[c.n] = true
			out = append(out, c.n)
		}
	}
	return out
}

// HelpText renders the command list, or details for one command (possibly
// "meetup add"). organiser says whether organiser-only commands are shown
// as usable or marked.
func (r *Registry) HelpText(topic string, organiser bool) (string, error) {
	topic = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(topic), "!"))
	if topic == "" {
		var b strings.Builder
		b.WriteString("Commands (prefix with ! in a room, or mention me):\n")
		for _, c := range r.Commands() {
			// No column padding: chat clients use proportional fonts, and
			// long usages would push a padded column out of line anyway.
			b.WriteString("  " + c.Name)
			if c.Usage != "" {
				b.WriteString(" " + c.Usage)
			}
			b.WriteString(" — " + c.Summary)
			if c.Role == RoleOrganiser {
				b.WriteString(" (organisers)")
			}
			b.WriteString("\n")
		}
		b.WriteString("Type help COMMAND for details. In a direct message, anything that is not a command is taken as a question.")
		return b.String(), nil
	}
	words := strings.Fields(topic)
	c, err := r.Lookup(words[0])
	if err != nil {
		return "", err
	}
	path := c.Name
	for _, w := range words[1:] {
		sub := c.sub(w)
		if sub == nil {
			break
		}
		c, path = sub, path+" "+sub.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", path, c.Usage)
	if c.Summary != "" {
		b.WriteString(c.Summary + "\n")
	}
	if c.Help != "" {
		b.WriteString(strings.TrimSpace(c.Help) + "\n")
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, "Also: %s\n", strings.Join(c.Aliases, ", "))
	}
	if c.Role == RoleOrganiser {
		b.WriteString("For organisers only.\n")
	}
	for _, s := range c.Subcommands {
		b.WriteString("  " + path + " " + s.Name)
		if s.Usage != "" {
			b.WriteString(" " + s.Usage)
		}
		b.WriteString(" — " + s.Summary)
		if s.Role == RoleOrganiser && c.Role != RoleOrganiser {
			b.WriteString(" (organisers)")
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (c *Command) sub(name string) *Command {
	name = strings.ToLower(name)
	for _, s := range c.Subcommands {
		if s.Name == name {
			return s
		}
		for _, a := range s.Aliases {
			if strings.ToLower(a) == name {
				return s
			}
		}
	}
	return nil
}

// EditDistance counts the slips between two short strings: a letter
// inserted, left out, changed, or two neighbouring letters swapped each
// count one (the optimal string alignment distance, so "lsit" is one slip
// from "list" where Levenshtein counts two).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: the one before last is needed for swaps.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Mistyped reads a message that was taken as a question as a mistyped
// command, when it plainly is one: its first word is one slip from a
// command of four letters or more, and what follows is one of that
// command's subcommands ("metup list") or starts with a mention
// ("shoutot @bob for..."). It returns what was meant, "" for a question.
func (r *Registry) Mistyped(text string) string {
	words := strings.Fields(text)
	if len(words) < 2 || len(words[0]) < 4 {
		return ""
	}
	first := strings.ToLower(words[0])
	for n, c := range r.byName {
		if len(n) < 4 || EditDistance(first, n) != 1 {
			continue
		}
		if strings.HasPrefix(words[1], "@") || c.sub(words[1]) != nil {
			return c.Name + " " + strings.Join(words[1:], " ")
		}
	}
	return ""
}
