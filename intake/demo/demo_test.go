package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// The demo (--once) runs the real daemon over in-memory IMAP, an SMTP sink,
// SQLite and the test PKI; every letter gets the outcome it was made for,
// and the replies are threaded, marked auto-replied and never sent to
// automated mail.
func TestDemoOnce(t *testing.T) {
	res, out := runOnce(t)
	t.Log("\n" + out)
	byMID := map[string]store.Letter{}
	for _, r := range res.Rows {
		byMID[r.MessageID] = r
	}
	if len(res.Rows) != len(res.Letters) || len(res.Letters) < 12 {
		t.Fatalf("%d rows for %d letters", len(res.Rows), len(res.Letters))
	}
	cases := map[string]bool{}
	for _, l := range res.Letters {
		row, ok := byMID[store.NormalizeMessageID(l.MessageID)]
		if !ok {
			t.Errorf("%s: not stored", l.Label)
			continue
		}
		if !wants(l.Want, string(row.Outcome)) {
			t.Errorf("%s: outcome %s, want %s (reasons %+v)", l.Label, row.Outcome, l.Want, row.Reasons)
		}
		if !row.Moved {
			t.Errorf("%s: not moved on the server", l.Label)
		}
		switch row.Outcome {
		case store.Accepted:
			if row.Case == "" {
				t.Errorf("%s: accepted without a case", l.Label)
			}
			if l.Label != "follow-up of a case" {
				if cases[row.Case] {
					t.Errorf("%s: case %s filed twice", l.Label, row.Case)
				}
				cases[row.Case] = true
			}
			if row.Reply != store.ReplySent {
				t.Errorf("%s: reply %s", l.Label, row.Reply)
			}
		case store.Rejected:
			if row.Reply != store.ReplySent {
				t.Errorf("%s: reply %s", l.Label, row.Reply)
			}
		default:
			if row.Reply != store.ReplyNone {
				t.Errorf("%s: %s letter answered (%s)", l.Label, row.Outcome, row.Reply)
			}
		}
		switch l.Label {
		case "follow-up of a case":
			first := byMID[store.NormalizeMessageID(res.Letters[0].MessageID)]
			if row.Case != first.Case || row.Classification != "follow-up" {
				t.Errorf("follow-up filed under %q (%s), want %q", row.Case, row.Classification, first.Case)
			}
		case "signed PDF (PAdES)":
			// Review only while this build does not validate PAdES.
			if row.Outcome == store.Review && !hasReason(row, "unsupported-format") {
				t.Errorf("PAdES: reasons %+v", row.Reasons)
			}
		case "advanced signature, not qualified":
			if !hasReason(row, "not-qualified") {
				t.Errorf("advanced: reasons %+v", row.Reasons)
			}
		case "tampered (file changed after signing)":
			if !hasReason(row, "signature-invalid") {
				t.Errorf("tampered: reasons %+v", row.Reasons)
			}
		}
	}
	// Replies: one per answered letter, threaded, auto-replied, never to automated senders.
	answered := 0
	for _, r := range res.Rows {
		if r.Reply == store.ReplySent {
			answered++
		}
	}
	if len(res.Sent) != answered {
		t.Fatalf("%d messages at the SMTP sink, %d letters answered", len(res.Sent), answered)
	}
	inReplyTo := map[string]bool{}
	for _, m := range res.Sent {
		l := mailbox.Parse(m.Data, mailbox.Limits{})
		if l.AutoSubmitted != "auto-replied" {
			t.Errorf("reply without Auto-Submitted: %q", l.Subject)
		}
		if len(l.InReplyTo) != 1 {
			t.Fatalf("reply without In-Reply-To: %q", l.Subject)
		}
		inReplyTo[l.InReplyTo[0]] = true
		if !strings.HasPrefix(l.MessageID, "sigintake.") || m.From != "bounces@kase.gov.lv" {
			t.Errorf("Message-ID %q, envelope %q", l.MessageID, m.From)
		}
		for _, to := range m.To {
			if strings.Contains(to, "kase.gov.lv") || strings.Contains(strings.ToLower(to), "mailer-daemon") || strings.Contains(to, "maris.kalns") {
				t.Errorf("reply sent to %s", to)
			}
		}
		for _, internal := range []string{"cms:", "pades:", "digest", "TOTAL_FAILED", "HASH_FAILURE"} {
			if strings.Contains(l.Text, internal) {
				t.Errorf("reply %q shows the operator's detail %q to the client", l.Subject, internal)
			}
		}
		if strings.HasPrefix(l.Subject, "Vēstuli nevar pieņemt") && strings.Contains(l.Subject, "izziņu") &&
			!strings.Contains(l.Text, "fails ir mainīts pēc parakstīšanas") {
			t.Errorf("tampered letter's rejection does not say why: %s", l.Text)
		}
		if !strings.Contains(l.Text, "Labdien") {
			t.Errorf("reply text not Latvian first: %q", l.Text[:min(80, len(l.Text))])
		}
	}
	for _, l := range res.Letters {
		row := byMID[store.NormalizeMessageID(l.MessageID)]
		want := row.Outcome == store.Accepted || row.Outcome == store.Rejected
		if got := inReplyTo[store.NormalizeMessageID(l.MessageID)]; got != want {
			t.Errorf("%s: answered %v, want %v", l.Label, got, want)
		}
	}
	for _, col := range []string{"MAILBOX", "OUTCOME", "CASE", "REPLY"} {
		if !strings.Contains(out, col) {
			t.Errorf("table has no %s column", col)
		}
	}
}

func wants(want, got string) bool {
	for _, w := range strings.Split(want, "|") {
		if w == got {
			return true
		}
	}
	return false
}

func hasReason(l store.Letter, code string) bool {
	for _, r := range l.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// runOnce runs the demo with --once in a temporary folder that the test
// keeps, returning its result and the table it printed.
func runOnce(t *testing.T) (*Result, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	res, err := Run(ctx, Options{Once: true, Out: &out, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	return res, out.String()
}
