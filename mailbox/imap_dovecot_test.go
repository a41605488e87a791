package mailbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/mailbox/imaptest"
)

func dovecotCfg(d *imaptest.Dovecot, user string) mailbox.IMAPConfig {
	return mailbox.IMAPConfig{Host: d.Host, Port: d.Port, TLS: mailbox.TLSPlain, User: user,
		Password: d.Password(user), DialTimeout: 10 * time.Second, CommandTimeout: 20 * time.Second}
}

func msg(subject string) []byte {
	return []byte("From: a@example.lv\r\nTo: ekase@example.lv\r\nSubject: " + subject + "\r\n\r\nHello.\r\n")
}

func flagsOf(t *testing.T, d *imaptest.Dovecot, folder string, uid imap.UID) []imap.Flag {
	t.Helper()
	c := d.Client("ekase")
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	bufs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{Flags: true, UID: true}).Collect()
	if err != nil || len(bufs) != 1 {
		t.Fatalf("fetch flags: %v (%d)", err, len(bufs))
	}
	return bufs[0].Flags
}

func hasFlag(fs []imap.Flag, f imap.Flag) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func TestDovecotFetchSeenAndMove(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase")
	seen := d.Append("ekase", "INBOX", msg("read by a clerk in Thunderbird"))
	unseen := d.Append("ekase", "INBOX", msg("new"))
	// A clerk's mail client reads the first letter before the daemon does.
	other := d.Client("ekase")
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := other.Store(imap.UIDSetNum(seen), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	other.Close()
	ctx := context.Background()
	c, err := mailbox.Dial(ctx, dovecotCfg(d, "ekase"))
	if err != nil {
		t.Fatalf("%v\n%s", err, d.Log())
	}
	defer c.Close()
	if got := c.Capabilities(); got != (mailbox.Capabilities{IDLE: true, MOVE: true, UIDPLUS: true}) {
		t.Errorf("Dovecot capabilities %+v", got)
	}
	msgs, err := c.FetchSince(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].UID != uint32(seen) || msgs[1].UID != uint32(unseen) {
		t.Fatalf("fetched %+v", msgs)
	}
	if string(msgs[0].Raw) != string(msg("read by a clerk in Thunderbird")) {
		t.Errorf("raw bytes differ: %q", msgs[0].Raw)
	}
	if hasFlag(flagsOf(t, d, "INBOX", unseen), imap.FlagSeen) {
		t.Error("FetchSince set \\Seen")
	}
	// MOVE into a folder that does not exist yet; then again (idempotent).
	for i := 0; i < 2; i++ {
		if err := c.Move(ctx, uint32(seen), "Sigintake.Accepted"); err != nil {
			t.Fatalf("Move #%d: %v", i, err)
		}
	}
	if !hasFlag(flagsOf(t, d, "Sigintake.Accepted", 1), imap.FlagSeen) {
		t.Error("moved message lost its flags or is missing")
	}
	msgs, err = c.FetchSince(ctx, 0, 0)
	if err != nil || len(msgs) != 1 || msgs[0].UID != uint32(unseen) {
		t.Fatalf("INBOX after move: %+v %v", msgs, err)
	}
	// Size limit: the first bytes, flagged, not dropped.
	big := append(msg("big"), make([]byte, 10000)...)
	bigUID := d.Append("ekase", "INBOX", big)
	msgs, err = c.FetchSince(ctx, uint32(unseen), 4096)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("big: %v %v", msgs, err)
	}
	if m := msgs[0]; m.UID != uint32(bigUID) || !m.Truncated || len(m.Raw) != 4096 || m.Size != int64(len(big)) {
		t.Fatalf("big: uid %d truncated %v len %d size %d", m.UID, m.Truncated, len(m.Raw), m.Size)
	}
}

