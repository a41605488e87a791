package web

import (
	"context"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// TestDeciderFromConfig decides through the intake's reply templates.
func TestDeciderFromConfig(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.Mailboxes = []config.Mailbox{{Name: "ekase", Address: "ekase@kase.gov.lv"}}
	cfg.Replies.ServiceName = "Valsts kase"
	dec, err := DeciderFromConfig(f.st, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range f.review[:2] {
		it, _ := f.st.ReviewForLetter(ctx, id)
		if _, err := f.st.ClaimReview(ctx, it.ID, "clerk1"); err != nil {
			t.Fatal(err)
		}
		d := Decision{ReviewID: it.ID, LetterID: id, Clerk: "clerk1", Comment: "ok"}
		var res Result
		if i == 0 {
			res, err = dec.Accept(ctx, d)
		} else {
			d.Reason, d.Text = "invalid_signature", "Lūdzam parakstīt vēlreiz."
			res, err = dec.Reject(ctx, d)
		}
		if err != nil {
			t.Fatal(err)
		}
		msg, err := f.st.Outbox(ctx, res.OutboxID)
		if err != nil {
			t.Fatal(err)
		}
		raw := string(msg.Raw)
		if !strings.Contains(raw, "Auto-Submitted: auto-replied") || !strings.Contains(raw, "In-Reply-To: <letter-") ||
			!strings.HasPrefix(msg.MessageID, "sigintake.") || msg.Recipient == "" {
			t.Fatalf("reply %d:\n%s", i, raw)
		}
		if i == 0 && (res.CaseNumber == "" || !strings.Contains(raw, res.CaseNumber)) {
			t.Fatalf("ack without case number %q:\n%s", res.CaseNumber, raw)
		}
		if i == 1 && msg.Kind != store.ReplyReject {
			t.Fatalf("kind %s", msg.Kind)
		}
	}
	// A mailbox without configuration is refused, nothing recorded.
	l, _ := f.st.Letter(ctx, f.rejLtr)
	if _, err := (&TemplateReplies{Store: f.st}).Compose(ctx, ReplyRequest{Kind: store.ReplyAck, Letter: l}); err == nil {
		t.Fatal("unconfigured mailbox composed")
	}
}
