package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
	"github.com/bothy-chat/bothy/bot/metrics"
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

// App is what every command that touches data starts from: the
// configuration, the logger, the open database, the clock and the
// metrics. Features are built from it in wire.go (for the running bot) or
// by the command that needs one.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *store.DB
	Env     *Env
	Clock   bot.Clock
	Metrics *metrics.Metrics
}

// loadConfig reads the configuration file and environment, with --db
// applied, without opening the database.
func loadConfig(env *Env, cf *commonFlags) (config.Config, error) {
	path, must := cf.config, cf.config != ""
	if path == "" {
		path = "bothy.yaml"
	}
	cfg, err := config.Load(path, must, env.Getenv)
	if err != nil {
		return cfg, err
	}
	if cf.db != "" {
		cfg.DB = cf.db
	}
	return cfg, nil
}

// openApp loads configuration, sets up logging and opens the database.
func openApp(ctx context.Context, env *Env, cf *commonFlags) (*App, error) {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return nil, err
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
	return &App{Config: cfg, Log: logger, DB: db, Env: env, Clock: bot.SystemClock{}, Metrics: metrics.New()}, nil
}

// openExistingApp is openApp for commands that only read or change what
// the bot has stored (exports, privacy requests, backups): store.Open
// would quietly create an empty database at a mistyped --db and the
// command would report success on it.
func openExistingApp(ctx context.Context, env *Env, cf *commonFlags) (*App, error) {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: check --db or db in the configuration (bothy run creates it)", cfg.DB)
		}
		return nil, fmt.Errorf("database %s: %w", cfg.DB, err)
	}
	return openApp(ctx, env, cf)
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

// osUser is who is at the keyboard: the login name from the environment,
// else the account name the OS has for this process (a container or a
// service often has no $USER), else "you".
func osUser(env *Env) string {
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v, ok := env.Getenv(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	if u, err := user.Current(); err == nil && strings.TrimSpace(u.Username) != "" {
		return strings.TrimSpace(u.Username)
	}
	return "you"
}
