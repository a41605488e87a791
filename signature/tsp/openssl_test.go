package tsp

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sigintake/sigintake/signature/algo"
)

const tsaConf = `[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = Test TSA
O = sigintake tests
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = DIR
serial = DIR/serial
signer_cert = DIR/tsa.crt
signer_key = DIR/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
crypto_device = builtin
`

// TestOpenSSLToken checks a token made by "openssl ts -reply" (ESS
// signing-certificate-v2 with SHA-256, nonce, accuracy, ordering).
func TestOpenSSLToken(t *testing.T) {
	if _, err := os.Stat("/usr/bin/openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("/usr/bin/openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	conf := filepath.Join(dir, "tsa.cnf")
	if err := os.WriteFile(conf, []byte(replaceAll(tsaConf, "DIR", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("0A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := []byte("letter for the State Treasury")
	if err := os.WriteFile(filepath.Join(dir, "data"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key",
		"-out", "tsa.crt", "-days", "3650", "-config", conf, "-extensions", "tsa_ext", "-outform", "PEM")
	run("ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "req.tsq")
	run("ts", "-reply", "-config", conf, "-queryfile", "req.tsq", "-token_out", "-out", "token.der")
	der, err := os.ReadFile(filepath.Join(dir, "token.der"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Info.Nonce == nil || !tok.Info.Ordering || tok.Info.Accuracy.Duration().Milliseconds() != 1500 ||
		tok.Info.Policy.String() != "1.2.3.4.1" || tok.Info.SerialNumber.Int64() != 11 { // openssl increments the serial file first
		t.Fatalf("TSTInfo %+v", tok.Info)
	}
	if err := tok.MatchesImprint(data); err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(data)
	if err := tok.MatchesDigest(d[:]); err != nil {
		t.Fatal(err)
	}
	if err := tok.MatchesImprint([]byte("other")); !errors.Is(err, ErrImprintMismatch) {
		t.Fatal(err)
	}
	cert, err := tok.SignerCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.VerifySignature(c.PublicKey); err != nil {
		t.Fatal(err)
	}
	if err := tok.CheckSigningCertificate(cert); err != nil {
		t.Fatal(err)
	}
	// A different key must not verify.
	run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key")
	run("pkey", "-in", "other.key", "-pubout", "-outform", "DER", "-out", "other.spki")
	spki, _ := os.ReadFile(filepath.Join(dir, "other.spki"))
	other, err := algo.ParsePublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.VerifySignature(other); !errors.Is(err, algo.ErrVerification) {
		t.Fatalf("other key: %v", err)
	}
}

func replaceAll(s, old, new string) string {
	out := ""
	for {
		i := indexOf(s, old)
		if i < 0 {
			return out + s
		}
		out += s[:i] + new
		s = s[i+len(old):]
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
