package shoutouts

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Record is a shout-out as exported (JSON, CSV, the privacy export).
type Record struct {
	ID            int64  `json:"id"`
	GiverID       string `json:"giver_id"`
	GiverName     string `json:"giver_name"`
	RecipientID   string `json:"recipient_id"`
	RecipientName string `json:"recipient_name"`
	Reason        string `json:"reason"`
	Category      string `json:"category"`
	Platform      string `json:"platform"`
	RoomID        string `json:"room_id"`
	CreatedAt     string `json:"created_at"`
	Retracted     bool   `json:"retracted"`
	RetractedAt   string `json:"retracted_at,omitempty"`
	RetractedBy   string `json:"retracted_by,omitempty"`
	RetractReason string `json:"retract_reason,omitempty"`
}

func record(s Shoutout) Record {
	r := Record{
		ID: s.ID, GiverID: s.GiverID, GiverName: s.GiverName, RecipientID: s.RecipientID,
		RecipientName: s.RecipientName, Reason: s.Reason, Category: s.Category, Platform: s.Platform,
		RoomID: s.RoomID, CreatedAt: s.CreatedAt.UTC().Format(time.RFC3339), Retracted: s.Retracted(),
	}
	if r.Retracted {
		r.RetractedAt = s.RetractedAt.UTC().Format(time.RFC3339)
		r.RetractedBy, r.RetractReason = s.RetractedBy, s.RetractReason
	}
	return r
}

// Formats are the export formats.
var Formats = []string{"csv", "json", "markdown"}

// csvHeader names the CSV columns, matching the JSON field names.
var csvHeader = []string{"id", "giver_id", "giver_name", "recipient_id", "recipient_name", "reason",
	"category", "platform", "room_id", "created_at", "retracted", "retracted_at", "retracted_by", "retract_reason"}

// WriteExport writes shout-outs in format (csv, json or markdown). JSON is
// an array (empty, not null, when there are none).
func WriteExport(w io.Writer, format string, list []Shoutout) error {
	recs := make([]Record, len(list))
	for i, s := range list {
		recs[i] = record(s)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(recs)
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		for _, r := range recs {
			row := []string{strconv.FormatInt(r.ID, 10), r.GiverID, r.GiverName,
				r.RecipientID, r.RecipientName, r.Reason, r.Category, r.Platform,
				r.RoomID, r.CreatedAt, strconv.FormatBool(r.Retracted), r.RetractedAt,
				r.RetractedBy, r.RetractReason}
			// Every column: IDs come from members too (a console name
			// can be =HYPERLINK(...)).
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "markdown":
		return writeMarkdown(w, recs)
	}
	return fmt.Errorf("unknown export format %q (use %s)", format, strings.Join(Formats, ", "))
}

// csvSafe stops a spreadsheet from running a cell that starts like a
// formula: member-written text is untrusted, and so are IDs (a console
// name is whatever was typed). A Matrix ID ("@mo:example.org") therefore
// gets the quote too; scripts that need IDs exactly read the JSON export.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeMarkdown(w io.Writer, recs []Record) error {
	var b strings.Builder
	b.WriteString("# Shout-outs\n\n")
	if len(recs) == 0 {
		b.WriteString("No shout-outs in this period.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%s.\n\n", plural(len(recs), "shout-out", "shout-outs"))
	b.WriteString("| id | date | from | to | reason | category | platform |\n")
	b.WriteString("|---:|---|---|---|---|---|---|\n")
	for _, r := range recs {
		reason := mdCell(r.Reason)
		if r.Retracted {
			reason = "~~" + reason + "~~ (retracted: " + mdCell(r.RetractReason) + ")"
		}
		cat := ""
		if r.Category != "" {
			cat = "#" + r.Category
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s |\n", r.ID, mdCell(r.CreatedAt), mdCell(r.GiverName),
			mdCell(r.RecipientName), reason, mdCell(cat), mdCell(r.Platform))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell keeps member-written text inside one table cell and shows it as
// text wherever the Markdown is rendered: no line breaks, and a backslash
// before every character that could start HTML (<script>), a link or
// image ([x](u), ![x](u)), an entity, emphasis, code or a cell break.
func mdCell(s string) string {
	return mdEscaper.Replace(strings.Join(strings.Fields(s), " "))
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "&", `\&`, "|", `\|`, "~", `\~`, "!", `\!`)
