package reply

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/mailbox"
)

var svc = Service{Name: "Valsts kases Klientu apkalpošanas centrs", Phone: "+371 67094222", Email: "info@kase.gov.lv", Web: "https://www.kase.gov.lv"}

func TestRenderLatvianFirst(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		kind Kind
		data Data
		lv   []string
		en   []string
	}{
		{KindAck, Data{CaseNumber: "VK-2026/000042", Subject: "Iesniegums", ReceivedAt: at, Service: svc,
			Signed: []SignedFile{{Name: "iesniegums.pdf (iesniegums.pdf.p7s)", Signers: "Jānis Bērziņš"}, {Message: true, Signers: "Anna Kalniņa"}}, Unsigned: []string{"foto.jpg"}},
			[]string{"Valsts kase ir saņēmusi Jūsu vēstuli", "VK-2026/000042", "parakstījis(-usi): Jānis Bērziņš", "pati e-pasta vēstule", "Faili bez paraksta", "foto.jpg", "Šī ir automātiska atbilde"},
			[]string{"registered it as case VK-2026/000042", "signed by: Jānis Bērziņš", "the e-mail message itself"}},
		{KindReject, Data{Subject: "Lūgums", ReceivedAt: at, Service: svc, Mailbox: "ekase@kase.gov.lv", MaxSize: 40 << 20,
			Reasons: []Reason{{Code: "no-signature"}, {Code: "signature-invalid", File: "līgums.pdf.p7s", Why: "HASH_FAILURE"}, {Code: "signature-invalid", File: "x.p7s", Why: "REVOKED"}, {Code: "not-qualified", File: "a.p7m"}, {Code: "unsupported-format", File: "b.pdf"}, {Code: "too-large", File: "c.edoc"}, {Code: "something-else", Detail: "cits iemesls"}}},
			[]string{"nevar pieņemt", "nav neviena elektroniski parakstīta faila", "Faila līgums.pdf.p7s paraksts nav derīgs: fails ir mainīts pēc parakstīšanas", "parakstītāja sertifikāts ir atsaukts", "nav drošs (kvalificēts)", "pagaidām nevar pārbaudīt", "pārāk liels (lielākais atļautais izmērs: 40 MB)", "cits iemesls", "www.eparaksts.lv"},
			[]string{"cannot accept", "contains no electronically signed file", "The signature of līgums.pdf.p7s is not valid: the file was changed after signing", "certificate has been revoked", "not a qualified electronic signature", "cannot yet be checked", "too large", "www.eparaksts.lv"}},
		{KindFollowUp, Data{CaseNumber: "VK-2026/000001", Subject: "Re: x", ReceivedAt: at, Service: svc},
			[]string{"ir pievienota lietai VK-2026/000001"}, []string{"has been added to case VK-2026/000001"}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			subj, body, err := c.Render(tc.kind, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if subj == "" || strings.Contains(body, "<no value>") {
				t.Fatalf("subject %q body %q", subj, body)
			}
			sep := strings.Index(body, "-----")
			if sep < 0 {
				t.Fatal("no separator between Latvian and English")
			}
			for _, s := range tc.lv {
				if i := strings.Index(body, s); i < 0 || i > sep {
					t.Errorf("Latvian text %q missing or not first", s)
				}
			}
			for _, s := range tc.en {
				if i := strings.LastIndex(body, s); i < sep {
					t.Errorf("English text %q missing or not second", s)
				}
			}
		})
	}
}

func TestComposeHeaders(t *testing.T) {
	c, _ := Load("")
	raw, err := c.Compose(KindAck, Header{From: "Valsts kase <ekase@kase.gov.lv>", To: "anna@example.lv", MessageID: "sigintake.ack.1.ab@kase.gov.lv",
		InReplyTo: "orig@example.lv", References: []string{"first@example.lv"}, Date: time.Now()},
		Data{CaseNumber: "VK-2026/000001", Subject: "Iesniegums ar garumzīmēm āčēģīķļņšūž", ReceivedAt: time.Now(), Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	l := mailbox.Parse(raw, mailbox.Limits{})
	if l.AutoSubmitted != "auto-replied" || l.MessageID != "sigintake.ack.1.ab@kase.gov.lv" {
		t.Fatalf("headers: %q %q", l.AutoSubmitted, l.MessageID)
	}
	if len(l.InReplyTo) != 1 || l.InReplyTo[0] != "orig@example.lv" || len(l.References) != 2 || l.References[1] != "orig@example.lv" {
		t.Fatalf("threading: %q %q", l.InReplyTo, l.References)
	}
	if !strings.Contains(l.Subject, "VK-2026/000001") || !strings.Contains(l.Text, "āčēģīķļņšūž") || len(l.Problems) != 0 {
		t.Fatalf("subject %q problems %v text %q", l.Subject, l.Problems, l.Text)
	}
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatal("line over 998 octets")
		}
	}
	_, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	dec, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if !bytes.Contains(dec, []byte("Valsts kase ir saņēmusi")) {
		t.Fatal("body not UTF-8 quoted-printable")
	}
}

func TestOverrideDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ack.tmpl"), []byte(`{{define "ack.subject"}}Lieta {{.CaseNumber}}{{end}}{{define "ack.body"}}Paldies! {{.CaseNumber}}{{end}}`), 0o644)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, b, err := c.Render(KindAck, Data{CaseNumber: "X-1"})
	if err != nil || s != "Lieta X-1" || b != "Paldies! X-1" {
		t.Fatalf("%q %q %v", s, b, err)
	}
	// The others keep their defaults.
	if _, _, err := c.Render(KindReject, Data{Service: svc, Reasons: []Reason{{Code: "no-signature"}}}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "bad.tmpl"), []byte(`{{define "x"}}{{.Nope`), 0o644)
	if _, err := Load(dir); err == nil {
		t.Fatal("a broken template loaded")
	}
}
