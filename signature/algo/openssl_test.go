package algo

import (
	"crypto"
	"crypto/ecdsa"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const opensslPath = "/usr/bin/openssl"

func openssl(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(opensslPath, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

func needOpenSSL(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(opensslPath); err != nil {
		t.Skip("openssl not installed: skipping openssl-made vectors")
	}
	return t.TempDir()
}

// TestBrainpoolOpenSSL verifies ECDSA signatures made by openssl on the three
// brainpool r1 curves, through crypto/ecdsa's custom-curve path.
func TestBrainpoolOpenSSL(t *testing.T) {
	dir := needOpenSSL(t)
	msg := filepath.Join(dir, "msg")
	if err := os.WriteFile(msg, []byte("brainpool message"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		curve string
		hash  crypto.Hash
		md    string
	}{
		{"brainpoolP256r1", crypto.SHA256, "-sha256"},
		{"brainpoolP384r1", crypto.SHA384, "-sha384"},
		{"brainpoolP512r1", crypto.SHA512, "-sha512"},
	} {
		t.Run("ok/"+tc.curve, func(t *testing.T) {
			key := filepath.Join(dir, tc.curve+".pem")
			openssl(t, "ecparam", "-name", tc.curve, "-genkey", "-noout", "-out", key)
			spki := openssl(t, "pkey", "-in", key, "-pubout", "-outform", "DER")
			sigFile := filepath.Join(dir, tc.curve+".sig")
			openssl(t, "dgst", tc.md, "-sign", key, "-out", sigFile, msg)
			sig, _ := os.ReadFile(sigFile)
			data, _ := os.ReadFile(msg)
			pub, err := ParsePublicKey(spki)
			if err != nil {
				t.Fatal(err)
			}
			k := pub.(*ecdsa.PublicKey)
			if k.Curve.Params().Name != tc.curve {
				t.Fatalf("curve %s", k.Curve.Params().Name)
			}
			s := mk(ECDSA, tc.hash, false)
			if err := Verify(pub, s, data, sig); err != nil {
				t.Fatal(err)
			}
			if err := Verify(pub, s, append(data, '!'), sig); !errors.Is(err, ErrVerification) {
				t.Fatalf("tampered message: %v", err)
			}
		})
	}
}

func TestBrainpoolGenerator(t *testing.T) {
	for _, c := range []*bpCurve{BrainpoolP256r1().(*bpCurve), BrainpoolP384r1().(*bpCurve), BrainpoolP512r1().(*bpCurve)} {
		p := c.Params()
		if !c.IsOnCurve(p.Gx, p.Gy) {
			t.Fatalf("%s: generator not on curve", p.Name)
		}
		// n·G must be the point at infinity.
		x, y := c.ScalarBaseMult(p.N.Bytes())
		if !isInf(x, y) {
			t.Fatalf("%s: n·G is not infinity", p.Name)
		}
	}
}

// TestPSSOpenSSL verifies RSASSA-PSS signatures made by openssl, including
// an MGF1 hash different from the message hash.
func TestPSSOpenSSL(t *testing.T) {
	dir := needOpenSSL(t)
	key := filepath.Join(dir, "rsa.pem")
	openssl(t, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
	spki := openssl(t, "pkey", "-in", key, "-pubout", "-outform", "DER")
	pub, err := ParsePublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	msg := filepath.Join(dir, "msg")
	if err := os.WriteFile(msg, []byte("pss message"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(msg)
	for _, tc := range []struct {
		name    string
		md, mgf string
		h, mgfH crypto.Hash
		salt    int
	}{
		{"ok/sha256-salt32", "sha256", "sha256", crypto.SHA256, crypto.SHA256, 32},
		{"ok/sha512-salt64", "sha512", "sha512", crypto.SHA512, crypto.SHA512, 64},
		{"ok/sha256-mgf1sha1-salt20", "sha256", "sha1", crypto.SHA256, crypto.SHA1, 20},
		{"ok/sha3-256-salt32", "sha3-256", "sha3-256", crypto.SHA3_256, crypto.SHA3_256, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sigFile := filepath.Join(dir, "sig")
			openssl(t, "dgst", "-"+tc.md, "-sign", key, "-sigopt", "rsa_padding_mode:pss",
				"-sigopt", "rsa_pss_saltlen:"+itoa(tc.salt), "-sigopt", "rsa_mgf1_md:"+tc.mgf, "-out", sigFile, msg)
			sig, _ := os.ReadFile(sigFile)
			s := Signature{Key: RSAPSS, Hash: tc.h, PSS: &PSSParams{Hash: tc.h, MGFHash: tc.mgfH, SaltLength: tc.salt, TrailerField: 1}}
			if err := Verify(pub, s, data, sig); err != nil {
				t.Fatal(err)
			}
			s.PSS.SaltLength++
			if err := Verify(pub, s, data, sig); !errors.Is(err, ErrVerification) {
				t.Fatalf("wrong salt length accepted: %v", err)
			}
		})
	}
}

func itoa(i int) string {
	return string([]byte{byte('0' + i/10), byte('0' + i%10)})
}
