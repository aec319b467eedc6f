package slack

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestManifestMatchesAdapter keeps manifest.yaml in step with what the
// adapter calls and listens for: a missing scope or event would fail only
// in a real workspace.
func TestManifestMatchesAdapter(t *testing.T) {
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command      string `yaml:"command"`
				ShouldEscape bool   `yaml:"should_escape"`
			} `yaml:"slash_commands"`
			BotUser struct {
				DisplayName string `yaml:"display_name"`
			} `yaml:"bot_user"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(Manifest, &m); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"app_mentions:read", // app_mention events
		"chat:write",        // chat.postMessage, chat.update
		"commands",          // /bothy
		"im:history",        // message.im events
		"im:read",           // direct message channel info
		"im:write",          // conversations.open for SendDirect
		"reactions:read",    // reaction_added / reaction_removed (RSVPs)
		"reactions:write",   // reactions.add
		"users:read",        // users.info for ResolveUser
		"channels:read",     // conversations.info for ChannelName
	} {
		if !slices.Contains(m.OAuth.Scopes.Bot, s) {
			t.Errorf("manifest lacks scope %s", s)
		}
	}
	if len(m.OAuth.Scopes.Bot) != 10 {
		t.Errorf("manifest asks for %d scopes; every extra one needs a reason in the README", len(m.OAuth.Scopes.Bot))
	}
	for _, e := range []string{"app_mention", "message.im", "reaction_added", "reaction_removed"} {
		if !slices.Contains(m.Settings.Events.BotEvents, e) {
			t.Errorf("manifest lacks event %s", e)
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/bothy" || !m.Features.SlashCommands[0].ShouldEscape {
		t.Errorf("slash command: %+v", m.Features.SlashCommands)
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled || m.Features.BotUser.DisplayName == "" {
		t.Errorf("settings: %+v", m.Settings)
	}
}
