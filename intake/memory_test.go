package intake_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/store"
)

// peakRSS returns the process's resident-set high-water mark in bytes
// (VmHWM), 0 where /proc is not available.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS starts a new high-water mark (Linux: clear_refs 5).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func mimeBase64(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	sb.Grow(len(enc) + len(enc)/76*2 + 2)
	for i := 0; i < len(enc); i += 76 {
		sb.WriteString(enc[i:min(i+76, len(enc))])
		sb.WriteString("\r\n")
	}
	return sb.String()
}

// BenchmarkLetter30MB processes one letter carrying a 30 MB file and its
// detached CAdES signature (a .p7s) through the pipeline on SQLite — store,
// then parse, validate, decide, record — and reports the process's peak
// resident memory over both stages (target: under 200 MB). As in the
// daemon, the letter's bytes (about 41 MB) are held while they are stored
// (the fetch's buffer) and dropped before the letter is processed.
func BenchmarkLetter30MB(b *testing.B) {
	p := sigtest.New(b)
	leaf := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	content := bytes.Repeat([]byte("Valsts kase 0123456789 "), 30<<20/23)
	encP7s := mimeBase64(sigtest.SignCMS(content, leaf, sigtest.CMSOptions{Detached: true,
		RevocationValues: &sigtest.RevocationValues{OCSP: [][]byte{leaf.Issuer.BasicOCSPResponse(leaf.Cert)}}}))
	encContent := mimeBase64(content)
	content = nil
	// The letter waits on disk, so that the benchmark itself holds no copy
	// of it beyond the buffer the daemon's fetch would hold.
	path := filepath.Join(b.TempDir(), "letter.eml")
	tmpl := []byte("From: Jānis Bērziņš <janis@example.lv>\r\nTo: ekase@kase.gov.lv\r\nSubject: Liels pielikums\r\n" +
		"Message-ID: <big-00000000@example.lv>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPielikumā parakstīts dokuments.\r\n" +
		"--b\r\nContent-Type: application/octet-stream; name=dati.bin\r\nContent-Disposition: attachment; filename=dati.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		encContent +
		"--b\r\nContent-Type: application/pkcs7-signature; name=dati.bin.p7s\r\nContent-Disposition: attachment; filename=dati.bin.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		encP7s + "--b--\r\n")
	if err := os.WriteFile(path, tmpl, 0o600); err != nil {
		b.Fatal(err)
	}
	letterSize, idAt := len(tmpl), bytes.Index(tmpl, []byte("big-"))+4
	tmpl, encContent, encP7s = nil, "", ""
	letter := func(n int) []byte {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		copy(raw[idAt:], fmt.Sprintf("%08d", n))
		return raw
	}
	ctx := context.Background()
	st := openSQLite(b)
	cat, err := reply.Load("")
	if err != nil {
		b.Fatal(err)
	}
	trust := p.Trust()
	proc := &intake.Processor{
		Store: st, Catalogue: cat, Options: func() signature.Options { return signature.Options{Time: sigtest.Now, Trust: trust} },
		Mailboxes: map[string]*intake.Mailbox{
			"ekase": {Name: "ekase", Address: "ekase@kase.gov.lv", From: "ekase@kase.gov.lv", Policy: config.PolicyEkase},
		},
		Identity: intake.Identity{Addresses: map[string]bool{"ekase@kase.gov.lv": true}, MessageIDDomain: "kase.gov.lv"},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      func() time.Time { return sigtest.Now },
		Settings: intake.Settings{CasePattern: "VK-{YYYY}/{SEQ:6}", PerRecipientPerDay: 1000, MaxMessageBytes: 64 << 20, MaxAttachmentBytes: 40 << 20,
			LetterTimeout: time.Minute, RetryFor: time.Hour, RetryInterval: time.Minute, Workers: 1},
	}
	var peak int64
	measure := func(stage func()) {
		runtime.GC()
		debug.FreeOSMemory()
		ok := resetPeakRSS()
		b.StartTimer()
		stage()
		b.StopTimer()
		if ok {
			peak = max(peak, peakRSS())
		}
	}
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		raw := letter(i)
		measure(func() {
			if _, err := st.SaveRawLetter(ctx, store.RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uint32(i + 1), Raw: raw}); err != nil {
				b.Fatal(err)
			}
		})
		raw = nil
		measure(func() {
			if n, err := proc.ProcessPending(ctx, "ekase", 10); err != nil || n != 1 {
				b.Fatalf("processed %d: %v", n, err)
			}
		})
	}
	ls, err := st.ListLetters(ctx, store.LetterFilter{})
	if err != nil || len(ls) == 0 || ls[0].Outcome != store.Accepted {
		b.Fatalf("letter not accepted: %+v %v", ls, err)
	}
	b.ReportMetric(float64(letterSize)/(1<<20), "letter-MB")
	if peak > 0 {
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	}
}
