package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// MaxChatExport is the largest export sent in chat; bigger ones would be
// cut by the platforms, so the member is pointed to an organiser instead.
const MaxChatExport = 30000

// Document is the export as printed and sent: who, when, and one section
// per provider.
type Document struct {
	UserID     string         `json:"user_id"`
	ExportedAt string         `json:"exported_at"`
	Sections   map[string]any `json:"sections"`
}

// NewDocument runs Export and wraps the result for printing.
func NewDocument(ctx context.Context, userID string, now time.Time, providers ...Provider) (Document, error) {
	sections, err := Export(ctx, userID, providers...)
	if err != nil {
		return Document{}, err
	}
	return Document{UserID: userID, ExportedAt: now.UTC().Format(time.RFC3339), Sections: sections}, nil
}

// MydataCommand is the chat command with which members ask for their own
// export. It answers only in a direct message, so personal data is never
// posted in a shared room. providers lists the features that hold
// personal data (asked on each request).
func MydataCommand(providers func() []Provider, clock bot.Clock) *bot.Command {
	if clock == nil {
		clock = bot.SystemClock{}
	}
	return &bot.Command{
		Name:    "mydata",
		Summary: "get a copy of everything Bothy stores about you (in a direct message)",
		Help: "Sends you, in this direct message, a JSON copy of what Bothy holds about you: " +
			"shout-outs given and received, award nominations, RSVPs and questions asked. " +
			"To have your data erased, ask an organiser.",
		Run: func(ctx context.Context, req *bot.Request) error {
			if !req.Msg.Direct {
				return req.Reply(ctx, bot.Reply{Text: "Your data is personal, so I only send it privately: ask me in a direct message (type mydata there)."})
			}
			doc, err := NewDocument(ctx, req.Msg.UserID, clock.Now(), providers()...)
			if err != nil {
				return fmt.Errorf("privacy: mydata: %w", err)
			}
			b, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return fmt.Errorf("privacy: mydata: encode: %w", err)
			}
			if len(b) > MaxChatExport {
				return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Your export is too large to send in chat (%d bytes). Please ask an organiser to run: bothy privacy export --user %s", len(b), req.Msg.UserID)})
			}
			return req.Reply(ctx, bot.Reply{Text: "Here is everything I store about you (" + req.Msg.UserID + "):\n```json\n" + string(b) + "\n```\nTo have it erased, ask an organiser."})
		},
	}
}
