package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		file    string // written to bothy.yaml in a temporary folder and loaded instead of path
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "defaults with no file", path: "testdata/none.yaml", check: func(t *testing.T, c Config) {
			if c.DB != "bothy.db" || c.Community.TimeZone != "Europe/London" || len(c.Meetups.Reminders) != 3 {
				t.Errorf("defaults = %+v", c)
			}
			if c.MatrixEnabled() || c.SlackEnabled() {
				t.Error("adapters enabled with nothing configured")
			}
		}},
		{name: "file values", path: "testdata/good.yaml", env: map[string]string{"BOTHY_MATRIX_PASSWORD": "hunter22!"}, check: func(t *testing.T, c Config) {
			if c.DB != "/var/lib/bothy/bothy.db" || len(c.Organisers) != 2 || c.Meetups.Reminders[0] != 48*time.Hour {
				t.Errorf("file values = %+v", c)
			}
			if !c.MatrixEnabled() || c.Matrix.Password != "hunter22!" {
				t.Error("matrix not enabled from file + env")
			}
		}},
		{name: "env overrides file", path: "testdata/good.yaml", env: map[string]string{
			"BOTHY_DB": "/tmp/x.db", "BOTHY_ORGANISERS": "a, b ,c", "BOTHY_MATRIX_TOKEN": "syt_x",
			"BOTHY_COMMUNITY_TIME_ZONE": "America/New_York", "BOTHY_MEETUPS_REMINDERS": "1h",
			"BOTHY_SHOUTOUTS_DAILY_QUOTA": "9", "BOTHY_MATRIX_ANNOUNCE": "!a:x,#b:x",
		}, check: func(t *testing.T, c Config) {
			if c.DB != "/tmp/x.db" || strings.Join(c.Organisers, "|") != "a|b|c" || c.Community.TimeZone != "America/New_York" {
				t.Errorf("env = %+v", c)
			}
			if len(c.Meetups.Reminders) != 1 || c.Shoutouts.DailyQuota != 9 || len(c.Matrix.Announce) != 2 {
				t.Errorf("env lists/ints = %+v", c)
			}
		}},
		{name: "slack tokens enable slack", path: "", env: map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "BOTHY_SLACK_API_URL": "http://127.0.0.1:1/api/"}, check: func(t *testing.T, c Config) {
			if !c.SlackEnabled() || c.Slack.APIURL != "http://127.0.0.1:1/api/" {
				t.Errorf("slack = %+v", c.Slack)
			}
		}},
		{name: "unknown key names key and line", path: "testdata/unknown-key.yaml", wantErr: "testdata/unknown-key.yaml:3: community.time_zome: unknown key (did you mean community.time_zone?)"},
		{name: "invalid value names key and line", path: "testdata/bad-zone.yaml", wantErr: "testdata/bad-zone.yaml:4: community.time_zone: unknown time zone \"Mars/Olympus\""},
		{name: "secret in file refused", path: "testdata/secret-in-file.yaml", wantErr: "testdata/secret-in-file.yaml:2: slack.bot_token: unknown key; secrets are never read from this file: set SLACK_BOT_TOKEN in the environment"},
		{name: "matrix password in file points at both places", path: "", file: "matrix:\n  homeserver: https://m.example\n  password: hunter2\n", wantErr: "bothy.yaml:3: matrix.password: unknown key; secrets are never read from this file: set BOTHY_MATRIX_PASSWORD in the environment, or name a file holding it with matrix.password_file"},
		{name: "secret-looking key", path: "", file: "llm:\n  secret: x\n", wantErr: "bothy.yaml:2: llm.secret: unknown key; secrets are never read from this file"},
		{name: "retired key says why it went", path: "", file: "slack:\n  mode: socket\n  reaction_rsvp: true\n", wantErr: "bothy.yaml:3: slack.reaction_rsvp: unknown key; it is no longer a setting (reacting to a meetup announcement is always an RSVP, on every platform): delete the line"},
		{name: "matrix threads and button actions from the file", path: "", file: "matrix:\n  threads: true\n  button_actions: true\n", check: func(t *testing.T, c Config) {
			if !c.Matrix.Threads || !c.Matrix.ButtonActions {
				t.Errorf("matrix = %+v", c.Matrix)
			}
		}},
		{name: "matrix threads from the environment", path: "", env: map[string]string{"BOTHY_MATRIX_THREADS": "true", "BOTHY_MATRIX_BUTTON_ACTIONS": "true"}, check: func(t *testing.T, c Config) {
			if !c.Matrix.Threads || !c.Matrix.ButtonActions {
				t.Errorf("matrix = %+v", c.Matrix)
			}
		}},
		{name: "unknown section lists known keys", path: "", file: "comunity:\n  name: x\n", wantErr: "bothy.yaml:1: comunity: unknown key (did you mean community?)"},
		{name: "bad env value names the variable, not the file", path: "testdata/good.yaml", env: map[string]string{"BOTHY_MATRIX_PASSWORD": "x", "BOTHY_COMMUNITY_TIME_ZONE": "Nope"}, wantErr: "environment: BOTHY_COMMUNITY_TIME_ZONE (community.time_zone): unknown time zone \"Nope\""},
		{name: "bad env value without a file names the variable", path: "", env: map[string]string{"BOTHY_COMMUNITY_TIME_ZONE": "Nope"}, wantErr: "environment: BOTHY_COMMUNITY_TIME_ZONE (community.time_zone): unknown time zone \"Nope\""},
		{name: "bad file value still names the line", path: "", file: "log:\n  level: loud\n", wantErr: "bothy.yaml:2: log.level: \"loud\""},
		{name: "bad env duration", path: "", env: map[string]string{"BOTHY_PRIVACY_RETENTION": "a year"}, wantErr: "BOTHY_PRIVACY_RETENTION: \"a year\" is not a duration"},
		{name: "bad env secret not echoed", path: "", env: map[string]string{"BOTHY_LOG_LEVEL": "loud"}, wantErr: "environment: BOTHY_LOG_LEVEL (log.level): \"loud\" is not one of"},
		{name: "public url from env", path: "", env: map[string]string{"BOTHY_WEB_PUBLIC_URL": "https://bothy.example.org/community"}, check: func(t *testing.T, c Config) {
			if c.Web.PublicURL != "https://bothy.example.org/community" {
				t.Errorf("web.public_url = %q", c.Web.PublicURL)
			}
		}},
		{name: "public url must be http or https", path: "", env: map[string]string{"BOTHY_WEB_PUBLIC_URL": "javascript:alert(1)"}, wantErr: `BOTHY_WEB_PUBLIC_URL (web.public_url): "javascript:alert(1)" is not an http or https address`},
		{name: "public url needs a host", path: "", env: map[string]string{"BOTHY_WEB_PUBLIC_URL": "bothy.example.org"}, wantErr: "web.public_url"},
		{name: "llm min confidence from the file", path: "", file: "llm:\n  base_url: http://127.0.0.1:11434/v1\n  model: llama3.1\n  min_confidence: 0.25\n", check: func(t *testing.T, c Config) {
			if c.LLM.MinConfidence != 0.25 {
				t.Errorf("llm.min_confidence = %v", c.LLM.MinConfidence)
			}
		}},
		{name: "llm min confidence out of range", path: "", env: map[string]string{"BOTHY_LLM_MIN_CONFIDENCE": "1.5"}, wantErr: "BOTHY_LLM_MIN_CONFIDENCE (llm.min_confidence): must be between 0 and 1"},
		{name: "trusted proxies from the file and the environment", path: "", file: "http:\n  trusted_proxies: [10.1.2.3, 192.168.0.0/24]\n", check: func(t *testing.T, c Config) {
			if got := fmt.Sprint(c.HTTP.Proxies()); got != "[10.1.2.3/32 192.168.0.0/24]" {
				t.Errorf("http.trusted_proxies = %s", got)
			}
		}},
		{name: "trusted proxies from the environment", path: "", env: map[string]string{"BOTHY_HTTP_TRUSTED_PROXIES": "::1, 10.0.0.0/8"}, check: func(t *testing.T, c Config) {
			if got := fmt.Sprint(c.HTTP.Proxies()); got != "[::1/128 10.0.0.0/8]" {
				t.Errorf("BOTHY_HTTP_TRUSTED_PROXIES = %s", got)
			}
		}},
		{name: "a trusted proxy that is not an address", path: "", file: "http:\n  trusted_proxies: [nginx]\n", wantErr: `bothy.yaml:2: http.trusted_proxies: "nginx" is not an IP address or a CIDR block`},
		{name: "matrix needs credentials", path: "", env: map[string]string{"BOTHY_MATRIX_HOMESERVER": "http://127.0.0.1:8008", "BOTHY_MATRIX_USER": "bothy"}, wantErr: "BOTHY_MATRIX_PASSWORD or BOTHY_MATRIX_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if tt.file != "" {
				path = t.TempDir() + "/bothy.yaml"
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c, err := Load(path, false, envMap(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				var ce *Error
				if !errors.As(err, &ce) {
					t.Fatalf("error %T is not a *config.Error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestMissingExplicitFile(t *testing.T) {
	if _, err := Load("testdata/none.yaml", true, envMap(nil)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

func TestExampleLoads(t *testing.T) {
	path := t.TempDir() + "/bothy.yaml"
	if err := os.WriteFile(path, Example, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, true, envMap(nil))
	if err != nil {
		t.Fatalf("the example configuration does not load: %v", err)
	}
	if c.Community.TimeZone != "Europe/London" {
		t.Errorf("example time zone = %q", c.Community.TimeZone)
	}
}

func TestSecretFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/key", []byte("sk-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := dir + "/bothy.yaml"
	if err := os.WriteFile(cfgPath, []byte("llm:\n  base_url: http://127.0.0.1:11434/v1\n  api_key_file: "+dir+"/key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfgPath, true, envMap(nil))
	if err != nil || c.LLM.APIKey != "sk-secret" {
		t.Fatalf("api key from file = %q, %v", c.LLM.APIKey, err)
	}
}
