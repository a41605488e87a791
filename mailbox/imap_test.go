package mailbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

type memServer struct {
	user *imapmemserver.User
	addr string
}

// startMemServer runs go-imap's in-memory server on a loopback port with
// the given capabilities (IMAP4rev1 always).
func startMemServer(t *testing.T, caps ...imap.Cap) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("ekase", "pw")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	cs := imap.CapSet{imap.CapIMAP4rev1: {}}
	for _, c := range caps {
		cs[c] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         cs,
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &memServer{user: user, addr: ln.Addr().String()}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

func (m *memServer) cfg(t *testing.T) IMAPConfig {
	host, port, _ := net.SplitHostPort(m.addr)
	var p int
	fmt.Sscan(port, &p)
	return IMAPConfig{Host: host, Port: p, TLS: TLSPlain, User: "ekase", Password: "pw",
		DialTimeout: 5 * time.Second, CommandTimeout: 10 * time.Second}
}

func (m *memServer) add(t *testing.T, raw string, flags ...imap.Flag) {
	t.Helper()
	r := strings.NewReader(raw)
	if _, err := m.user.Append("INBOX", literal{r, int64(len(raw))}, &imap.AppendOptions{Flags: flags}); err != nil {
		t.Fatal(err)
	}
}

type literal struct {
	*strings.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

func testMsg(i int, extra string) string {
	return fmt.Sprintf("From: a@example.lv\r\nSubject: %d\r\nMessage-ID: <%d@example.lv>\r\n\r\nbody %d%s\r\n", i, i, i, extra)
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  IMAPConfig
		ok   bool
	}{
		{"ok/plain-loopback", IMAPConfig{Host: "127.0.0.1", TLS: TLSPlain, User: "u"}, true},
		{"ok/plain-localhost", IMAPConfig{Host: "localhost", TLS: TLSPlain, User: "u"}, true},
		{"ok/plain-ipv6-loopback", IMAPConfig{Host: "::1", TLS: TLSPlain, User: "u"}, true},
		{"ok/implicit", IMAPConfig{Host: "imap.example.lv", TLS: TLSImplicit, User: "u"}, true},
		{"fail/plain-remote", IMAPConfig{Host: "imap.example.lv", TLS: TLSPlain, User: "u"}, false},
		{"fail/plain-localhost-lookalike", IMAPConfig{Host: "localhost.example.lv", TLS: TLSPlain, User: "u"}, false},
		{"fail/no-tls-mode", IMAPConfig{Host: "imap.example.lv", User: "u"}, false},
		{"fail/no-user", IMAPConfig{Host: "127.0.0.1", TLS: TLSPlain}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.ok != (err == nil) {
				t.Fatalf("Validate() = %v", err)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Fatalf("not ErrConfig: %v", err)
			}
		})
	}
	// Dial refuses before touching the network.
	_, err := Dial(context.Background(), IMAPConfig{Host: "192.0.2.1", TLS: TLSPlain, User: "u"})
	if !errors.Is(err, ErrConfig) || !errors.Is(err, ErrPermanent) {
		t.Fatalf("Dial plain remote: %v", err)
	}
}

