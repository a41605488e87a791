package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/store"
)

func TestPurgeFeedbackStoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "store.db")
	key, err := store.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "blob.keys"), []byte(key+"\n"), 0o600)
	cfg := filepath.Join(dir, "sigintake.toml")
	os.WriteFile(cfg, []byte("[store]\ndsn = \""+dsn+"\"\nencryption_key_file = \"blob.keys\"\n\n[retention]\nrejected_days = 1\nignored_days = 1\n"), 0o600)

	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	old := time.Now().AddDate(0, 0, -3)
	st.SetClock(func() time.Time { return old })
	sv, err := st.SaveRawLetter(ctx, store.RawLetter{Mailbox: "pasts", UIDValidity: 1, UID: 1, ReceivedAt: old,
		Raw: []byte("From: a@example.lv\r\nSubject: Sūdzība\r\n\r\nEsmu neapmierināts, joprojām nav atbildēts.\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordOutcome(ctx, store.Outcome{LetterID: sv.ID, Outcome: store.Rejected}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := dispatch(args, &out, &errb)
		return out.String() + errb.String(), code
	}
	t.Run("ok/store-keys-plaintext", func(t *testing.T) {
		out, code := run("store", "keys", "--config", cfg)
		if code != 0 || !strings.Contains(out, "plaintext\t1 blob(s)") {
			t.Fatalf("store keys = %d\n%s", code, out)
		}
	})
	t.Run("ok/store-rekey", func(t *testing.T) {
		out, code := run("store", "rekey", "--config", cfg)
		if code != 0 || !strings.Contains(out, "re-encrypted 1 blob(s)") {
			t.Fatalf("store rekey = %d\n%s", code, out)
		}
	})
	t.Run("ok/feedback", func(t *testing.T) {
		out, code := run("feedback", "tag", "--config", cfg, "--letter", "1", "--tag", "complaint", "--clerk", "anna")
		if code != 0 || !strings.Contains(out, "(suggested: complaint)") {
			t.Fatalf("feedback tag = %d\n%s", code, out)
		}
		out, code = run("feedback", "report", "--config", cfg, "--csv")
		month := old.UTC().Format("2006-01")
		if code != 0 || !strings.Contains(out, "month,tag,letters\n") || !strings.Contains(out, month+",complaint,1\n") {
			t.Fatalf("feedback report = %d\n%s", code, out)
		}
		if _, code := run("feedback", "tag", "--config", cfg, "--letter", "1", "--tag", "spam", "--clerk", "anna"); code != 2 {
			t.Fatalf("bad tag exit %d", code)
		}
	})
	t.Run("ok/purge", func(t *testing.T) {
		out, code := run("purge", "--config", cfg)
		if code != 0 || !strings.Contains(out, "dry run: 1 letter(s)") {
			t.Fatalf("purge dry run = %d\n%s", code, out)
		}
		// rekey sealed the blob; this test's store has no keyring.
		if _, _, err := st.RawLetterBytes(ctx, sv.ID); !errors.Is(err, store.ErrKeyMissing) {
			t.Fatalf("sealed blob without the key: %v", err)
		}
		out, code = run("purge", "--config", cfg, "--apply", "--actor", "tester")
		if code != 0 || !strings.Contains(out, "purged 1 letter(s): 1 blob(s)") {
			t.Fatalf("purge = %d\n%s", code, out)
		}
		if _, _, err := st.LetterOriginal(ctx, sv.ID); err == nil || !strings.Contains(err.Error(), "purged on") {
			t.Fatalf("after purge: %v", err)
		}
		log, _ := st.AuditLog(ctx, "purge", 0, 10)
		if len(log) != 1 || log[0].Actor != "cli:tester" {
			t.Fatalf("audit = %+v", log)
		}
	})
}
