package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/demo"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// The original letter: 8-bit UTF-8 body, a signed attachment, CRLF.
const redirectOriginal = "From: Jānis Bērziņš <janis@example.lv>\r\nTo: ekase@kase.gov.lv\r\n" +
	"Subject: =?utf-8?q?Nodok=C4=BCu_atmaksa?=\r\nMessage-ID: <orig-1@example.lv>\r\n" +
	"Date: Sat, 14 Mar 2026 10:00:00 +0200\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n\r\nLūdzu atmaksāt pārmaksāto iedzīvotāju ienākuma nodokli.\r\n"

func TestRedirectEndToEnd(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	t0 := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return t0 })
	sv, err := st.SaveRawLetter(ctx, store.RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: 1, Raw: []byte(redirectOriginal),
		MessageID: "orig-1@example.lv", From: "janis@example.lv", Subject: "Nodokļu atmaksa", ReceivedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.RecordOutcome(ctx, store.Outcome{LetterID: sv.ID, Outcome: store.Accepted, Classification: "new",
		NewCase: &store.NewCase{Pattern: "VK-{YYYY}/{SEQ:6}"},
		Reports: []store.Report{{FileName: "iesniegums.edoc", Format: "XAdES", Indication: "TOTAL_PASSED", Qualification: "QESig",
			SignerSubject: "CN=Jānis Bērziņš", SignerSerial: "PNOLV-010101-12345", JSON: []byte(`{"indication":"TOTAL_PASSED"}`),
			ValidatorVersion: "test"}}})
	if err != nil {
		t.Fatal(err)
	}

	sink, err := demo.ListenSink()
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	host, port, _ := net.SplitHostPort(sink.Addr())
	p, _ := strconv.Atoi(port)
	ob := &intake.Outbox{Store: st, Owner: "test", EnvelopeFrom: "bounces@kase.gov.lv",
		Sender: &intake.SMTPSender{Host: host, Port: p, TLS: mailbox.TLSPlain},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: intake.NewMetrics()}

	r := &intake.Redirector{Store: st, Senders: map[string]string{"ekase": "Valsts kase <ekase@kase.gov.lv>"},
		MessageIDDomain: "kase.gov.lv", CasePattern: "VK-{YYYY}/{SEQ:6}",
		Service:      reply.Service{Name: "Valsts kases Klientu apkalpošanas centrs", Phone: "+371 67094222", Email: "info@kase.gov.lv", Web: "https://www.kase.gov.lv"},
		Institutions: []config.Institution{{ID: "vid", Name: "Valsts ieņēmumu dienests", NameEN: "State Revenue Service", Address: "vid@vid.gov.lv"}},
		Now:          func() time.Time { return t0 }}

	if _, err := r.Redirect(ctx, intake.RedirectRequest{LetterID: sv.ID, Institution: "lm", Clerk: "anna"}); err == nil {
		t.Fatal("unknown institution accepted")
	}
	red, err := r.Redirect(ctx, intake.RedirectRequest{LetterID: sv.ID, Institution: "vid", Clerk: "anna",
		Note: "Jautājums par IIN atmaksu"})
	if err != nil {
		t.Fatal(err)
	}
	if red.CaseID != rec.CaseID {
		t.Fatalf("redirected case %d, letter's case %d", red.CaseID, rec.CaseID)
	}
	if n, err := ob.Drain(ctx); err != nil || n != 2 {
		t.Fatalf("outbox sent %d, %v", n, err)
	}
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("sink got %d messages", len(msgs))
	}
	byTo := map[string]demo.Captured{}
	for _, m := range msgs {
		byTo[m.To[0]] = m
	}

	t.Run("ok/forward-to-institution", func(t *testing.T) {
		m, ok := byTo["vid@vid.gov.lv"]
		if !ok {
			t.Fatalf("nothing to the institution: %v", byTo)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if !strings.Contains(subj, "Pārsūtīts pēc piekritības") || !strings.Contains(subj, red.CaseNumber) ||
			msg.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Fatalf("forward header: %q %v", subj, msg.Header)
		}
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		var parts []*multipart.Part
		var bodies [][]byte
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(part)
			parts, bodies = append(parts, part), append(bodies, b)
		}
		if len(parts) != 3 {
			t.Fatalf("%d parts", len(parts))
		}
		if ct := parts[1].Header.Get("Content-Type"); ct != "message/rfc822" || parts[1].Header.Get("Content-Transfer-Encoding") != "8bit" {
			t.Fatalf("part 2: %v", parts[1].Header)
		}
		if !bytes.Equal(bodies[1], []byte(redirectOriginal)) {
			t.Fatalf("original changed:\n%q\nwant\n%q", bodies[1], redirectOriginal)
		}
		if store.SHA256Hex(bodies[1]) != sv.SHA256 {
			t.Fatal("hash of the forwarded original differs")
		}
		dec := make([]byte, len(bodies[2]))
		n, err := base64Decode(dec, bodies[2])
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Letter  map[string]any `json:"letter"`
			Reports []store.Report `json:"reports"`
		}
		if err := json.Unmarshal(dec[:n], &rep); err != nil || rep.Letter["sha256"] != sv.SHA256 || len(rep.Reports) != 1 ||
			rep.Reports[0].Qualification != "QESig" {
			t.Fatalf("report JSON %s: %v", dec[:n], err)
		}
		text := qpDecode(t, bodies[0])
		for _, want := range []string{"Jautājums par IIN atmaksu", "janis@example.lv", sv.SHA256, red.CaseNumber, "ekase@kase.gov.lv"} {
			if !strings.Contains(text, want) {
				t.Errorf("forward text lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("ok/client-answer", func(t *testing.T) {
		m, ok := byTo["janis@example.lv"]
		if !ok {
			t.Fatalf("nothing to the client: %v", byTo)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		if msg.Header.Get("In-Reply-To") != "<orig-1@example.lv>" || msg.Header.Get("Auto-Submitted") != "auto-replied" {
			t.Fatalf("answer header: %v", msg.Header)
		}
		b, _ := io.ReadAll(msg.Body)
		text := qpDecode(t, b)
		if testing.Verbose() {
			t.Log("\n" + text)
		}
		lv := strings.Index(text, "Labdien!")
		en := strings.Index(text, "Hello,")
		if lv < 0 || en < lv {
			t.Fatalf("Latvian must come first:\n%s", text)
		}
		for _, want := range []string{"Valsts ieņēmumu dienests, vid@vid.gov.lv", "State Revenue Service, vid@vid.gov.lv",
			"„Nodokļu atmaksa”", "nav Valsts kases kompetencē", red.CaseNumber, "14.03.2026 10:00"} {
			if !strings.Contains(text, want) {
				t.Errorf("answer lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("ok/case-closed-as-redirected", func(t *testing.T) {
		cs, err := st.Case(ctx, red.CaseID)
		if err != nil || cs.Status != store.CaseRedirected {
			t.Fatalf("case = %+v, %v", cs, err)
		}
		log, _ := st.AuditLog(ctx, fmt.Sprintf("letter:%d", sv.ID), 0, 10)
		last := log[len(log)-1]
		if last.Action != "case.redirect" || !bytes.Contains(last.Details, []byte("vid@vid.gov.lv")) {
			t.Fatalf("audit = %+v", last)
		}
		if _, err := st.VerifyAuditChain(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Redirect(ctx, intake.RedirectRequest{LetterID: sv.ID, Institution: "vid", Clerk: "anna"}); err == nil {
			t.Fatal("second redirect accepted")
		}
	})
}