func TestDovecotUIDValidityChange(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase")
	d.Append("ekase", "INBOX", msg("one"))
	ctx := context.Background()
	c, err := mailbox.Dial(ctx, dovecotCfg(d, "ekase"))
	if err != nil {
		t.Fatal(err)
	}
	before := c.UIDValidity()
	if c.UIDNext() != 2 {
		t.Errorf("UIDNEXT %d", c.UIDNext())
	}
	// Changed under an open session: Dovecot ends the session, so the
	// stale UIDs are never used; the caller redials and compares.
	d.SetUIDValidity("ekase", "INBOX", before+1000)
	msgs, err := c.FetchSince(ctx, 0, 0)
	t.Logf("fetch on the old session: %d messages, %v", len(msgs), err)
	if err == nil {
		t.Fatalf("session survived a UIDVALIDITY change: %+v", msgs)
	}
	if !mailbox.IsTemporary(err) {
		t.Fatalf("want temporary, got %v", err)
	}
	c.Close()
	c, err = mailbox.Dial(ctx, dovecotCfg(d, "ekase"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.UIDValidity() != before+1000 {
		t.Fatalf("UIDVALIDITY %d after change from %d", c.UIDValidity(), before)
	}
}

func TestDovecotIdleWakeup(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase")
	ctx := context.Background()
	c, err := mailbox.Dial(ctx, dovecotCfg(d, "ekase"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 3; i++ {
		done := make(chan error, 1)
		go func() { done <- c.WaitForNew(ctx, time.Minute, time.Minute) }()
		time.Sleep(300 * time.Millisecond) // let IDLE start
		start := time.Now()
		d.Deliver("ekase", "INBOX", msg("wake up"))
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("IDLE woke %v after delivery", time.Since(start))
			if el := time.Since(start); el > 1500*time.Millisecond {
				t.Errorf("woke after %v", el)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("IDLE did not wake within 5s")
		}
		msgs, err := c.FetchSince(ctx, uint32(i), 0)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("after wake: %v %v", msgs, err)
		}
	}
	// An IDLE restart interval returns nil without new mail.
	start := time.Now()
	if err := c.WaitForNew(ctx, 300*time.Millisecond, time.Minute); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 250*time.Millisecond || el > 3*time.Second {
		t.Fatalf("restart after %v", el)
	}
}

func TestDovecotRestartReconnect(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase")
	d.Append("ekase", "INBOX", msg("one"))
	ctx := context.Background()
	c, err := mailbox.Dial(ctx, dovecotCfg(d, "ekase"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.WaitForNew(ctx, time.Minute, time.Minute) }()
	time.Sleep(200 * time.Millisecond)
	d.Restart()
	select {
	case err := <-done:
		if !mailbox.IsTemporary(err) {
			t.Fatalf("IDLE across restart: %v (want temporary)", err)
		}
	case <-time.After(30 * time.Second):
		// Dovecot's shutdown closes client connections; on a loaded
		// machine that can take well over ten seconds.
		t.Fatal("IDLE did not notice the restart within 30 s")
	}
	if _, err := c.FetchSince(ctx, 0, 0); !mailbox.IsTemporary(err) {
		t.Fatalf("fetch on dead connection: %v", err)
	}
	c.Close()
	c, err = mailbox.Dial(ctx, dovecotCfg(d, "ekase"))
	if err != nil {
		t.Fatalf("redial: %v", err)
	}
	defer c.Close()
	msgs, err := c.FetchSince(ctx, 0, 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("after restart: %v %v", msgs, err)
	}
}

func TestDovecotAuthAndBrokenMailProcess(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase", "nomail")
	ctx := context.Background()
	cfg := dovecotCfg(d, "ekase")
	cfg.Password = "wrong"
	if _, err := mailbox.Dial(ctx, cfg); !errors.Is(err, mailbox.ErrAuth) || mailbox.IsTemporary(err) {
		t.Fatalf("wrong password: %v", err)
	}
	// "nomail"'s home cannot be created (its parent is a file): Dovecot
	// answers LOGIN OK then BYE. Dial must notice.
	d.BreakMailDir("nomail")
	_, err := mailbox.Dial(ctx, dovecotCfg(d, "nomail"))
	if err == nil {
		t.Fatalf("Dial succeeded for a user whose mail process fails\n%s", d.Log())
	}
	if !mailbox.IsTemporary(err) {
		t.Fatalf("broken mail process: %v (want temporary: server-side fault)", err)
	}
	t.Logf("broken mail process: %v", err)
}
