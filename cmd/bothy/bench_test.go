package main

import (
	"bufio"
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
// answered one message and sits idle.
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
		io.WriteString(stdin, "help\n")
		bufio.NewReader(stdout).ReadString('\n')
		time.Sleep(200 * time.Millisecond) // let start-up garbage settle
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
