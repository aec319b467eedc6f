package web

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// nowFunc lets the server's clock option serve as a bot.Clock.
type nowFunc func() time.Time

func (f nowFunc) Now() time.Time { return f() }

// clientKey names who is asking, for per-address limits: the peer's IP
// address, or, when the peer is on this machine or a private network (a
// reverse proxy in front of Bothy), the address that proxy saw, the last
// one in X-Forwarded-For. An IPv6 client counts by its /64, the block one
// household or server is given, so rotating addresses within it does not
// buy more.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsLoopback() || ip.IsPrivate()) {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			parts := strings.Split(fwd[len(fwd)-1], ",")
			if p := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); p != nil {
				ip = p
			}
		}
	}
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
