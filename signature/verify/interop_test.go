package verify_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/signature/verify"
)

// TestOpenSSLInterop validates files made by `openssl cms` (not by our
// code) over the test PKI: attached, detached, PEM, S/MIME multipart/signed
// and opaque, and tampered or weak variants.
func TestOpenSSLInterop(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("SIGINTAKE_REQUIRE_SERVICES") == "1" {
			t.Fatal("openssl not installed")
		}
		t.Skip("openssl not installed (scripts/test installs it)")
	}
	p := sigtest.New(t)
	dir := t.TempDir()
	f := p.WriteFiles(dir)
	letter := filepath.Join(dir, "iesniegums.txt")
	content := []byte("Valsts kasei\r\nLūdzu pieņemt iesniegumu.\r\n")
	if err := os.WriteFile(letter, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sign := func(out string, args ...string) string {
		t.Helper()
		path := filepath.Join(dir, out)
		base := []string{"cms", "-sign", "-signer", f.SignerCert, "-inkey", f.SignerKey, "-certfile", f.Chain, "-in", letter, "-out", path}
		cmd := exec.Command(openssl, append(base, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, b)
		}
		return path
	}
	o := signature.Options{Time: sigtest.Now, Trust: p.Trust(), Fetcher: &revocation.HTTPFetcher{}}
	headers := "From: Jānis Bērziņš <janis@example.lv>\r\nTo: ekase@kase.gov.lv\r\nSubject: Iesniegums\r\nDate: Mon, 01 Jun 2026 12:00:00 +0000\r\n"

	cases := []struct {
		name    string
		file    func() string
		ind     signature.Indication
		sub     signature.SubIndication
		verdict signature.Verdict
	}{
		{"ok/attached-der", func() string { return sign("a.p7m", "-binary", "-nodetach", "-outform", "DER") }, signature.TotalPassed, "", signature.Accepted},
		{"ok/detached-der", func() string { return sign("iesniegums.txt.p7s", "-binary", "-outform", "DER") }, signature.TotalPassed, "", signature.Accepted},
		{"ok/attached-pem", func() string { return sign("b.p7m", "-binary", "-nodetach", "-outform", "PEM") }, signature.TotalPassed, "", signature.Accepted},
		{"ok/cades", func() string { return sign("c.p7m", "-binary", "-nodetach", "-outform", "DER", "-cades") }, signature.TotalPassed, "", signature.Accepted},
		{"ok/sha512", func() string { return sign("d.p7m", "-binary", "-nodetach", "-outform", "DER", "-md", "sha512") }, signature.TotalPassed, "", signature.Accepted},
		{"ok/smime-multipart", func() string {
			path := sign("s.eml", "-text")
			return prependHeaders(t, path, headers)
		}, signature.TotalPassed, "", signature.Accepted},
		{"ok/smime-opaque", func() string {
			path := sign("o.eml", "-nodetach", "-text")
			return prependHeaders(t, path, headers)
		}, signature.TotalPassed, "", signature.Accepted},
		{"fail/detached-content-changed", func() string {
			path := sign("changed.txt.p7s", "-binary", "-outform", "DER")
			if err := os.WriteFile(filepath.Join(dir, "changed.txt"), append(content, '!'), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, signature.TotalFailed, signature.HashFailure, signature.Rejected},
		{"fail/smime-body-changed", func() string {
			path := prependHeaders(t, sign("m.eml", "-text"), headers)
			b, _ := os.ReadFile(path)
			b = bytes.Replace(b, []byte("pieņemt"), []byte("noraidīt"), 1)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, signature.TotalFailed, signature.HashFailure, signature.Rejected},
		{"indet/sha1", func() string { return sign("e.p7m", "-binary", "-nodetach", "-outform", "DER", "-md", "sha1") }, signature.Indeterminate, signature.CryptoConstraintsNoPOE, signature.Review},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.file()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fr := verify.File(context.Background(), verify.Input{Name: path, Data: data, Sibling: func(name string) ([]byte, bool) {
				b, err := os.ReadFile(filepath.Join(dir, filepath.Base(name)))
				return b, err == nil
			}}, o)
			if len(fr.Signatures) != 1 {
				t.Fatalf("%d signatures; reasons %q", len(fr.Signatures), fr.Reasons)
			}
			s := fr.Signatures[0]
			if s.Indication != c.ind || s.SubIndication != c.sub || fr.Verdict != c.verdict {
				t.Fatalf("got %s/%s %s, want %s/%s %s; errors %q", s.Indication, s.SubIndication, fr.Verdict, c.ind, c.sub, c.verdict, s.Errors)
			}
		})
	}
}

// prependHeaders makes an openssl S/MIME output a whole message.
func prependHeaders(t *testing.T, path, headers string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append([]byte(headers), b...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
