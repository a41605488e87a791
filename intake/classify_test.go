package intake

import (
	"testing"

	"github.com/sigintake/sigintake/mailbox"
)

func TestClassifyAutomated(t *testing.T) {
	id := Identity{Addresses: map[string]bool{"ekase@kase.gov.lv": true, "pasts@kase.gov.lv": true}, MessageIDDomain: "kase.gov.lv"}
	msg := func(hdr string) *mailbox.Letter {
		return mailbox.Parse([]byte("From: Anna <anna@example.lv>\r\nTo: ekase@kase.gov.lv\r\nSubject: x\r\nMessage-ID: <a@example.lv>\r\n"+hdr+"\r\nbody\r\n"), mailbox.Limits{})
	}
	for _, tc := range []struct {
		name string
		l    *mailbox.Letter
		want Class
	}{
		{"ok/person", msg(""), ""},
		{"ok/auto-submitted-no", msg("Auto-Submitted: no\r\n"), ""},
		{"ok/precedence-first-class", msg("Precedence: first-class\r\n"), ""},
		{"auto/auto-replied", msg("Auto-Submitted: auto-replied\r\n"), ClassAuto},
		{"auto/auto-generated", msg("Auto-Submitted: auto-generated; owner-email=x@y\r\n"), ClassAuto},
		{"auto/x-autoreply", msg("X-Autoreply: yes\r\n"), ClassAuto},
		{"auto/precedence", msg("Precedence: auto_reply\r\n"), ClassAuto},
		{"list/list-id", msg("List-Id: <news.example.lv>\r\n"), ClassList},
		{"list/bulk", msg("Precedence: bulk\r\n"), ClassList},
		{"list/junk", msg("Precedence: junk\r\n"), ClassList},
		{"bounce/null-path", msg("Return-Path: <>\r\n"), ClassBounce},
		{"bounce/mailer-daemon", mailbox.Parse([]byte("From: MAILER-DAEMON@mx.example.lv\r\nSubject: x\r\n\r\nb\r\n"), mailbox.Limits{}), ClassBounce},
		{"bounce/dsn", mailbox.Parse([]byte("From: a@b.lv\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--b--\r\n"), mailbox.Limits{}), ClassBounce},
		{"own/from-other-mailbox", mailbox.Parse([]byte("From: Valsts kase <pasts@kase.gov.lv>\r\nSubject: x\r\n\r\nb\r\n"), mailbox.Limits{}), ClassOwn},
		{"own/our-message-id", mailbox.Parse([]byte("From: x@y.lv\r\nMessage-ID: <sigintake.ack.1.abc@kase.gov.lv>\r\n\r\nb\r\n"), mailbox.Limits{}), ClassOwn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := ClassifyAutomated(tc.l, id)
			if got != tc.want {
				t.Fatalf("class %q (%s), want %q", got, why, tc.want)
			}
		})
	}
}

func TestCaseNumbersIn(t *testing.T) {
	re := CaseNumberRE("VK-{YYYY}/{SEQ:6}")
	for _, tc := range []struct {
		subject string
		want    []string
	}{
		{"Re: Jūsu vēstule saņemta, lieta VK-2026/000123", []string{"VK-2026/000123"}},
		{"Re: lieta vk-2026/000007.", []string{"vk-2026/000007"}},
		{"VK-2026/12 un VK-2025/000001", []string{"VK-2026/12", "VK-2025/000001"}},
		{"XVK-2026/000001", nil}, // part of a longer word
		{"VK-2026/0000012345", []string{"VK-2026/0000012345"}},
		{"VK-26/000001", nil},
		{"nav numura", nil},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			got := CaseNumbersIn(re, tc.subject)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
	if got := CaseNumbersIn(CaseNumberRE("{YY}-{SEQ}"), "lieta 26-15!"); len(got) != 1 || got[0] != "26-15" {
		t.Fatalf("short pattern: %q", got)
	}
}

func TestDMARCPass(t *testing.T) {
	ar := []string{"mx.evil.example; dmarc=pass", "mx.kase.gov.lv; spf=pass smtp.mailfrom=a.lv; dmarc=fail header.from=a.lv"}
	if DMARCPass(ar, "mx.kase.gov.lv") {
		t.Fatal("a pass from another authserv-id counted")
	}
	if !DMARCPass([]string{"mx.kase.gov.lv 1; dkim=pass; dmarc=pass (p=reject) header.from=a.lv"}, "mx.kase.gov.lv") {
		t.Fatal("pass not seen")
	}
}

func TestSignedCandidate(t *testing.T) {
	for _, tc := range []struct {
		name, ct string
		data     string
		want     bool
	}{
		{"ok/p7s", "application/pkcs7-signature", "\x30\x82\x01\x00", true},
		{"teksts.txt", "text/plain", "0 eiro", false},
		{"arhivs.zip", "application/zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00xxxxxxxxxxxxxxxxxxxxxxdocs/a.txt", false},
		{"ok/x.edoc", "application/octet-stream", "PK\x03\x04", true},
		{"plain.pdf", "application/pdf", "%PDF-1.4 nothing", false},
		{"ok/signed.pdf", "application/pdf", "%PDF-1.7 << /Type /Sig /ByteRange [0 1 2 3] >>", true},
		{"foto.jpg", "image/jpeg", "\xff\xd8\xff", false},
		{"dati.xml", "application/xml", "<a/>", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.name
			if len(name) > 3 && name[:3] == "ok/" {
				name = name[3:]
			}
			if got := SignedCandidate(name, tc.ct, []byte(tc.data)); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}
