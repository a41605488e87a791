package algo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"testing"
	"time"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC) }

func rsaKeyOfSize(bits int) *rsa.PublicKey {
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.SetBit(n, 0, 1)
	return &rsa.PublicKey{N: n, E: 65537}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name    string
		s       Signature
		pub     crypto.PublicKey
		at      time.Time
		fail    bool
		expired time.Time
	}{
		{"ok/rsa2048-sha256-2025", rsaSig(crypto.SHA256), rsaKeyOfSize(2048), day(2025, 6, 1), false, time.Time{}},
		{"ok/rsa2048-sha256-2027-warn-only", rsaSig(crypto.SHA256), rsaKeyOfSize(2048), day(2027, 6, 1), false, time.Time{}},
		{"ok/sha1-last-day", rsaSig(crypto.SHA1), rsaKeyOfSize(2048), day(2009, 12, 31), false, time.Time{}},
		{"fail/sha1-2010", rsaSig(crypto.SHA1), rsaKeyOfSize(2048), day(2010, 1, 1), true, endOfYear(2009)},
		{"fail/md5", rsaSig(crypto.MD5), rsaKeyOfSize(2048), day(2008, 1, 1), true, endOfYear(2005)},
		{"fail/rsa1024-2015", rsaSig(crypto.SHA256), rsaKeyOfSize(1024), day(2015, 1, 1), true, endOfYear(2009)},
		{"fail/rsa1536-2017", rsaSig(crypto.SHA256), rsaKeyOfSize(1536), day(2017, 1, 1), true, endOfYear(2016)},
		{"ok/rsa1536-2016", rsaSig(crypto.SHA256), rsaKeyOfSize(1536), day(2016, 1, 1), false, time.Time{}},
		{"fail/rsa512", rsaSig(crypto.SHA256), rsaKeyOfSize(512), day(2000, 1, 1), true, time.Time{}},
		{"ok/ecdsa-p256", mk(ECDSA, crypto.SHA256, false), &ec256.PublicKey, day(2026, 11, 26), false, time.Time{}},
		{"ok/plain-ecdsa-p256", mk(ECDSA, crypto.SHA256, true), &ec256.PublicKey, day(2026, 11, 26), false, time.Time{}},
		{"fail/ed25519-not-in-dss", mk(Ed25519, crypto.SHA512, false), edPub, day(2026, 1, 1), true, time.Time{}},
		{"fail/key-mismatch", mk(ECDSA, crypto.SHA256, false), rsaKeyOfSize(2048), day(2026, 1, 1), true, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := p.CheckSignature(tc.s, tc.pub, tc.at)
			if !tc.fail {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *ConstraintError
			if !errors.Is(err, ErrConstraint) || !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConstraintError", err)
			}
			if !ce.ExpiredAt.Equal(tc.expired) {
				t.Fatalf("ExpiredAt = %v, want %v (%v)", ce.ExpiredAt, tc.expired, ce)
			}
		})
	}
	t.Run("ok/warnings-after-update-date", func(t *testing.T) {
		w := p.Warnings(rsaSig(crypto.SHA256), rsaKeyOfSize(2048), day(2027, 6, 1))
		if len(w) != 1 || w[0].Algorithm != "RSA" || w[0].KeySize != 2048 || !w[0].Warning {
			t.Fatalf("warnings = %v", w)
		}
	})
	t.Run("fail/enforced-without-update-date", func(t *testing.T) {
		strict := DefaultPolicy()
		strict.UpdateDate = time.Time{}
		if err := strict.CheckSignature(rsaSig(crypto.SHA256), rsaKeyOfSize(2048), day(2027, 6, 1)); !errors.Is(err, ErrConstraint) {
			t.Fatalf("err = %v", err)
		}
		if err := strict.CheckDigest(crypto.SHA256, day(2030, 1, 1)); !errors.Is(err, ErrConstraint) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("digest", func(t *testing.T) {
		if err := p.CheckDigest(crypto.SHA256, day(2026, 11, 26)); err != nil {
			t.Fatal(err)
		}
		if err := p.CheckDigest(crypto.SHA1, day(2026, 11, 26)); !errors.Is(err, ErrConstraint) {
			t.Fatal(err)
		}
		if err := p.CheckDigest(crypto.SHA3_224, day(2020, 1, 1)); !errors.Is(err, ErrConstraint) {
			t.Fatal("SHA3-224 is not in the DSS list")
		}
	})
}
