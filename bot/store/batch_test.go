package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/internal/testenv"
)

func openBatchDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "bothy.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func putKV(key string) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO kv(namespace, key, value) VALUES ('batch', ?, 'v')", key)
		return err
	}
}

func countKV(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow("SELECT count(*) FROM kv WHERE namespace = 'batch'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBatchConcurrentWritesAllLand(t *testing.T) {
	db := openBatchDB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Batch(context.Background(), putKV(fmt.Sprint(i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := countKV(t, db); n != 200 {
		t.Fatalf("%d rows, want 200", n)
	}
}

// TestBatchOneFailureCostsOthersNothing holds the loop inside one write
// while more queue up, so they share the next transaction, one of which
// fails (a duplicate key).
func TestBatchOneFailureCostsOthersNothing(t *testing.T) {
	db := openBatchDB(t)
	ctx := context.Background()
	if err := db.Batch(ctx, putKV("taken")); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	held := make(chan struct{})
	go db.Batch(ctx, func(ctx context.Context, tx *sql.Tx) error {
		close(held)
		<-release
		return putKV("first")(ctx, tx)
	})
	<-held
	type result struct {
		key string
		err error
	}
	results := make(chan result, 10)
	keys := []string{"a", "b", "taken", "c", "d"}
	for _, k := range keys {
		go func() { results <- result{k, db.Batch(ctx, putKV(k))} }()
	}
	// Let them all queue behind the held write.
	testenv.Eventually(t, 5*time.Second, "every write queued", func() bool { return len(db.batch.reqs) == len(keys) })
	close(release)
	for range keys {
		r := <-results
		if (r.err != nil) != (r.key == "taken") {
			t.Errorf("key %s: err %v", r.key, r.err)
		}
	}
	// taken, first, a, b, c, d
	if n := countKV(t, db); n != 6 {
		t.Fatalf("%d rows, want 6", n)
	}
}

func TestBatchAfterClose(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "bothy.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Batch(context.Background(), putKV("before")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Batch(context.Background(), putKV("after")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Batch after Close = %v, want ErrClosed", err)
	}
	db2, err := Open(context.Background(), db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if n := countKV(t, db2); n != 1 {
		t.Fatalf("%d rows after reopening, want 1", n)
	}
}

func TestBatchCancelledBeforeQueueing(t *testing.T) {
	db := openBatchDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A cancelled context either fails to queue or fails inside the
	// transaction; either way it reports the cancellation and writes nothing.
	if err := db.Batch(ctx, putKV("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := countKV(t, db); n != 0 {
		t.Fatalf("%d rows, want 0", n)
	}
}
