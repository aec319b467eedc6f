package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrLocked is returned when another process holds a database's lock.
var ErrLocked = errors.New("the database is in use")

// ErrLink is returned by Restore for a database reached through a link:
// replacing the link would leave the file it names, and any bot using it,
// on the old data.
var ErrLink = errors.New("the database path is a link")

// Backup writes a consistent copy of the database to dest with VACUUM
// INTO and returns its size. It runs on the writer connection as one read
// transaction, so it sees a single committed state while a running bot
// keeps writing through its own connection. The copy is written beside
// dest, verified, then renamed, so dest is never a half-written file.
func (db *DB) Backup(ctx context.Context, dest string) (int64, error) {
	if _, err := os.Stat(dest); err == nil {
		return 0, fmt.Errorf("%s already exists; choose a new name or remove it first", dest)
	}
	tmp := dest + ".partial"
	_ = os.Remove(tmp)
	if _, err := db.Write.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("copy to %s: %w", tmp, err)
	}
	// VACUUM INTO creates the file as the umask allows (often world
	// readable); a backup holds the members' data and is kept as private
	// as the database itself.
	if err := os.Chmod(tmp, dbMode); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("writing the backup: %w", err)
	}
	if err := Verify(ctx, tmp); err != nil {
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

// Verify opens a database read-only, without changing it, and checks
// that it is a Bothy database this binary can use (the checks Open makes
// before migrating) and that SQLite finds it intact.
func Verify(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?mode=ro&_pragma=busy_timeout(5000)")
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
	if appID != ApplicationID {
		return fmt.Errorf("%s: %w", path, ErrNotBothy)
	}
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("integrity check: %s", result)
	}
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	migs, err := Migrations()
	if err != nil {
		return err
	}
	if v, ok := unknownMigration(applied, migs); ok {
		return fmt.Errorf("%w (backup has migration %d, this binary knows up to %d)", ErrTooNew, v, migs[len(migs)-1].Version)
	}
	return nil
}

// Restore replaces the database at dbPath with a copy of src, which
// should have passed Verify. It holds the database's lock throughout, so
// it refuses while a bot runs on dbPath, and the new file is locked
// before it takes the database's name, so no bot can start on it
// halfway. The replaced database (with its WAL) is kept aside, not
// deleted; Restore returns that path ("" when there was no database).
// A dbPath that is a symbolic link, or a file with other names (hard
// links), is refused with ErrLink.
func Restore(ctx context.Context, src, dbPath string, now time.Time) (string, error) {
	existed := false
	if st, err := os.Lstat(dbPath); err == nil {
		existed = true
		if st.Mode()&os.ModeSymlink != 0 {
			target, _ := filepath.EvalSymlinks(dbPath)
			return "", fmt.Errorf("refusing to replace %s: %w to %s; restore to %s itself", dbPath, ErrLink, target, target)
		}
		if n := linkCount(st); n > 1 {
			return "", fmt.Errorf("refusing to replace %s: %w (the file has %d names); restore to a path with one name", dbPath, ErrLink, n)
		}
	}
	lock, err := LockFile(dbPath)
	if err != nil {
		return "", fmt.Errorf("refusing to replace %s: %w", dbPath, err)
	}
	defer lock.Release()

	tmp := dbPath + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("replacing the database: %w", err)
	}
	newLock, err := LockFile(tmp)
	if err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("replacing the database: %w", err)
	}
	defer newLock.Release()
	aside := ""
	if existed {
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
	db, err := Open(ctx, dbPath)
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
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, dbMode)
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
