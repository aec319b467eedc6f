package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// starterFiles lists the embedded starter documents by file name.
func starterFiles() ([]string, error) {
	entries, err := fs.ReadDir(starterFS, "starter")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// ExportStarter copies the built-in starter documents into dir (made if
// missing), so a community that sets knowledge.dirs can keep them and
// edit them. A file already in dir is left alone and listed in skipped.
func ExportStarter(dir string) (written, skipped []string, err error) {
	names, err := starterFiles()
	if err != nil {
		return nil, nil, fmt.Errorf("knowledge: export starter: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("knowledge: export starter: %w", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(starterFS, "starter/"+name)
		if err != nil {
			return written, skipped, fmt.Errorf("knowledge: export starter: %w", err)
		}
		path, err := CreateDocument(dir, name, data)
		switch {
		case errors.Is(err, ErrExists):
			skipped = append(skipped, path)
		case err != nil:
			return written, skipped, fmt.Errorf("knowledge: export starter: %w", err)
		default:
			written = append(written, path)
		}
	}
	return written, skipped, nil
}

// noteStarterUnused says in the log, at start-up, that the configured
// folders replace the built-in starter documents, unless they hold copies
// of them (bothy kb export-starter).
func (b *Base) noteStarterUnused(ctx context.Context) {
	names, err := starterFiles()
	if err != nil || len(names) == 0 {
		return
	}
	ids := make([]any, len(names))
	marks := make([]string, len(names))
	for i, n := range names {
		ids[i], marks[i] = strings.TrimSuffix(n, ".md"), "?"
	}
	var have int
	q := "SELECT count(*) FROM kb_documents WHERE id IN (" + strings.Join(marks, ",") + ")"
	if err := b.db.Read.QueryRowContext(ctx, q, ids...).Scan(&have); err != nil || have > 0 {
		return
	}
	b.log.Info("knowledge.dirs is set, so the built-in starter documents are not used; bothy kb export-starter DIR copies them into a folder to keep them",
		"starter_documents", len(names), "dirs", b.opts.Dirs)
}
