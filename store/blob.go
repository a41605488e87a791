package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Blobs live in the blobs table, in the same database and the same
// transaction as the rows that name them: a letter row never exists
// without its bytes, several daemons on one PostgreSQL share them, and
// durability is the database's commit (synchronous=FULL on SQLite).
// This file is the only code that reads or writes blob bytes: putBlob
// seals them under the store's keyring (crypt.go; plaintext without one),
// Blob opens and checks them, Rekey re-seals them under the newest key and
// deleteBlobs removes bytes for a purge (purge.go). The name is always the
// SHA-256 of the plaintext.

// blobLock is the PostgreSQL advisory lock between purges (exclusive) and
// transactions that store blobs (shared): a purge never deletes a blob that
// a concurrent, not yet committed letter is about to name.
const blobLock = 7406002

// SHA256Hex returns the lower-case hex SHA-256 of b, the name of a blob.
func SHA256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// SetKeyring makes the store seal new blobs under k's newest key and open
// blobs under any of its keys; nil means plaintext for new blobs (existing
// encrypted blobs then fail with ErrKeyMissing). Safe to call at any time.
func (s *Store) SetKeyring(k *Keyring) { s.keys.Store(k) }

// Keyring returns the keyring set by SetKeyring, or nil.
func (s *Store) Keyring() *Keyring { return s.keys.Load() }

