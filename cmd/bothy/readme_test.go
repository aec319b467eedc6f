package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/meetups/when"
)

// The README's meetup examples work on the day they are read: each date
// it says works is understood without a question, today, and so is the
// meetup add of its first conversation.
func TestREADMEMeetupExamplesWorkToday(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(data)), " ")
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	_, list, ok := strings.Cut(readme, "Dates in ordinary English work (")
	if !ok {
		t.Fatal("the README no longer lists the date forms that work")
	}
	list, _, _ = strings.Cut(list, "; weekdays")
	examples := regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(list, -1)
	if len(examples) < 4 {
		t.Fatalf("found %d examples in %q", len(examples), list)
	}
	for _, m := range examples {
		p, err := when.Parse(m[1], now, loc)
		if err != nil || !p.Time.After(now) {
			t.Errorf("README example %q does not work today: %v", m[1], err)
		}
	}

	adds := regexp.MustCompile(`(?:you> |`+"`"+`)meetup add ([^`+"`"+`]+?)(?:`+"`"+`| bothy>)`).FindAllStringSubmatch(readme, -1)
	if len(adds) < 2 {
		t.Fatalf("found %d meetup add examples", len(adds))
	}
	for _, m := range adds {
		if strings.HasPrefix(m[1], "TITLE") {
			continue // the usage line, not an example
		}
		a, err := meetups.ParseAdd(m[1], when.Recognizes)
		if err != nil {
			t.Errorf("README meetup add %q: %v", m[1], err)
			continue
		}
		if _, err := when.Parse(a.When, now, loc); err != nil {
			t.Errorf("README meetup add %q: the date %q does not work today: %v", m[1], a.When, err)
		}
	}
}
