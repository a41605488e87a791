package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/sigintake/sigintake/mailbox/imaptest"
)

func memCount(t *testing.T, m *memServer, folder string) uint32 {
	t.Helper()
	st, err := m.user.Status(folder, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		t.Fatalf("status %s: %v", folder, err)
	}
	return *st.NumMessages
}

// go-imap's in-memory server: MOVE, the UIDPLUS fallback, and COPY +
// \Deleted without UIDPLUS. Only the server's own counts are checked
// (its MOVE reply has wrong EXPUNGE lines; Dovecot checks the session).
func TestMemMoveMany(t *testing.T) {
	for _, tc := range []struct {
		name    string
		caps    []imap.Cap
		inInbox uint32 // after moving 3 of 5 (twice)
	}{
		{"move", []imap.Cap{imap.CapMove, imap.CapUIDPlus}, 2},
		{"uidplus", []imap.Cap{imap.CapUIDPlus}, 2},
		{"plain", nil, 5}, // flagged \Deleted, not expunged (as Move)
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := startMemServer(t, tc.caps...)
			for i := 1; i <= 5; i++ {
				m.add(t, testMsg(i, ""))
			}
			ctx := context.Background()
			c, err := Dial(ctx, m.cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.MoveMany(ctx, []uint32{4, 2, 1, 2}, "Accepted"); err != nil { // unsorted, duplicate; folder missing
				t.Fatal(err)
			}
			if tc.inInbox == 2 {
				// Again, with 1, 2 and 4 gone, 5 present and 99 never there.
				if err := c.MoveMany(ctx, []uint32{1, 2, 4, 5, 99}, "Accepted"); err != nil {
					t.Fatal(err)
				}
				// All gone: nothing to do.
				if err := c.MoveMany(ctx, []uint32{1, 2, 99}, "Accepted"); err != nil {
					t.Fatal(err)
				}
				if in, acc := memCount(t, m, "INBOX"), memCount(t, m, "Accepted"); in != 1 || acc != 4 {
					t.Fatalf("INBOX %d Accepted %d; want 1 4", in, acc)
				}
				msgs, err := c.FetchSince(ctx, 0, 0)
				if err != nil || len(msgs) != 1 || msgs[0].UID != 3 {
					t.Fatalf("left in INBOX: %+v %v", msgs, err)
				}
				return
			}
			if in, acc := memCount(t, m, "INBOX"), memCount(t, m, "Accepted"); in != tc.inInbox || acc != 3 {
				t.Fatalf("INBOX %d Accepted %d; want %d 3", in, acc, tc.inInbox)
			}
		})
	}
}

