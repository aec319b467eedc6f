// Package config loads bothy.yaml and applies BOTHY_* environment
// overrides. Every key can be set either way; secrets come only from the
// environment or from files named in the config, and are never printed.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. The yaml tag names the key; the env
// name is BOTHY_ plus the key path in upper case joined by "_" unless an
// env tag says otherwise. Fields tagged secret:"true" cannot be set in the
// file itself (only the matching _file key, or the environment).
type Config struct {
	Community  Community `yaml:"community"`
	DB         string    `yaml:"db" env:"BOTHY_DB"`
	Organisers []string  `yaml:"organisers" env:"BOTHY_ORGANISERS"`
	Log        Log       `yaml:"log"`
	Knowledge  Knowledge `yaml:"knowledge"`
	LLM        LLM       `yaml:"llm"`
	Meetups    Meetups   `yaml:"meetups"`
	Shoutouts  Shoutouts `yaml:"shoutouts"`
	Privacy    Privacy   `yaml:"privacy"`
	Console    Console   `yaml:"console"`
	Matrix     Matrix    `yaml:"matrix"`
	Slack      Slack     `yaml:"slack"`
	HTTP       HTTP      `yaml:"http"`
	Web        Web       `yaml:"web"`
}

// Community describes the community the bot serves.
type Community struct {
	Name     string `yaml:"name"`
	TimeZone string `yaml:"time_zone"`
}

// Log sets logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
	// MessageBodies lets debug logs show what people and the bot wrote
	// (off: message text is private and stays out of logs).
	MessageBodies bool `yaml:"message_bodies"`
}

// Knowledge configures the knowledge base.
type Knowledge struct {
	// Dirs are folders of Markdown files, watched for changes.
	Dirs []string `yaml:"dirs"`
	// MinConfidence overrides the answer/abstain threshold (0 = default).
	MinConfidence float64 `yaml:"min_confidence"`
	// QuestionsPerMinute is how many questions one member may ask a
	// minute (default 20; 0 = no limit), so a flood neither fills the
	// gaps list nor spends model calls.
	QuestionsPerMinute int `yaml:"questions_per_minute"`
}

// LLM configures an OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp
// server, vLLM). Empty BaseURL means retrieval-only answers.
type LLM struct {
	BaseURL         string        `yaml:"base_url"`
	Model           string        `yaml:"model"`
	EmbeddingsModel string        `yaml:"embeddings_model"`
	APIKey          string        `yaml:"-" env:"BOTHY_LLM_API_KEY" secret:"true"`
	APIKeyFile      string        `yaml:"api_key_file"`
	Timeout         time.Duration `yaml:"timeout"`
	// MinConfidence, when set below knowledge.min_confidence, also gives
	// the model the questions whose confidence falls between the two; it
	// answers those only when the passages hold the answer, and Bothy
	// abstains otherwise. 0 leaves it off.
	MinConfidence float64 `yaml:"min_confidence"`
	// Web lets the community page's search use the models too. Off by
	// default: the page is open to anyone, and each search would be a
	// model call someone else pays for.
	Web bool `yaml:"web"`
}

// Meetups configures meetups and reminders.
type Meetups struct {
	// Reminders are offsets before the start (default 168h, 24h, 1h).
	Reminders []time.Duration `yaml:"reminders"`
}

// Shoutouts configures shout-outs and the weekly digest.
type Shoutouts struct {
	DailyQuota int    `yaml:"daily_quota"`
	DigestDay  string `yaml:"digest_day"`
	DigestTime string `yaml:"digest_time"`
}

// Privacy configures data retention.
type Privacy struct {
	Retention time.Duration `yaml:"retention"`
}

// Console configures the console adapter.
type Console struct {
	// Enabled forces the console on even when other adapters are set up.
	Enabled bool   `yaml:"enabled"`
	User    string `yaml:"user"`
}

