//go:build integration

package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// The kill -9 soak drives the real binary through its console with
// shout-outs and RSVPs from several members while meetup reminders come
// due, kills it with SIGKILL at random points soakKills times, restarts it
// and resends whatever was not acknowledged, then checks the database and
// the combined transcript. A line is acknowledged only when its reply was
// read before the kill was sent: a reply that reaches the pipe after that
// counts as unseen, so its line is resent, which is what a client that
// lost its connection would do. Replay a run with BOTHY_SOAK_SEED.
const (
	soakKills      = 20
	soakMaxProcs   = 300
	soakAckTimeout = 30 * time.Second
	// BOTHY_SCHEDULER_TICK for the child processes: a due reminder goes
	// out within this long, so a kill aimed just after a due time can land
	// inside a delivery pass.
	soakTick = "10ms"
)

var (
	soakRecorded  = regexp.MustCompile(`^Shout-out recorded for (\S+) \(#(\d+)\): "(.*)"(?: #[\w-]+)?\. Thank you`)
	soakDuplicate = regexp.MustCompile(`^You already gave (\S+) a shout-out for that in the last 24 hours \(#(\d+)\)`)
	soakRSVP      = regexp.MustCompile(`^(You're going to|Noted: maybe for|Noted: not going to) .* \(meetup (\d+)\)\.`)
	soakAdded     = regexp.MustCompile(`^Added meetup (\d+): (.+)$`)
	// Anything else that reads like an answer to a command is a failure.
	soakTrouble  = regexp.MustCompile(`^(Sorry|Unknown command|Usage|Please|Who is|What is|I couldn't|Meetup \d+ )`)
	soakReminder = regexp.MustCompile(`^⏰ Reminder: .* \(meetup (\d+)\)$`)
	soakAnnounce = regexp.MustCompile(`^📅 New meetup: .* \(meetup (\d+)\)$`)
	soakNotice   = regexp.MustCompile(`^\(to (\S+)\) 🎉 You received a shout-out from .* \(#(\d+)\)\.`)
)

var rsvpReply = map[string]string{"yes": "You're going to", "maybe": "Noted: maybe for", "no": "Noted: not going to"}

// soakLine is one line of the workload and what became of it.
type soakLine struct {
	user, text string
	kind       string // add, shout or rsvp
	to, reason string // shout
	meetup     int64  // rsvp
	answer     string // rsvp
	title      string // add

	sends int   // processes it was written to
	id    int64 // shout-out or meetup ID from the acknowledging reply
	dup   bool  // acknowledged by a duplicate refusal
}

func isReply(s string) bool {
	return soakRecorded.MatchString(s) || soakDuplicate.MatchString(s) || soakRSVP.MatchString(s) ||
		soakAdded.MatchString(s) || soakTrouble.MatchString(s)
}

// accept checks that reply answers l and records what it says.
func (l *soakLine) accept(reply string) error {
	switch l.kind {
	case "shout":
		if m := soakRecorded.FindStringSubmatch(reply); m != nil && m[1] == l.to && m[3] == l.reason {
			l.id, _ = strconv.ParseInt(m[2], 10, 64)
			return nil
		}
		if m := soakDuplicate.FindStringSubmatch(reply); m != nil && m[1] == l.to {
			l.id, _ = strconv.ParseInt(m[2], 10, 64)
			l.dup = true
			return nil
		}
	case "rsvp":
		if m := soakRSVP.FindStringSubmatch(reply); m != nil && m[1] == rsvpReply[l.answer] && m[2] == strconv.FormatInt(l.meetup, 10) {
			return nil
		}
	case "add":
		if m := soakAdded.FindStringSubmatch(reply); m != nil && m[2] == l.title {
			l.id, _ = strconv.ParseInt(m[1], 10, 64)
			return nil
		}
	}
	return fmt.Errorf("reply %q does not answer %q (from %s)", reply, l.text, l.user)
}

