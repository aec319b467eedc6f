package matrix

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/sqlstatestore"

	"github.com/bothy-chat/bothy/bot"
)

// Run logs in, sets up the state (and crypto) store, joins announcement
// rooms and syncs until ctx is cancelled. Homeserver outages are waited out
// with backoff; only a refused login ends it early.
func (a *Adapter) Run(ctx context.Context, events chan<- bot.Event) error {
	a.mu.Lock()
	a.events, a.runCtx = events, ctx
	a.mu.Unlock()

	bo := newBackoff(time.Second, a.opts.MaxBackoff)
	for {
		err := a.login(ctx)
		if err == nil {
			break
		}
		if errors.Is(err, errAuth) || ctx.Err() != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wait := bo.next(err)
		a.log.Warn("cannot reach the homeserver to log in, will retry", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil
		}
	}
	if err := a.setupStores(ctx); err != nil {
		return err
	}
	syncer := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer(), a: a, bo: newBackoff(time.Second, a.opts.MaxBackoff)}
	syncer.FilterJSON = &mautrix.Filter{Room: &mautrix.RoomFilter{Timeline: &mautrix.FilterPart{Limit: 100}}}
	a.cli.Syncer = syncer
	syncer.OnSync(a.onSync)
	syncer.OnEvent(a.cli.StateStoreSyncHandler)
	if a.opts.Encryption {
		cb, err := setupCrypto(ctx, a)
		switch {
		case errors.Is(err, errNoCrypto):
			a.log.Warn("encryption is on in the config but " + errNoCrypto.Error() + "; encrypted rooms will not work")
		case err != nil:
			return fmt.Errorf("matrix: set up encryption: %w", err)
		default:
			a.crypto = cb
			a.log.Info("end-to-end encryption ready", "device", a.cli.DeviceID)
		}
	}
	syncer.OnEventType(event.StateMember, a.onMember)
	syncer.OnEventType(event.EventMessage, a.onMessage)
	syncer.OnEventType(event.EventReaction, a.onReaction)
	syncer.OnEventType(event.EventRedaction, a.onRedaction)
	if a.crypto == nil {
		syncer.OnEventType(event.EventEncrypted, a.onEncryptedWithoutCrypto)
	}
	if dn, err := a.cli.GetOwnDisplayName(ctx); err == nil {
		a.displayName.Store(dn.DisplayName)
	}
	a.joinAnnounceRooms(ctx)
	a.readyOnce.Do(func() { close(a.ready) })

	for {
		err := a.cli.SyncWithContext(ctx)
		a.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, mautrix.MUnknownToken) {
			a.log.Warn("the homeserver no longer accepts the bot's access token; logging in again")
			a.cli.AccessToken = ""
			if err := a.passwordLogin(ctx, a.cli.DeviceID); err != nil {
				return err
			}
			continue
		}
		wait := syncer.bo.next(err)
		a.log.Warn("sync stopped, will restart", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// setupStores opens the room state store in the app's database. It goes
// through the single writer connection, so mautrix's transactions queue
// behind Bothy's own writes instead of meeting SQLITE_BUSY.
func (a *Adapter) setupStores(ctx context.Context) error {
	db, err := dbutil.NewWithDB(a.db.Write, "sqlite3")
	if err != nil {
		return fmt.Errorf("matrix: database: %w", err)
	}
	ss := sqlstatestore.NewSQLStateStore(db, dbutil.ZeroLogger(a.cli.Log.With().Str("db_section", "matrix_state").Logger()), false)
	if err := ss.Upgrade(ctx); err != nil {
		return fmt.Errorf("matrix: state store tables: %w", err)
	}
	a.cli.StateStore = ss
	a.cli.Store = newKVSyncStore(a.db)
	a.dbutil = db
	return nil
}

// syncer adds backoff and the connected flag to mautrix's default syncer.
type syncer struct {
	*mautrix.DefaultSyncer
	a  *Adapter
	bo *backoff
}

func (s *syncer) OnFailedSync(_ *mautrix.RespSync, err error) (time.Duration, error) {
	s.a.connected.Store(false)
	if errors.Is(err, mautrix.MUnknownToken) {
		return 0, err
	}
	wait := s.bo.next(err)
	s.a.log.Warn("sync failed, retrying", "in", wait, "err", err)
	return wait, nil
}

// onSync runs before the events of each sync response are dispatched.
func (a *Adapter) onSync(_ context.Context, resp *mautrix.RespSync, since string) bool {
	if !a.connected.Swap(true) {
		a.log.Info("connected to the homeserver", "resumed", since != "")
	}
	if sy, ok := a.cli.Syncer.(*syncer); ok {
		sy.bo.reset()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.initialSync = since == ""
	// A room the bot just joined arrives with history in its timeline;
	// remember when we joined so that history is not answered.
	for roomID, room := range resp.Rooms.Join {
		for _, evt := range room.Timeline.Events {
			if evt.Type == event.StateMember && evt.GetStateKey() == string(a.cli.UserID) {
				if m, _ := evt.Content.Raw["membership"].(string); m == "join" {
					a.joinedAt[roomID] = evt.Timestamp
				}
			}
		}
	}
	return true
}

func (a *Adapter) joinAnnounceRooms(ctx context.Context) {
	for _, r := range a.opts.Announce {
		roomID, err := a.resolveRoom(ctx, r)
		if err == nil && a.cli.StateStore.IsInRoom(ctx, roomID, a.cli.UserID) {
			continue
		}
		if _, err := a.cli.JoinRoom(ctx, r, nil); err != nil {
			a.log.Warn("cannot join announcement room; invite the bot there", "room", r, "err", err)
		}
	}
}

// deliver hands an event to the bot, unless the run is stopping.
func (a *Adapter) deliver(ctx context.Context, ev bot.Event) {
	a.mu.Lock()
	events, runCtx := a.events, a.runCtx
	a.mu.Unlock()
	if events == nil {
		return
	}
	select {
	case events <- ev:
	case <-ctx.Done():
	case <-runCtx.Done():
	}
}

// backoff doubles the wait after each failure up to a cap, and honours a
// homeserver's M_LIMIT_EXCEEDED retry_after_ms when it gives one.
type backoff struct {
	mu       sync.Mutex
	min, max time.Duration
	cur      time.Duration
}

func newBackoff(min, max time.Duration) *backoff {
	if max < min {
		max = min
	}
	return &backoff{min: min, max: max}
}

func (b *backoff) next(err error) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d, ok := retryAfter(err); ok {
		return d
	}
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	return b.cur
}

func (b *backoff) reset() {
	b.mu.Lock()
	b.cur = 0
	b.mu.Unlock()
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// recentSet remembers the last n event IDs, so an event delivered twice
// (a decryption retry, an overlapping sync) is handled once.
type recentSet struct {
	mu   sync.Mutex
	set  map[id.EventID]bool
	ring []id.EventID
	pos  int
}

func newRecentSet(n int) *recentSet {
	return &recentSet{set: make(map[id.EventID]bool, n), ring: make([]id.EventID, n)}
}

// add reports false when id was already there.
func (r *recentSet) add(e id.EventID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set[e] {
		return false
	}
	if old := r.ring[r.pos]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.pos] = e
	r.pos = (r.pos + 1) % len(r.ring)
	r.set[e] = true
	return true
}
