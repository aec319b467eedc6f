package slack

import (
	"sync"
	"time"
)

// ttlCache is a small map whose entries expire, bounded so a busy workspace
// cannot grow it without limit. Names change rarely, so a stale hit for a
// few minutes is fine; an unbounded map is not.
type ttlCache[V any] struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	now  func() time.Time
	data map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v   V
	exp time.Time
}

func newTTLCache[V any](ttl time.Duration, max int, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, now: now, data: map[string]ttlEntry[V]{}}
}

func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.data[key]
	if !ok || c.now().After(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.data) >= c.max {
		for k, e := range c.data {
			if now.After(e.exp) {
				delete(c.data, k)
			}
		}
		// Still full of live entries: drop arbitrary ones (map order).
		for k := range c.data {
			if len(c.data) < c.max {
				break
			}
			delete(c.data, k)
		}
	}
	c.data[key] = ttlEntry[V]{v: v, exp: now.Add(c.ttl)}
}

// seenSet remembers keys (event IDs) for a while, bounded in size, so that
// a redelivered event is recognised. add reports whether the key is new.
// Entries leave in insertion order, so the oldest are forgotten first.
type seenSet struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	at    map[string]time.Time
	order []string
	head  int
}

func newSeenSet(ttl time.Duration, max int, now func() time.Time) *seenSet {
	return &seenSet{ttl: ttl, max: max, now: now, at: map[string]time.Time{}}
}

func (s *seenSet) add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if _, dup := s.at[key]; dup {
		return false
	}
	s.at[key] = now
	s.order = append(s.order, key)
	return true
}

// forget removes a key, so a delivery that could not be queued can be
// accepted when Slack retries it.
func (s *seenSet) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.at, key)
}

func (s *seenSet) expire(now time.Time) {
	for s.head < len(s.order) {
		k := s.order[s.head]
		t, ok := s.at[k]
		if ok && now.Sub(t) <= s.ttl && len(s.order)-s.head <= s.max {
			break
		}
		if ok {
			delete(s.at, k)
		}
		s.head++
	}
	// Compact now and then rather than on every expiry.
	if s.head > 1024 && s.head > len(s.order)/2 {
		s.order = append([]string(nil), s.order[s.head:]...)
		s.head = 0
	}
}

func (s *seenSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.at)
}