func TestMemFetchMoveWithoutExtensions(t *testing.T) {
	m := startMemServer(t) // IMAP4rev1 only: no IDLE, MOVE, UIDPLUS
	m.add(t, testMsg(1, ""), imap.FlagSeen)
	m.add(t, testMsg(2, strings.Repeat("x", 5000)))
	m.add(t, testMsg(3, ""))
	ctx := context.Background()
	c, err := Dial(ctx, m.cfg(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// go-imap's server always offers IDLE; switch it off to test polling.
	if got := c.Capabilities(); got.MOVE || got.UIDPLUS {
		t.Fatalf("caps = %+v, want no MOVE/UIDPLUS", got)
	}
	c.caps.IDLE = false
	if c.UIDValidity() == 0 || c.UIDNext() != 4 {
		t.Fatalf("UIDVALIDITY %d UIDNEXT %d", c.UIDValidity(), c.UIDNext())
	}
	msgs, err := c.FetchSince(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages", len(msgs))
	}
	for i, msg := range msgs {
		if msg.UID != uint32(i+1) || msg.InternalDate.IsZero() {
			t.Errorf("msg %d: UID %d date %v", i, msg.UID, msg.InternalDate)
		}
	}
	if string(msgs[0].Raw) != testMsg(1, "") || msgs[0].Truncated {
		t.Errorf("seen message 1 not fetched whole: %q", msgs[0].Raw)
	}
	if !msgs[1].Truncated || len(msgs[1].Raw) != 1000 || msgs[1].Size <= 5000 ||
		!bytes.HasPrefix([]byte(testMsg(2, strings.Repeat("x", 5000))), msgs[1].Raw) {
		t.Errorf("big message: truncated=%v len=%d size=%d", msgs[1].Truncated, len(msgs[1].Raw), msgs[1].Size)
	}
	// Nothing new after the last UID ("4:*" still names message 3).
	if more, err := c.FetchSince(ctx, 3, 0); err != nil || len(more) != 0 {
		t.Fatalf("FetchSince(3) = %d messages, %v", len(more), err)
	}
	// BODY.PEEK[] leaves \Seen alone.
	st, err := m.user.Status("INBOX", &imap.StatusOptions{NumUnseen: true})
	if err != nil || *st.NumUnseen != 2 {
		t.Fatalf("unseen after fetch = %v, %v; want 2", st.NumUnseen, err)
	}
	// COPY + STORE \Deleted fallback, folder created on TRYCREATE; twice.
	for i := 0; i < 2; i++ {
		if err := c.Move(ctx, 1, "Accepted"); err != nil {
			t.Fatalf("Move #%d: %v", i, err)
		}
	}
	st, err = m.user.Status("Accepted", &imap.StatusOptions{NumMessages: true})
	if err != nil {
		t.Fatalf("Accepted folder: %v", err)
	}
	// Without UIDPLUS nothing is expunged and the message stays in INBOX
	// flagged \Deleted, so a second Move copies again: a documented
	// limitation with servers lacking both MOVE and UIDPLUS.
	if *st.NumMessages < 1 {
		t.Fatalf("Accepted has %d messages", *st.NumMessages)
	}
	// Polling fallback wakes after the poll interval.
	start := time.Now()
	if err := c.WaitForNew(ctx, time.Minute, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 5*time.Second {
		t.Fatalf("poll returned after %v", d)
	}
}

func TestMemMoveWithUIDPlus(t *testing.T) {
	m := startMemServer(t, imap.CapUIDPlus, imap.CapIdle)
	m.add(t, testMsg(1, ""))
	m.add(t, testMsg(2, ""))
	ctx := context.Background()
	c, err := Dial(ctx, m.cfg(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Capabilities(); got != (Capabilities{IDLE: true, UIDPLUS: true}) {
		t.Fatalf("caps %+v", got)
	}
	for i := 0; i < 2; i++ {
		if err := c.Move(ctx, 2, "Review"); err != nil {
			t.Fatalf("Move #%d: %v", i, err)
		}
	}
	in, _ := m.user.Status("INBOX", &imap.StatusOptions{NumMessages: true})
	rv, _ := m.user.Status("Review", &imap.StatusOptions{NumMessages: true})
	if *in.NumMessages != 1 || *rv.NumMessages != 1 {
		t.Fatalf("INBOX %d Review %d; want 1 1", *in.NumMessages, *rv.NumMessages)
	}
	msgs, err := c.FetchSince(ctx, 0, 0)
	if err != nil || len(msgs) != 1 || msgs[0].UID != 1 {
		t.Fatalf("after move: %v %v", msgs, err)
	}
}

func TestMemAuthFailureIsPermanent(t *testing.T) {
	m := startMemServer(t)
	cfg := m.cfg(t)
	cfg.Password = "wrong"
	_, err := Dial(context.Background(), cfg)
	if !errors.Is(err, ErrPermanent) || !errors.Is(err, ErrAuth) || IsTemporary(err) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestDialRefusedIsTemporary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	_, err = Dial(context.Background(), IMAPConfig{Host: "127.0.0.1", Port: port, TLS: TLSPlain, User: "u"})
	if !IsTemporary(err) || errors.Is(err, ErrPermanent) {
		t.Fatalf("refused: %v", err)
	}
}

func TestDialHangingServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // never greets
		}
	}()
	start := time.Now()
	_, err = Dial(context.Background(), IMAPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port,
		TLS: TLSPlain, User: "u", DialTimeout: 300 * time.Millisecond})
	if !IsTemporary(err) {
		t.Fatalf("silent server: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestMemContextEndsIdle(t *testing.T) {
	m := startMemServer(t, imap.CapIdle)
	c, err := Dial(context.Background(), m.cfg(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	start := time.Now()
	err = c.WaitForNew(ctx, time.Minute, time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitForNew after cancel: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
	select {
	case <-c.Closed():
	case <-time.After(2 * time.Second):
		t.Fatal("connection not closed after cancel")
	}
}
