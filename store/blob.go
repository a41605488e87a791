package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Blobs live in the blobs table, in the same database and the same
// transaction as the rows that name them: a letter row never exists
// without its bytes, several daemons on one PostgreSQL share them, and
// durability is the database's commit (synchronous=FULL on SQLite).
// putBlob and getBlob are the only code that touches blob bytes, so
// encryption at rest (issue 9: AES-GCM with key_id and nonce per row, the
// hash always of the plaintext) goes here and nowhere else.

// SHA256Hex returns the lower-case hex SHA-256 of b, the name of a blob.
func SHA256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// putBlob stores b under sum, its SHA-256 as the caller computed it with
// SHA256Hex, unless it is already there.
func (s *Store) putBlob(ctx context.Context, tx *sqlx.Tx, sum string, b []byte) (string, error) {
	if b == nil {
		b = []byte{}
	}
	_, err := s.texec(ctx, tx, `INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sum, len(b), b, s.t(s.now()))
	if err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	return sum, nil
}

// Blob returns the bytes stored under sum, checked against it:
// ErrBlobCorrupt when they no longer match, ErrNotFound when there is no such
// blob (never stored, or purged).
func (s *Store) Blob(ctx context.Context, sum string) ([]byte, error) {
	var row struct {
		Size  int64  `db:"size"`
		Enc   string `db:"enc"`
		KeyID string `db:"key_id"`
		Data  []byte `db:"data"`
	}
	err := s.db.GetContext(ctx, &row, s.q(`SELECT size, enc, key_id, data FROM blobs WHERE sha256 = ?`), sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, sum)
	}
	if err != nil {
		return nil, fmt.Errorf("store: blob %s: %w", sum, err)
	}
	if row.Enc != "" {
		return nil, fmt.Errorf("store: blob %s: encryption %q (key %q) not supported by this build", sum, row.Enc, row.KeyID)
	}
	got := sha256.Sum256(row.Data)
	want, err := hex.DecodeString(sum)
	if err != nil || !bytes.Equal(got[:], want) || int64(len(row.Data)) != row.Size {
		return nil, fmt.Errorf("%w: blob %s: %d bytes hash to %x", ErrBlobCorrupt, sum, len(row.Data), got)
	}
	return row.Data, nil
}
