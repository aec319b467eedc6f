package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/bothy-chat/bothy/bot"
)

// checkKeys reports the first key in the file that the configuration does
// not have, as path:line: key: unknown key, with a hint: where a secret
// goes instead, or the known key it was probably meant to be.
func checkKeys(path string, n *yaml.Node, t reflect.Type, prefix string) error {
	if n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		full := key
		if prefix != "" {
			full = prefix + "." + key
		}
		f, ok := fieldByKey(t, key)
		if !ok {
			return &Error{Source: path, Line: k.Line, Key: full, Msg: "unknown key" + unknownKeyHint(t, prefix, key)}
		}
		if f.Type.Kind() == reflect.Struct && f.Type != durationType {
			if err := checkKeys(path, v, f.Type, full); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlKey is the key a field has in the file; "" for fields that cannot
// be set there (secrets).
func yamlKey(f reflect.StructField) string {
	k := strings.Split(f.Tag.Get("yaml"), ",")[0]
	if k == "-" {
		return ""
	}
	return k
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); yamlKey(f) == key && key != "" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// unknownKeyHint explains an unknown key: a secret's name gets where that
// secret is read from, a secret-looking name gets the rule, and a near
// miss gets the key it resembles.
func unknownKeyHint(t reflect.Type, prefix, key string) string {
	full := key
	if prefix != "" {
		full = prefix + "." + key
	}
	if why, ok := retiredKeys[full]; ok {
		return "; it is no longer a setting (" + why + "): delete the line"
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("secret") != "true" || snake(f.Name) != key {
			continue
		}
		hint := fmt.Sprintf("; secrets are never read from this file: set %s in the environment", f.Tag.Get("env"))
		if fileKey := key + "_file"; hasKey(t, fileKey) {
			hint += fmt.Sprintf(", or name a file holding it with %s.%s", prefix, fileKey)
		}
		return hint
	}
	if looksSecret(key) {
		return "; secrets are never read from this file: they come from the environment (see the README's table of secrets)"
	}
	if near := nearestKey(t, key); near != "" {
		if prefix != "" {
			near = prefix + "." + near
		}
		return fmt.Sprintf(" (did you mean %s?)", near)
	}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			known = append(known, k)
		}
	}
	sort.Strings(known)
	return " (known keys here: " + strings.Join(known, ", ") + ")"
}

// retiredKeys were settings once (and are in older example files); each
// says why it went.
var retiredKeys = map[string]string{
	"slack.reaction_rsvp": "reacting to a meetup announcement is always an RSVP, on every platform",
}

func hasKey(t reflect.Type, key string) bool { _, ok := fieldByKey(t, key); return ok }

func looksSecret(key string) bool {
	for _, w := range []string{"token", "password", "passwd", "secret", "api_key", "apikey", "pickle"} {
		if strings.Contains(key, w) && !strings.HasSuffix(key, "_file") {
			return true
		}
	}
	return false
}

// snake turns a Go field name into its file key (BotToken: bot_token).
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nearestKey finds a known key within two edits of key.
func nearestKey(t reflect.Type, key string) string {
	best, bestD := "", 3
	for i := 0; i < t.NumField(); i++ {
		k := yamlKey(t.Field(i))
		if k == "" {
			continue
		}
		if d := bot.EditDistance(k, key); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}