// Matrix configures the Matrix adapter; a homeserver enables it.
type Matrix struct {
	Homeserver     string        `yaml:"homeserver"`
	User           string        `yaml:"user"`
	Password       string        `yaml:"-" env:"BOTHY_MATRIX_PASSWORD" secret:"true"`
	PasswordFile   string        `yaml:"password_file"`
	Token          string        `yaml:"-" env:"BOTHY_MATRIX_TOKEN" secret:"true"`
	TokenFile      string        `yaml:"token_file"`
	Announce       []string      `yaml:"announce"`
	AllowInvites   []string      `yaml:"allow_invites"`
	OrganiserPower int           `yaml:"organiser_power"`
	OrganiserRooms []string      `yaml:"organiser_rooms"` // whose power levels count; default: announce
	Catchup        time.Duration `yaml:"catchup"`
	Encryption     bool          `yaml:"encryption"`
	RedactAnswers  bool          `yaml:"redact_answers"` // redact the answer when its question is redacted
	Threads        bool          `yaml:"threads"`        // every reply in a room starts a thread
	ButtonActions  bool          `yaml:"button_actions"` // a reaction matching a button of the bot's message presses it
	PickleKey      string        `yaml:"-" env:"BOTHY_MATRIX_PICKLE_KEY" secret:"true"`
	CrossSigning   bool          `yaml:"cross_signing"` // cross-sign the bot's own account (verified sessions)
	RecoveryKey    string        `yaml:"-" env:"BOTHY_MATRIX_RECOVERY_KEY" secret:"true"`
}

// Slack configures the Slack adapter; the two tokens enable it.
type Slack struct {
	AppToken      string   `yaml:"-" env:"SLACK_APP_TOKEN" secret:"true"`
	BotToken      string   `yaml:"-" env:"SLACK_BOT_TOKEN" secret:"true"`
	SigningSecret string   `yaml:"-" env:"SLACK_SIGNING_SECRET" secret:"true"`
	Announce      []string `yaml:"announce"`
	APIURL        string   `yaml:"api_url"`
	Mode          string   `yaml:"mode"`
	EventsListen  string   `yaml:"events_listen"`
}

