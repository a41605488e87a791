package mailbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseWindows1257(t *testing.T) {
	l := Parse(readTestdata(t, "windows1257.eml"), Limits{})
	if l.Subject != "Iesniegums par nodokļu atmaksu" {
		t.Errorf("Subject %q", l.Subject)
	}
	if len(l.From) != 1 || l.From[0].Name != "Jānis Bērziņš" || l.From[0].Address != "janis@example.lv" {
		t.Errorf("From %+v", l.From)
	}
	if !strings.Contains(l.Text, "Pielikumā parakstīts iesniegums. Ērglis, Šķēle, Ūdris.") {
		t.Errorf("Text %q", l.Text)
	}
	if l.MessageID != "lv-1257@example.lv" || l.Date.IsZero() {
		t.Errorf("Message-ID %q Date %v", l.MessageID, l.Date)
	}
	if len(l.Attachments) != 2 {
		t.Fatalf("attachments %+v", l.Attachments)
	}
	if a := l.Attachments[0]; a.Name != "iesniegums_ā.edoc" || a.NameAmbiguous || a.Path != "2" || a.ContentType != "application/vnd.etsi.asic-e+zip" {
		t.Errorf("RFC 2231 windows-1257 name: %+v", a)
	}
	if a := l.Attachments[1]; a.Name != "līgums.pdf" || a.NameAmbiguous || string(a.Data) != "%PDF-1.7\n" {
		t.Errorf("latin7/iso_8859-13 RFC 2047 name: %+v %q", a, a.Data)
	}
	if len(l.Problems) != 0 {
		t.Errorf("problems: %v", l.Problems)
	}
}

func TestParseNested(t *testing.T) {
	l := Parse(readTestdata(t, "nested.eml"), Limits{})
	if l.Text != "See the forwarded letter.\n\ninner text" {
		t.Errorf("Text %q", l.Text)
	}
	if l.HTML != "<p>See the forwarded letter.</p>" {
		t.Errorf("HTML %q", l.HTML)
	}
	want := []struct {
		name, path string
		depth      int
		inline     bool
	}{{"līgums.pdf", "2.2", 1, false}, {"photo.png", "3", 0, true}}
	if len(l.Attachments) != len(want) {
		t.Fatalf("attachments %+v", l.Attachments)
	}
	for i, w := range want {
		a := l.Attachments[i]
		if a.Name != w.name || a.Path != w.path || a.Depth != w.depth || a.Inline != w.inline || a.NameAmbiguous {
			t.Errorf("attachment %d: %+v, want %+v", i, a, w)
		}
	}
	if got := l.MessageIDs(); !reflect.DeepEqual(got, []string{"case-2026-0001@sigintake.example", "a@x.lv"}) {
		t.Errorf("MessageIDs %q", got)
	}
	if a := l.Attachments[0]; a.SHA256 == "" || a.Size != 9 || string(a.Data) != "%PDF-1.4\n" {
		t.Errorf("decoded data %q size %d", a.Data, a.Size)
	}
	if len(l.Problems) != 0 {
		t.Errorf("problems: %v", l.Problems)
	}
}

