package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ReleaseClaims puts back in the queue, due now, the outbox rows that owner
// left "sending": a daemon restarting under the same instance name after a
// crash calls it at start, so that a reply interrupted mid-send is retried
// at once (with its stored Message-ID) instead of after OutboxClaimTTL.
// Instance names must be unique among running daemons. Added by the intake
// (issue 4); additive.
func (s *Store) ReleaseClaims(ctx context.Context, owner string) (int64, error) {
	if owner == "" {
		return 0, fmt.Errorf("%w: release needs an owner", ErrInvalid)
	}
	var n int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET status = 'queued', claimed_until = NULL, next_attempt_at = ?
			WHERE status = 'sending' AND claimed_by = ?`), s.t(s.now()), owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
