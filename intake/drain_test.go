package intake_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/store"
)

// TestDrain measures draining a backlog of letters, each with a 200 KB
// CAdES-signed attachment (qualified, validated with OCSP against the test
// PKI), from a real Dovecot into filed cases on SQLite. Run with
// SIGINTAKE_BENCH=1 (SIGINTAKE_BENCH_LETTERS, default 1000); the figure is
// logged (target: 200 letters/s or more on 2 cores).
func TestDrain(t *testing.T) {
	if os.Getenv("SIGINTAKE_BENCH") == "" {
		t.Skip("benchmark: set SIGINTAKE_BENCH=1")
	}
	n := 1000
	if v, _ := strconv.Atoi(os.Getenv("SIGINTAKE_BENCH_LETTERS")); v > 0 {
		n = v
	}
	f := newFlow(t, "sqlite:"+t.TempDir()+"/store.db")
	f.cfg.Replies.PerRecipientPerDay = 0
	if w, _ := strconv.Atoi(os.Getenv("SIGINTAKE_BENCH_WORKERS")); w > 0 {
		f.cfg.Limits.Workers = w
	}
	p := sigtest.New(t)
	p.SetClock(time.Now().UTC().Truncate(time.Second))
	signer := p.Issue(sigtest.LeafOptions{CommonName: "Anna Kalniņa", GivenName: "Anna", Surname: "Kalniņa", QC: sigtest.Qualified()})
	trustSrc := p.Trust()
	base := f.opts
	f.opts = func() signature.Options { o := base(); o.Trust = trustSrc; return o }
	content := make([]byte, 200<<10)
	rand.Read(content)
	p7m := base64.StdEncoding.EncodeToString(sigtest.SignCMS(content, signer, sigtest.CMSOptions{}))
	var b strings.Builder
	for len(p7m) > 76 {
		b.WriteString(p7m[:76] + "\r\n")
		p7m = p7m[76:]
	}
	b.WriteString(p7m + "\r\n")
	att := b.String()
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = []byte(fmt.Sprintf("From: Klients %d <k%d@example.lv>\r\nTo: ekase@kase.gov.lv\r\nSubject: Iesniegums %d\r\nMessage-ID: <drain-%d@example.lv>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLabdien!\r\n--b\r\nContent-Type: application/pkcs7-mime\r\nContent-Disposition: attachment; filename=iesniegums.pdf.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--b--\r\n", i, i, i, i, att))
	}
	t0 := time.Now()
	appendAll(t, f.dc, "ekase", raws)
	t.Logf("appended %d letters of %d KB in %v", n, len(raws[0])>>10, time.Since(t0).Round(time.Millisecond))

	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	began := time.Now()
	stop := f.daemon("bench", false)
	deadline := time.Now().Add(5 * time.Minute)
	var decided time.Duration
	// Cheap polls (one row each), so that the measurement does not compete
	// with the daemon for the CPU.
	ctx := context.Background()
	for {
		stored, _ := f.st.ListLetters(ctx, store.LetterFilter{AfterID: int64(n - 1), Limit: 1})
		pending, _ := f.st.ListLetters(ctx, store.LetterFilter{Outcome: store.Pending, Limit: 1})
		toMove, err := f.st.LettersToMove(ctx, "ekase", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) == 1 && len(pending) == 0 {
			if decided == 0 {
				decided = time.Since(began)
			}
			if len(toMove) == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not drained in 5 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	total := time.Since(began)
	stop()
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration((ru1.Utime.Nano() + ru1.Stime.Nano()) - (ru0.Utime.Nano() + ru0.Stime.Nano()))
	cs, _ := f.st.ListCases(context.Background(), store.CaseFilter{Limit: 10000})
	if len(cs) != n {
		ls, _ := f.st.ListLetters(context.Background(), store.LetterFilter{Limit: 3})
		t.Fatalf("%d cases for %d letters (e.g. %+v)", len(cs), n, ls[0].Reasons)
	}
	t.Logf("drained %d letters into %d cases: all decided in %v (%.0f letters/s), all moved in %v (%.0f letters/s); workers %d, GOMAXPROCS %d",
		n, len(cs), decided.Round(time.Millisecond), float64(n)/decided.Seconds(), total.Round(time.Millisecond), float64(n)/total.Seconds(),
		f.cfg.Limits.Workers, runtime.GOMAXPROCS(0))
	t.Logf("CPU used by this process (daemon, SQLite, test polls): %v, %.1f ms per letter: %.0f letters/s per fully available core; peak RSS %d MB",
		cpu.Round(time.Millisecond), float64(cpu.Microseconds())/1000/float64(n), float64(n)/cpu.Seconds(), ru1.Maxrss>>10)
	_ = config.Duration{}
}
