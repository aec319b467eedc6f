package main

// backup and restore commands, and the database lock `bothy run` holds;
// the work itself is bot/store's.

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// lockForRun takes the database lock for `bothy run` before the database
// is opened, so a second bot on the same file (by any name), or a restore
// in progress, stops it at once with a clear message.
func lockForRun(env *Env, cf *commonFlags) (*store.Lock, error) {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return nil, err
	}
	lock, err := store.LockFile(cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("cannot run on %s: %w", cfg.DB, err)
	}
	return lock, nil
}

func runBackup(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one backup FILE to write, e.g. bothy backup bothy-%s.db", time.Now().Format("2006-01-02"))
	}
	dest := fs.Arg(0)
	app, err := openExistingApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	size, err := app.DB.Backup(ctx, dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Backed up %s to %s (%d KiB, integrity ok).\n", app.DB.Path, dest, (size+1023)/1024)
	return nil
}

func runRestore(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the backup FILE to restore from")
	}
	src := fs.Arg(0)
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return err
	}
	if a, err := os.Stat(src); err == nil {
		if b, err := os.Stat(cfg.DB); err == nil && os.SameFile(a, b) {
			return usagef("%s is the database itself; give a backup file", src)
		}
	}
	if err := store.Verify(ctx, src); err != nil {
		return fmt.Errorf("%s cannot be restored: %w", src, err)
	}
	aside, err := store.Restore(ctx, src, cfg.DB, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Restored %s from %s.\n", cfg.DB, src)
	if aside != "" {
		fmt.Fprintf(env.Stdout, "The database it replaced is kept as %s; delete it once you are happy.\n", aside)
	}
	return nil
}
