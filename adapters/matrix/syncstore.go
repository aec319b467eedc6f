package matrix

import (
	"context"
	"sync"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot/store"
)

// kvSyncStore keeps the sync token in the kv table so a restart resumes
// where the last run stopped. Filter IDs stay in memory: making a filter is
// cheap, and a stale one after a homeserver reset would break syncing.
type kvSyncStore struct {
	db      *store.DB
	mu      sync.Mutex
	filters map[id.UserID]string
}

var _ mautrix.SyncStore = (*kvSyncStore)(nil)

func newKVSyncStore(db *store.DB) *kvSyncStore {
	return &kvSyncStore{db: db, filters: map[id.UserID]string{}}
}

func nextBatchKey(user id.UserID) string { return "next_batch|" + string(user) }

func (s *kvSyncStore) SaveFilterID(_ context.Context, user id.UserID, filterID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filters[user] = filterID
	return nil
}

func (s *kvSyncStore) LoadFilterID(_ context.Context, user id.UserID) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filters[user], nil
}

func (s *kvSyncStore) SaveNextBatch(ctx context.Context, user id.UserID, token string) error {
	return s.db.SetKV(ctx, kvNamespace, nextBatchKey(user), token)
}

func (s *kvSyncStore) LoadNextBatch(ctx context.Context, user id.UserID) (string, error) {
	v, _, err := s.db.GetKV(ctx, kvNamespace, nextBatchKey(user))
	return v, err
}
