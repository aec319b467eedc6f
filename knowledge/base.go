package knowledge

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

//go:embed starter/*.md
var starterFS embed.FS

const kvNamespace = "knowledge"

// DefaultMinConfidence is the answer/abstain threshold, which belongs with
// the confidence model it was chosen for (retrieval.DefaultMinConfidence).
const DefaultMinConfidence = retrieval.DefaultMinConfidence

// Source is one numbered passage handed to a Writer (mirrors llm.Source).
type Source struct {
	N     int
	Title string
	Text  string
	docID string
}

// Writer writes an answer grounded in numbered sources, citing them as
// [n]. onDelta, when not nil, receives the answer so far while streaming.
// When the sources do not answer the question, it returns an error
// wrapping ErrNotCovered, and the question is abstained on. The llm
// package's client satisfies it through a small adapter.
type Writer interface {
	Answer(ctx context.Context, question string, sources []Source, onDelta func(partial string)) (string, error)
}

// ErrNotCovered is what a Writer's error wraps when it read the sources
// and found that they do not answer the question.
var ErrNotCovered = errors.New("the sources do not answer the question")

// Embedder turns texts into vectors for semantic search.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Options configure a Base.
type Options struct {
	// Dirs are the knowledge folders. When set, Open ingests them; when
	// empty and nothing was ever ingested, the embedded starter is used.
	Dirs []string
	// MinConfidence is the answer/abstain threshold (0 = default).
	MinConfidence float64
	// Progress, when set, hears how far a long ingest has got: every 500
	// documents, how many are done of how many.
	Progress func(done, total int)
	Logger   *slog.Logger
	Clock    bot.Clock
	// Writer, when set, writes answers with an LLM; errors and timeouts
	// fall back to the extractive answer.
	Writer        Writer
	WriterTimeout time.Duration
	// WriterMinConfidence, below MinConfidence, widens what is answered
	// when there is a Writer: a question whose confidence falls between
	// the two is given to the Writer too, and answered only if it finds
	// the answer in the passages (otherwise, or if it fails, Bothy
	// abstains). 0 leaves the Writer to MinConfidence's questions.
	WriterMinConfidence float64
	// Embedder, when set, adds vector search fused with BM25.
	Embedder   Embedder
	EmbedModel string
	// NoStarter skips loading the embedded starter (for kb ingest, which
	// is about to replace it anyway).
	NoStarter bool
	// Metrics counts answers; nil counts nothing.
	Metrics AnswerObserver
}

// AnswerObserver counts questions by outcome and times them;
// *metrics.Metrics is one.
type AnswerObserver interface {
	Answered(answered bool, took time.Duration)
}

type nopObserver struct{}

func (nopObserver) Answered(bool, time.Duration) {}

// Base is an open knowledge base.
type Base struct {
	db    *store.DB
	opts  Options
	log   *slog.Logger
	clock bot.Clock

	ingestMu sync.Mutex
	mu       sync.RWMutex
	ix       *retrieval.Index
	// checked is when the generation was last read (monotonic nanoseconds
	// since start), so a busy bot reads it at most every genCheckEvery.
	checked atomic.Int64
	// Statements run for every question, prepared once on the writer.
	insertQuestion, setAnswerMessage *sql.Stmt
}

// genCheckEvery bounds how stale the index may be after another process
// (bothy kb ingest) changes the knowledge base. This process's own ingests
// refresh at once.
var genCheckEvery = time.Second

// monoEpoch anchors Base.checked: time.Since on it is monotonic.
var monoEpoch = time.Now()