// soak is one run: the database, the workload and what was seen.
type soak struct {
	t      *testing.T
	rng    *rand.Rand
	dir    string
	dbPath string
	env    []string

	mu         sync.Mutex
	transcript []string // every complete stdout line of every process
	stderrs    []string // every process's stderr (JSON logs)
	current    *soakProc

	// Figures.
	procs, kills, timeKills, aimedKills, inflightAtKill, lateReplies, partialLines int
}

type soakProc struct {
	s      *soak
	n      int
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr testenv.Buffer
	done   chan struct{} // stdout reached EOF
	ackCh  chan struct{}

	mu sync.Mutex
	// hungUp: replies are no longer read as acknowledgements (the kill
	// has been sent, or the client's connection has "dropped").
	hungUp bool
	lines  []*soakLine // written to this process, in order
	acked  int
	late   int
	err    error
}

func (s *soak) start(user string) *soakProc {
	s.procs++
	if s.procs > soakMaxProcs {
		s.t.Fatalf("more than %d processes; the soak is not making progress", soakMaxProcs)
	}
	args := []string{"run", "--db", s.dbPath, "--as", user, "--log-level", "debug", "--log-format", "json"}
	if user == "alice" {
		args = append(args, "--organiser")
	}
	p := &soakProc{s: s, n: s.procs, done: make(chan struct{}), ackCh: make(chan struct{}, 1)}
	p.cmd = exec.Command(bothyBin, args...)
	p.cmd.Dir = s.dir
	p.cmd.Env = s.env
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		s.t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.current = p
	go p.read(stdout)
	return p
}

// read takes stdout line by line: everything goes into the transcript,
// and replies acknowledge the written lines in order until the kill.
func (p *soakProc) read(stdout io.Reader) {
	defer close(p.done)
	br := bufio.NewReader(stdout)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if line != "" {
				p.s.mu.Lock()
				p.s.partialLines++ // cut off by the kill; never an acknowledgement
				p.s.mu.Unlock()
			}
			return
		}
		line = strings.TrimSuffix(line, "\n")
		p.s.mu.Lock()
		p.s.transcript = append(p.s.transcript, line)
		p.s.mu.Unlock()
		if !isReply(line) {
			continue
		}
		p.mu.Lock()
		switch {
		case p.hungUp:
			p.late++
		case p.err != nil:
		case p.acked >= len(p.lines):
			p.err = fmt.Errorf("process %d: reply %q to no line", p.n, line)
		default:
			if err := p.lines[p.acked].accept(line); err != nil {
				p.err = fmt.Errorf("process %d: %w", p.n, err)
			} else {
				p.acked++
			}
		}
		p.mu.Unlock()
		select {
		case p.ackCh <- struct{}{}:
		default:
		}
	}
}

func (p *soakProc) send(lines []*soakLine) {
	var b strings.Builder
	p.mu.Lock()
	for _, l := range lines {
		l.sends++
		p.lines = append(p.lines, l)
		b.WriteString(l.text + "\n")
	}
	p.mu.Unlock()
	if _, err := io.WriteString(p.stdin, b.String()); err != nil {
		p.s.t.Fatalf("process %d: writing to stdin: %v\n%s", p.n, err, p.s.tail())
	}
}

// waitAcked waits until every written line is answered; false if timer
// fired first.
func (p *soakProc) waitAcked(timer <-chan time.Time) bool {
	deadline := time.After(soakAckTimeout)
	for {
		p.mu.Lock()
		err, all := p.err, p.acked == len(p.lines)
		p.mu.Unlock()
		if err != nil {
			p.s.t.Fatalf("%v\n%s", err, p.s.tail())
		}
		if all {
			return true
		}
		select {
		case <-p.ackCh:
		case <-timer:
			return false
		case <-deadline:
			p.s.t.Fatalf("process %d: no reply within %s (%d of %d answered)\n%s", p.n, soakAckTimeout, p.acked, len(p.lines), p.s.tail())
		}
	}
}

func (p *soakProc) hangUp() {
	p.mu.Lock()
	p.hungUp = true
	p.mu.Unlock()
}

