package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Encryption at rest (issue 9). Blob bytes (raw letters, stored
// attachments) are sealed with AES-256-GCM (NIST SP 800-38D): a fresh
// random 96-bit nonce per blob, and the blob's name — the hex SHA-256 of
// the plaintext — as additional authenticated data, so a ciphertext moved to
// another row does not open. The blobs row records enc = EncAES256GCM, the
// key's id and the nonce. After opening, the plaintext is hashed again and
// compared with the name (ErrBlobCorrupt when it differs).
//
// Keys are 32 random bytes, given base64-encoded. A key's id is the hex of
// the first 8 bytes of SHA-256 over the key. A Keyring holds several keys:
// the first (newest) seals every new blob, all of them open. Rotation: put
// the new key first, keep the old ones, run Rekey (sigintake store rekey),
// then drop the old keys once Rekey reports nothing left under them.
//
// Without a keyring blobs are written in plaintext (enc ''), as before
// issue 9; encrypted blobs then fail to read with ErrKeyMissing.

// EncAES256GCM is the enc column's value for AES-256-GCM.
const EncAES256GCM = "aes-256-gcm"

// KeySize is the size of an encryption key in bytes.
const KeySize = 32

// ErrKeyMissing is returned when a blob is encrypted under a key that is not
// configured (a wrong key, or none): it names the key id it needs.
var ErrKeyMissing = errors.New("store: blob encrypted under a key that is not configured")

// Key is one AES-256 key with its id.
type Key struct {
	ID   string // hex of the first 8 bytes of SHA-256(key)
	aead cipher.AEAD
}

// KeyID returns the id of a raw 32-byte key.
func KeyID(raw []byte) string {
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:8])
}

// NewKey makes a Key from 32 raw bytes.
func NewKey(raw []byte) (Key, error) {
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("%w: encryption key is %d bytes, want %d", ErrInvalid, len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("%w: encryption key: %w", ErrInvalid, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("%w: encryption key: %w", ErrInvalid, err)
	}
	return Key{ID: KeyID(raw), aead: aead}, nil
}

// ParseKey decodes a base64 key (standard or URL alphabet, padding optional,
// surrounding white space ignored) as written to a key file or variable.
func ParseKey(text string) (Key, error) {
	text = strings.TrimSpace(text)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(text); err == nil {
			break
		}
	}
	if err != nil {
		return Key{}, fmt.Errorf("%w: encryption key is not base64", ErrInvalid)
	}
	return NewKey(raw)
}

// GenerateKey returns a new random key, base64-encoded, for a key file.
func GenerateKey() (string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// Keyring is the set of keys a store seals and opens blobs with. The first
// key seals; every key opens. The zero or nil Keyring means plaintext.
type Keyring struct {
	keys []Key
}

// NewKeyring returns a keyring, newest key first. Duplicate ids are refused.
func NewKeyring(keys ...Key) (*Keyring, error) {
	seen := map[string]bool{}
	for _, k := range keys {
		if k.aead == nil {
			return nil, fmt.Errorf("%w: keyring: key %q not made by NewKey/ParseKey", ErrInvalid, k.ID)
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("%w: keyring: key %s given twice", ErrInvalid, k.ID)
		}
		seen[k.ID] = true
	}
	return &Keyring{keys: keys}, nil
}

// Current is the id of the key that seals new blobs, "" for none.
func (r *Keyring) Current() string {
	if r == nil || len(r.keys) == 0 {
		return ""
	}
	return r.keys[0].ID
}

// IDs lists the key ids, newest first.
func (r *Keyring) IDs() []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.keys))
	for i, k := range r.keys {
		out[i] = k.ID
	}
	return out
}

func (r *Keyring) key(id string) (Key, bool) {
	if r == nil {
		return Key{}, false
	}
	for _, k := range r.keys {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

// sealed is a blob as stored.
type sealed struct {
	enc, keyID string
	nonce      []byte
	data       []byte
}

// seal encrypts plaintext named sum under the current key, or returns it
// as is without one.
func (r *Keyring) seal(sum string, plain []byte) (sealed, error) {
	if r == nil || len(r.keys) == 0 {
		return sealed{data: plain}, nil
	}
	k := r.keys[0]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return sealed{}, fmt.Errorf("store: nonce: %w", err)
	}
	return sealed{enc: EncAES256GCM, keyID: k.ID, nonce: nonce, data: k.aead.Seal(nil, nonce, plain, []byte(sum))}, nil
}

// open decrypts a stored blob named sum. It does not check the hash.
func (r *Keyring) open(sum string, b sealed) ([]byte, error) {
	switch b.enc {
	case "":
		return b.data, nil
	case EncAES256GCM:
	default:
		return nil, fmt.Errorf("%w: blob %s: unknown encryption %q", ErrBlobCorrupt, sum, b.enc)
	}
	k, ok := r.key(b.keyID)
	if !ok {
		have := "no keys are configured"
		if ids := r.IDs(); len(ids) > 0 {
			have = "configured: " + strings.Join(ids, ", ")
		}
		return nil, fmt.Errorf("%w: blob %s needs key %s (%s)", ErrKeyMissing, sum, b.keyID, have)
	}
	if len(b.nonce) != k.aead.NonceSize() {
		return nil, fmt.Errorf("%w: blob %s: nonce of %d bytes", ErrBlobCorrupt, sum, len(b.nonce))
	}
	plain, err := k.aead.Open(nil, b.nonce, b.data, []byte(sum))
	if err != nil {
		return nil, fmt.Errorf("%w: blob %s does not authenticate under key %s", ErrBlobCorrupt, sum, b.keyID)
	}
	return plain, nil
}