func TestParseSMIME(t *testing.T) {
	raw := readTestdata(t, "smime-detached.eml")
	l := Parse(raw, Limits{})
	if len(l.SMIME) != 1 {
		t.Fatalf("SMIME %+v", l.SMIME)
	}
	s := l.SMIME[0]
	if s.Kind != SMIMEDetached || s.Path != "" || !s.Whole || s.Micalg != "sha-256" || !bytes.HasPrefix(s.Signature, []byte("\x30\x80fake-cms")) {
		t.Errorf("detached: %+v", s)
	}
	// The signed content is the first part exactly as on the wire.
	if !bytes.HasPrefix(s.SignedContent, []byte("Content-Type: multipart/mixed; boundary=\"in\"\r\n")) ||
		!bytes.HasSuffix(s.SignedContent, []byte("--in--\r\n")) || !bytes.Contains(raw, s.SignedContent) {
		t.Errorf("signed content %q", s.SignedContent)
	}
	// The signature itself is not an attachment; the signed PDF is.
	if len(l.Attachments) != 1 || l.Attachments[0].Name != "doc.pdf" || l.Attachments[0].Path != "1.2" {
		t.Errorf("attachments %+v", l.Attachments)
	}
	if !bytes.Equal(l.Raw, raw) {
		t.Error("Raw differs")
	}

	l = Parse(readTestdata(t, "smime-opaque.eml"), Limits{})
	if len(l.SMIME) != 1 || l.SMIME[0].Kind != SMIMESignedData || l.SMIME[0].Path != "1" || !l.SMIME[0].Whole || len(l.Attachments) != 0 {
		t.Errorf("opaque: %+v attachments %+v", l.SMIME, l.Attachments)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		file                 string
		auto, bounce, isList bool
	}{
		{"dsn.eml", true, true, false},
		{"autoreply.eml", true, false, false},
		{"list.eml", false, false, true},
		{"nested.eml", false, false, false},
		{"windows1257.eml", false, false, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			l := Parse(readTestdata(t, tc.file), Limits{})
			if IsAutoReply(l) != tc.auto || IsBounce(l) != tc.bounce || IsList(l) != tc.isList {
				t.Errorf("auto %q bounce %q list %q", AutoReplyReason(l), BounceReason(l), ListReason(l))
			}
		})
	}
	l := Parse(readTestdata(t, "dsn.eml"), Limits{})
	if len(l.Reports) != 1 || l.Reports[0].ReportType != "delivery-status" {
		t.Errorf("reports %+v", l.Reports)
	}
	// Subject heuristics and Auto-Submitted: no.
	for _, tc := range []struct {
		hdr  string
		auto bool
	}{
		{"Auto-Submitted: no\r\nSubject: hello", false},
		{"Auto-Submitted: auto-generated\r\nSubject: hello", true},
		{"Subject: Automatic reply: Iesniegums", true},
		{"Subject: Out of Office: back Monday", true},
		{"X-Autoreply: yes\r\nSubject: x", true},
		{"Subject: Re: automatic reply question", false},
	} {
		l := Parse([]byte(tc.hdr+"\r\n\r\nbody\r\n"), Limits{})
		if IsAutoReply(l) != tc.auto {
			t.Errorf("%q: auto-reply %q", tc.hdr, AutoReplyReason(l))
		}
	}
}

