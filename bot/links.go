package bot

import (
	"net/url"
	"strings"
)

// LinkAllowed reports whether a link may be made clickable anywhere Bothy
// shows it: only http and https addresses with a host, and mailto. Other
// schemes (javascript:, data:, file:, custom app links) are shown as text,
// if at all.
func LinkAllowed(raw string) bool {
	if raw == "" || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != "" && u.User == nil
	case "mailto":
		return u.Opaque != ""
	}
	return false
}
