// Package console is the default adapter: a chat with the bot in the
// terminal. With a terminal it offers line editing and history; with stdin
// from a pipe or file it reads one message per line and writes replies to
// stdout, so it can be scripted.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peterh/liner"

	"github.com/bothy-chat/bothy/bot"
)

// Name is the platform name of console messages.
const Name = "console"

var (
	_ bot.Adapter          = (*Adapter)(nil)
	_ bot.DirectMessenger  = (*Adapter)(nil)
	_ bot.UserResolver     = (*Adapter)(nil)
	_ bot.Announcer        = (*Adapter)(nil)
	_ bot.OrganiserChecker = (*Adapter)(nil)
)

// UserID is the stable ID of a console name. Names are typed, so "Bob"
// and "bob" are one person: the ID is the name in lower case, and the
// name as typed is kept for display.
func UserID(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// Options configure the console.
type Options struct {
	In  io.Reader
	Out io.Writer
	// User is the name of who is speaking; their ID is UserID(User).
	User string
	// Organisers are names with the organiser role, in any case (the
	// configured list is matched exactly, and console IDs are folded).
	Organisers []string
	// Interactive turns on the line editor; set it when In is a terminal.
	Interactive bool
	Logger      *slog.Logger
}

// Adapter is the console chat.
type Adapter struct {
	opts Options
	log  *slog.Logger
	mu   sync.Mutex // serialises writes to Out
	seq  int
	// prompting is true while the line editor shows "you> " and waits
	// for a line: output then has to clear the prompt line first and have
	// the editor draw it again after.
	prompting atomic.Bool
	// redraw makes the line editor draw its prompt and what has been
	// typed so far again (see redrawPrompt).
	redraw func()
	// pressable are the buttons of the last reply that had any, which the
	// next line typed can press by label or emoji (under mu).
	pressable pressable
}

// pressable is a reply's buttons as the console offers them.
type pressable struct {
	ref     bot.MessageRef
	buttons []bot.Button
	emoji   []string
}

// New returns a console adapter.
func New(opts Options) *Adapter {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Adapter{opts: opts, log: opts.Logger.With("component", "console"), redraw: redrawPrompt}
}

// Name returns "console".
func (a *Adapter) Name() string { return Name }

// Announce is the console itself: announcements are printed there.
func (a *Adapter) Announce() []string { return []string{Name} }

// Run reads messages until end of input or ctx is cancelled. Each message
// is handled before the next is read, so replies keep the input's order.
func (a *Adapter) Run(ctx context.Context, events chan<- bot.Event) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	var prompt func() (string, error)
	if a.opts.Interactive {
		ln := liner.NewLiner()
		defer ln.Close()
		ln.SetCtrlCAborts(true)
		prompt = func() (string, error) {
			a.prompting.Store(true)
			s, err := ln.Prompt("you> ")
			a.prompting.Store(false)
			if err == nil && strings.TrimSpace(s) != "" {
				ln.AppendHistory(s)
			}
			if errors.Is(err, liner.ErrPromptAborted) {
				return "", io.EOF
			}
			return s, err
		}
	} else {
		r := bufio.NewReaderSize(a.opts.In, 64*1024)
		prompt = func() (string, error) {
			s, err := r.ReadString('\n')
			if err == io.EOF && s != "" {
				return s, nil
			}
			return strings.TrimRight(s, "\r\n"), err
		}
	}
	next := make(chan struct{}, 1)
	next <- struct{}{}
	go func() {
		defer close(lines)
		for range next {
			s, err := prompt()
			if err != nil {
				readErr <- err
				return
			}
			select {
			case lines <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case s, ok := <-lines:
			if !ok {
				err := <-readErr
				if errors.Is(err, io.EOF) {
					return nil
				}
				return fmt.Errorf("console: read: %w", err)
			}
			s = strings.TrimRight(s, "\r\n")
			if a.opts.Interactive && (s == "quit" || s == "exit") {
				return nil
			}
			done := make(chan struct{})
			var ev bot.Event
			// Right after a reply with buttons, a line that names one
			// ("helpful", 👍) presses it rather than asking a question.
			press, pressed := a.press(s)
			if pressed {
				press.Done = done
				ev = press
			} else {
				ev = bot.Message{
					Platform: Name, ID: a.nextID(), UserID: UserID(a.opts.User), UserName: a.opts.User,
					RoomID: Name, Text: s, Direct: true, Time: time.Now(),
					Done: func() { close(done) },
				}
			}
			select {
			case events <- ev:
			case <-ctx.Done():
				return nil
			}
			if msg, ok := ev.(bot.Message); ok {
				// From here the bot owns the message and will answer it
				// even if told to stop; the shutdown test counts these
				// lines.
				a.log.Debug("message accepted", "id", msg.ID)
			}
			select {
			case <-done:
			case <-ctx.Done():
				return nil
			}
			next <- struct{}{}
		}
	}
}

func (a *Adapter) nextID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	return "c" + strconv.Itoa(a.seq)
}

// Send prints a reply. Buttons become words to type back: the next line
// that names one presses it.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	text := render(r)
	if a.opts.Interactive {
		text = "bothy> " + strings.ReplaceAll(text, "\n", "\n       ")
	}
	ref, err := a.write(to, text)
	if err == nil && len(r.Buttons) > 0 && to.UserID == "" {
		a.mu.Lock()
		a.pressable = pressable{ref: ref, buttons: r.Buttons, emoji: bot.ButtonEmoji(r.Buttons)}
		a.mu.Unlock()
	}
	return ref, err
}

