package cms

import (
	"bytes"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir locates ../shared (TEAM.md): $SIGINTAKE_SHARED, else the
// "shared" folder beside the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SIGINTAKE_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(s); err != nil {
				t.Skipf("shared test material not found at %s (set SIGINTAKE_SHARED)", s)
			}
			return s
		}
		if filepath.Dir(d) == d {
			t.Skip("repository root not found; set SIGINTAKE_SHARED")
		}
	}
}

// smimeParts extracts from an S/MIME message the CMS bytes and, for
// multipart/signed, the signed first part exactly as it appears between the
// boundaries (RFC 8551 §3.5).
func smimeParts(t testing.TB, raw []byte) (cmsDER, detached []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	body := raw[bytes.Index(raw, []byte("\r\n\r\n"))+4:]
	if mt != "multipart/signed" {
		der, err := Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		return der, nil
	}
	delim := []byte("--" + params["boundary"])
	parts := bytes.Split(body, delim)
	if len(parts) < 4 {
		t.Fatalf("multipart/signed with %d parts", len(parts)-2)
	}
	// parts[0] preamble, parts[1] signed part, parts[2] signature part.
	signed := bytes.TrimPrefix(parts[1], []byte("\r\n"))
	signed = bytes.TrimSuffix(signed, []byte("\r\n"))
	sigPart := parts[2]
	i := bytes.Index(sigPart, []byte("\r\n\r\n"))
	if i < 0 || !strings.Contains(strings.ToLower(string(sigPart[:i])), "pkcs7-signature") {
		t.Fatal("second part is not application/pkcs7-signature")
	}
	der, err := Decode(sigPart[i+4:])
	if err != nil {
		t.Fatal(err)
	}
	return der, signed
}
