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

type userRow struct {
	ID           int64     `db:"id"`
	Name         string    `db:"name"`
	Role         string    `db:"role"`
	PasswordHash string    `db:"password_hash"`
	Disabled     bool      `db:"disabled"`
	CreatedAt    time.Time `db:"created_at"`
}

func (r userRow) user() User {
	return User{ID: r.ID, Name: r.Name, Role: Role(r.Role), PasswordHash: r.PasswordHash, Disabled: r.Disabled, CreatedAt: r.CreatedAt.UTC()}
}

// CreateUser adds a web desk account; passwordHash is already hashed
// (argon2id or bcrypt, by the caller). The action is audited as actor.
func (s *Store) CreateUser(ctx context.Context, actor, name string, role Role, passwordHash string) (User, error) {
	if name == "" || passwordHash == "" || (role != RoleClerk && role != RoleAuditor && role != RoleAdmin) {
		return User{}, fmt.Errorf("%w: user needs a name, a role and a password hash", ErrInvalid)
	}
	var r userRow
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.tget(ctx, tx, &r, `INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
			RETURNING id, name, role, password_hash, disabled, created_at`, name, string(role), passwordHash, s.t(s.now())); err != nil {
			return err
		}
		d, _ := json.Marshal(map[string]any{"role": role})
		_, err := s.appendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "user.created", Object: "user:" + name, Details: d})
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("store: create user %s: %w", name, err)
	}
	return r.user(), nil
}

// UserByName returns an account.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	var r userRow
	err := s.db.GetContext(ctx, &r, s.q(`SELECT id, name, role, password_hash, disabled, created_at FROM users WHERE name = ?`), name)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: user %s", ErrNotFound, name)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %s: %w", name, err)
	}
	return r.user(), nil
}

// UpdateUser sets an account's disabled flag and, when passwordHash is not
// "", its password hash; disabling also ends its sessions. Audited.
func (s *Store) UpdateUser(ctx context.Context, actor, name string, disabled bool, passwordHash string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := s.tget(ctx, tx, &id, `UPDATE users SET disabled = ?,
			password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END WHERE name = ? RETURNING id`,
			disabled, passwordHash, passwordHash, name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: user %s", ErrNotFound, name)
		}
		if err != nil {
			return err
		}
		if disabled || passwordHash != "" {
			if _, err := s.texec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		d, _ := json.Marshal(map[string]any{"disabled": disabled, "password_changed": passwordHash != ""})
		_, err = s.appendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "user.updated", Object: "user:" + name, Details: d})
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: update user %s: %w", name, err)
	}
	return err
}

// CreateSession stores a session (ID should be a hash of the cookie value).
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	if se.ID == "" || se.UserID == 0 || se.ExpiresAt.IsZero() {
		return fmt.Errorf("%w: session needs id, user and expiry", ErrInvalid)
	}
	if se.CreatedAt.IsZero() {
		se.CreatedAt = s.now()
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		se.ID, se.UserID, se.CSRF, s.t(se.CreatedAt), s.t(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionUser returns an unexpired session and its enabled user;
// ErrNotFound otherwise.
func (s *Store) SessionUser(ctx context.Context, id string) (Session, User, error) {
	var r struct {
		userRow
		SID      string    `db:"sid"`
		CSRF     string    `db:"csrf"`
		SCreated time.Time `db:"screated"`
		SExpires time.Time `db:"sexpires"`
		SUserID  int64     `db:"suser"`
	}
	err := s.db.GetContext(ctx, &r, s.q(`SELECT s.id AS sid, s.csrf, s.created_at AS screated, s.expires_at AS sexpires,
		s.user_id AS suser, u.id, u.name, u.role, u.password_hash, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.expires_at > ? AND NOT u.disabled`), id, s.t(s.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, fmt.Errorf("%w: session", ErrNotFound)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("store: session: %w", err)
	}
	return Session{ID: r.SID, UserID: r.SUserID, CSRF: r.CSRF, CreatedAt: r.SCreated.UTC(), ExpiresAt: r.SExpires.UTC()}, r.user(), nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE id = ?`), id); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires_at <= ?`), s.t(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