// render is a reply as plain text for the terminal, with the buttons as
// the words that press them.
func render(r bot.Reply) string {
	buttons := r.Buttons
	r.Buttons = nil
	text := bot.TerminalText(r)
	if len(buttons) == 0 {
		return text
	}
	labels := make([]string, len(buttons))
	for i, b := range buttons {
		labels[i] = strings.ToLower(b.Label)
	}
	words := strings.Join(labels[:len(labels)-1], ", ")
	if words != "" {
		words += " or "
	}
	words += labels[len(labels)-1]
	return fmt.Sprintf("%s\n(type %s, or %s)", text, words, strings.Join(bot.ButtonEmoji(buttons), " / "))
}

// press turns a typed line into a button press when it names a button of
// the last reply that had any. Only the line typed right after counts:
// whatever is typed, the offer ends there.
func (a *Adapter) press(line string) (bot.Action, bool) {
	a.mu.Lock()
	p := a.pressable
	a.pressable = pressable{}
	a.mu.Unlock()
	if len(p.buttons) == 0 {
		return bot.Action{}, false
	}
	typed := strings.ToLower(strings.TrimRight(strings.TrimSpace(line), "!. "))
	emoji := canonicalEmoji(typed)
	for i, b := range p.buttons {
		if typed == strings.ToLower(strings.TrimSpace(b.Label)) || (emoji != "" && emoji == p.emoji[i]) {
			return bot.Action{
				Platform: Name, UserID: UserID(a.opts.User), UserName: a.opts.User, RoomID: p.ref.RoomID,
				MessageID: p.ref.ID, ActionID: b.ActionID, Value: b.Value, Time: time.Now(),
			}, true
		}
	}
	return bot.Action{}, false
}

// canonicalEmoji reads a typed emoji, or its shortcode, as the emoji the
// buttons were offered with; skin tones do not matter.
func canonicalEmoji(s string) string {
	s = strings.TrimRight(s, "\U0001F3FB\U0001F3FC\U0001F3FD\U0001F3FE\U0001F3FF\uFE0F")
	switch s {
	case "👍", "+1", ":+1:", ":thumbsup:":
		return "👍"
	case "👎", "-1", ":-1:", ":thumbsdown:":
		return "👎"
	case "✅", ":white_check_mark:":
		return "✅"
	case "❌", ":x:":
		return "❌"
	case "🤔", ":thinking:":
		return "🤔"
	}
	for _, k := range []string{"1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"} {
		if s == k || s+"\uFE0F\u20E3" == k || s+"\u20E3" == k {
			return k
		}
	}
	return ""
}

// SendDirect prints a message addressed to another member, so notices such
// as "you received a shout-out" are visible in a console session too.
func (a *Adapter) SendDirect(ctx context.Context, userID string, r bot.Reply) (bot.MessageRef, error) {
	return a.write(bot.Target{UserID: userID}, fmt.Sprintf("(to %s) %s", userID, render(r)))
}

func (a *Adapter) write(to bot.Target, text string) (bot.MessageRef, error) {
	id := a.nextID()
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.printLocked(text + "\n"); err != nil {
		return bot.MessageRef{}, fmt.Errorf("console: write: %w", err)
	}
	room := to.RoomID
	if room == "" {
		room = Name
	}
	return bot.MessageRef{Platform: Name, RoomID: room, ID: id}, nil
}

// printLocked writes text to the terminal. While the prompt is on screen
// (a reminder, a notice or a log line arriving as the person types), it
// clears the prompt line first and has the line editor draw the prompt
// and what was typed again below the text.
func (a *Adapter) printLocked(text string) error {
	over := a.opts.Interactive && a.prompting.Load()
	if over {
		text = "\r\x1b[K" + text
	}
	if _, err := io.WriteString(a.opts.Out, text); err != nil {
		return err
	}
	if over && a.redraw != nil {
		a.redraw()
	}
	return nil
}

// LogWriter returns a writer for log lines that go to the same terminal as
// the console (w, usually standard error): written through it, they never
// land in the middle of the prompt.
func (a *Adapter) LogWriter(w io.Writer) io.Writer { return logWriter{a, w} }

type logWriter struct {
	a *Adapter
	w io.Writer
}

func (l logWriter) Write(p []byte) (int, error) {
	l.a.mu.Lock()
	defer l.a.mu.Unlock()
	over := l.a.opts.Interactive && l.a.prompting.Load()
	if over {
		if _, err := io.WriteString(l.a.opts.Out, "\r\x1b[K"); err != nil {
			return 0, err
		}
	}
	n, err := l.w.Write(p)
	if over && l.a.redraw != nil {
		l.a.redraw()
	}
	return n, err
}

// ResolveUser takes a console mention ("@carol" or "carol") as the name,
// whose ID is UserID(name).
func (a *Adapter) ResolveUser(ctx context.Context, mention string) (bot.User, error) {
	name := strings.TrimPrefix(strings.TrimSpace(mention), "@")
	if name == "" {
		return bot.User{}, errors.New("console: empty mention")
	}
	return bot.User{ID: UserID(name), Name: name}, nil
}

// IsOrganiser grants the role to Options.Organisers whatever the case
// they were written in.
func (a *Adapter) IsOrganiser(_ context.Context, userID, _ string) bool {
	for _, name := range a.opts.Organisers {
		if UserID(name) == userID {
			return true
		}
	}
	return false
}
