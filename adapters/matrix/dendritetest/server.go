package dendritetest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to create Dendrite's database files in WAL mode
)

// ServerName is the homeserver's name: users are @name:localhost.
const ServerName = "localhost"

// Server is one running Dendrite with its own data folder.
type Server struct {
	// URL is the client-server API base, http://127.0.0.1:PORT.
	URL string
	// Dir holds the config, keys, SQLite databases and dendrite.log.
	Dir string

	tb   testing.TB
	bin  string
	addr string
	// life serialises Stop, Restart and crash restarts; mu guards fields.
	life sync.Mutex
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	// crashes counts unexpected exits (see watch).
	crashes int
}

// Start makes a fresh homeserver (SQLite, open registration, no
// federation) on a free loopback port and stops it when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := Binaries(tb)
	dir := tb.TempDir()
	run := func(name string, args ...string) []byte {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			tb.Fatalf("dendritetest: %s: %v\n%s", name, err, stderr.String())
		}
		return out
	}
	run("generate-keys", "--private-key", "matrix_key.pem")
	cfg := run("generate-config", "-ci", "-dir", dir, "-server", ServerName)
	cfg = bytes.Replace(cfg, []byte("disable_federation: false"), []byte("disable_federation: true"), 1)
	if !bytes.Contains(cfg, []byte("disable_federation: true")) {
		tb.Fatal("dendritetest: generated config has no disable_federation key to set")
	}
	// The CI config keeps JetStream (Dendrite's internal queue) in memory,
	// so a restart drops events the sync API had not consumed yet: a
	// message sent just before Restart would never reach anyone. A real
	// homeserver keeps them; store the queue on disk in the data folder.
	cfg = bytes.Replace(cfg, []byte("in_memory: true"), []byte("in_memory: false"), 1)
	if !bytes.Contains(cfg, []byte("in_memory: false")) {
		tb.Fatal("dendritetest: generated config has no jetstream in_memory key to set")
	}
	if err := os.WriteFile(filepath.Join(dir, "dendrite.yaml"), cfg, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := walDatabases(cfg); err != nil {
		tb.Fatalf("dendritetest: %v", err)
	}
	s := &Server{tb: tb, bin: bin, Dir: dir, addr: freeAddr(tb)}
	s.URL = "http://" + s.addr
	tb.Cleanup(func() {
		s.Stop()
		if n := s.Crashes(); n > 0 {
			tb.Logf("dendritetest: the homeserver crashed %d time(s) and was restarted; see dendrite.log", n)
		}
		if tb.Failed() {
			tb.Logf("dendrite.log (last lines):\n%s", s.LogTail(40))
		}
	})
	s.startProcess()
	return s
}

// sqliteFile matches the SQLite databases in a generated config.
var sqliteFile = regexp.MustCompile(`connection_string: file:(\S+)`)

// walDatabases creates Dendrite's SQLite files in WAL mode before it first
// opens them. Dendrite keeps only the path of a connection string, so its
// databases would otherwise use a rollback journal, where a reader can make
// a writer's commit fail; Dendrite then reuses the connection with the
// transaction still open and panics ("cannot start a transaction within a
// transaction", matrix-org/dendrite#1348). WAL mode is stored in the file,
// so setting it once is enough.
func walDatabases(cfg []byte) error {
	for _, m := range sqliteFile.FindAllSubmatch(cfg, -1) {
		path := string(m[1])
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		var mode string
		err = db.QueryRow("PRAGMA journal_mode=WAL").Scan(&mode)
		db.Close()
		if err != nil || mode != "wal" {
			return fmt.Errorf("WAL mode for %s: %q %v", path, mode, err)
		}
	}
	return nil
}

func freeAddr(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *Server) startProcess() {
	s.tb.Helper()
	if err := s.start(); err != nil {
		s.tb.Fatalf("dendritetest: %v", err)
	}
}

// start launches dendrite and waits until it answers. A watcher restarts
// it if it dies on its own: Dendrite on SQLite occasionally panics under
// load ("cannot start a transaction within a transaction"), and a real
// deployment's service manager would bring it back the same way; its
// JetStream queue is on disk, so accepted events are not lost. For the
// same reason a start that dies before answering is tried again: on a
// restart, Dendrite v0.15.2 can replay its queue into a consumer before
// the roomserver it calls is wired up (a nil pointer in
// QueryMembershipsForRoom), a race that a second start does not hit.
func (s *Server) start() error {
	const tries = 3
	var err error
	for i := 0; i < tries; i++ {
		var exited bool
		if exited, err = s.startOnce(); err == nil || !exited {
			return err
		}
		s.mu.Lock()
		s.crashes++
		s.mu.Unlock()
	}
	return err
}

// startOnce is one launch; exited says the process died before answering.
func (s *Server) startOnce() (exited bool, err error) {
	logf, err := os.OpenFile(filepath.Join(s.Dir, "dendrite.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return false, err
	}
	cmd := exec.Command(filepath.Join(s.bin, "dendrite"),
		"-config", "dendrite.yaml",
		"-http-bind-address", s.addr,
		"-really-enable-open-registration")
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return false, fmt.Errorf("start dendrite: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			return true, fmt.Errorf("dendrite exited during start:\n%s", s.LogTail(30))
		default:
		}
		resp, err := http.Get(s.URL + "/_matrix/client/versions")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				go s.watch(cmd, done)
				return false, nil
			}
		}
		if time.Now().After(deadline) {
			return false, fmt.Errorf("dendrite did not answer within a minute:\n%s", s.LogTail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// watch restarts the process if it exits without Stop being called.
func (s *Server) watch(cmd *exec.Cmd, done chan struct{}) {
	<-done
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	crashed := s.cmd == cmd
	if crashed {
		s.crashes++
	}
	s.mu.Unlock()
	if !crashed {
		return
	}
	if err := s.start(); err != nil {
		s.mu.Lock()
		s.cmd = nil
		s.mu.Unlock()
	}
}

// Crashes counts how often the homeserver died on its own and was
// restarted; tests log it so a flaky homeserver is visible.
func (s *Server) Crashes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.crashes
}

// Stop ends the homeserver process (SIGTERM, then SIGKILL after 15s).
// Its data stays, so Restart brings the same server back.
func (s *Server) Stop() {
	s.life.Lock()
	defer s.life.Unlock()
	s.stop()
}

func (s *Server) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Restart stops the homeserver and starts it again on the same port with
// the same data.
func (s *Server) Restart() {
	s.tb.Helper()
	s.life.Lock()
	defer s.life.Unlock()
	s.stop()
	s.startProcess()
}

// Running reports whether the process is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// LogTail returns the last n lines of dendrite.log.
func (s *Server) LogTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "dendrite.log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ctx is a bounded context for set-up requests.
func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return c
}

// UserID builds @localpart:localhost.
func UserID(localpart string) string { return fmt.Sprintf("@%s:%s", localpart, ServerName) }
