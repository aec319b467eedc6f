package store

import (
	"context"
	"fmt"
	"time"
)

// Purge rewrites the database so that no deleted or overwritten bytes
// survive on disk: VACUUM copies only live rows into a fresh file (free
// pages and the slack left in pages by shorter rows go), then a TRUNCATE
// checkpoint moves every page into the main file and empties the WAL,
// which still held the old versions. Erasure ends with it. A reader in
// another process can hold the WAL open for a moment, so the checkpoint
// is tried for up to ten seconds.
func (db *DB) Purge(ctx context.Context) error {
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: purge: %w", err)
	}
	defer conn.Close()
	// Zero what is freed from now on too, so the vacuum's own work and
	// any write that slips in before the checkpoint leave nothing behind.
	if _, err := conn.ExecContext(ctx, "PRAGMA secure_delete = ON"); err != nil {
		return fmt.Errorf("store: purge: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA secure_delete = OFF")
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("store: purge: vacuum: %w", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var busy, logFrames, done int
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
			return fmt.Errorf("store: purge: checkpoint: %w", err)
		}
		if busy == 0 && logFrames <= 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("store: purge: another process kept the write-ahead log open (%d of %d pages copied); stop it and run the erasure again", done, logFrames)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