// HTTP configures the operations server and community page.
type HTTP struct {
	Listen string `yaml:"listen"`
	// Page is "public" (default), "token" or "off".
	Page      string `yaml:"page"`
	PageToken string `yaml:"-" env:"BOTHY_HTTP_PAGE_TOKEN" secret:"true"`
	// SearchPerMinute is how many searches one address may make a minute
	// on the community page (default 30; 0 = no limit).
	SearchPerMinute int `yaml:"search_per_minute"`
	// TrustedProxies are the addresses or CIDR blocks of the reverse
	// proxies in front of Bothy, whose X-Forwarded-For names the client
	// for the search limit; empty trusts any peer on this machine or a
	// private network.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Proxies parses TrustedProxies (validate has checked them): a single
// address is a block of one.
func (h HTTP) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range h.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func parseProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// Web describes how people reach the web server.
type Web struct {
	// PublicURL is the address people open (https://bothy.example.org),
	// which may differ from http.listen behind a TLS proxy. Its scheme
	// decides whether cookies are Secure; links Bothy sends start with it.
	PublicURL string `yaml:"public_url"`
}

// Default returns the configuration used with no file and no environment.
func Default() Config {
	return Config{
		Community: Community{Name: "the community", TimeZone: "Europe/London"},
		DB:        "bothy.db",
		Log:       Log{Level: "info", Format: "text"},
		LLM:       LLM{Timeout: 20 * time.Second},
		Meetups:   Meetups{Reminders: []time.Duration{168 * time.Hour, 24 * time.Hour, time.Hour}},
		Shoutouts: Shoutouts{DailyQuota: 5, DigestDay: "friday", DigestTime: "16:00"},
		Privacy:   Privacy{Retention: 365 * 24 * time.Hour},
		Slack:     Slack{Mode: "socket"},
		HTTP:      HTTP{Page: "public", SearchPerMinute: 30},
		Knowledge: Knowledge{QuestionsPerMinute: 20},
		Matrix:    Matrix{Catchup: 15 * time.Minute, OrganiserPower: 50, Encryption: true, CrossSigning: true, RedactAnswers: true},
	}
}

// Error is a configuration problem, with the key and (for the file) line.
type Error struct {
	Source string // file path or "environment"
	Line   int
	Key    string
	Msg    string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s: %s", e.Source, e.Line, e.Key, e.Msg)
	case e.Key != "":
		return fmt.Sprintf("%s: %s: %s", e.Source, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// Load reads path (if not empty), then the environment, then validates.
// A missing file is an error only when must is true (an explicit --config).
func Load(path string, must bool, env func(string) (string, bool)) (Config, error) {
	cfg := Default()
	lines := map[string]int{}
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			if err := decodeFile(path, data, &cfg, lines); err != nil {
				return cfg, err
			}
		case errors.Is(err, os.ErrNotExist) && !must:
		default:
			return cfg, fmt.Errorf("config: %w", err)
		}
	}
	if env == nil {
		env = os.LookupEnv
	}
	fromEnv := map[string]string{}
	if err := applyEnv(reflect.ValueOf(&cfg).Elem(), "BOTHY", "", env, fromEnv); err != nil {
		return cfg, err
	}
	if err := readSecretFiles(&cfg); err != nil {
		return cfg, err
	}
	if err := cfg.validate(path, lines, fromEnv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func decodeFile(path string, data []byte, cfg *Config, lines map[string]int) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return &Error{Source: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(root.Content) == 0 {
		return nil
	}
	collectLines(root.Content[0], "", lines)
	if err := checkKeys(path, root.Content[0], reflect.TypeOf(Config{}), ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return &Error{Source: path, Msg: strings.Join(te.Errors, "; ")}
		}
		return &Error{Source: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return nil
}

// collectLines records the line of every key path ("matrix.homeserver") so
// validation errors can point at the line.
func collectLines(n *yaml.Node, prefix string, lines map[string]int) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		lines[path] = k.Line
		collectLines(n.Content[i+1], path, lines)
	}
}

// applyEnv walks the struct and overrides each field from its variable,
// noting in fromEnv which key each variable set, so a bad value is blamed
// on the variable rather than on the file.
func applyEnv(v reflect.Value, envPrefix, keyPrefix string, env func(string) (string, bool), fromEnv map[string]string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("yaml"), ",")[0]
		name := f.Tag.Get("env")
		if key == "-" {
			key = strings.ToLower(f.Name)
		}
		path := key
		if keyPrefix != "" {
			path = keyPrefix + "." + key
		}
		if f.Type.Kind() == reflect.Struct {
			if err := applyEnv(v.Field(i), envPrefix+"_"+strings.ToUpper(key), path, env, fromEnv); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = envPrefix + "_" + strings.ToUpper(key)
		}
		raw, ok := env(name)
		if !ok || raw == "" {
			continue
		}
		if err := setValue(v.Field(i), raw); err != nil {
			msg := err.Error()
			if f.Tag.Get("secret") == "true" {
				msg = "invalid value (not shown: secret)"
			}
			return &Error{Source: "environment", Key: name, Msg: msg}
		}
		fromEnv[path] = name
	}
	return nil
}

var durationType = reflect.TypeOf(time.Duration(0))

func setValue(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("%q is not a duration (try 90s, 15m, 24h)", raw)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", raw)
		}
		v.SetFloat(x)
	case v.Kind() == reflect.Slice:
		parts := strings.Split(raw, ",")
		s := reflect.MakeSlice(v.Type(), 0, len(parts))
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := setValue(e, p); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
	default:
		return fmt.Errorf("cannot set %s from the environment", v.Kind())
	}
	return nil
}

func readSecretFiles(cfg *Config) error {
	pairs := []struct {
		file string
		dst  *string
		key  string
	}{
		{cfg.LLM.APIKeyFile, &cfg.LLM.APIKey, "llm.api_key_file"},
		{cfg.Matrix.PasswordFile, &cfg.Matrix.Password, "matrix.password_file"},
		{cfg.Matrix.TokenFile, &cfg.Matrix.Token, "matrix.token_file"},
	}
	for _, p := range pairs {
		if p.file == "" || *p.dst != "" {
			continue
		}
		b, err := os.ReadFile(p.file)
		if err != nil {
			return &Error{Source: "config", Key: p.key, Msg: fmt.Sprintf("cannot read secret file: %v", err)}
		}
		*p.dst = strings.TrimSpace(string(b))
	}
	return nil
}

