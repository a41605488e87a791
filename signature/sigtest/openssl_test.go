package sigtest

import (
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// openssl runs /usr/bin/openssl (skipping the test when it is missing) and
// returns its combined output and error.
func openssl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: the interop check needs it")
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var attime = strconv.FormatInt(Now.Unix(), 10)

// TestWriteFilesOpenSSLSign drives `openssl cms -sign` with the files
// WriteFiles writes and checks the result independently.
func TestWriteFilesOpenSSLSign(t *testing.T) {
	p := New(t)
	dir := t.TempDir()
	f := p.WriteFiles(dir)
	content := writeTemp(t, dir, "letter.txt", []byte("Labdien!\r\n"))
	out := filepath.Join(dir, "letter.p7s")
	if o, err := openssl(t, "cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-in", content,
		"-signer", f.SignerCert, "-inkey", f.SignerKey, "-certfile", f.Intermediate, "-out", out); err != nil {
		t.Fatalf("openssl cms -sign: %v\n%s", err, o)
	}
	der, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sd := parseSignedData(t, der)
	if len(sd.SignerInfos) != 1 || len(sd.Certs) != 2 {
		t.Fatalf("signers %d certs %d", len(sd.SignerInfos), len(sd.Certs))
	}
	if err := checkSig(t, sd.SignerInfos[0], f.Signer.Cert, crypto.SHA256, nil); err != nil {
		t.Errorf("openssl's signature does not verify with the signer key: %v", err)
	}
	if o, err := opensslVerify(t, der, nil, f.Root); err != nil {
		t.Errorf("openssl cms -verify: %v\n%s", err, o)
	}
}
