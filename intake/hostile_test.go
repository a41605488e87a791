package intake_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

// Hostile and broken letters: each is stored, decided (answered or sent to
// review) with a clear reason, in bounded time, and never blocks the next.
func TestHostileLetters(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	pr := newProcessor(t, st, func() signature.Options { return signature.Options{} })
	pr.Settings.MaxAttachmentBytes = 64 << 10
	hdr := "From: Klients <k@example.lv>\r\nTo: ekase@kase.gov.lv\r\nSubject: %s\r\nMessage-ID: <%s@example.lv>\r\nMIME-Version: 1.0\r\n"
	nested := func(depth int) string {
		var b strings.Builder
		for i := 0; i < depth; i++ {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
		}
		b.WriteString("Content-Type: text/plain\r\n\r\ndeep\r\n")
		for i := depth - 1; i >= 0; i-- {
			fmt.Fprintf(&b, "--b%d--\r\n", i)
		}
		return b.String()
	}
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=m\r\n\r\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "--m\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f%d.bin\r\n\r\nx\r\n", i)
		}
		b.WriteString("--m--\r\n")
		return b.String()
	}
	big := strings.Repeat("QUJDRA==\r\n", 20000) // 80 KB decoded, over the 64 KB limit
	cases := []struct {
		name, body string
		want       []store.OutcomeKind
		code       string
	}{
		{"nesting-60", nested(60), []store.OutcomeKind{store.Rejected, store.Review}, ""},
		{"parts-10000", many(10000), []store.OutcomeKind{store.Rejected, store.Review}, ""},
		{"huge-header", "X-Junk: " + strings.Repeat("a", 400<<10) + "\r\nContent-Type: text/plain\r\n\r\nx\r\n", []store.OutcomeKind{store.Rejected, store.Review}, ""},
		{"over-limit-attachment", "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: application/pkcs7-mime\r\nContent-Disposition: attachment; filename=big.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n" + big + "--z--\r\n", []store.OutcomeKind{store.Rejected}, intake.ReasonTooLarge},
		{"unknown-charset", "Content-Type: text/plain; charset=x-klingon\r\n\r\nqapla'\r\n", []store.OutcomeKind{store.Rejected}, intake.ReasonNoSignature},
		{"broken-multipart", "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nno end", []store.OutcomeKind{store.Rejected, store.Review}, ""},
		{"garbage-cms", "Content-Type: multipart/mixed; boundary=g\r\n\r\n--g\r\nContent-Type: application/pkcs7-signature\r\nContent-Disposition: attachment; filename=x.pdf.p7s\r\n\r\n\x30\x82\xff\xffgarbage\r\n--g--\r\n", []store.OutcomeKind{store.Rejected}, intake.ReasonSignatureInvalid},
		{"encrypted", "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n", []store.OutcomeKind{store.Review}, intake.ReasonEncrypted},
	}
	ids := map[string]int64{}
	for i, c := range cases {
		raw := fmt.Sprintf(hdr, c.name, c.name) + c.body
		ids[c.name] = save(t, st, uint32(i+1), []byte(raw))
	}
	start := time.Now()
	for {
		n, err := pr.ProcessPending(ctx, "ekase", 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	t.Logf("%d hostile letters decided in %v", len(cases), time.Since(start).Round(time.Millisecond))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, _ := st.Letter(ctx, ids[c.name])
			ok := false
			for _, w := range c.want {
				ok = ok || l.Outcome == w
			}
			if !ok || len(l.Reasons) == 0 {
				t.Fatalf("outcome %s reasons %+v, want one of %v", l.Outcome, l.Reasons, c.want)
			}
			if c.code != "" {
				found := false
				for _, r := range l.Reasons {
					found = found || r.Code == c.code
				}
				if !found {
					t.Fatalf("no %s in %+v", c.code, l.Reasons)
				}
			}
		})
	}
}

// The shared attack corpus (../shared/attacks): every e-mail attack, and
// every archive attack as an attachment, is decided in bounded time, none
// is accepted, none blocks the others.
func TestAttackCorpus(t *testing.T) {
	dir := sharedDir(t)
	ctx := context.Background()
	st := openSQLite(t)
	pr := newProcessor(t, st, func() signature.Options { return signature.Options{} })
	pr.Settings.LetterTimeout = 20 * time.Second
	var files []string
	filepath.Walk(filepath.Join(dir, "attacks", "email"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	archives, _ := filepath.Glob(filepath.Join(dir, "attacks", "archives", "*"))
	uid := uint32(0)
	names := map[int64]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil || len(raw) > 8<<20 {
			continue
		}
		uid++
		names[save(t, st, uid, raw)] = filepath.Base(f)
	}
	for _, f := range archives {
		data, err := os.ReadFile(f)
		if err != nil || len(data) > 4<<20 {
			continue
		}
		var b strings.Builder
		enc := make([]byte, 0, len(data)*2)
		enc = fmt.Appendf(enc, "%s", base64Lines(data))
		fmt.Fprintf(&b, "From: k@example.lv\r\nSubject: archive\r\nMessage-ID: <a%d@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=%q\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--z--\r\n", uid, filepath.Base(f)+".edoc", enc)
		uid++
		names[save(t, st, uid, []byte(b.String()))] = filepath.Base(f)
	}
	if len(names) == 0 {
		t.Fatal("no attack files found under " + dir)
	}
	start := time.Now()
	for {
		n, err := pr.ProcessPending(ctx, "ekase", 16)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Since(start) > 3*time.Minute {
			t.Fatal("the attack corpus took more than 3 minutes")
		}
	}
	counts := map[store.OutcomeKind]int{}
	for id, name := range names {
		l, _ := st.Letter(ctx, id)
		counts[l.Outcome]++
		if l.Outcome == store.Pending || l.Outcome == store.Accepted {
			t.Errorf("%s: %s %+v", name, l.Outcome, l.Reasons)
		}
	}
	t.Logf("%d attack letters in %v: %v", len(names), time.Since(start).Round(time.Millisecond), counts)
}

func sharedDir(t *testing.T) string {
	skip := func(msg string) {
		if os.Getenv("SIGINTAKE_REQUIRE_SHARED") == "1" {
			t.Fatal(msg + " (SIGINTAKE_REQUIRE_SHARED=1)")
		}
		t.Skip(msg)
	}
	if d := os.Getenv("SIGINTAKE_SHARED"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	for d := wd; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(s); err != nil {
				skip("shared test material not found at " + s)
			}
			return s
		}
	}
	skip("go.mod not found")
	return ""
}

func base64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}
