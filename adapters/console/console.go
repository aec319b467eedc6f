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
	"time"

	"github.com/peterh/liner"

	"github.com/bothy-chat/bothy/bot"
)

// Name is the platform name of console messages.
const Name = "console"

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.DirectMessenger = (*Adapter)(nil)
	_ bot.UserResolver    = (*Adapter)(nil)
)

// Options configure the console.
type Options struct {
	In  io.Reader
	Out io.Writer
	// User is who is speaking (a stable ID on this platform).
	User string
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
}

// New returns a console adapter.
func New(opts Options) *Adapter {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Adapter{opts: opts, log: opts.Logger.With("component", "console")}
}

// Name returns "console".
func (a *Adapter) Name() string { return Name }

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
			s, err := ln.Prompt("you> ")
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
			msg := bot.Message{
				Platform: Name, ID: a.nextID(), UserID: a.opts.User, UserName: a.opts.User,
				RoomID: Name, Text: s, Direct: true, Time: time.Now(),
				Done: func() { close(done) },
			}
			select {
			case events <- msg:
			case <-ctx.Done():
				return nil
			}
			// From here the bot owns the message and will answer it even
			// if told to stop; the shutdown test counts these lines.
			a.log.Debug("message accepted", "id", msg.ID)
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

// Send prints a reply.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	// A terminal shows Markdown's bold markers literally, so drop them.
	text := strings.ReplaceAll(bot.PlainText(r), "**", "")
	if a.opts.Interactive {
		text = "bothy> " + strings.ReplaceAll(text, "\n", "\n       ")
	}
	return a.write(to, text)
}

// SendDirect prints a message addressed to another member, so notices such
// as "you received a shout-out" are visible in a console session too.
func (a *Adapter) SendDirect(ctx context.Context, userID string, r bot.Reply) (bot.MessageRef, error) {
	return a.write(bot.Target{UserID: userID}, fmt.Sprintf("(to %s) %s", userID, strings.ReplaceAll(bot.PlainText(r), "**", "")))
}

func (a *Adapter) write(to bot.Target, text string) (bot.MessageRef, error) {
	id := a.nextID()
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := fmt.Fprintln(a.opts.Out, text); err != nil {
		return bot.MessageRef{}, fmt.Errorf("console: write: %w", err)
	}
	room := to.RoomID
	if room == "" {
		room = Name
	}
	return bot.MessageRef{Platform: Name, RoomID: room, ID: id}, nil
}

// ResolveUser takes a console mention ("@carol" or "carol") as the name.
func (a *Adapter) ResolveUser(ctx context.Context, mention string) (bot.User, error) {
	name := strings.TrimPrefix(strings.TrimSpace(mention), "@")
	if name == "" {
		return bot.User{}, errors.New("console: empty mention")
	}
	return bot.User{ID: name, Name: name}, nil
}
