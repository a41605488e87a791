package intake_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
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
// IMAP password may appear.
func TestLogsCarryNoPersonalData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var logs, out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	res, err := demo.Run(ctx, demo.Options{Once: true, Out: &out, Log: log, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := logs.String()
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