func (c *Config) validate(path string, lines map[string]int, fromEnv map[string]string) error {
	bad := func(key, msg string) error {
		if name, ok := fromEnv[key]; ok {
			return &Error{Source: "environment", Key: name + " (" + key + ")", Msg: msg}
		}
		src := path
		if lines[key] == 0 {
			src = "config"
		}
		return &Error{Source: src, Line: lines[key], Key: key, Msg: msg}
	}
	if _, err := time.LoadLocation(c.Community.TimeZone); err != nil || c.Community.TimeZone == "" {
		return bad("community.time_zone", fmt.Sprintf("unknown time zone %q (try Europe/London)", c.Community.TimeZone))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", fmt.Sprintf("%q is not one of debug, info, warn, error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", fmt.Sprintf("%q is not text or json", c.Log.Format))
	}
	if c.Knowledge.QuestionsPerMinute < 0 {
		return bad("knowledge.questions_per_minute", "must be zero (no limit) or more")
	}
	if c.HTTP.SearchPerMinute < 0 {
		return bad("http.search_per_minute", "must be zero (no limit) or more")
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			return bad("http.trusted_proxies", fmt.Sprintf("%q is not an IP address or a CIDR block such as 10.0.0.0/24", p))
		}
	}
	if c.Knowledge.MinConfidence < 0 || c.Knowledge.MinConfidence > 1 {
		return bad("knowledge.min_confidence", "must be between 0 and 1")
	}
	if c.LLM.MinConfidence < 0 || c.LLM.MinConfidence > 1 {
		return bad("llm.min_confidence", "must be between 0 and 1")
	}
	for _, d := range c.Meetups.Reminders {
		if d <= 0 {
			return bad("meetups.reminders", "offsets must be positive durations such as 24h")
		}
	}
	if c.Shoutouts.DailyQuota < 0 {
		return bad("shoutouts.daily_quota", "must be zero (no limit) or more")
	}
	if _, err := time.Parse("15:04", c.Shoutouts.DigestTime); err != nil {
		return bad("shoutouts.digest_time", fmt.Sprintf("%q is not a time like 16:00", c.Shoutouts.DigestTime))
	}
	if _, ok := Weekday(c.Shoutouts.DigestDay); !ok {
		return bad("shoutouts.digest_day", fmt.Sprintf("%q is not a day of the week", c.Shoutouts.DigestDay))
	}
	switch c.Slack.Mode {
	case "socket", "events":
	default:
		return bad("slack.mode", fmt.Sprintf("%q is not socket or events", c.Slack.Mode))
	}
	switch c.HTTP.Page {
	case "public", "token", "off":
	default:
		return bad("http.page", fmt.Sprintf("%q is not public, token or off", c.HTTP.Page))
	}
	if c.HTTP.Page == "token" && c.HTTP.PageToken == "" {
		return bad("http.page", "token mode needs BOTHY_HTTP_PAGE_TOKEN")
	}
	if c.Web.PublicURL != "" {
		u, err := url.Parse(c.Web.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return bad("web.public_url", fmt.Sprintf("%q is not an http or https address like https://bothy.example.org", c.Web.PublicURL))
		}
	}
	if c.Matrix.Homeserver != "" {
		if c.Matrix.User == "" {
			return bad("matrix.user", "required when matrix.homeserver is set (BOTHY_MATRIX_USER)")
		}
		if c.Matrix.Password == "" && c.Matrix.Token == "" {
			return bad("matrix.homeserver", "set BOTHY_MATRIX_PASSWORD or BOTHY_MATRIX_TOKEN")
		}
	}
	if (c.Slack.AppToken == "") != (c.Slack.BotToken == "") && c.Slack.Mode == "socket" {
		return bad("slack", "Socket Mode needs both SLACK_APP_TOKEN and SLACK_BOT_TOKEN")
	}
	return nil
}

// Location returns the community time zone (validated by Load).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Community.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// MatrixEnabled reports whether the Matrix adapter is configured.
func (c *Config) MatrixEnabled() bool { return c.Matrix.Homeserver != "" }

// SlackEnabled reports whether the Slack adapter is configured.
func (c *Config) SlackEnabled() bool {
	return c.Slack.BotToken != "" && (c.Slack.AppToken != "" || c.Slack.Mode == "events")
}

// Weekday parses a day name ("friday", "Fri").
func Weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return d, true
		}
	}
	return 0, false
}