func TestMoveManyArgumentsAndContext(t *testing.T) {
	m := startMemServer(t, imap.CapMove, imap.CapUIDPlus)
	m.add(t, testMsg(1, ""))
	c, err := Dial(context.Background(), m.cfg(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.MoveMany(context.Background(), []uint32{1}, ""); !errors.Is(err, ErrPermanent) || !errors.Is(err, ErrConfig) {
		t.Fatalf("empty folder: %v", err)
	}
	for _, uids := range [][]uint32{nil, {}, {0}} {
		if err := c.MoveMany(context.Background(), uids, "Accepted"); err != nil {
			t.Fatalf("MoveMany(%v): %v", uids, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.MoveMany(ctx, []uint32{1}, "Accepted"); !errors.Is(err, context.Canceled) || IsTemporary(err) {
		t.Fatalf("cancelled: %v", err)
	}
	if n := memCount(t, m, "INBOX"); n != 1 {
		t.Fatalf("INBOX %d after refused moves", n)
	}
}

func dovecotConn(t *testing.T, d *imaptest.Dovecot) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), IMAPConfig{Host: d.Host, Port: d.Port, TLS: TLSPlain, User: "ekase",
		Password: d.Password("ekase"), DialTimeout: 10 * time.Second, CommandTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("%v\n%s", err, d.Log())
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// appendN appends n messages to INBOX over one connection and returns
// their UIDs.
func appendN(t *testing.T, d *imaptest.Dovecot, n int) []uint32 {
	t.Helper()
	cl := d.Client("ekase")
	defer cl.Close()
	var uids []uint32
	for i := 0; i < n; i++ {
		raw := []byte(fmt.Sprintf("From: a@example.lv\r\nTo: ekase@example.lv\r\nSubject: %d\r\n\r\nHello %d.\r\n", i, i))
		cmd := cl.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		data, err := cmd.Wait()
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, uint32(data.UID))
	}
	return uids
}

// dovecotCounts returns the number of messages in each folder (0 for a
// missing one): a message flagged \Deleted but not expunged still counts.
func dovecotCounts(t *testing.T, d *imaptest.Dovecot, folders ...string) []uint32 {
	t.Helper()
	cl := d.Client("ekase")
	defer cl.Close()
	var out []uint32
	for _, f := range folders {
		st, err := cl.Status(f, &imap.StatusOptions{NumMessages: true}).Wait()
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeNonExistent {
			out = append(out, 0)
			continue
		}
		if err != nil {
			t.Fatalf("status %s: %v", f, err)
		}
		out = append(out, *st.NumMessages)
	}
	return out
}

// uidsIn lists the UIDs in the selected INBOX as the session sees them
// (a session whose view drifted would list the wrong ones).
func uidsIn(t *testing.T, c *Conn) []uint32 {
	t.Helper()
	msgs, err := c.FetchSince(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint32
	for _, m := range msgs {
		out = append(out, m.UID)
	}
	return out
}

// A real Dovecot, with MOVE and with the COPY + STORE + UID EXPUNGE
// fallback: sets, sets partly gone, missing folders, counts exact, and the
// session's own view (EXPUNGE responses) still right afterwards.
func TestDovecotMoveMany(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase")
	for _, withMove := range []bool{true, false} {
		t.Run(fmt.Sprintf("move=%v", withMove), func(t *testing.T) {
			acc, rej := "Sigintake.Accepted", "Sigintake.Rejected"
			if !withMove {
				acc, rej = "Fallback.Accepted", "Fallback.Rejected"
			}
			before := dovecotCounts(t, d, "INBOX")[0]
			uids := appendN(t, d, 8)
			c := dovecotConn(t, d)
			if !c.caps.MOVE || !c.caps.UIDPLUS {
				t.Fatalf("Dovecot caps %+v", c.caps)
			}
			c.caps.MOVE = withMove
			ctx := context.Background()
			// A set into a folder that does not exist yet.
			if err := c.MoveMany(ctx, []uint32{uids[0], uids[2], uids[3], uids[7]}, acc); err != nil {
				t.Fatalf("%v\n%s", err, d.Log())
			}
			if got := dovecotCounts(t, d, "INBOX", acc); got[0] != before+4 || got[1] != 4 {
				t.Fatalf("INBOX %d %s %d; want %d 4", got[0], acc, got[1], before+4)
			}
			// Some already gone (moved above, or by another client).
			other := d.Client("ekase")
			if _, err := other.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			if _, err := other.Move(imap.UIDSetNum(imap.UID(uids[5])), "Trash").Wait(); err != nil {
				if err := other.Create("Trash", nil).Wait(); err != nil {
					t.Fatal(err)
				}
				if _, err := other.Move(imap.UIDSetNum(imap.UID(uids[5])), "Trash").Wait(); err != nil {
					t.Fatal(err)
				}
			}
			other.Close()
			if err := c.MoveMany(ctx, []uint32{uids[0], uids[1], uids[3], uids[5], uids[6], uids[7] + 1000}, rej); err != nil {
				t.Fatalf("%v\n%s", err, d.Log())
			}
			// Entirely gone: done, nothing happens.
			if err := c.MoveMany(ctx, []uint32{uids[0], uids[1], uids[5]}, acc); err != nil {
				t.Fatal(err)
			}
			if got := dovecotCounts(t, d, "INBOX", acc, rej); got[0] != before+1 || got[1] != 4 || got[2] != 2 {
				t.Fatalf("INBOX %d %s %d %s %d; want %d 4 2", got[0], acc, got[1], rej, got[2], before+1)
			}
			if got := uidsIn(t, c); len(got) != int(before)+1 || got[len(got)-1] != uids[4] {
				t.Fatalf("session sees INBOX UIDs %v; want ... %d", got, uids[4])
			}
			// Another session sees the same.
			cl := d.Client("ekase")
			if _, err := cl.Select(acc, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
				t.Fatal(err)
			}
			bufs, err := cl.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true}).Collect()
			if err != nil || len(bufs) != 4 {
				t.Fatalf("%s: %d messages, %v", acc, len(bufs), err)
			}
			var subjects []string
			for _, b := range bufs {
				subjects = append(subjects, b.Envelope.Subject)
			}
			if fmt.Sprint(subjects) != "[0 2 3 7]" {
				t.Fatalf("%s holds %v", acc, subjects)
			}
			cl.Close()
			// A folder the server refuses: permanent, as for Move, and
			// nothing moved.
			bad := strings.Repeat("x", 2000)
			errMany := c.MoveMany(ctx, []uint32{uids[4]}, bad)
			errOne := c.Move(ctx, uids[4], bad)
			if !errors.Is(errMany, ErrPermanent) || !errors.Is(errOne, ErrPermanent) {
				t.Fatalf("refused folder: MoveMany %v, Move %v", errMany, errOne)
			}
			t.Logf("refused folder: %v", errMany)
			if got := uidsIn(t, c); len(got) != int(before)+1 {
				t.Fatalf("after a refused move the session sees %v", got)
			}
			// Leave INBOX empty for the next run.
			if err := c.MoveMany(ctx, []uint32{uids[4]}, "Done"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// More UIDs than one command takes, scattered (every other one), with
// MOVE: several commands, all moved, nothing else touched.
func TestDovecotMoveManyLargeSet(t *testing.T) {
	d := imaptest.StartDovecot(t, "ekase")
	uids := appendN(t, d, 2*moveChunk+40)
	c := dovecotConn(t, d)
	var odd []uint32
	for i, u := range uids {
		if i%2 == 1 {
			odd = append(odd, u)
		}
	}
	for _, withMove := range []bool{true, false} {
		c.caps.MOVE = withMove
		if err := c.MoveMany(context.Background(), odd, "Review"); err != nil {
			t.Fatalf("%v\n%s", err, d.Log())
		}
		if got := dovecotCounts(t, d, "INBOX", "Review"); got[0] != uint32(len(uids)-len(odd)) || got[1] != uint32(len(odd)) {
			t.Fatalf("INBOX %d Review %d; want %d %d", got[0], got[1], len(uids)-len(odd), len(odd))
		}
	}
	got := uidsIn(t, c) // the first FetchBatch (100) of them
	for i, u := range got {
		if u != uids[2*i] {
			t.Fatalf("session sees UIDs %v", got)
		}
	}
	if len(got) != 100 {
		t.Fatalf("session sees %d UIDs", len(got))
	}
}
