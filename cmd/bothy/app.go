package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
	"github.com/bothy-chat/bothy/bot/store"
)

// commonFlags are the flags every command that touches data accepts.
type commonFlags struct {
	config    string
	db        string
	logFormat string
	logLevel  string
}

func addCommonFlags(fs *flagSet) *commonFlags {
	c := &commonFlags{}
	fs.StringVar(&c.config, "config", "", "configuration file (default bothy.yaml if present)")
	fs.StringVar(&c.db, "db", "", "SQLite database file (default ./bothy.db, or BOTHY_DB)")
	fs.StringVar(&c.logFormat, "log-format", "", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "", "log level: debug, info, warn or error")
	return c
}

// App is what commands and features share: configuration, logger,
// database, and (when the bot runs) the bot itself. Features put their
// services here so others (the HTTP server, the digest) can use them.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *store.DB
	Env    *Env
	Clock  bot.Clock
	// Bot is nil for commands that do not run the bot.
	Bot *bot.Bot
	// services lets features publish what others use, by name.
	services map[string]any
}

// Provide publishes a feature's service for other features.
func (a *App) Provide(name string, svc any) {
	if a.services == nil {
		a.services = map[string]any{}
	}
	a.services[name] = svc
}

// Service finds a published service; ok is false when that feature is absent.
func Service[T any](a *App, name string) (T, bool) {
	v, ok := a.services[name].(T)
	return v, ok
}

// openApp loads configuration, sets up logging and opens the database.
func openApp(ctx context.Context, env *Env, cf *commonFlags) (*App, error) {
	path, must := cf.config, cf.config != ""
	if path == "" {
		path = "bothy.yaml"
	}
	cfg, err := config.Load(path, must, env.Getenv)
	if err != nil {
		return nil, err
	}
	if cf.db != "" {
		cfg.DB = cf.db
	}
	if cf.logFormat != "" {
		cfg.Log.Format = cf.logFormat
	}
	if cf.logLevel != "" {
		cfg.Log.Level = cf.logLevel
	}
	logger, err := newLogger(env.Stderr, cfg.Log.Format, cfg.Log.Level)
	if err != nil {
		return nil, usagef("%v", err)
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	return &App{Config: cfg, Log: logger, DB: db, Env: env, Clock: bot.SystemClock{}}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q is not text or json", format)
}

// feature wires one capability (knowledge, meetups, shout-outs, the HTTP
// server) into a running bot. Features are set up in Order, lowest first,
// so later ones can use services earlier ones provided.
type feature struct {
	Name  string
	Order int
	Setup func(ctx context.Context, app *App) error
}

var features []feature

func registerFeature(f feature) {
	for _, have := range features {
		if have.Name == f.Name {
			panic("bothy: feature " + f.Name + " registered twice")
		}
	}
	features = append(features, f)
}

func setupFeatures(ctx context.Context, app *App) error {
	sorted := append([]feature(nil), features...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Order < sorted[j].Order })
	for _, f := range sorted {
		if err := f.Setup(ctx, app); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// adapterFactory builds a platform adapter when its configuration is set.
type adapterFactory struct {
	Name    string
	Enabled func(cfg *config.Config) bool
	Build   func(ctx context.Context, app *App) (bot.Adapter, error)
}

var adapterFactories []adapterFactory

func registerAdapter(f adapterFactory) {
	for _, have := range adapterFactories {
		if have.Name == f.Name {
			panic("bothy: adapter " + f.Name + " registered twice")
		}
	}
	adapterFactories = append(adapterFactories, f)
}

func osUser(env *Env) string {
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v, ok := env.Getenv(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	if h, err := os.Hostname(); err == nil {
		return "console@" + h
	}
	return "console"
}
