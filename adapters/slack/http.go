package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/slack-go/slack"
)

// maxBody bounds a request body; Slack's payloads are a few kilobytes.
const maxBody = 1 << 20

// Handler serves the HTTP Events API, slash commands and interactivity on
// one endpoint. Every request's signature is checked against the signing
// secret (requests more than five minutes old are refused); the request is
// answered at once and the work done afterwards, inside Slack's 3-second
// limit; a redelivered event (same event_id) is acknowledged and dropped.
func (a *Adapter) Handler() http.Handler {
	return http.HandlerFunc(a.serveHTTP)
}

func (a *Adapter) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		noRetry(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	if err := a.verify(r.Header, body); err != nil {
		a.log.Warn("rejected unsigned or badly signed request", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.Debug("Slack retry", "attempt", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		a.serveForm(w, r, body)
		return
	}
	dec := a.knownDecoder(r.Context())
	eb, err := dec.decodeEventsBody(body)
	if errors.Is(err, errIgnored) {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err != nil {
		a.log.Warn("malformed event from Slack", "err", err)
		noRetry(w, "malformed event", http.StatusBadRequest)
		return
	}
	if eb.challenge != "" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": eb.challenge})
		return
	}
	if eb.event != nil {
		a.accept(r.Context(), "event:"+eb.eventID, eb.event)
	}
	w.WriteHeader(http.StatusOK)
}

// serveForm handles slash commands and interactivity, which Slack posts as
// forms.
func (a *Adapter) serveForm(w http.ResponseWriter, r *http.Request, body []byte) {
	// slack-go's parsers read the form from the request; give them the
	// body again.
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		noRetry(w, "malformed form", http.StatusBadRequest)
		return
	}
	dec := a.knownDecoder(r.Context())
	switch {
	case r.PostForm.Get("payload") != "":
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(r.PostForm.Get("payload")), &cb); err != nil {
			noRetry(w, "malformed interaction payload", http.StatusBadRequest)
			return
		}
		evs, err := dec.interaction(cb)
		if err == nil {
			a.accept(r.Context(), interactionKey(cb), evs...)
		}
		w.WriteHeader(http.StatusOK)
	case r.PostForm.Get("command") != "":
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.PostForm, r.Form = nil, nil
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			noRetry(w, "malformed slash command", http.StatusBadRequest)
			return
		}
		if err := a.acceptSlash(r.Context(), dec, cmd); err != nil {
			noRetry(w, "slash command without a user", http.StatusBadRequest)
			return
		}
		// An empty 200 acknowledges without a visible message; the answer
		// follows through the response_url.
		w.WriteHeader(http.StatusOK)
	default:
		noRetry(w, "unknown form", http.StatusBadRequest)
	}
}

// verify checks Slack's v0 HMAC-SHA256 signature over the raw body.
func (a *Adapter) verify(h http.Header, body []byte) error {
	sv, err := slack.NewSecretsVerifier(h, a.opts.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// noRetry refuses a request Slack should not send again.
func noRetry(w http.ResponseWriter, msg string, code int) {
	w.Header().Set("X-Slack-No-Retry", "1")
	http.Error(w, msg, code)
}
