package main

import (
	"context"
	"net"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/bot/web/admin"
	"github.com/bothy-chat/bothy/knowledge"
)

// newAdminConsole builds the organisers' console on /admin over the
// features, and registers its `web` chat command (login and logout).
func newAdminConsole(app *App, b *bot.Bot, base *knowledge.Base, meets *meetups.Service, shouts *shoutouts.Service) (*admin.Console, error) {
	c, err := admin.New(admin.Options{
		DB: app.DB, Community: app.Config.Community.Name, Location: app.Config.Location(),
		PublicURL: publicURL(app.Config.Web.PublicURL, app.Config.HTTP.Listen), Logger: app.Log,
		Knowledge: base, Meetups: meets, Shoutouts: shouts,
		// Asked on every request, so someone taken off the organisers (or
		// their Matrix power level lowered) is signed out at once.
		StillOrganiser: func(ctx context.Context, platform, userID string) bool {
			ad, _ := b.Adapter(platform)
			return b.IsOrganiser(ctx, ad, userID, "")
		},
	})
	if err != nil {
		return nil, err
	}
	c.Register(b)
	return c, nil
}

// publicURL is web.public_url, or else the address the server listens on
// as seen from the same machine.
func publicURL(configured, listen string) string {
	if configured != "" {
		return configured
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	switch strings.Trim(host, "[]") {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
