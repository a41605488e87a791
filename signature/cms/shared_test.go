package cms

import (
	"bytes"
	"github.com/sigintake/sigintake/internal/testshared"
	"mime"
	"net/mail"
	"strings"
	"testing"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }

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
