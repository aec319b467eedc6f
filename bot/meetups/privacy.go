package meetups

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

var _ privacy.Provider = (*Privacy)(nil)

// Privacy is the meetups share of a member's data: their RSVPs and the
// meetups they created.
type Privacy struct{ db *store.DB }

// PrivacyProvider returns the provider for the privacy feature to register.
func PrivacyProvider(db *store.DB) *Privacy { return &Privacy{db: db} }

// Name labels the export section.
func (p *Privacy) Name() string { return "meetups" }

type exportData struct {
	RSVPs   []RSVP  `json:"rsvps"`
	Created []int64 `json:"meetups_created"`
}

// ExportUser returns the member's RSVPs and the IDs of meetups they created.
func (p *Privacy) ExportUser(ctx context.Context, userID string) (any, error) {
	rs, err := rsvpsOfUser(ctx, p.db.Read, userID)
	if err != nil {
		return nil, err
	}
	out := exportData{RSVPs: rs, Created: []int64{}}
	if out.RSVPs == nil {
		out.RSVPs = []RSVP{}
	}
	rows, err := p.db.Read.QueryContext(ctx, "SELECT id FROM meetups WHERE created_by = ? ORDER BY id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out.Created = append(out.Created, id)
	}
	return out, rows.Err()
}

// EraseUser anonymises the member's RSVPs (a random placeholder keeps each
// answer, so "12 going" stays true) and removes their ID from meetups they
// created.
func (p *Privacy) EraseUser(ctx context.Context, userID string) (int64, error) {
	var n int64
	tx, err := p.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	k, err := anonymiseRSVPs(ctx, tx, userID, placeholder)
	if err != nil {
		return 0, err
	}
	n += k
	if k, err = eraseCreator(ctx, tx, userID); err != nil {
		return 0, err
	}
	n += k
	return n, tx.Commit()
}

func placeholder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "erased:" + hex.EncodeToString(b)
}

// Prune has nothing to do: RSVPs are kept as the meetups' attendance
// record and anonymised on request.
func (p *Privacy) Prune(ctx context.Context, before time.Time) (int64, error) { return 0, nil }
