package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdStart measures binary start to first console reply: the
// process starts, opens (and on the first run creates) the database, loads
// the knowledge base, and answers "help".
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bothyBin, "--db", filepath.Join(dir, "bothy.db"))
		cmd.Env = []string{"HOME=" + dir, "USER=bench"}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		io.WriteString(stdin, "help\n")
		if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		stdin.Close()
		cmd.Wait()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/start")
}

// BenchmarkIdleRSS reports the resident memory of a running bot that has
// answered one question (so the index and the word-vector table are
// loaded) and sits idle.
func BenchmarkIdleRSS(b *testing.B) {
	dir := b.TempDir()
	var rss int64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bothyBin, "--db", filepath.Join(dir, "bothy.db"))
		cmd.Env = []string{"HOME=" + dir, "USER=bench"}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		io.WriteString(stdin, "what should we post in the first hour of a major incident\n")
		bufio.NewReader(stdout).ReadString('\n')
		time.Sleep(200 * time.Millisecond) // let start-up garbage settle
		rss = readRSS(b, cmd.Process.Pid)
		stdin.Close()
		cmd.Wait()
	}
	b.ReportMetric(float64(rss)/1024, "RSS-MB")
}

// BenchmarkRSS10kChunks reports the resident memory of a bot whose
// database holds 10,000 knowledge sections (2,000 generated documents of
// five sections), after it has answered a question from them.
func BenchmarkRSS10kChunks(b *testing.B) {
	dir := b.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		b.Fatal(err)
	}
	words := strings.Fields("council residents posts guidance policy staff crisis weather election records consent video captions budget audience rumour rota meetup venue library schools flood abuse moderation")
	for d := 0; d < 2000; d++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\nid: doc-%d\ntitle: %s %s\nkind: guidance\n---\n", d, words[d%len(words)], words[(d/7)%len(words)])
		for s := 0; s < 5; s++ {
			fmt.Fprintf(&sb, "\n## %s %d\n\n", words[(d+s)%len(words)], s)
			for w := 0; w < 40; w++ {
				sb.WriteString(words[(d*31+s*7+w*13)%len(words)] + " ")
			}
			fmt.Fprintf(&sb, "marker%d.\n", d*5+s)
		}
		if err := os.WriteFile(filepath.Join(kb, fmt.Sprintf("d%04d.md", d)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	db := filepath.Join(dir, "bothy.db")
	if out, err := exec.Command(bothyBin, "kb", "ingest", "--db", db, kb).CombinedOutput(); err != nil {
		b.Fatalf("ingest: %v\n%s", err, out)
	}
	var rss int64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bothyBin, "--db", db)
		cmd.Env = []string{"HOME=" + dir, "USER=bench"}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		io.WriteString(stdin, "ask what about marker777 and flood rota\n")
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line == "" {
			b.Fatalf("no answer: %q %v", line, err)
		}
		time.Sleep(200 * time.Millisecond)
		rss = readRSS(b, cmd.Process.Pid)
		stdin.Close()
		cmd.Wait()
	}
	b.ReportMetric(float64(rss)/1024, "RSS-MB")
}

// readRSS returns VmRSS of pid in KiB.
func readRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
