package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
)

func testKey(t testing.TB, b byte) Key {
	t.Helper()
	k, err := ParseKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ring(t testing.TB, keys ...Key) *Keyring {
	t.Helper()
	r, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// blobRowOf reads a blob's stored columns as they are.
func blobRowOf(t testing.TB, s *Store, sum string) blobRow {
	t.Helper()
	var r blobRow
	if err := s.db.Get(&r, s.q(`SELECT sha256, size, enc, key_id, nonce, data FROM blobs WHERE sha256 = ?`), sum); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	for name, text := range map[string]string{
		"ok/std":         base64.StdEncoding.EncodeToString(raw),
		"ok/raw-url":     base64.RawURLEncoding.EncodeToString(raw),
		"ok/white-space": "  " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			k, err := ParseKey(text)
			if err != nil || k.ID != KeyID(raw) || len(k.ID) != 16 {
				t.Fatalf("ParseKey = %q, %v", k.ID, err)
			}
		})
	}
	for name, text := range map[string]string{
		"fail/short":      base64.StdEncoding.EncodeToString(raw[:16]),
		"fail/not-base64": "this is not a key!",
		"fail/empty":      "",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseKey(text); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseKey = %v, want ErrInvalid", err)
			}
		})
	}
	g, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKey(g); err != nil {
		t.Fatalf("generated key: %v", err)
	}
	if _, err := NewKeyring(testKey(t, 1), testKey(t, 1)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate key: %v", err)
	}
}