func TestParseBrokenStructures(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		code ProblemCode
	}{
		{"fail/no-closing-boundary", "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/pdf; name=a.pdf\r\n\r\nPDF\r\n", ProblemBadMultipart},
		{"fail/no-boundary-param", "Content-Type: multipart/mixed\r\n\r\nbody\r\n", ProblemBadMultipart},
		{"fail/bad-base64", "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBER!!i0x\r\n", ProblemBadEncoding},
		{"fail/unknown-cte", "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644\r\n", ProblemBadEncoding},
		{"fail/unknown-charset", "Content-Type: text/plain; charset=x-klingon\r\n\r\nqapla\r\n", ProblemUnknownCharset},
		{"fail/bad-header-line", "Subject: ok\r\nthis is no header\r\n\r\nbody\r\n", ProblemBadHeader},
		{"fail/encrypted", "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIB\r\n", ProblemEncrypted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := Parse([]byte(tc.raw), Limits{})
			if !l.Has(tc.code) {
				t.Fatalf("want %s, got %v", tc.code, l.Problems)
			}
		})
	}
	// One bad header line does not hide the fields after it.
	l0 := Parse([]byte("Subject: ok\r\nthis is no header\r\nContent-Type: application/pdf; name=a.pdf\r\n\r\nPDF\r\n"), Limits{})
	if len(l0.Attachments) != 1 || l0.Attachments[0].Name != "a.pdf" || l0.Subject != "ok" {
		t.Errorf("after a bad header line: %+v", l0.Attachments)
	}
	// The part before the missing closing boundary is still taken.
	l := Parse([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/pdf; name=a.pdf\r\n\r\nPDF\r\n"), Limits{})
	if len(l.Attachments) != 1 || string(l.Attachments[0].Data) != "PDF\r\n" {
		t.Errorf("attachments %+v", l.Attachments)
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("fail/60-levels", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("Subject: deep\r\n")
		for i := 0; i < 60; i++ {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
		}
		b.WriteString("Content-Type: application/pdf; name=deep.pdf\r\n\r\nPDF\r\n")
		for i := 59; i >= 0; i-- {
			fmt.Fprintf(&b, "--b%d--\r\n", i)
		}
		l := Parse([]byte(b.String()), Limits{})
		if !l.Has(ProblemTooDeep) || l.Subject != "deep" {
			t.Fatalf("problems %v", l.Problems)
		}
	})
	t.Run("fail/60-nested-messages", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < 60; i++ {
			b.WriteString("Content-Type: message/rfc822\r\n\r\n")
		}
		b.WriteString("Subject: innermost\r\n\r\nx\r\n")
		l := Parse([]byte(b.String()), Limits{})
		if !l.Has(ProblemTooDeep) {
			t.Fatalf("problems %v", l.Problems)
		}
	})
	t.Run("ok/10000-parts", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("Content-Type: multipart/mixed; boundary=p\r\n\r\n")
		for i := 0; i < 9999; i++ {
			fmt.Fprintf(&b, "--p\r\nContent-Type: application/octet-stream; name=f%d.bin\r\n\r\n%d\r\n", i, i)
		}
		b.WriteString("--p--\r\n")
		start := time.Now()
		l := Parse(b.Bytes(), Limits{})
		el := time.Since(start)
		if len(l.Attachments) != 9999 || l.Has(ProblemTooManyParts) || l.Attachments[9998].Name != "f9998.bin" {
			t.Fatalf("%d attachments, problems %v", len(l.Attachments), l.Problems[:min(3, len(l.Problems))])
		}
		t.Logf("10,000 parts parsed in %v", el)
		if el > 2*time.Second {
			t.Errorf("too slow: %v", el)
		}
	})
	t.Run("fail/over-max-parts", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("Content-Type: multipart/mixed; boundary=p\r\n\r\n")
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&b, "--p\r\nContent-Type: text/plain\r\n\r\n%d\r\n", i)
		}
		b.WriteString("--p--\r\n")
		l := Parse(b.Bytes(), Limits{MaxParts: 10})
		if !l.Has(ProblemTooManyParts) || l.Parts != 11 {
			t.Fatalf("parts %d problems %v", l.Parts, l.Problems)
		}
	})
	t.Run("fail/huge-header", func(t *testing.T) {
		raw := "Subject: big\r\nX-Junk: " + strings.Repeat("a", 300<<10) + "\r\n\r\nbody\r\n"
		l := Parse([]byte(raw), Limits{})
		if !l.Has(ProblemHeaderTooLarge) || l.Subject != "big" || l.Text != "body\r\n" {
			t.Fatalf("subject %q text %q problems %v", l.Subject, l.Text, l.Problems)
		}
	})
	t.Run("fail/attachment-over-limit", func(t *testing.T) {
		raw := "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("QUFB", 1000) + "\r\n"
		l := Parse([]byte(raw), Limits{MaxAttachmentBytes: 100})
		if !l.Has(ProblemAttachmentTooLarge) || len(l.Attachments) != 1 || !l.Attachments[0].Truncated || l.Attachments[0].Size != 100 {
			t.Fatalf("%+v %v", l.Attachments, l.Problems)
		}
	})
	t.Run("fail/message-over-limit", func(t *testing.T) {
		raw := "Subject: s\r\n\r\n" + strings.Repeat("x", 1000)
		l := Parse([]byte(raw), Limits{MaxMessageBytes: 100})
		if !l.Truncated || !l.Has(ProblemMessageTooLarge) || len(l.Raw) != len(raw) {
			t.Fatalf("%v", l.Problems)
		}
	})
}

func TestParseKnownSHA256(t *testing.T) {
	raw := []byte("From: a@example.lv\r\nSubject: x\r\n\r\nbody\r\n")
	sum := sha256.Sum256(raw)
	want := hex.EncodeToString(sum[:])
	if l := Parse(raw, Limits{}); l.SHA256 != want {
		t.Fatalf("hashed: %s, want %s", l.SHA256, want)
	}
	// The caller's hash is taken as given (not recomputed).
	if l := Parse(raw, Limits{KnownSHA256: "given"}); l.SHA256 != "given" || l.Subject != "x" {
		t.Fatalf("known: %q %q", l.SHA256, l.Subject)
	}
}
