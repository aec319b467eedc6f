package matrix

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"

	"github.com/rs/zerolog"
)

// zerologToSlog gives mautrix (which logs with zerolog) a logger that
// writes into Bothy's slog handler, so all output shares one format.
//
// mautrix logs each request's JSON body at debug level, which for a send
// is the message itself; unless bodies were asked for, those fields are
// dropped here, so message text stays out of logs at every level.
func zerologToSlog(log *slog.Logger, bodies bool) zerolog.Logger {
	level := zerolog.InfoLevel
	if log.Enabled(context.Background(), slog.LevelDebug) {
		level = zerolog.DebugLevel
	}
	return zerolog.New(slogWriter{log: log.With("lib", "mautrix"), bodies: bodies}).Level(level)
}

// contentFields are the mautrix log fields that can carry what someone
// wrote: request bodies and event content.
var contentFields = []string{"req_body", "content", "structured_args"}

type slogWriter struct {
	log    *slog.Logger
	bodies bool
}

func (w slogWriter) Write(p []byte) (int, error) {
	var fields map[string]any
	if err := json.Unmarshal(p, &fields); err != nil {
		w.log.Info(string(p))
		return len(p), nil
	}
	lv := slog.LevelInfo
	switch fields[zerolog.LevelFieldName] {
	case "trace", "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error", "fatal", "panic":
		lv = slog.LevelError
	}
	msg, _ := fields[zerolog.MessageFieldName].(string)
	delete(fields, zerolog.LevelFieldName)
	delete(fields, zerolog.MessageFieldName)
	if !w.bodies {
		for _, k := range contentFields {
			if _, ok := fields[k]; ok {
				fields[k] = "(omitted; log.message_bodies shows it)"
			}
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		attrs = append(attrs, k, fields[k])
	}
	w.log.Log(context.Background(), lv, msg, attrs...)
	return len(p), nil
}