// kill sends SIGKILL and waits for the process and its output to end.
func (p *soakProc) kill() {
	if !p.signal() {
		p.s.t.Fatalf("process %d ended before the kill landed\n%s", p.n, p.stderr.String())
	}
}

// signal kills the process; false if it had already stopped by itself
// (cleanly: anything else fails the test).
func (p *soakProc) signal() bool {
	p.hangUp()
	_ = p.cmd.Process.Signal(syscall.SIGKILL) // fails only if already reaped, which Wait reports
	<-p.done
	err := p.cmd.Wait()
	if err == nil {
		p.s.closeProc(p)
		return false
	}
	ee, ok := err.(*exec.ExitError)
	if !ok {
		p.s.t.Fatalf("process %d: %v", p.n, err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		p.s.t.Fatalf("process %d ended with %v, not by the kill\n%s", p.n, err, p.stderr.String())
	}
	p.s.kills++
	p.s.lateReplies += p.late
	p.s.inflightAtKill += p.accepted() - p.acked
	p.s.closeProc(p)
	return true
}

// finish closes stdin so the bot stops cleanly, unless timer fires first;
// true if it was killed instead.
func (p *soakProc) finish(timer <-chan time.Time) bool {
	p.stdin.Close()
	select {
	case <-p.done:
	case <-timer:
		// The kill races the clean stop; either way is fine here.
		return p.signal()
	case <-time.After(soakAckTimeout):
		p.s.t.Fatalf("process %d did not stop at end of input\n%s", p.n, p.stderr.String())
	}
	if err := p.cmd.Wait(); err != nil {
		p.s.t.Fatalf("process %d: clean stop failed: %v\n%s", p.n, err, p.stderr.String())
	}
	p.s.closeProc(p)
	return false
}

func (s *soak) closeProc(p *soakProc) {
	s.stderrs = append(s.stderrs, p.stderr.String())
	s.current = nil
}

// accepted counts lines the console handed to the bot.
func (p *soakProc) accepted() int {
	n := 0
	for _, rec := range jsonLogs(p.stderr.String()) {
		if rec["msg"] == "message accepted" && rec["component"] == "console" {
			n++
		}
	}
	return n
}

func jsonLogs(stderr string) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(stderr, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

func (s *soak) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := s.transcript
	if len(tr) > 40 {
		tr = tr[len(tr)-40:]
	}
	out := "stdout (last lines):\n" + strings.Join(tr, "\n")
	if s.current != nil {
		out += "\nstderr of the running process:\n" + tail(s.current.stderr.String())
	}
	return out
}

// killPlan says where a process dies: after its n-th line is written
// (plus a few microseconds to milliseconds, so the kill lands while lines
// are being handled), or at a time after start (which can land during
// start-up, migrations or a scheduler pass). Neither: it runs to the end.
type killPlan struct {
	afterLines int
	jitter     time.Duration
	// deaf: stop reading replies as soon as the burst is written, as a
	// client whose connection dropped would, so lines handled during the
	// jitter are recorded but unacknowledged and must come back refused.
	deaf  bool
	at    time.Duration
	aimed bool // at is just after a reminder's due time
}

// drive writes lines in bursts with pauses and returns how many were
// acknowledged and whether the process was killed.
func (s *soak) drive(p *soakProc, lines []*soakLine, plan killPlan) (acked int, killed bool) {
	var timer <-chan time.Time
	if plan.at > 0 {
		timer = time.After(plan.at)
	}
	ackedNow := func() int { p.mu.Lock(); defer p.mu.Unlock(); return p.acked }
	sent := 0
	for sent < len(lines) {
		k := min(1+s.rng.IntN(6), len(lines)-sent)
		if plan.afterLines > 0 {
			k = min(k, plan.afterLines-sent)
		}
		p.send(lines[sent : sent+k])
		sent += k
		if plan.afterLines > 0 && sent >= plan.afterLines {
			if plan.deaf {
				p.hangUp()
			}
			time.Sleep(plan.jitter)
			p.kill()
			return ackedNow(), true
		}
		if !p.waitAcked(timer) {
			p.kill()
			return ackedNow(), true
		}
		select {
		case <-time.After(time.Duration(s.rng.IntN(250)) * time.Millisecond):
		case <-timer:
			p.kill()
			return ackedNow(), true
		}
	}
	if plan.at > 0 && (len(lines) == 0 || plan.aimed) {
		<-timer // idle, or keeping its aim: killed at its time
		p.kill()
		return 0, true
	}
	return ackedNow(), p.finish(timer)
}

// workload builds each member's lines and cuts them into segments, each run
// as that member; segments of different members interleave.
func (s *soak) workload(meetups []int64) [][]*soakLine {
	members := []string{"alice", "bob", "carol", "dave", "erin"}
	recipients := append(append([]string{}, members...), "frank", "grace")
	deeds := []string{
		"ran the snow-day school closures thread", "rewrote the bin collection page in plain English",
		"answered every question about the ferry timetable", "fixed the alt text on the flood warning images",
		"covered the council meeting live", "shared the accessibility checklist", "mentored the new press officer",
	}
	verbs := []string{"shoutout", "!shoutout", "kudos", "thanks", "shout-out"}
	cats := []string{"", "", "crisis", "accessibility", "plain-english"}
	answers := []string{"yes", "maybe", "no"}
	const perMember, rsvpsPerMember, chunks = 36, 9, 3
	seq := 0
	var byMember [][]*soakLine
	for _, u := range members {
		var ls []*soakLine
		for i := 0; i < perMember+rsvpsPerMember; i++ {
			seq++
			if s.rng.IntN(perMember+rsvpsPerMember) < rsvpsPerMember {
				m := meetups[s.rng.IntN(len(meetups))]
				a := answers[s.rng.IntN(len(answers))]
				verb := "meetup"
				if s.rng.IntN(3) == 0 {
					verb = "!meetup"
				}
				ls = append(ls, &soakLine{user: u, kind: "rsvp", meetup: m, answer: a, text: fmt.Sprintf("%s rsvp %d %s", verb, m, a)})
				continue
			}
			to := recipients[s.rng.IntN(len(recipients))]
			for to == u {
				to = recipients[s.rng.IntN(len(recipients))]
			}
			reason := fmt.Sprintf("soak %d %s", seq, deeds[s.rng.IntN(len(deeds))])
			text := fmt.Sprintf("%s @%s for %s", verbs[s.rng.IntN(len(verbs))], to, reason)
			if c := cats[s.rng.IntN(len(cats))]; c != "" {
				text += " #" + c
			}
			ls = append(ls, &soakLine{user: u, kind: "shout", to: to, reason: reason, text: text})
		}
		byMember = append(byMember, ls)
	}
	var segs [][]*soakLine
	for c := 0; c < chunks; c++ {
		order := s.rng.Perm(len(members))
		for _, i := range order {
			ls := byMember[i]
			lo, hi := c*len(ls)/chunks, (c+1)*len(ls)/chunks
			segs = append(segs, ls[lo:hi])
		}
	}
	return segs
}

func soakSeed(t *testing.T) uint64 {
	if v := os.Getenv("BOTHY_SOAK_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("BOTHY_SOAK_SEED=%q: %v", v, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func TestSoakKill9(t *testing.T) {
	seed := soakSeed(t)
	t.Logf("seed %d (replay with BOTHY_SOAK_SEED=%d; the workload and kill points repeat, the timing cannot)", seed, seed)
	dir := t.TempDir()
	s := &soak{t: t, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), dir: dir, dbPath: filepath.Join(dir, "soak.db")}
	t.Cleanup(func() {
		if p := s.current; p != nil {
			_ = p.cmd.Process.Kill()
			<-p.done
			_ = p.cmd.Wait()
		}
	})

	// Eight meetups a few minutes off, with four reminders each that fall
	// due 2 to 11 seconds into the soak: offsets are counted back from
	// the (whole-minute) start so they land while the kills happen. All
	// eight are due at once, so each delivery pass has eight rows to send
	// and a kill aimed at it has a few milliseconds to land in.
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	start := now.Add(6 * time.Minute).In(loc).Truncate(time.Minute)
	t0 := now.Add(time.Second)
	var offsets []string
	var dues []time.Time // whole seconds, as the outbox compares them
	for _, d := range []time.Duration{2, 5, 8, 11} {
		off := int(start.Sub(t0.Add(d * time.Second)).Seconds())
		offsets = append(offsets, fmt.Sprintf("%ds", off))
		dues = append(dues, start.Add(-time.Duration(off)*time.Second))
	}
	lastDue := dues[len(dues)-1]
	s.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "USER=tester",
		"BOTHY_SHOUTOUTS_DAILY_QUOTA=0", // 0: no daily limit, so the quota never refuses a line
		"BOTHY_MEETUPS_REMINDERS=" + strings.Join(offsets, ","),
		"BOTHY_SCHEDULER_TICK=" + soakTick,
	}
	when := start.Format("2 January 2006 15:04")
	var adds []*soakLine
	for _, n := range []string{"one", "two", "three", "four", "five", "six", "seven", "eight"} {
		title := "Soak gathering " + n
		adds = append(adds, &soakLine{user: "alice", kind: "add", title: title, text: "meetup add " + title + " on " + when})
	}
	setup := s.start("alice")
	if _, killed := s.drive(setup, adds, killPlan{}); killed {
		t.Fatal("setup was killed")
	}
	var ids []int64
	for _, a := range adds {
		ids = append(ids, a.id)
	}

	segs := s.workload(ids)
	total := 0
	for _, sg := range segs {
		total += len(sg)
	}
	si := 0
	remaining := segs[0]
	aimed := make([]bool, len(dues))
	for si < len(segs) || s.kills < soakKills {
		user := "alice"
		if si < len(segs) {
			user = remaining[0].user
		}
		var plan killPlan
		aim := -1
		for i, due := range dues {
			if ahead := time.Until(due); !aimed[i] && ahead > 150*time.Millisecond && ahead < 3*time.Second {
				aim = i
				break
			}
		}
		switch {
		case s.kills >= soakKills:
		case aim >= 0:
			// One kill per due time lands a few milliseconds after it,
			// when the scheduler is likely to be part-way through sending.
			aimed[aim] = true
			plan.at = time.Until(dues[aim]) + time.Duration(s.rng.IntN(12000))*time.Microsecond
			plan.aimed = true
		case si >= len(segs):
			plan.at = 50*time.Millisecond + time.Duration(s.rng.IntN(1000))*time.Millisecond
		case s.rng.IntN(4) == 0:
			plan.at = time.Duration(1+s.rng.IntN(400)) * time.Millisecond
		default:
			plan.afterLines = 1 + s.rng.IntN(16)
			plan.jitter = time.Duration(s.rng.IntN(6000)) * time.Microsecond
			plan.deaf = s.rng.IntN(2) == 0
		}
		if plan.at > 0 {
			s.timeKills++ // counted now, corrected below if the process ends first
		}
		var lines []*soakLine
		if si < len(segs) {
			lines = remaining
		}
		p := s.start(user)
		acked, killed := s.drive(p, lines, plan)
		if plan.at > 0 && !killed {
			s.timeKills--
		}
		if plan.aimed && killed {
			s.aimedKills++
		}
		if si < len(segs) {
			remaining = remaining[acked:]
			if len(remaining) == 0 {
				if si++; si < len(segs) {
					remaining = segs[si]
				}
			}
		}
	}

	// A last process with nothing to say stays until every reminder that
	// has come due is out (it also reconciles any delivery left pending).
	final := s.start("alice")
	waitOutbox(t, s.dbPath, lastDue)
	if final.finish(nil) {
		t.Fatal("final process was killed")
	}

	s.check(ids, segs, total)
}