// putBlob stores b under sum, its SHA-256 as the caller computed it with
// SHA256Hex, unless it is already there.
func (s *Store) putBlob(ctx context.Context, tx *sqlx.Tx, sum string, b []byte) (string, error) {
	if b == nil {
		b = []byte{}
	}
	if s.dialect == Postgres {
		if _, err := s.texec(ctx, tx, `SELECT pg_advisory_xact_lock_shared(?)`, blobLock); err != nil {
			return "", fmt.Errorf("store: put blob: %w", err)
		}
	}
	sb, err := s.keys.Load().seal(sum, b)
	if err != nil {
		return "", err
	}
	_, err = s.texec(ctx, tx, `INSERT INTO blobs (sha256, size, enc, key_id, nonce, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sum, len(b), sb.enc, sb.keyID, sb.nonce, sb.data, s.t(s.now()))
	if err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	return sum, nil
}

type blobRow struct {
	SHA256 string `db:"sha256"`
	Size   int64  `db:"size"`
	Enc    string `db:"enc"`
	KeyID  string `db:"key_id"`
	Nonce  []byte `db:"nonce"`
	Data   []byte `db:"data"`
}

// plain opens a stored row and checks the plaintext against its name.
func (s *Store) plain(row blobRow) ([]byte, error) {
	data, err := s.keys.Load().open(row.SHA256, sealed{enc: row.Enc, keyID: row.KeyID, nonce: row.Nonce, data: row.Data})
	if err != nil {
		return nil, err
	}
	got := sha256.Sum256(data)
	want, err := hex.DecodeString(row.SHA256)
	if err != nil || !bytes.Equal(got[:], want) || int64(len(data)) != row.Size {
		return nil, fmt.Errorf("%w: blob %s: %d bytes hash to %x", ErrBlobCorrupt, row.SHA256, len(data), got)
	}
	return data, nil
}

// Blob returns the bytes stored under sum, decrypted and checked against
// it: ErrBlobCorrupt when they no longer match (or the ciphertext does not
// authenticate), ErrKeyMissing when they are sealed under a key that is not
// configured, ErrNotFound when there is no such blob (never stored, or
// purged).
func (s *Store) Blob(ctx context.Context, sum string) ([]byte, error) {
	var row blobRow
	err := s.db.GetContext(ctx, &row, s.q(`SELECT sha256, size, enc, key_id, nonce, data FROM blobs WHERE sha256 = ?`), sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, sum)
	}
	if err != nil {
		return nil, fmt.Errorf("store: blob %s: %w", sum, err)
	}
	return s.plain(row)
}

// BlobKeys counts the stored blobs per key id ("" for plaintext).
func (s *Store) BlobKeys(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		KeyID string `db:"key_id"`
		N     int64  `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT key_id, COUNT(*) AS n FROM blobs GROUP BY key_id`); err != nil {
		return nil, fmt.Errorf("store: blob keys: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.KeyID] = r.N
	}
	return out, nil
}

// RekeyResult reports what Rekey did.
type RekeyResult struct {
	Key      string            `json:"key"`      // the key every blob is now sealed under
	Rekeyed  int64             `json:"rekeyed"`  // blobs re-sealed (plaintext or an older key before)
	Failed   map[string]string `json:"failed"`   // blob -> why it was left as it was (missing key, corrupt)
	Remained map[string]int64  `json:"remained"` // blobs per key id not under Key afterwards
	AuditID  int64             `json:"audit_id"`
}

// Rekey re-seals every blob not sealed under the keyring's newest key
// (plaintext blobs included) in batches, each in its own transaction; a
// blob that cannot be opened (its key is not configured, or it is corrupt)
// is left unchanged and listed in Failed. One audit entry ("store.rekey",
// by actor) records the counts. Without a keyring it refuses (ErrInvalid).
// Safe to run while daemons write: a row changed meanwhile is skipped by
// its compare-and-set and picked up by the next run.
func (s *Store) Rekey(ctx context.Context, actor string, batch int) (RekeyResult, error) {
	kr := s.keys.Load()
	res := RekeyResult{Key: kr.Current(), Failed: map[string]string{}}
	if res.Key == "" {
		return res, fmt.Errorf("%w: rekey needs an encryption key", ErrInvalid)
	}
	if actor == "" {
		actor = "rekey"
	}
	if batch <= 0 {
		batch = 200
	}
	after := ""
	for {
		var rows []blobRow
		err := s.db.SelectContext(ctx, &rows, s.q(`SELECT sha256, size, enc, key_id, nonce, data FROM blobs
			WHERE sha256 > ? AND NOT (enc = ? AND key_id = ?) ORDER BY sha256 LIMIT ?`), after, EncAES256GCM, res.Key, batch)
		if err != nil {
			return res, fmt.Errorf("store: rekey: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		after = rows[len(rows)-1].SHA256
		var n int64
		err = s.inTx(ctx, func(tx *sqlx.Tx) error {
			n = 0
			for _, row := range rows {
				data, err := s.plain(row)
				if err != nil {
					res.Failed[row.SHA256] = err.Error()
					continue
				}
				sb, err := kr.seal(row.SHA256, data)
				if err != nil {
					return err
				}
				r, err := tx.ExecContext(ctx, s.q(`UPDATE blobs SET enc = ?, key_id = ?, nonce = ?, data = ?
					WHERE sha256 = ? AND enc = ? AND key_id = ?`), sb.enc, sb.keyID, sb.nonce, sb.data, row.SHA256, row.Enc, row.KeyID)
				if err != nil {
					return err
				}
				k, _ := r.RowsAffected()
				n += k
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("store: rekey: %w", err)
		}
		res.Rekeyed += n
	}
	keys, err := s.BlobKeys(ctx)
	if err != nil {
		return res, err
	}
	res.Remained = map[string]int64{}
	for k, n := range keys {
		if k != res.Key {
			res.Remained[k] = n
		}
	}
	details, _ := json.Marshal(map[string]any{"key": res.Key, "rekeyed": res.Rekeyed, "failed": len(res.Failed), "remained": res.Remained})
	e, err := s.AppendAudit(ctx, AuditEntry{Actor: actor, Action: "store.rekey", Object: "blobs", Details: details})
	if err != nil {
		return res, err
	}
	res.AuditID = e.ID
	return res, nil
}

// deleteBlobs deletes, inside a purge's transaction, the blobs named in sums
// that no letter or attachment of a letter not purged still names. It holds
// the exclusive blob lock on PostgreSQL (see blobLock). It returns the number
// of blobs and plaintext bytes removed.
func (s *Store) deleteBlobs(ctx context.Context, tx *sqlx.Tx, sums []string) (n, size int64, err error) {
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, s.q(`SELECT pg_advisory_xact_lock(?)`), blobLock); err != nil {
			return 0, 0, err
		}
	}
	for _, sum := range sums {
		var sz int64
		err := tx.GetContext(ctx, &sz, s.q(`DELETE FROM blobs WHERE sha256 = ?
			AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.sha256 = ? AND l.purged_at IS NULL)
			AND NOT EXISTS (SELECT 1 FROM attachments a JOIN letters l ON l.id = a.letter_id
				WHERE a.sha256 = ? AND l.purged_at IS NULL)
			RETURNING size`), sum, sum, sum)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return n, size, fmt.Errorf("delete blob %s: %w", sum, err)
		}
		n++
		size += sz
	}
	return n, size, nil
}
