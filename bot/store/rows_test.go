package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestRowHelpers(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "bothy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"b", "a", "c"} {
		if err := db.SetKV(ctx, "test", k, "v-"+k); err != nil {
			t.Fatal(err)
		}
	}
	type kv struct{ k, v string }
	scan := func(sc Scanner) (kv, error) {
		var r kv
		err := sc.Scan(&r.k, &r.v)
		return r, err
	}
	all, err := List(ctx, db.Read, scan, "SELECT key, value FROM kv WHERE namespace = ? ORDER BY key", "test")
	if err != nil || len(all) != 3 || all[0] != (kv{"a", "v-a"}) || all[2] != (kv{"c", "v-c"}) {
		t.Fatalf("List = %v, %v", all, err)
	}
	none, err := List(ctx, db.Read, scan, "SELECT key, value FROM kv WHERE namespace = ?", "nothing")
	if err != nil || len(none) != 0 {
		t.Fatalf("List of nothing = %v, %v", none, err)
	}
	keys, err := List(ctx, db.Read, Column[string], "SELECT key FROM kv WHERE namespace = 'test' ORDER BY key DESC")
	if err != nil || len(keys) != 3 || keys[0] != "c" {
		t.Fatalf("List of a column = %v, %v", keys, err)
	}
	one, ok, err := One(ctx, db.Read, scan, "SELECT key, value FROM kv WHERE namespace = 'test' AND key = ?", "b")
	if err != nil || !ok || one != (kv{"b", "v-b"}) {
		t.Fatalf("One = %v %v %v", one, ok, err)
	}
	if _, ok, err := One(ctx, db.Read, scan, "SELECT key, value FROM kv WHERE key = 'zz'"); ok || err != nil {
		t.Fatalf("One of nothing: ok %v, err %v", ok, err)
	}
	// A scan error comes back, not a partial list.
	bad := func(sc Scanner) (kv, error) { return kv{}, errors.New("bad row") }
	if got, err := List(ctx, db.Read, bad, "SELECT key, value FROM kv"); err == nil || got != nil {
		t.Fatalf("List with a failing scan = %v, %v", got, err)
	}
	if _, err := List(ctx, db.Read, scan, "SELECT nope FROM nowhere"); err == nil {
		t.Fatal("List of bad SQL: no error")
	}
}
