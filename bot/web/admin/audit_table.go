package admin

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for reading audit_log (bot/store owns the table and writes it).

type auditRow struct {
	At, Actor, Action, Subject, Detail string
}

func recentAudit(ctx context.Context, db *store.DB, limit int) ([]auditRow, error) {
	out, err := store.List(ctx, db.Read, func(sc store.Scanner) (auditRow, error) {
		var a auditRow
		err := sc.Scan(&a.At, &a.Actor, &a.Action, &a.Subject, &a.Detail)
		return a, err
	}, "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("admin: read audit log: %w", err)
	}
	return out, nil
}
