//go:build integration

package dendritetest

import (
	"net/http"
	"testing"
	"time"
)

// TestCrashedHomeserverComesBack kills Dendrite behind the harness's back,
// as its occasional SQLite panic does, and expects the watcher to bring it
// back on the same address, with Stop still ending it for good.
func TestCrashedHomeserverComesBack(t *testing.T) {
	s := Start(t)
	s.mu.Lock()
	first := s.cmd
	s.mu.Unlock()
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		s.mu.Lock()
		cur := s.cmd
		s.mu.Unlock()
		if cur != nil && cur != first {
			if resp, err := http.Get(s.URL + "/_matrix/client/versions"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("homeserver not back after a crash; crashes=%d\n%s", s.Crashes(), s.LogTail(20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s.Crashes() != 1 {
		t.Fatalf("crashes = %d, want 1", s.Crashes())
	}
	s.Stop()
	if s.Running() {
		t.Fatal("still running after Stop")
	}
	if _, err := http.Get(s.URL + "/_matrix/client/versions"); err == nil {
		t.Fatal("homeserver still answers after Stop")
	}
	if s.Crashes() != 1 {
		t.Fatalf("Stop counted as a crash: %d", s.Crashes())
	}
}
