package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/store"
)

func TestMeetupCLI(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "bothy.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	svc, err := meetups.New(meetups.Options{DB: db, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(loc).AddDate(0, 1, 0).Truncate(time.Hour)
	if _, err := svc.Create(ctx, meetups.Draft{Title: "Social", Start: start, Venue: "The Bothy", Hashtag: "#tag"}, "alice"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) (string, bool) { return "", false }}
		code := execute(ctx, env, args)
		return out.String(), errb.String(), code
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, out string)
	}{
		{"json", []string{"meetup", "list", "--json", "--db", dbPath}, 0, func(t *testing.T, out string) {
			var got []map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if len(got) != 1 {
				t.Fatalf("got %d meetups", len(got))
			}
			for _, k := range []string{"id", "title", "starts_at", "time_zone", "venue", "online_url", "hashtag", "status", "going"} {
				if _, ok := got[0][k]; !ok {
					t.Errorf("JSON lacks %q", k)
				}
			}
			if got[0]["starts_at"] != start.Format("2006-01-02T15:04:05-07:00") {
				t.Errorf("starts_at = %v", got[0]["starts_at"])
			}
		}},
		{"ics", []string{"meetup", "export", "--ics", "--db", dbPath}, 0, func(t *testing.T, out string) {
			cal, err := ics.ParseCalendar(strings.NewReader(out))
			if err != nil || len(cal.Events()) != 1 || !strings.Contains(out, "DTSTART;TZID=Europe/London:") {
				t.Fatalf("bad feed (%v):\n%s", err, out)
			}
		}},
		{"text", []string{"meetup", "list", "--db", dbPath}, 0, func(t *testing.T, out string) {
			if !strings.Contains(out, "Social") {
				t.Fatalf("list: %s", out)
			}
		}},
		{"export without --ics", []string{"meetup", "export", "--db", dbPath}, 2, nil},
		{"no subcommand", []string{"meetup"}, 2, nil},
		{"unknown flag", []string{"meetup", "list", "--xml"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}
