package meetups

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups/when"
)

func TestParseAdd(t *testing.T) {
	tests := []struct {
		in   string
		want AddArgs
		err  string // part of the usage error, when one is expected
	}{
		{in: "#tartantm summer social on 16 June 2027 18:00 at The Lighthouse, Glasgow #tartantm",
			want: AddArgs{Title: "#tartantm summer social", When: "16 June 2027 18:00", Venue: "The Lighthouse, Glasgow", Hashtag: "#tartantm"}},
		{in: "Drinks at the Bothy on 20 June 2027 18:00",
			want: AddArgs{Title: "Drinks at the Bothy", When: "20 June 2027 18:00"}},
		{in: "Social on Friday at 6pm at The Bothy online https://meet.example.org/x #tag capacity 3",
			want: AddArgs{Title: "Social", When: "Friday at 6pm", Venue: "The Bothy", OnlineURL: "https://meet.example.org/x", Hashtag: "#tag", Capacity: 3}},
		{in: "Pub quiz at 7pm tomorrow in The Bothy in Perth capacity 20",
			want: AddArgs{Title: "Pub quiz", When: "7pm tomorrow", Venue: "The Bothy in Perth", Capacity: 20}},
		{in: "Coffee every first Wednesday at 18:00 in Edinburgh",
			want: AddArgs{Title: "Coffee", When: "every first Wednesday at 18:00", Venue: "Edinburgh"}},
		{in: "Talk on March madness on 20 June 2027 18:00",
			want: AddArgs{Title: "Talk on March madness", When: "20 June 2027 18:00"}},
		{in: "Unclear on 20 June at The Lighthouse",
			want: AddArgs{Title: "Unclear", When: "20 June", Venue: "The Lighthouse"}},
		// A bare hour is part of the date (to be asked about), not a venue.
		{in: "Summer social on tomorrow at 7",
			want: AddArgs{Title: "Summer social", When: "tomorrow at 7"}},
		{in: "Summer social on tomorrow 7 at The Lighthouse",
			want: AddArgs{Title: "Summer social", When: "tomorrow 7", Venue: "The Lighthouse"}},
		{in: "", err: "title and the date"},
		{in: "A party", err: "couldn't find the date"},
		{in: "on 20 June 2027 18:00", err: "couldn't find the date"},
		{in: "Social on 20 June 2027 18:00 capacity lots", err: "whole number"},
		{in: "Social on 20 June 2027 18:00 capacity", err: "whole number"},
		{in: "Social on 20 June 2027 18:00 online ftp://x", err: "not a web link"},
		{in: "Social on banana at the pub", err: "couldn't find the date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAdd(tt.in, when.Recognizes)
			if tt.err != "" {
				var ue *bot.UsageError
				if !errors.As(err, &ue) || !contains(ue.Msg, tt.err) {
					t.Fatalf("ParseAdd(%q) = %+v, %v; want usage error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAdd(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseAdd(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

// The example every meetup add usage message shows works whatever the day.
func TestAddExampleWorksToday(t *testing.T) {
	a, err := ParseAdd(strings.TrimPrefix(addExample, "meetup add "), when.Recognizes)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	if _, err := when.Parse(a.When, time.Now(), loc); err != nil {
		t.Fatalf("the example's date %q does not work today: %v", a.When, err)
	}
}

// FuzzParseAdd checks the argument parser never panics and keeps its
// promises: a title and a date that the date parser recognises.
func FuzzParseAdd(f *testing.F) {
	f.Add("#tartantm summer social on 16 June 2027 18:00 at The Lighthouse, Glasgow #tartantm")
	f.Add("x on at in at capacity 3")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAdd(s, when.Recognizes)
		if err != nil {
			var ue *bot.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseAdd(%q) non-usage error %v", s, err)
			}
			return
		}
		if a.Title == "" || !when.Recognizes(a.When) {
			t.Fatalf("ParseAdd(%q) = %+v: empty title or unrecognised date", s, a)
		}
	})
}