func TestEncryptionAtRest(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		k1, k2, k3 := testKey(t, 1), testKey(t, 2), testKey(t, 3)

		// A plaintext letter from before encryption was configured.
		plainLetter := raw(1)
		sv0 := save(t, s, "ekase", 1, 1, plainLetter, "<m1@example.lv>")
		if r := blobRowOf(t, s, sv0.SHA256); r.Enc != "" || !bytes.Equal(r.Data, plainLetter) {
			t.Fatalf("without a key the blob should be plaintext: enc %q", r.Enc)
		}

		s.SetKeyring(ring(t, k1))
		secret := []byte("From: a@example.lv\r\nSubject: x\r\n\r\nPersonas kods PNOLV-010101-12345, slepens teksts\r\n")
		sv := save(t, s, "ekase", 1, 2, secret, "<m2@example.lv>")
		r := blobRowOf(t, s, sv.SHA256)
		t.Run("ok/sealed-on-disk", func(t *testing.T) {
			if r.Enc != EncAES256GCM || r.KeyID != k1.ID || len(r.Nonce) != 12 || r.Size != int64(len(secret)) {
				t.Fatalf("row enc %q key %q nonce %d size %d", r.Enc, r.KeyID, len(r.Nonce), r.Size)
			}
			if bytes.Contains(r.Data, []byte("PNOLV")) || bytes.Contains(r.Data, []byte("slepens")) {
				t.Fatal("plaintext readable in the stored bytes")
			}
		})
		t.Run("ok/round-trip", func(t *testing.T) {
			got, _, err := s.RawLetterBytes(ctx, sv.ID)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("RawLetterBytes = %q, %v", got, err)
			}
			got, _, err = s.RawLetterBytes(ctx, sv0.ID)
			if err != nil || !bytes.Equal(got, plainLetter) {
				t.Fatalf("old plaintext blob: %q, %v", got, err)
			}
		})
		t.Run("ok/attachment-sealed", func(t *testing.T) {
			if _, err := s.RecordOutcome(ctx, acceptOutcome(sv.ID, 1)); err != nil {
				t.Fatal(err)
			}
			att, err := s.Attachments(ctx, sv.ID)
			if err != nil || len(att) != 1 {
				t.Fatal(att, err)
			}
			if r := blobRowOf(t, s, att[0].SHA256); r.Enc != EncAES256GCM || bytes.Contains(r.Data, []byte("edoc")) {
				t.Fatalf("attachment blob enc %q", r.Enc)
			}
			if b, err := s.Blob(ctx, att[0].SHA256); err != nil || string(b) != "edoc 1" {
				t.Fatalf("attachment = %q, %v", b, err)
			}
		})
		t.Run("fail/no-key", func(t *testing.T) {
			s.SetKeyring(nil)
			defer s.SetKeyring(ring(t, k1))
			_, err := s.Blob(ctx, sv.SHA256)
			if !errors.Is(err, ErrKeyMissing) {
				t.Fatalf("without a key: %v, want ErrKeyMissing", err)
			}
		})
		t.Run("fail/wrong-key", func(t *testing.T) {
			s.SetKeyring(ring(t, k3))
			defer s.SetKeyring(ring(t, k1))
			_, err := s.Blob(ctx, sv.SHA256)
			if !errors.Is(err, ErrKeyMissing) || errors.Is(err, ErrBlobCorrupt) {
				t.Fatalf("wrong key: %v, want ErrKeyMissing", err)
			}
			t.Log(err)
		})
		t.Run("fail/wrong-key-same-id", func(t *testing.T) {
			// A stored key id that names k1 but bytes sealed by another key
			// (a swapped key file) do not authenticate.
			forged := k3
			forged.ID = k1.ID
			bad := &Keyring{keys: []Key{forged}}
			s.SetKeyring(bad)
			defer s.SetKeyring(ring(t, k1))
			if _, err := s.Blob(ctx, sv.SHA256); !errors.Is(err, ErrBlobCorrupt) {
				t.Fatalf("same id, other key: %v, want ErrBlobCorrupt", err)
			}
		})
		t.Run("fail/tampered", func(t *testing.T) {
			// Another blob sealed under the same key: the AAD (the name)
			// keeps its ciphertext from opening under this name.
			moved := blobRowOf(t, s, save(t, s, "pasts", 1, 9, raw(9), "<m9@example.lv>").SHA256)
			for name, mutate := range map[string]func(b blobRow) blobRow{
				"ciphertext": func(b blobRow) blobRow { b.Data = bytes.Clone(b.Data); b.Data[3] ^= 1; return b },
				"nonce":      func(b blobRow) blobRow { b.Nonce = bytes.Clone(b.Nonce); b.Nonce[0] ^= 1; return b },
				"tag":        func(b blobRow) blobRow { b.Data = b.Data[:len(b.Data)-1]; return b },
				"moved":      func(b blobRow) blobRow { b.Nonce, b.Data = moved.Nonce, moved.Data; return b },
			} {
				t.Run(name, func(t *testing.T) {
					orig := blobRowOf(t, s, sv.SHA256)
					m := mutate(orig)
					setBlob := func(b blobRow) {
						if _, err := s.db.Exec(s.q(`UPDATE blobs SET nonce = ?, data = ? WHERE sha256 = ?`), b.Nonce, b.Data, b.SHA256); err != nil {
							t.Fatal(err)
						}
					}
					setBlob(m)
					defer setBlob(orig)
					if _, err := s.Blob(ctx, sv.SHA256); !errors.Is(err, ErrBlobCorrupt) {
						t.Fatalf("tampered %s: %v, want ErrBlobCorrupt", name, err)
					}
				})
			}

		})
		t.Run("ok/rotation", func(t *testing.T) {
			// k2 becomes current, k1 still opens.
			s.SetKeyring(ring(t, k2, k1))
			if got, _, err := s.RawLetterBytes(ctx, sv.ID); err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("old key after rotation: %v", err)
			}
			sv3 := save(t, s, "ekase", 1, 3, raw(3), "<m3@example.lv>")
			if r := blobRowOf(t, s, sv3.SHA256); r.KeyID != k2.ID {
				t.Fatalf("new blob under %s, want %s", r.KeyID, k2.ID)
			}
			before, err := s.BlobKeys(ctx)
			if err != nil || before[""] != 1 || before[k1.ID] != 3 || before[k2.ID] != 1 {
				t.Fatalf("BlobKeys before = %v, %v", before, err)
			}
			res, err := s.Rekey(ctx, "admin", 1) // batch 1: several transactions
			if err != nil || res.Rekeyed != 4 || len(res.Failed) != 0 || len(res.Remained) != 0 || res.Key != k2.ID {
				t.Fatalf("Rekey = %+v, %v", res, err)
			}
			// Only k2 now: everything opens.
			s.SetKeyring(ring(t, k2))
			for _, id := range []int64{sv0.ID, sv.ID, sv3.ID} {
				if _, _, err := s.RawLetterBytes(ctx, id); err != nil {
					t.Fatalf("letter %d after rekey: %v", id, err)
				}
			}
			if res, err := s.Rekey(ctx, "admin", 0); err != nil || res.Rekeyed != 0 {
				t.Fatalf("second Rekey = %+v, %v", res, err)
			}
			log, _ := s.AuditLog(ctx, "blobs", 0, 10)
			if len(log) != 2 || log[0].Action != "store.rekey" {
				t.Fatalf("audit = %+v", log)
			}
			if _, err := s.VerifyAuditChain(ctx); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("fail/rekey-missing-key", func(t *testing.T) {
			s.SetKeyring(ring(t, k1)) // k2 is gone: nothing opens, nothing changes
			res, err := s.Rekey(ctx, "admin", 0)
			if err != nil || res.Rekeyed != 0 || len(res.Failed) != 5 {
				t.Fatalf("Rekey without the old key = %+v, %v", res, err)
			}
			for sum, why := range res.Failed {
				if r := blobRowOf(t, s, sum); r.KeyID != k2.ID {
					t.Fatalf("blob %s changed: %s", sum, why)
				}
			}
			s.SetKeyring(nil)
			if _, err := s.Rekey(ctx, "admin", 0); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Rekey without a keyring: %v", err)
			}
		})
	})
}
