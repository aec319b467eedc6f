package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// nowFunc lets the server's clock option serve as a bot.Clock.
type nowFunc func() time.Time

func (f nowFunc) Now() time.Time { return f() }

// clientKey names who is asking, for per-address limits: the peer's IP
// address, or, when the peer is a reverse proxy in front of Bothy, the
// address that proxy saw, the last one in X-Forwarded-For. A peer counts
// as a proxy when it is in trusted, or, with trusted empty, on this
// machine or a private network. An IPv6 client counts by its /64, the
// block one household or server is given, so rotating addresses within it
// does not buy more.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip != nil && isProxy(ip, trusted) {
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

// isProxy says whether a peer's X-Forwarded-For is believed. Anyone on a
// private network could otherwise claim any address; http.trusted_proxies
// narrows it to the proxies there are.
func isProxy(ip net.IP, trusted []netip.Prefix) bool {
	if len(trusted) == 0 {
		return ip.IsLoopback() || ip.IsPrivate()
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
