package store

import (
	"context"
	"database/sql"
	"errors"
)

// Querier is a pool (Read or Write) or a transaction on one.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Scanner is one row: *sql.Row and *sql.Rows are both.
type Scanner interface {
	Scan(dest ...any) error
}

// List runs query and turns each row into a T with scan, in order. No
// rows is an empty (nil) list.
func List[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// One runs query for at most one row and scans it; ok is false when there
// is none.
func One[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) (v T, ok bool, err error) {
	v, err = scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, false, nil
	}
	if err != nil {
		return v, false, err
	}
	return v, true, nil
}

// Column scans a row of one column into a T, for List and One.
func Column[T any](sc Scanner) (T, error) {
	var v T
	err := sc.Scan(&v)
	return v, err
}
