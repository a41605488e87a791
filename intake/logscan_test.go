package intake_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake/demo"
	"github.com/sigintake/sigintake/mailbox"
)

// TestLogsCarryNoPersonalData runs the demo — the real daemon over
// in-memory IMAP, the SMTP sink, SQLite and the test PKI, with letters
// signed by people with personal codes — with every log line (debug
// included) going to a JSON handler, then scans the log: no personal code
// (PNOLV-...), no line of a letter's body text, no signer's name and no
// IMAP password may appear. The metrics endpoint's text is scanned too.
func TestLogsCarryNoPersonalData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var logs bytes.Buffer
	out := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// Not Once: the demo keeps its metrics endpoint up after the table, so
	// the metrics are scanned too.
	dctx, stop := context.WithCancel(ctx)
	type result struct {
		res *demo.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := demo.Run(dctx, demo.Options{Out: out, Log: log, Dir: t.TempDir(), HTTP: addr})
		done <- result{r, err}
	}()
	var metrics string
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if strings.Contains(out.String(), "keeps running") {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("demo did not finish:\n%s", out.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		stop()
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics = string(b)
	stop()
	r := <-done
	if r.err != nil {
		t.Fatalf("demo: %v\n%s", r.err, out.String())
	}
	res := r.res
	if !strings.Contains(metrics, "sigintake_letters_decided_total") {
		t.Fatalf("no metrics scraped:\n%s", metrics)
	}
	text := logs.String() + "\n" + metrics
	if strings.Count(text, "\n") < len(res.Letters) {
		t.Fatalf("only %d log lines for %d letters: the scan would prove nothing", strings.Count(text, "\n"), len(res.Letters))
	}
	if m := regexp.MustCompile(`PNO[A-Z]{2}-[0-9-]+`).FindString(text); m != "" {
		t.Errorf("a personal code is in the logs: %s", m)
	}
	for _, secret := range []string{"demo-ekase", "demo-pasts"} {
		if strings.Contains(text, secret) {
			t.Errorf("an IMAP password (%s) is in the logs", secret)
		}
	}
	for _, name := range []string{"Kalniņa", "Kalnina", "Ozola"} {
		if strings.Contains(text, name) {
			t.Errorf("a signer's name (%s) is in the logs", name)
		}
	}
	bodyLines := 0
	for _, l := range res.Letters {
		p := mailbox.Parse(l.Raw, mailbox.Limits{})
		for _, line := range strings.Split(p.Text, "\n") {
			line = strings.TrimSpace(line)
			if len([]rune(line)) < 16 { // short lines ("Labdien!") are not evidence of a leak
				continue
			}
			bodyLines++
			if strings.Contains(text, line) {
				t.Errorf("%s: body text in the logs: %q", l.Label, line)
			}
		}
	}
	if bodyLines < 5 {
		t.Fatalf("only %d body lines to look for", bodyLines)
	}
	if testing.Verbose() {
		t.Log(text)
	}
	t.Logf("%d log lines scanned, %d body lines looked for", strings.Count(text, "\n"), bodyLines)
}

// lockedBuffer is a bytes.Buffer safe for the demo's writer and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