func openReadOnly(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// waitOutbox waits (bounded) until the last reminder is due and nothing due
// is still scheduled or pending.
func waitOutbox(t *testing.T, path string, lastDue time.Time) {
	db := openReadOnly(t, path)
	defer db.Close()
	open := 0
	testenv.Eventually(t, time.Minute, "no due delivery still open", func() bool {
		if err := db.QueryRow(`SELECT count(*) FROM meetup_outbox WHERE status IN ('scheduled', 'pending') AND due_at <= ?`,
			store.Time(time.Now())).Scan(&open); err != nil {
			t.Fatal(err)
		}
		return open == 0 && time.Now().After(lastDue.Add(500*time.Millisecond))
	})
}

// check compares the database and the transcripts with what was
// acknowledged.
func (s *soak) check(meetupIDs []int64, segs [][]*soakLine, total int) {
	t := s.t
	t.Logf("%d processes, %d kills (%d at a random time, of which %d just after a reminder fell due; %d just after writing a burst), %d workload lines",
		s.procs, s.kills, s.timeKills, s.aimedKills, s.kills-s.timeKills, total)
	if s.kills != soakKills {
		t.Errorf("%d kills, want %d", s.kills, soakKills)
	}
	var logs []map[string]any
	for _, e := range s.stderrs {
		for _, rec := range jsonLogs(e) {
			logs = append(logs, rec)
			if rec["level"] == "ERROR" {
				t.Errorf("error logged: %v", rec)
			}
		}
	}

	// Shout-outs: every workload line answered, each recorded exactly once
	// under the ID its acknowledgement gave, and nothing else recorded.
	out, errOut, code := runBothy(t, s.dir, "", s.env, "shoutouts", "export", "--format", "json", "--db", s.dbPath)
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	var recs []struct {
		ID          int64  `json:"id"`
		GiverID     string `json:"giver_id"`
		RecipientID string `json:"recipient_id"`
		Reason      string `json:"reason"`
		Retracted   bool   `json:"retracted"`
	}
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("export: %v", err)
	}
	type shoutKey struct{ giver, to, reason string }
	stored := map[shoutKey][]int64{}
	for _, r := range recs {
		k := shoutKey{r.GiverID, r.RecipientID, r.Reason}
		stored[k] = append(stored[k], r.ID)
		if r.Retracted {
			t.Errorf("shout-out #%d is retracted", r.ID)
		}
	}
	shouts, resent, dups, rsvps := 0, 0, 0, 0
	lastAnswer := map[string]string{} // "meetup/user" -> answer of the member's last RSVP line
	for _, sg := range segs {
		for _, l := range sg {
			if l.sends > 1 {
				resent++
			}
			switch l.kind {
			case "shout":
				shouts++
				got := stored[shoutKey{l.user, l.to, l.reason}]
				switch {
				case l.id == 0:
					t.Errorf("never acknowledged: %s: %q", l.user, l.text)
				case len(got) != 1:
					t.Errorf("%s: %q stored %d times %v, want once", l.user, l.text, len(got), got)
				case got[0] != l.id:
					t.Errorf("%s: %q acknowledged as #%d but stored as #%d", l.user, l.text, l.id, got[0])
				}
				if l.dup {
					dups++
					if l.sends < 2 {
						t.Errorf("%s: %q refused as a duplicate on its first sending", l.user, l.text)
					}
				}
			case "rsvp":
				rsvps++
				lastAnswer[fmt.Sprintf("%d/%s", l.meetup, l.user)] = l.answer
			}
		}
	}
	if len(recs) != shouts {
		t.Errorf("%d shout-outs stored, %d given", len(recs), shouts)
	}

	db := openReadOnly(t, s.dbPath)
	defer db.Close()
	var doubled int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT 1 FROM shoutouts GROUP BY giver_id, recipient_id, reason_key HAVING count(*) > 1)`).Scan(&doubled); err != nil {
		t.Fatal(err)
	}
	if doubled != 0 {
		t.Errorf("%d shout-outs stored twice", doubled)
	}

	// RSVPs: one row per member and meetup, holding their last answer.
	rows, err := db.Query(`SELECT meetup_id, user_id, answer, count(*) OVER (PARTITION BY meetup_id, platform, user_id) FROM meetup_rsvps`)
	if err != nil {
		t.Fatal(err)
	}
	seenRSVP := map[string]bool{}
	going := map[int64]int{}
	for rows.Next() {
		var id int64
		var user, answer string
		var n int
		if err := rows.Scan(&id, &user, &answer, &n); err != nil {
			t.Fatal(err)
		}
		k := fmt.Sprintf("%d/%s", id, user)
		if n != 1 {
			t.Errorf("RSVP %s stored %d times", k, n)
		}
		if want, ok := lastAnswer[k]; !ok {
			t.Errorf("RSVP %s (%s) stored but never given", k, answer)
		} else if answer != want {
			t.Errorf("RSVP %s is %s, but the last acknowledged answer was %s", k, answer, want)
		}
		if answer == "yes" {
			going[id]++
		}
		seenRSVP[k] = true
	}
	rows.Close()
	for k := range lastAnswer {
		if !seenRSVP[k] {
			t.Errorf("acknowledged RSVP %s lost", k)
		}
	}
	out, errOut, code = runBothy(t, s.dir, "", s.env, "meetup", "list", "--json", "--db", s.dbPath)
	if code != 0 {
		t.Fatalf("meetup list: %d %s", code, errOut)
	}
	var listed []struct {
		ID    int64 `json:"id"`
		Going int   `json:"going"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatalf("meetup list: %v\n%s", err, out)
	}
	if len(listed) != len(meetupIDs) {
		t.Errorf("meetup list has %d meetups, want %d", len(listed), len(meetupIDs))
	}
	for _, m := range listed {
		if m.Going != going[m.ID] {
			t.Errorf("meetup %d lists %d going, the RSVPs say %d", m.ID, m.Going, going[m.ID])
		}
	}

	// Outbox: one row per (meetup, channel, kind), all sent (a reminder
	// may be skipped only because a later one for the same meetup went
	// out in the same pass, which is the scheduler's rule, not a loss).
	type outRow struct {
		meetup             int64
		kind, key, status  string
		lastErr, messageID string
	}
	rows, err = db.Query(`SELECT meetup_id, kind, idem_key, status, last_error, message_id FROM meetup_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var outbox []outRow
	for rows.Next() {
		var r outRow
		if err := rows.Scan(&r.meetup, &r.kind, &r.key, &r.status, &r.lastErr, &r.messageID); err != nil {
			t.Fatal(err)
		}
		outbox = append(outbox, r)
	}
	rows.Close()
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT 1 FROM meetup_outbox GROUP BY meetup_id, platform, room_id, kind HAVING count(*) > 1)`).Scan(&doubled); err != nil {
		t.Fatal(err)
	}
	if doubled != 0 {
		t.Errorf("%d outbox deliveries queued twice", doubled)
	}
	if want := len(meetupIDs) * 5; len(outbox) != want {
		t.Errorf("outbox has %d rows, want %d (an announcement and four reminders per meetup)", len(outbox), want)
	}
	sentReminders := map[int64]int{}
	sentAnnounce := map[int64]int{}
	superseded := 0
	keys := map[string]outRow{}
	for _, r := range outbox {
		keys[r.key] = r
		reminder := strings.HasPrefix(r.kind, "remind-")
		switch {
		case r.status == "sent" && r.messageID != "":
			if reminder {
				sentReminders[r.meetup]++
			} else {
				sentAnnounce[r.meetup]++
			}
		case reminder && r.status == "skipped" && r.lastErr == "superseded by a later reminder":
			superseded++
		default:
			t.Errorf("meetup %d %s (%s) ended %s %q", r.meetup, r.kind, r.key, r.status, r.lastErr)
		}
	}
	if len(keys) != len(outbox) {
		t.Errorf("%d outbox rows share %d idempotency keys", len(outbox), len(keys))
	}
	// Interrupted deliveries the restarted processes sent again.
	resends := map[int64]int{}
	noticeResends := map[int64]int{}
	for _, rec := range logs {
		if rec["msg"] == "re-sending an interrupted shout-out notice with its original key" {
			id, _ := strconv.ParseInt(fmt.Sprint(rec["shoutout"]), 10, 64)
			noticeResends[id]++
		}
		if rec["msg"] == "re-sending an interrupted delivery with its original key" {
			r, ok := keys[fmt.Sprint(rec["key"])]
			if !ok {
				t.Errorf("re-sent an unknown key: %v", rec)
				continue
			}
			resends[r.meetup]++
		}
	}

	// Transcript: the console has no idempotency of its own, so a
	// delivery is printed at least once, and a second print can only come
	// from a re-send after a kill between printing and recording it.
	printedReminder, printedAnnounce := map[int64]int{}, map[int64]int{}
	notices := map[int64]int{}
	s.mu.Lock()
	for _, line := range s.transcript {
		if m := soakReminder.FindStringSubmatch(line); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			printedReminder[id]++
		}
		if m := soakAnnounce.FindStringSubmatch(line); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			printedAnnounce[id]++
		}
		if m := soakNotice.FindStringSubmatch(line); m != nil {
			id, _ := strconv.ParseInt(m[2], 10, 64)
			notices[id]++
		}
	}
	s.mu.Unlock()
	doublePrints, totalResends, totalSent := 0, 0, 0
	for _, id := range meetupIDs {
		if printedAnnounce[id] != 1 || sentAnnounce[id] != 1 {
			t.Errorf("meetup %d: announcement sent %d, printed %d times; want 1 and 1", id, sentAnnounce[id], printedAnnounce[id])
		}
		sent, printed := sentReminders[id], printedReminder[id]
		if printed < sent {
			t.Errorf("meetup %d: %d reminders recorded sent but only %d printed: a reminder was lost", id, sent, printed)
		}
		if printed > sent+resends[id] {
			t.Errorf("meetup %d: %d reminders printed for %d sent and %d re-sends: a reminder went out twice without a crash to explain it",
				id, printed, sent, resends[id])
		}
		doublePrints += max(0, printed-sent)
		totalResends += resends[id]
		totalSent += sent
	}
	if totalSent == 0 {
		t.Error("no reminder was delivered during the soak")
	}

	// Notices are owed from the shout-out's own commit, so none may be
	// lost; a second print needs a re-send after a kill to explain it.
	noticeDoubles, noticeResent := 0, 0
	for _, r := range recs {
		switch n := notices[r.ID]; {
		case n == 0:
			t.Errorf("shout-out #%d: the recipient was never told", r.ID)
		case n > 1+noticeResends[r.ID]:
			t.Errorf("shout-out #%d: recipient told %d times with %d re-sends", r.ID, n, noticeResends[r.ID])
		case n > 1:
			noticeDoubles++
		}
		noticeResent += noticeResends[r.ID]
	}
	if resent == 0 {
		t.Error("no line was ever resent: the kills did not land while lines were in flight")
	}
	t.Logf("shout-outs: %d stored for %d lines; RSVPs: %d lines, %d stored answers", len(recs), shouts, rsvps, len(seenRSVP))
	t.Logf("lines resent after a kill: %d; of those, refused as already recorded: %d; lines the console had accepted but not answered at a kill: %d; replies that reached the pipe after a kill: %d; partial lines cut by a kill: %d",
		resent, dups, s.inflightAtKill, s.lateReplies, s.partialLines)
	t.Logf("reminders: %d sent, %d skipped as superseded, %d interrupted deliveries re-sent, %d printed twice; announcements: %d",
		totalSent, superseded, totalResends, doublePrints, len(sentAnnounce))
	t.Logf("shout-out notices: %d told, %d interrupted notices re-sent, %d printed twice", len(recs), noticeResent, noticeDoubles)
}
