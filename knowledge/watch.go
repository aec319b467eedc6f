package knowledge

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchDebounce gathers the burst of events an editor's save makes (write,
// rename, chmod) into one re-index.
const watchDebounce = 400 * time.Millisecond

// Watch re-indexes the configured folders whenever a file in them
// changes, until ctx ends. It is meant to run as a bot service.
func (b *Base) Watch(ctx context.Context) error {
	if len(b.opts.Dirs) == 0 {
		<-ctx.Done()
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	for _, d := range b.opts.Dirs {
		addTree(w, d)
	}
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					addTree(w, ev.Name)
				}
			}
			if !relevantChange(ev.Name) {
				continue
			}
			if timer == nil {
				timer = time.AfterFunc(watchDebounce, func() {
					select {
					case fire <- struct{}{}:
					default:
					}
				})
			} else {
				timer.Reset(watchDebounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			b.log.Warn("watching knowledge folders", "err", err)
		case <-fire:
			rep, err := b.Reload(ctx)
			if err != nil {
				b.log.Error("re-indexing knowledge folders", "err", err)
				continue
			}
			for _, e := range rep.Errors {
				b.log.Warn("skipped a knowledge file", "err", e)
			}
			if rep.Changed() {
				b.log.Info("knowledge base re-indexed", "added", rep.Added, "updated", rep.Updated, "removed", rep.Removed)
			}
		}
	}
}

func relevantChange(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, ".") {
		return false // editor swap files and our own temporary files
	}
	ext := strings.ToLower(filepath.Ext(base))
	return ext == ".md" || ext == ""
}

func addTree(w *fsnotify.Watcher, root string) {
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		_ = w.Add(p)
		return nil
	})
}
