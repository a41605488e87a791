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
// parse, validate, decide, record — and reports the process's peak resident
// memory while doing so (target: under 200 MB). The letter's bytes held by
// the benchmark itself (about 41 MB) are part of the figure, as the
// daemon's fetch holds them too.
func BenchmarkLetter30MB(b *testing.B) {
	p := sigtest.New(b)
	leaf := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	content := bytes.Repeat([]byte("Valsts kase 0123456789 "), 30<<20/23)
	p7s := sigtest.SignCMS(content, leaf, sigtest.CMSOptions{Detached: true,
		RevocationValues: &sigtest.RevocationValues{OCSP: [][]byte{leaf.Issuer.BasicOCSPResponse(leaf.Cert)}}})
	raw := []byte("From: Jānis Bērziņš <janis@example.lv>\r\nTo: ekase@kase.gov.lv\r\nSubject: Liels pielikums\r\n" +
		"Message-ID: <big-00000000@example.lv>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPielikumā parakstīts dokuments.\r\n" +
		"--b\r\nContent-Type: application/octet-stream; name=dati.bin\r\nContent-Disposition: attachment; filename=dati.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		mimeBase64(content) +
		"--b\r\nContent-Type: application/pkcs7-signature; name=dati.bin.p7s\r\nContent-Disposition: attachment; filename=dati.bin.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		mimeBase64(p7s) + "--b--\r\n")
	content, p7s = nil, nil
	idAt := bytes.Index(raw, []byte("big-")) + 4
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		measured := resetPeakRSS()
		b.StartTimer()
		copy(raw[idAt:], fmt.Sprintf("%08d", i)) // a new letter each time, without copying it
		if _, err := st.SaveRawLetter(ctx, store.RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uint32(i + 1), Raw: raw}); err != nil {
			b.Fatal(err)
		}
		if n, err := proc.ProcessPending(ctx, "ekase", 10); err != nil || n != 1 {
			b.Fatalf("processed %d: %v", n, err)
		}
		if measured {
			peak = max(peak, peakRSS())
		}
	}
	b.StopTimer()
	ls, err := st.ListLetters(ctx, store.LetterFilter{})
	if err != nil || len(ls) == 0 || ls[0].Outcome != store.Accepted {
		b.Fatalf("letter not accepted: %+v %v", ls, err)
	}
	b.ReportMetric(float64(len(raw))/(1<<20), "letter-MB")
	if peak > 0 {
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	}
}
