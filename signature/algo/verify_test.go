package algo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
)

var testRSA = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func rsaSig(h crypto.Hash) Signature { return mk(RSA, h, false) }

func TestRSAPKCS1v15(t *testing.T) {
	msg := []byte("Valsts kase")
	d := sha256.Sum256(msg)
	oid, _ := HashOID(crypto.SHA256)
	sigOver := func(t *testing.T, withNull bool, digest []byte, extra []byte, algOID asn1.ObjectIdentifier) []byte {
		di := digestInfo{Alg: digestInfoAlg{Algorithm: algOID}, Digest: digest}
		if withNull {
			di.Alg.Parameters = asn1.NullRawValue
		}
		b, err := asn1.Marshal(di)
		if err != nil {
			t.Fatal(err)
		}
		s, err := rsa.SignPKCS1v15(nil, testRSA, 0, append(b, extra...))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	std, err := rsa.SignPKCS1v15(nil, testRSA, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string][]byte{
		"ok/stdlib":    std,
		"ok/with-null": sigOver(t, true, d[:], nil, oid),
		"ok/no-null":   sigOver(t, false, d[:], nil, oid),
	}
	for name, s := range ok {
		t.Run(name, func(t *testing.T) {
			if err := Verify(&testRSA.PublicKey, rsaSig(crypto.SHA256), msg, s); err != nil {
				t.Fatal(err)
			}
		})
	}
	sha512OID, _ := HashOID(crypto.SHA512)
	bad := map[string][]byte{
		"fail/trailing-garbage": sigOver(t, true, d[:], []byte{0}, oid),
		"fail/wrong-digest-alg": sigOver(t, true, d[:], nil, sha512OID),
		"fail/other-digest":     sigOver(t, true, make([]byte, 32), nil, oid),
		"fail/truncated":        std[1:],
		"fail/flipped":          append(append([]byte(nil), std[:100]...), append([]byte{std[100] ^ 1}, std[101:]...)...),
	}
	for name, s := range bad {
		t.Run(name, func(t *testing.T) {
			err := Verify(&testRSA.PublicKey, rsaSig(crypto.SHA256), msg, s)
			if !errors.Is(err, ErrVerification) {
				t.Fatalf("err = %v, want ErrVerification", err)
			}
		})
	}
	t.Run("fail/wrong-key-type", func(t *testing.T) {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		if err := Verify(pub, rsaSig(crypto.SHA256), msg, std); !errors.Is(err, ErrKeyMismatch) || !errors.Is(err, ErrVerification) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRSAPSSStdlib(t *testing.T) {
	msg := []byte("message")
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		w := h.New()
		w.Write(msg)
		s, err := rsa.SignPSS(rand.Reader, testRSA, h, w.Sum(nil), &rsa.PSSOptions{SaltLength: h.Size()})
		if err != nil {
			t.Fatal(err)
		}
		sig := pssSig(h, h, h.Size())
		if err := Verify(&testRSA.PublicKey, sig, msg, s); err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		wrongSalt := pssSig(h, h, h.Size()+1)
		if err := Verify(&testRSA.PublicKey, wrongSalt, msg, s); !errors.Is(err, ErrVerification) {
			t.Fatalf("%v wrong salt: %v", h, err)
		}
		if err := Verify(&testRSA.PublicKey, sig, []byte("other"), s); !errors.Is(err, ErrVerification) {
			t.Fatalf("%v other message: %v", h, err)
		}
	}
}

func TestECDSA(t *testing.T) {
	msg := []byte("message")
	for _, c := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256(msg)
		der, err := ecdsa.SignASN1(rand.Reader, k, d[:])
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(&k.PublicKey, mk(ECDSA, crypto.SHA256, false), msg, der); err != nil {
			t.Fatalf("%s DER: %v", c.Params().Name, err)
		}
		var rs ecdsaSig
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			t.Fatal(err)
		}
		n := (c.Params().N.BitLen() + 7) / 8
		plain := append(rs.R.FillBytes(make([]byte, n)), rs.S.FillBytes(make([]byte, n))...)
		if err := Verify(&k.PublicKey, mk(ECDSA, crypto.SHA256, true), msg, plain); err != nil {
			t.Fatalf("%s plain: %v", c.Params().Name, err)
		}
		if err := Verify(&k.PublicKey, mk(ECDSA, crypto.SHA256, true), msg, der); !errors.Is(err, ErrVerification) {
			t.Fatalf("%s DER as plain: %v", c.Params().Name, err)
		}
		if err := Verify(&k.PublicKey, mk(ECDSA, crypto.SHA256, false), []byte("x"), der); !errors.Is(err, ErrVerification) {
			t.Fatalf("%s other message: %v", c.Params().Name, err)
		}
		spki, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePublicKey(spki)
		if err != nil {
			t.Fatal(err)
		}
		if !pub.(*ecdsa.PublicKey).Equal(&k.PublicKey) {
			t.Fatal("parsed key differs")
		}
	}
}

func TestEd25519(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := []byte("message")
	s := ed25519.Sign(priv, msg)
	spki, _ := x509.MarshalPKIXPublicKey(pub)
	p, err := ParsePublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ParseAlgorithm(algID(OIDEd25519), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(p, sig, msg, s); err != nil {
		t.Fatal(err)
	}
	if err := Verify(p, sig, []byte("other"), s); !errors.Is(err, ErrVerification) {
		t.Fatal(err)
	}
}

func TestParsePublicKeyNegativeModulus(t *testing.T) {
	// Encode the modulus without the leading zero octet: a negative INTEGER.
	n := testRSA.N.Bytes()
	if n[0] < 0x80 {
		t.Fatal("test key modulus must have its top bit set")
	}
	rsaKey, err := asn1.Marshal(struct{ N, E asn1.RawValue }{
		N: asn1.RawValue{Tag: asn1.TagInteger, Bytes: n},
		E: asn1.RawValue{Tag: asn1.TagInteger, Bytes: big.NewInt(int64(testRSA.E)).Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	spkiDER, err := asn1.Marshal(struct {
		Alg struct {
			OID  asn1.ObjectIdentifier
			Null asn1.RawValue
		}
		Key asn1.BitString
	}{Alg: struct {
		OID  asn1.ObjectIdentifier
		Null asn1.RawValue
	}{OIDRSAEncryption, asn1.NullRawValue}, Key: asn1.BitString{Bytes: rsaKey, BitLength: 8 * len(rsaKey)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParsePKIXPublicKey(spkiDER); err == nil {
		t.Log("note: crypto/x509 accepted the negative modulus")
	}
	pub, err := ParsePublicKey(spkiDER)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.(*rsa.PublicKey).Equal(&testRSA.PublicKey) {
		t.Fatal("modulus not read as unsigned")
	}
}

func TestParsePublicKeyMalformed(t *testing.T) {
	for name, in := range map[string][]byte{
		"fail/empty":    nil,
		"fail/garbage":  {0x30, 0x03, 0x02, 0x01},
		"fail/trailing": append(mustSPKI(t), 0),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePublicKey(in); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func mustSPKI(t *testing.T) []byte {
	b, err := x509.MarshalPKIXPublicKey(&testRSA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
