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
	rows, err := db.Read.QueryContext(ctx, "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("admin: read audit log: %w", err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var a auditRow
		if err := rows.Scan(&a.At, &a.Actor, &a.Action, &a.Subject, &a.Detail); err != nil {
			return nil, fmt.Errorf("admin: read audit log: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
