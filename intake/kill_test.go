package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/demo"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/mailbox/imaptest"
	"github.com/sigintake/sigintake/store"
)

// daemonChild runs the daemon in this test binary's process when the
// kill test starts it as a child (SIGINTAKE_TEST_DAEMON=config file).
func daemonChild() bool {
	path := os.Getenv("SIGINTAKE_TEST_DAEMON")
	if path == "" {
		return false
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	st, err := store.Open(ctx, cfg.Store.DSN)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, _, err := st.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dm, err := intake.New(ctx, cfg, st, intake.Deps{Log: slog.New(slog.NewJSONHandler(os.Stderr, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dm.Run(ctx)
	st.Close()
	os.Exit(0)
	return true
}

func appendAll(t testing.TB, dc *imaptest.Dovecot, user string, raws [][]byte) {
	t.Helper()
	c := dc.Client(user)
	for _, raw := range raws {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func folderCount(t testing.TB, c *imapclient.Client, folder string) int {
	d, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0
	}
	return int(*d.NumMessages)
}

// Kill -9 of the daemon process at random moments of a 300-letter run,
// several times, then a clean run: every letter stored once, every case
// filed once, every letter answered once (a reply interrupted mid-send is
// re-sent with the same Message-ID), every message moved once.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 run: not in -short")
	}
	n := 300
	if v, _ := strconv.Atoi(os.Getenv("SIGINTAKE_KILL_LETTERS")); v > 0 {
		n = v
	}
	dc := imaptest.StartDovecot(t, "ekase", "pasts")
	sink, err := demo.ListenSink()
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "store.db")
	// Half unsigned applications to ekase (rejected, answered), half
	// feedback to pasts (filed as cases, answered).
	ek, pa := plainLetters(n, "kill")
	// Letters arrive in waves, one before each daemon start, so that every
	// kill lands while there is work in flight.
	kills := 5
	wave := func(i int) {
		per := len(ek) / (kills + 1)
		lo, hi := i*per, (i+1)*per
		if i == kills {
			hi = len(ek)
		}
		appendAll(t, dc, "ekase", ek[lo:hi])
		appendAll(t, dc, "pasts", pa[lo:hi])
	}

	cfgFile := filepath.Join(dir, "sigintake.toml")
	for _, u := range []string{"ekase", "pasts"} {
		os.WriteFile(filepath.Join(dir, u+".pw"), []byte(dc.Password(u)), 0o600)
	}
	host, port := dc.Host, dc.Port
	sh, sp, _ := splitAddr(sink.Addr())
	toml := fmt.Sprintf(`instance = "kill-test"
[store]
dsn = %q
[trust]
offline = true
[replies]
message_id_domain = "kase.gov.lv"
per_recipient_per_day = 0
[limits]
poll_interval = "1s"
outbox_interval = "200ms"
reconnect_max = "1s"
retry_interval = "1s"
[smtp]
host = %q
port = %d
tls = "plain"
envelope_sender = "bounces@kase.gov.lv"
`, dsn, sh, sp)
	for _, m := range []struct{ name, policy string }{{"ekase", "ekase"}, {"pasts", "pasts"}} {
		toml += fmt.Sprintf(`[[mailbox]]
name = %q
address = "%s@kase.gov.lv"
policy = %q
[mailbox.imap]
host = %q
port = %d
tls = "plain"
user = %q
password_file = "%s.pw"
`, m.name, m.name, m.policy, host, port, m.name, m.name)
	}
	os.WriteFile(cfgFile, []byte(toml), 0o644)
	logf, _ := os.Create(filepath.Join(dir, "daemon.log"))
	defer logf.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SIGINTAKE_TEST_DAEMON="+cfgFile)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	for i := 0; i < kills; i++ {
		wave(i)
		cmd := start()
		time.Sleep(time.Duration(30+rand.IntN(300)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
		ls, _ := st.ListLetters(context.Background(), store.LetterFilter{Limit: 10000})
		pending, unmoved, queued := 0, 0, 0
		for _, l := range ls {
			if l.Outcome == store.Pending {
				pending++
			}
			if !l.Moved {
				unmoved++
			}
			if l.Reply == store.ReplyQueued {
				queued++
			}
		}
		t.Logf("kill %d: %d letters stored (%d pending, %d not moved, %d replies queued), %d replies at the server",
			i+1, len(ls), pending, unmoved, queued, len(sink.Messages()))
	}
	wave(kills)
	cmd := start()
	began := time.Now()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ls, err := st.ListLetters(context.Background(), store.LetterFilter{Limit: 10000})
		done := err == nil && len(ls) == n
		for _, l := range ls {
			if l.Outcome == store.Pending || !l.Moved || l.Reply != store.ReplySent {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			logTail, _ := os.ReadFile(logf.Name())
			t.Fatalf("not finished: %d letters (err %v)\n%s", len(ls), err, tail(logTail, 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("final run finished in %v", time.Since(began).Round(time.Millisecond))
	if p := os.Getenv("SIGINTAKE_KILL_LOG"); p != "" {
		b, _ := os.ReadFile(logf.Name())
		os.WriteFile(p, b, 0o644)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	ctx := context.Background()
	ls, _ := st.ListLetters(ctx, store.LetterFilter{Limit: 10000})
	cs, _ := st.ListCases(ctx, store.CaseFilter{Limit: 10000})
	if len(ls) != n || len(cs) != n/2 {
		t.Fatalf("%d letters (want %d), %d cases (want %d)", len(ls), n, len(cs), n/2)
	}
	byMID := map[string]int{}
	inReplyTo := map[string]bool{}
	for _, m := range sink.Messages() {
		pl := mailbox.Parse(m.Data, mailbox.Limits{})
		byMID[pl.MessageID]++
		if len(pl.InReplyTo) == 1 {
			inReplyTo[pl.InReplyTo[0]] = true
		}
	}
	resent := len(sink.Messages()) - len(byMID)
	t.Logf("%d replies delivered, %d distinct Message-IDs (%d re-sent after a kill, same Message-ID)", len(sink.Messages()), len(byMID), resent)
	if len(byMID) != n || len(inReplyTo) != n {
		t.Fatalf("%d distinct replies to %d distinct letters, want %d", len(byMID), len(inReplyTo), n)
	}
	c := dc.Client("ekase")
	cp := dc.Client("pasts")
	if a, b := folderCount(t, c, "INBOX"), folderCount(t, cp, "INBOX"); a+b != 0 {
		t.Fatalf("inboxes still hold %d + %d", a, b)
	}
	if a, b := folderCount(t, c, "sigintake-rejected"), folderCount(t, cp, "sigintake-accepted"); a != n/2 || b != n/2 {
		t.Fatalf("folders: rejected %d, accepted %d (want %d each)", a, b, n/2)
	}
}

// plainLetters makes n unsigned letters, half to ekase (rejected and
// answered) and half to pasts (filed as cases and answered).
func plainLetters(n int, tag string) (ek, pa [][]byte) {
	for i := 0; i < n; i++ {
		box := "ekase"
		if i%2 == 1 {
			box = "pasts"
		}
		raw := []byte(fmt.Sprintf("From: Klients %d <klients%d@example.lv>\r\nTo: %s@kase.gov.lv\r\nSubject: Vēstule Nr. %d\r\nMessage-ID: <%s-%d@example.lv>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLabdien! Vēstule %d.\r\n",
			i, i, box, i, tag, i, time.Now().Format(time.RFC1123Z), i))
		if box == "ekase" {
			ek = append(ek, raw)
		} else {
			pa = append(pa, raw)
		}
	}
	return ek, pa
}

func splitAddr(a string) (string, int, error) {
	i := bytes.LastIndexByte([]byte(a), ':')
	p, err := strconv.Atoi(a[i+1:])
	return a[:i], p, err
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

var _ = io.Discard
