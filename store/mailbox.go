package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

type mailboxRow struct {
	Name           string       `db:"name"`
	UIDValidity    int64        `db:"uidvalidity"`
	LastUID        int64        `db:"last_uid"`
	LeaseOwner     string       `db:"lease_owner"`
	LeaseExpiresAt sql.NullTime `db:"lease_expires_at"`
	LastPollAt     sql.NullTime `db:"last_poll_at"`
}

func (r mailboxRow) state() MailboxState {
	return MailboxState{Name: r.Name, UIDValidity: uint32(r.UIDValidity), LastUID: uint32(r.LastUID),
		LeaseOwner: r.LeaseOwner, LeaseExpiresAt: nt(r.LeaseExpiresAt), LastPollAt: nt(r.LastPollAt)}
}

const mailboxCols = `name, uidvalidity, last_uid, lease_owner, lease_expires_at, last_poll_at`

// Mailbox returns the stored state of a mailbox; a mailbox never seen has
// the zero state with its name.
func (s *Store) Mailbox(ctx context.Context, name string) (MailboxState, error) {
	var r mailboxRow
	err := s.db.GetContext(ctx, &r, s.q(`SELECT `+mailboxCols+` FROM mailboxes WHERE name = ?`), name)
	if errors.Is(err, sql.ErrNoRows) {
		return MailboxState{Name: name}, nil
	}
	if err != nil {
		return MailboxState{}, fmt.Errorf("store: mailbox %s: %w", name, err)
	}
	return r.state(), nil
}

// SyncUIDValidity records the UIDVALIDITY the server reports on SELECT.
// When it differs from the stored one, last_uid restarts at 0 for the new
// validity (changed = true, audited): the daemon refetches everything, and
// SaveRawLetter recognises letters it already has by their SHA-256, so
// nothing is lost or answered again.
func (s *Store) SyncUIDValidity(ctx context.Context, name string, uidvalidity uint32) (st MailboxState, changed bool, err error) {
	if uidvalidity == 0 {
		return MailboxState{}, false, fmt.Errorf("%w: UIDVALIDITY 0", ErrInvalid)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		now := s.now()
		if _, err := s.texec(ctx, tx, `INSERT INTO mailboxes (name, uidvalidity, last_uid, updated_at) VALUES (?, ?, 0, ?)
			ON CONFLICT (name) DO NOTHING`, name, uidvalidity, s.t(now)); err != nil {
			return err
		}
		var r mailboxRow
		if err := tx.GetContext(ctx, &r, s.q(`SELECT `+mailboxCols+` FROM mailboxes WHERE name = ?`), name); err != nil {
			return err
		}
		if uint32(r.UIDValidity) != uidvalidity {
			old := r.UIDValidity
			if _, err := s.texec(ctx, tx, `UPDATE mailboxes SET uidvalidity = ?, last_uid = 0, updated_at = ? WHERE name = ?`,
				uidvalidity, s.t(now), name); err != nil {
				return err
			}
			r.UIDValidity, r.LastUID = int64(uidvalidity), 0
			changed = old != 0
			if changed {
				d, _ := json.Marshal(map[string]any{"old": old, "new": uidvalidity})
				if _, err := s.appendAudit(ctx, tx, AuditEntry{Actor: "store", Action: "mailbox.uidvalidity_changed",
					Object: "mailbox:" + name, Details: d}); err != nil {
					return err
				}
			}
		}
		st = r.state()
		return nil
	})
	if err != nil {
		return MailboxState{}, false, fmt.Errorf("store: sync uidvalidity of %s: %w", name, err)
	}
	return st, changed, nil
}

// RecordPoll notes that the mailbox was polled (or IDLE woke) now.
func (s *Store) RecordPoll(ctx context.Context, name string) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO mailboxes (name, last_poll_at, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET last_poll_at = excluded.last_poll_at, updated_at = excluded.updated_at`),
		name, s.t(now), s.t(now))
	if err != nil {
		return fmt.Errorf("store: record poll of %s: %w", name, err)
	}
	return nil
}

// AcquireLease makes owner the one daemon working mailbox name until
// now+ttl. It succeeds when nobody holds the lease, it has expired, or
// owner holds it already (then it is extended); otherwise ErrLeaseHeld.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (MailboxState, error) {
	if owner == "" || ttl <= 0 {
		return MailboxState{}, fmt.Errorf("%w: lease needs an owner and a ttl", ErrInvalid)
	}
	now := s.now()
	var r mailboxRow
	err := s.db.GetContext(ctx, &r, s.q(`INSERT INTO mailboxes (name, lease_owner, lease_expires_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at,
		updated_at = excluded.updated_at
		WHERE mailboxes.lease_owner = excluded.lease_owner OR mailboxes.lease_owner = ''
			OR mailboxes.lease_expires_at IS NULL OR mailboxes.lease_expires_at < ?
		RETURNING `+mailboxCols), name, owner, s.t(now.Add(ttl)), s.t(now), s.t(now))
	if errors.Is(err, sql.ErrNoRows) {
		cur, _ := s.Mailbox(ctx, name)
		return cur, fmt.Errorf("%w: %s held by %s until %s", ErrLeaseHeld, name, cur.LeaseOwner, cur.LeaseExpiresAt.Format(time.RFC3339))
	}
	if err != nil {
		return MailboxState{}, fmt.Errorf("store: acquire lease of %s: %w", name, err)
	}
	return r.state(), nil
}

// RenewLease extends owner's lease to now+ttl. ErrLeaseHeld when owner no
// longer holds it (another daemon took it over after it expired, or it was
// released): stop working the mailbox.
func (s *Store) RenewLease(ctx context.Context, name, owner string, ttl time.Duration) error {
	now := s.now()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE mailboxes SET lease_expires_at = ?, updated_at = ? WHERE name = ? AND lease_owner = ?`),
		s.t(now.Add(ttl)), s.t(now), name, owner)
	if err != nil {
		return fmt.Errorf("store: renew lease of %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s no longer held by %s", ErrLeaseHeld, name, owner)
	}
	return nil
}

// ReleaseLease gives up owner's lease, if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE mailboxes SET lease_owner = '', lease_expires_at = NULL, updated_at = ?
		WHERE name = ? AND lease_owner = ?`), s.t(s.now()), name, owner)
	if err != nil {
		return fmt.Errorf("store: release lease of %s: %w", name, err)
	}
	return nil
}
