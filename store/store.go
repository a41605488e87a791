package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors. Callers test them with errors.Is.
var (
	ErrNotFound       = errors.New("store: not found")
	ErrBlobCorrupt    = errors.New("store: blob does not match its SHA-256")
	ErrAlreadyDecided = errors.New("store: letter already has an outcome")
	ErrUIDConflict    = errors.New("store: same mailbox, UIDVALIDITY and UID with different bytes")
	ErrLeaseHeld      = errors.New("store: mailbox lease held by another owner")
	ErrNotClaimed     = errors.New("store: row not claimed by this owner")
	ErrAuditChain     = errors.New("store: audit chain broken")
	ErrInvalid        = errors.New("store: invalid argument")
)

// Dialect names the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the database of letters, cases, replies and their evidence. It is
// safe for concurrent use by many goroutines and, on PostgreSQL, by several
// processes.
type Store struct {
	db      *sqlx.DB
	dialect Dialect
	clockMu sync.RWMutex
	clock   func() time.Time

	retries atomic.Int64            // transactions retried after a deadlock or busy error
	keys    atomic.Pointer[Keyring] // encryption at rest (crypt.go, blob.go); nil: plaintext

	stmtMu  sync.Mutex
	stmts   map[string]*sqlx.Stmt // prepared on s.db, reused per connection; nil: failed to prepare
	pending map[string]bool       // seen in a transaction, not yet prepared
}

var bindOnce sync.Once

// Open opens the store named by dsn without migrating it:
//
//	sqlite:/var/lib/sigintake/store.db   SQLite (WAL, busy_timeout, foreign keys, BEGIN IMMEDIATE)
//	/var/lib/sigintake/store.db          the same
//	postgres://user@host/db?sslmode=...  PostgreSQL through pgx (also postgresql://)
//
// Call Migrate before use.
func Open(ctx context.Context, dsn string) (*Store, error) {
	bindOnce.Do(func() { sqlx.BindDriver("sqlite", sqlx.QUESTION) })
	s := &Store{clock: time.Now}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = Postgres
		s.db, err = sqlx.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		s.db.SetMaxOpenConns(32)
		s.db.SetMaxIdleConns(8)
		s.db.SetConnMaxIdleTime(5 * time.Minute)
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || strings.Contains(path, "?") {
			return nil, fmt.Errorf("%w: sqlite path %q (give a plain file path)", ErrInvalid, path)
		}
		s.dialect = SQLite
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		// FULL: a commit is on disk when it returns (WAL + NORMAL may lose
		// the last commits on power loss), so SaveRawLetter is durable.
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
		s.db, err = sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		s.db.SetMaxOpenConns(8)
		s.db.SetMaxIdleConns(8)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		if st != nil {
			st.Close()
		}
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	return s.db.Close()
}

// Dialect reports which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// SetClock replaces time.Now for every time the store records or compares
// (leases, due letters, backoff). Tests pin time with it.
func (s *Store) SetClock(now func() time.Time) {
	s.clockMu.Lock()
	s.clock = now
	s.clockMu.Unlock()
}

func (s *Store) now() time.Time {
	s.clockMu.RLock()
	defer s.clockMu.RUnlock()
	return s.clock().UTC().Truncate(time.Microsecond)
}

// sqliteTime is fixed-width and UTC so that comparisons of the stored text
// are comparisons of times; modernc parses it back into time.Time for
// columns declared TIMESTAMP.
const sqliteTime = "2006-01-02 15:04:05.000000-07:00"

// t converts a time argument for the dialect.
func (s *Store) t(v time.Time) any {
	v = v.UTC().Truncate(time.Microsecond)
	if s.dialect == SQLite {
		return v.Format(sqliteTime)
	}
	return v
}

// tn is t for nullable columns: the zero time is NULL.
func (s *Store) tn(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	return s.t(v)
}

// nt returns the time of a nullable column, zero for NULL.
func nt(v sql.NullTime) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return v.Time.UTC()
}

// inTx runs fn in a transaction (BEGIN IMMEDIATE on SQLite, READ COMMITTED on
// PostgreSQL) and commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	s.stmtMu.Lock()
	pending := len(s.pending) > 0
	s.stmtMu.Unlock()
	if pending {
		s.preparePending(ctx)
	}
	for attempt := 0; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err != nil && attempt < 5 && s.retryable(err) && ctx.Err() == nil {
			s.retries.Add(1)
			time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
			continue
		}
		return err
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// retryable reports deadlocks and serialization failures (PostgreSQL 40P01,
// 40001) and a busy SQLite database after busy_timeout.
func (s *Store) retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	return false
}

// q rebinds a query written with ? placeholders for the dialect.
func (s *Store) q(query string) string { return s.db.Rebind(query) }

// isUniqueViolation reports a unique-constraint violation on either database.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// stmt returns the statement for query (written with ?) prepared on the
// pool and bound to tx, or nil when it is not prepared yet. database/sql
// keeps a prepared statement per connection, so a hot query is parsed once
// per connection instead of on every call. A statement is never prepared
// inside a transaction (that would need a second connection from the pool
// while this one holds SQLite's write lock): a miss is noted and prepared by
// the next inTx before it begins.
func (s *Store) stmt(ctx context.Context, tx *sqlx.Tx, query string) *sqlx.Stmt {
	s.stmtMu.Lock()
	st, ok := s.stmts[query]
	if !ok {
		if s.pending == nil {
			s.pending = map[string]bool{}
		}
		s.pending[query] = true
	}
	s.stmtMu.Unlock()
	if st == nil {
		return nil
	}
	return tx.StmtxContext(ctx, st)
}

// preparePending prepares the statements noted by stmt. Call it holding no
// connection.
func (s *Store) preparePending(ctx context.Context) {
	s.stmtMu.Lock()
	var qs []string
	for q := range s.pending {
		qs = append(qs, q)
	}
	s.pending = nil
	s.stmtMu.Unlock()
	for _, q := range qs {
		st, err := s.db.PreparexContext(ctx, s.q(q))
		s.stmtMu.Lock()
		if s.stmts == nil {
			s.stmts = map[string]*sqlx.Stmt{}
		}
		if _, dup := s.stmts[q]; err != nil || dup {
			if st != nil {
				st.Close()
			}
			if err != nil {
				s.stmts[q] = nil // leave it unprepared
			}
		} else {
			s.stmts[q] = st
		}
		s.stmtMu.Unlock()
	}
}

func (s *Store) tget(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	if st := s.stmt(ctx, tx, query); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return tx.GetContext(ctx, dest, s.q(query), args...)
}

func (s *Store) tselect(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	if st := s.stmt(ctx, tx, query); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return tx.SelectContext(ctx, dest, s.q(query), args...)
}

func (s *Store) texec(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, s.q(query), args...)
}
