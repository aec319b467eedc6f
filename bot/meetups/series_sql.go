package meetups

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/bot/store"
)

// series is a recurring meetup's template.
type series struct {
	ID        int64
	Rule      string
	Title     string
	TimeZone  string
	Venue     string
	OnlineURL string
	Hashtag   string
	Capacity  int
	CreatedBy string
}

func insertSeries(ctx context.Context, q execer, s *series) error {
	res, err := q.ExecContext(ctx, `INSERT INTO meetup_series(rule, title, time_zone, venue, online_url, hashtag, capacity, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.Rule, s.Title, s.TimeZone, s.Venue, s.OnlineURL, s.Hashtag, s.Capacity, s.CreatedBy)
	if err != nil {
		return fmt.Errorf("meetups: insert series: %w", err)
	}
	s.ID, err = res.LastInsertId()
	return err
}

func activeSeries(ctx context.Context, q execer) ([]series, error) {
	out, err := store.List(ctx, q, func(sc store.Scanner) (series, error) {
		var s series
		err := sc.Scan(&s.ID, &s.Rule, &s.Title, &s.TimeZone, &s.Venue, &s.OnlineURL, &s.Hashtag, &s.Capacity, &s.CreatedBy)
		return s, err
	}, `SELECT id, rule, title, time_zone, venue, online_url, hashtag, capacity, created_by
		FROM meetup_series WHERE active = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("meetups: list series: %w", err)
	}
	return out, nil
}

func stopSeries(ctx context.Context, q execer, id int64) error {
	if _, err := q.ExecContext(ctx, "UPDATE meetup_series SET active = 0 WHERE id = ?", id); err != nil {
		return fmt.Errorf("meetups: stop series %d: %w", id, err)
	}
	return nil
}