// Open prepares the knowledge base in db: it ingests the configured
// folders, or loads the embedded starter when no folder is configured and
// nothing has been ingested into this database.
func Open(ctx context.Context, db *store.DB, opts Options) (*Base, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.MinConfidence <= 0 {
		opts.MinConfidence = DefaultMinConfidence
	}
	if opts.WriterTimeout <= 0 {
		opts.WriterTimeout = 30 * time.Second
	}
	if opts.EmbedModel == "" {
		opts.EmbedModel = "default"
	}
	if opts.Metrics == nil {
		opts.Metrics = nopObserver{}
	}
	b := &Base{db: db, opts: opts, log: opts.Logger.With("component", "knowledge"), clock: opts.Clock}
	// Before any ingest: unchanged files are skipped by hash, so their
	// sections would otherwise keep terms from an older analysis.
	if err := b.upgradeTerms(ctx); err != nil {
		return nil, err
	}
	switch {
	case len(opts.Dirs) > 0:
		rep, err := b.Ingest(ctx, opts.Dirs...)
		if err != nil {
			return nil, err
		}
		for _, e := range rep.Errors {
			b.log.Warn("skipped a knowledge file", "err", e)
		}
		b.noteStarterUnused(ctx)
	case !opts.NoStarter:
		_, ingested, err := db.GetKV(ctx, kvNamespace, "ingested")
		if err != nil {
			return nil, fmt.Errorf("knowledge: open: %w", err)
		}
		if !ingested {
			if err := b.loadStarter(ctx); err != nil {
				return nil, fmt.Errorf("knowledge: load starter: %w", err)
			}
		}
	}
	if err := b.refresh(ctx, false); err != nil {
		return nil, err
	}
	var err error
	if b.insertQuestion, err = db.Write.PrepareContext(ctx, `INSERT INTO kb_questions(at, user_id, platform, room_id, text, answered, confidence, sources, passage, also_quoted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, fmt.Errorf("knowledge: prepare: %w", err)
	}
	if b.setAnswerMessage, err = db.Write.PrepareContext(ctx, "UPDATE kb_questions SET message_id = ?, platform = ? WHERE id = ?"); err != nil {
		return nil, fmt.Errorf("knowledge: prepare: %w", err)
	}
	return b, nil
}

// Dirs returns the configured knowledge folders.
func (b *Base) Dirs() []string { return append([]string(nil), b.opts.Dirs...) }

// Reload re-ingests the configured folders (kb reload, the watcher).
func (b *Base) Reload(ctx context.Context) (IngestReport, error) {
	if len(b.opts.Dirs) == 0 {
		return IngestReport{}, fmt.Errorf("knowledge: no knowledge folders are configured (set knowledge.dirs)")
	}
	return b.Ingest(ctx, b.opts.Dirs...)
}

// snapshot returns the current in-memory index, reloading it when another
// process (bothy kb ingest) changed the database.
func (b *Base) snapshot(ctx context.Context) (*retrieval.Index, error) {
	if err := b.refresh(ctx, false); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ix, nil
}

func (b *Base) hasIndex() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ix != nil
}

func (b *Base) generation(ctx context.Context) (string, error) {
	var g string
	err := b.db.Read.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM kv WHERE namespace = ? AND key = 'generation'), '0')", kvNamespace).Scan(&g)
	if err != nil {
		return "", fmt.Errorf("knowledge: read generation: %w", err)
	}
	return g, nil
}

// refresh rebuilds the in-memory statistics when the generation moved (or
// always when force is set).
func (b *Base) refresh(ctx context.Context, force bool) error {
	now := int64(time.Since(monoEpoch))
	if !force && b.hasIndex() && now-b.checked.Load() < int64(genCheckEvery) {
		return nil
	}
	b.checked.Store(now)
	gen, err := b.generation(ctx)
	if err != nil {
		return err
	}
	b.mu.RLock()
	cur := b.ix
	b.mu.RUnlock()
	if !force && cur != nil && cur.Gen() == gen {
		return nil
	}
	ix, err := loadIndex(ctx, b.db.Write, gen, b.opts.EmbedModel)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.ix = ix
	b.mu.Unlock()
	return nil
}

// Count returns how many documents and sections are indexed.
func (b *Base) Count(ctx context.Context) (docs, chunks int, err error) {
	ix, err := b.snapshot(ctx)
	if err != nil {
		return 0, 0, err
	}
	return ix.Documents(), ix.Sections(), nil
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// Streams reports whether answers are written by an LLM and can be
// streamed into an edited message.
func (b *Base) Streams() bool { return b.opts.Writer != nil }
