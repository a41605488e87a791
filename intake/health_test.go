package intake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/trust"
	"github.com/sigintake/sigintake/store"
)

func TestHealthMetrics(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return t0 })
	sv, err := st.SaveRawLetter(ctx, store.RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: 1, Raw: []byte("Subject: x\r\n\r\ny\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordOutcome(ctx, store.Outcome{LetterID: sv.ID, Outcome: store.Review, Review: "not-qualified"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPoll(ctx, "ekase"); err != nil {
		t.Fatal(err)
	}
	lists := []trust.ListSummary{{Territory: "LV", SequenceNumber: 41, Status: trust.StatusExpired, NextUpdate: t0.Add(-time.Hour)}}
	var b bytes.Buffer
	if err := writeHealthMetrics(ctx, &b, st, lists, t0.Add(3*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`sigintake_mailbox_last_poll_timestamp_seconds{mailbox="ekase"} 1777626000`,
		"sigintake_review_waiting 1",
		"sigintake_review_oldest_age_seconds 259200",
		"sigintake_outbox_pending 0",
		`sigintake_trusted_list_usable{territory="LV",sequence="41"} 0`,
		`sigintake_trusted_list_next_update_timestamp_seconds{territory="LV",sequence="41"} 1777622400`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

func TestTrustReloader(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	loads := 0
	fail := false
	r := &trustReloader{cfg: config.Trust{TrustedLists: []string{"x.xml"}}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		now: func() time.Time { return now },
		load: func(context.Context, config.Trust) (signature.Options, error) {
			loads++
			if fail {
				return signature.Options{}, errors.New("unreadable")
			}
			return signature.Options{RevocationGrace: time.Duration(loads)}, nil
		}}
	r.opts, r.loadedAt = signature.Options{RevocationGrace: 0}, now
	if o := r.Options(); o.RevocationGrace != 0 || loads != 0 {
		t.Fatalf("reloaded too early: %d loads", loads)
	}
	now = now.Add(trustReloadEvery)
	if o := r.Options(); o.RevocationGrace != 1 || loads != 1 {
		t.Fatalf("not reloaded after an hour: %d loads, %v", loads, o.RevocationGrace)
	}
	fail = true
	now = now.Add(trustReloadEvery)
	if o := r.Options(); o.RevocationGrace != 1 || loads != 2 {
		t.Fatalf("a failed reload must keep the lists loaded before: %d loads, %v", loads, o.RevocationGrace)
	}
}
