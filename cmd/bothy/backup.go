package main

// backup, restore and the database lock `bothy run` holds.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// lockForRun takes the database lock for `bothy run` before the database
// is opened, so a second bot on the same file, or a restore in progress,
// stops it at once with a clear message.
func lockForRun(env *Env, cf *commonFlags) (*dbLock, error) {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o750); err != nil {
		return nil, fmt.Errorf("create folder for %s: %w", cfg.DB, err)
	}
	lock, err := lockDatabase(cfg.DB)
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
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return err
	}
	// store.Open would quietly create an empty database; a typo in --db
	// should be an error instead.
	if _, err := os.Stat(cfg.DB); err != nil {
		return fmt.Errorf("database %s: %w", cfg.DB, err)
	}
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	size, err := backupDB(ctx, app.DB, dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Backed up %s to %s (%d KiB, integrity ok).\n", app.DB.Path, dest, (size+1023)/1024)
	return nil
}

// backupDB writes a consistent copy of db to dest with VACUUM INTO. It
// runs on the writer connection as one read transaction, so it sees a
// single committed state while a running bot keeps writing through its own
// connection. The copy is written beside dest, checked, then renamed, so
// dest is never a half-written file.
func backupDB(ctx context.Context, db *store.DB, dest string) (int64, error) {
	if _, err := os.Stat(dest); err == nil {
		return 0, fmt.Errorf("%s already exists; choose a new name or remove it first", dest)
	}
	tmp := dest + ".partial"
	_ = os.Remove(tmp)
	if _, err := db.Write.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("copy to %s: %w", tmp, err)
	}
	if err := verifyBackup(ctx, tmp); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("the copy failed its check: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("writing the backup: %w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("writing the backup: %w", err)
	}
	syncDir(filepath.Dir(dest))
	st, err := os.Stat(dest)
	if err != nil {
		return 0, fmt.Errorf("writing the backup: %w", err)
	}
	return st.Size(), nil
}

// verifyBackup opens a backup read-only and checks that it is a Bothy
// database this binary can use and that SQLite finds it intact.
func verifyBackup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: "mode=ro&_pragma=busy_timeout(5000)"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	var appID int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return fmt.Errorf("%s is not a SQLite database", path)
		}
		return err
	}
	if appID != store.ApplicationID {
		return fmt.Errorf("%s: %w", path, store.ErrNotBothy)
	}
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("integrity check: %s", result)
	}
	var have sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	migs, err := store.Migrations()
	if err != nil {
		return err
	}
	if known := migs[len(migs)-1].Version; have.Int64 > int64(known) {
		return fmt.Errorf("%w (backup has migration %d, this binary knows up to %d)", store.ErrTooNew, have.Int64, known)
	}
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
	if err := verifyBackup(ctx, src); err != nil {
		return fmt.Errorf("%s cannot be restored: %w", src, err)
	}
	aside, err := restoreDB(ctx, src, cfg.DB, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Restored %s from %s.\n", cfg.DB, src)
	if aside != "" {
		fmt.Fprintf(env.Stdout, "The database it replaced is kept as %s; delete it once you are happy.\n", aside)
	}
	return nil
}

// restoreDB replaces dbPath with a copy of src. It holds the database lock
// throughout, so it refuses while a bot runs on dbPath and no bot can start
// halfway through. The replaced database (with its WAL) is kept aside, not
// deleted. It returns the aside path ("" when there was no database).
func restoreDB(ctx context.Context, src, dbPath string, now time.Time) (string, error) {
	lock, err := lockDatabase(dbPath)
	if err != nil {
		return "", fmt.Errorf("refusing to replace %s: %w", dbPath, err)
	}
	defer lock.Release()

	tmp := dbPath + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("replacing the database: %w", err)
	}
	aside := ""
	if _, err := os.Stat(dbPath); err == nil {
		aside = dbPath + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(dbPath, aside); err != nil {
			_ = os.Remove(tmp)
			return "", fmt.Errorf("keeping the old database: %w", err)
		}
		// The WAL belongs to the old file: move it along so the kept copy
		// is complete and the restored file does not pick it up.
		if err := os.Rename(dbPath+"-wal", aside+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("keeping the old database's WAL: %w", err)
		}
		if err := os.Remove(dbPath + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("replacing the database: %w", err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return "", fmt.Errorf("replacing the database: %w", err)
	}
	syncDir(filepath.Dir(dbPath))
	// Opening applies any migrations the backup predates, so the bot
	// starts on a current schema.
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return aside, fmt.Errorf("opening the restored database: %w", err)
	}
	return aside, db.Close()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename durable; some platforms cannot sync a folder, and
// the rename has happened either way, so errors are ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
