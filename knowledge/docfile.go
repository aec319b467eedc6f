package knowledge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// ErrExists means a file of that name is already in the knowledge folder;
// Bothy never writes over one (an organiser's curated document, or an
// answer written earlier).
var ErrExists = errors.New("a file of that name is already in the knowledge folder")

// defaultDocMode is for a folder with no documents to copy the mode of.
const defaultDocMode fs.FileMode = 0o644

// CreateDocument writes data as a new file called name in dir and returns
// its path. It never replaces a file: if name exists, it returns
// ErrExists and leaves the file alone. The file is complete before it
// appears under its name (written beside it, then linked), so a folder
// watcher never indexes half of it, and it gets the same permissions as
// the folder's other documents, so whoever can read those can read it.
func CreateDocument(dir, name string, data []byte) (string, error) {
	if name != filepath.Base(name) || !strings.HasSuffix(name, ".md") {
		return "", fmt.Errorf("knowledge: %q is not a Markdown file name", name)
	}
	path := filepath.Join(dir, name)
	if _, err := os.Lstat(path); err == nil {
		return path, fmt.Errorf("%s: %w", path, ErrExists)
	}
	mode := documentMode(dir)
	tmp, err := os.CreateTemp(dir, ".bothy-*.tmp")
	if err != nil {
		return "", fmt.Errorf("knowledge: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := writeAll(tmp, data, mode); err != nil {
		return "", fmt.Errorf("knowledge: write %s: %w", path, err)
	}
	// A hard link fails if path exists, where a rename would replace it.
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		syncDir(dir)
		return path, nil
	case errors.Is(err, fs.ErrExist):
		return path, fmt.Errorf("%s: %w", path, ErrExists)
	case !linkUnsupported(err):
		return "", fmt.Errorf("knowledge: write %s: %w", path, err)
	}
	// A folder on a file system without hard links: create exclusively
	// and write in place.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return path, fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err != nil {
		return "", fmt.Errorf("knowledge: write %s: %w", path, err)
	}
	if err := writeAll(f, data, mode); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("knowledge: write %s: %w", path, err)
	}
	syncDir(dir)
	return path, nil
}

func writeAll(f *os.File, data []byte, mode fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// Chmod, not the create mode, so the umask does not narrow it.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EMLINK)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// documentMode is the permission most of dir's Markdown documents have
// (the lowest when tied), or 0644 when it has none.
func documentMode(dir string) fs.FileMode {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return defaultDocMode
	}
	count := map[fs.FileMode]int{}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".md") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if info, err := e.Info(); err == nil {
			count[info.Mode().Perm()]++
		}
	}
	if len(count) == 0 {
		return defaultDocMode
	}
	modes := make([]fs.FileMode, 0, len(count))
	for m := range count {
		modes = append(modes, m)
	}
	sort.Slice(modes, func(i, j int) bool {
		if count[modes[i]] != count[modes[j]] {
			return count[modes[i]] > count[modes[j]]
		}
		return modes[i] < modes[j]
	})
	return modes[0]
}
