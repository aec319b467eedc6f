package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetricsStartAtZero: a bot that has handled nothing yet already
// shows its adapters' connection and the reminder counts, so dashboards
// and alerts see them from start-up.
func TestMetricsStartAtZero(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	opsStartBot(t, map[string]string{"BOTHY_HTTP_LISTEN": addr}, "--db", filepath.Join(t.TempDir(), "bothy.db"))
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`bothy_adapter_connected{adapter="console"} 1`,
		`bothy_reminders_sent_total{kind="announce"} 0`,
		`bothy_reminders_sent_total{kind="reminder"} 0`,
		`bothy_reminders_sent_total{kind="edit"} 0`,
		`bothy_reminders_sent_total{kind="cancel"} 0`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
