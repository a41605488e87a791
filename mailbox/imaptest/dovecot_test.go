package imaptest

import (
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestStartDovecot(t *testing.T) {
	d := StartDovecot(t, "ekase")
	uid := d.Append("ekase", "INBOX", []byte("Subject: hi\r\n\r\nbody\r\n"))
	if uid == 0 {
		t.Fatal("APPEND returned no UID (UIDPLUS)")
	}
	d.Deliver("ekase", "INBOX", []byte("Subject: two\r\n\r\nbody\r\n"))
	d.SetUIDValidity("ekase", "INBOX", 777)
	d.Restart()
	c := d.Client("ekase")
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 2 || sel.UIDValidity != 777 {
		t.Fatalf("after restart: %d messages, UIDVALIDITY %d; want 2, 777", sel.NumMessages, sel.UIDValidity)
	}
	if !c.Caps().Has(imap.CapIdle) {
		t.Error("no IDLE")
	}
}
