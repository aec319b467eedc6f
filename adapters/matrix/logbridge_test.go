package matrix

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestDebugLogsKeepBodiesOut: mautrix logs every request body at debug
// level, a sent message included; the bridge drops it unless
// log.message_bodies asks for it (issue 15.11).
func TestDebugLogsKeepBodiesOut(t *testing.T) {
	body := json.RawMessage(`{"msgtype":"m.notice","body":"my secret allotment plans"}`)
	for _, bodies := range []bool{false, true} {
		var out bytes.Buffer
		log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
		z := zerologToSlog(log, bodies)
		z.Debug().Str("method", "PUT").RawJSON("req_body", body).Msg("Request completed")
		z.Debug().Interface("content", map[string]string{"body": "my secret allotment plans"}).Msg("withheld")
		got := out.String()
		if !strings.Contains(got, "Request completed") || !strings.Contains(got, "method=PUT") {
			t.Fatalf("the log line itself is missing:\n%s", got)
		}
		if shown := strings.Contains(got, "secret allotment"); shown != bodies {
			t.Errorf("message_bodies=%v: body shown = %v in\n%s", bodies, shown, got)
		}
	}
}
