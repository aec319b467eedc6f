package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// maxBatch bounds how many writes share one transaction, so one slow
// batch cannot hold the writer for long.
const maxBatch = 64

// batchWait is how long a busy loop waits to fill a batch.
const batchWait = 300 * time.Microsecond

// batcher groups small writes from concurrent callers into one
// transaction. Every caller still waits for the commit that holds its
// write, so a write that returned nil is on disk (WAL) like any other; the
// saving is one BEGIN, one COMMIT and one set of WAL pages for many rows,
// which is most of a small write's cost.
type batcher struct {
	reqs chan *batchReq
	quit chan struct{}
	done chan struct{}
	// mu guards closed, so Batch never sends on a finished loop.
	mu     sync.RWMutex
	closed bool
}

type batchReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error
}

// ErrClosed is returned by Batch after Close.
var ErrClosed = errors.New("store: database closed")

// Batch runs fn inside a write transaction that it may share with other
// callers' writes, and returns once that transaction has committed (or
// fn's own error). fn must only write through tx and must not keep it. If
// fn fails, the shared transaction is rolled back and every write in it
// is retried alone, so one caller's error never costs another its write.
// Use it for small, frequent, independent writes on hot paths.
func (db *DB) Batch(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	b := &db.batch
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return ErrClosed
	}
	r := &batchReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case b.reqs <- r:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued the write goes ahead even if ctx ends: the caller learns
	// the outcome unless it stops waiting.
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startBatch starts the loop that runs Batch writes; Open calls it.
func (db *DB) startBatch() {
	db.batch.reqs = make(chan *batchReq, maxBatch)
	db.batch.quit = make(chan struct{})
	db.batch.done = make(chan struct{})
	go db.batchLoop()
}

func (db *DB) batchLoop() {
	b := &db.batch
	defer close(b.done)
	last := 0
	for {
		var first *batchReq
		select {
		case first = <-b.reqs:
		case <-b.quit:
			// Close stopped new requests; finish what is queued.
			for {
				select {
				case r := <-b.reqs:
					db.runBatch([]*batchReq{r})
				default:
					return
				}
			}
		}
		batch := []*batchReq{first}
		// When the last batch was shared, writes are arriving faster than
		// they commit: wait a moment for company, which costs each write
		// at most batchWait and saves a commit per extra write.
		var wait <-chan time.Time
		if last > 1 {
			wait = time.After(batchWait)
		}
	drain:
		for len(batch) < maxBatch {
			if wait == nil {
				select {
				case r := <-b.reqs:
					batch = append(batch, r)
				default:
					break drain
				}
				continue
			}
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			case <-wait:
				break drain
			}
		}
		last = len(batch)
		db.runBatch(batch)
	}
}

// runBatch commits batch in one transaction, or each alone if any fails.
func (db *DB) runBatch(batch []*batchReq) {
	if len(batch) > 1 {
		if err := db.commitTogether(batch); err == nil {
			for _, r := range batch {
				r.done <- nil
			}
			return
		}
	}
	for _, r := range batch {
		r.done <- db.commitTogether([]*batchReq{r})
	}
}

func (db *DB) commitTogether(batch []*batchReq) error {
	ctx := context.Background()
	if len(batch) == 1 {
		ctx = batch[0].ctx
	}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	for _, r := range batch {
		if err := r.fn(r.ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// closeBatch stops the loop after the queued writes are done.
func (db *DB) closeBatch() {
	b := &db.batch
	b.mu.Lock()
	already := b.closed
	b.closed = true
	b.mu.Unlock()
	if already {
		return
	}
	close(b.quit)
	<-b.done
}
