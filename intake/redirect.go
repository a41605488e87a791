package intake

import (
	"bytes"
	"context"
	_ "embed" // redirect.tmpl
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// Redirect ("outside our competence", issue 9): a clerk chooses a competent
// institution from the configured directory and adds a note; the original
// letter is forwarded to the institution as a message/rfc822 attachment
// (its bytes exactly as received) with its signature report as JSON, the
// client is answered in Latvian and English naming the institution, and
// the letter's case is closed as redirected — all recorded in one store
// transaction (store.RecordRedirect) and audited ("case.redirect"). The
// outbox worker sends both messages like any reply.

//go:embed templates/redirect.tmpl
var redirectTemplates string

// ErrUnknownInstitution is returned for an institution id not in the directory.
var ErrUnknownInstitution = errors.New("intake: unknown institution")

// Redirector performs redirects.
type Redirector struct {
	Store        *store.Store
	Institutions []config.Institution
	// Senders maps a mailbox name to the From of its messages
	// ("ekase@kase.gov.lv" or "Valsts kase <ekase@kase.gov.lv>").
	Senders         map[string]string
	MessageIDDomain string
	CasePattern     string // for letters without a case (e.g. in review)
	Service         reply.Service
	Now             func() time.Time // default time.Now
	// Kick, when set, wakes the outbox worker after the messages are queued.
	Kick func()
}

// NewRedirector builds a Redirector from the intake configuration and the
// privacy settings (institutions).
func NewRedirector(st *store.Store, cfg *config.Config, p *config.Privacy) *Redirector {
	r := &Redirector{Store: st, Institutions: p.Institutions, Senders: map[string]string{},
		MessageIDDomain: cfg.Replies.MessageIDDomain, CasePattern: cfg.Cases.Pattern,
		Service: reply.Service{Name: cfg.Replies.ServiceName, Phone: cfg.Replies.ServicePhone,
			Email: cfg.Replies.ServiceEmail, Web: cfg.Replies.ServiceWeb}}
	for _, m := range cfg.Mailboxes {
		from := m.From
		if from == "" {
			from = m.Address
		}
		r.Senders[m.Name] = from
	}
	return r
}

// RedirectRequest is a clerk's redirect action.
type RedirectRequest struct {
	LetterID    int64
	Institution string // config.Institution.ID
	Note        string
	Clerk       string
}

var redirectTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("redirect").Option("missingkey=error").Parse(redirectTemplates))
})

func rigaTime(t time.Time) time.Time { return t.In(riga()) }

type redirectData struct {
	CaseNumber  string
	Subject     string
	ReceivedAt  time.Time
	Mailbox     string
	Client      string
	Note        string
	SHA256      string
	Institution config.Institution
	Service     reply.Service
}

func renderRedirect(name string, d redirectData) (subject, body string, err error) {
	var s, b bytes.Buffer
	if err := redirectTmpl().ExecuteTemplate(&s, name+".subject", d); err != nil {
		return "", "", err
	}
	if err := redirectTmpl().ExecuteTemplate(&b, name+".body", d); err != nil {
		return "", "", err
	}
	return strings.TrimSpace(s.String()), b.String(), nil
}

// Redirect performs req. Errors: ErrUnknownInstitution, store.ErrInvalid
// (no usable client address, letter not accepted or in review),
// store.ErrNotFound, store.ErrAlreadyDecided, store.ErrNotClaimed,
// store.ErrPurged.
func (r *Redirector) Redirect(ctx context.Context, req RedirectRequest) (store.Redirected, error) {
	var in config.Institution
	found := false
	for _, x := range r.Institutions {
		if x.ID == req.Institution {
			in, found = x, true
		}
	}
	if !found {
		return store.Redirected{}, fmt.Errorf("%w: %q", ErrUnknownInstitution, req.Institution)
	}
	if in.NameEN == "" {
		in.NameEN = in.Name
	}
	raw, l, err := r.Store.LetterOriginal(ctx, req.LetterID)
	if err != nil {
		return store.Redirected{}, err
	}
	parsed := mailbox.Parse(raw, mailbox.Limits{})
	if len(parsed.From) == 0 || !strings.Contains(parsed.From[0].Address, "@") {
		return store.Redirected{}, fmt.Errorf("%w: letter %d has no usable From address to answer", store.ErrInvalid, req.LetterID)
	}
	client := parsed.From[0].Address
	reports, err := r.Store.LetterReports(ctx, req.LetterID)
	if err != nil {
		return store.Redirected{}, err
	}
	reportJSON, err := json.MarshalIndent(map[string]any{
		"letter": map[string]any{"mailbox": l.Mailbox, "message_id": l.MessageID, "received_at": l.ReceivedAt,
			"sha256": l.SHA256, "size": l.Size, "outcome": l.Outcome},
		"reports": reports,
	}, "", "  ")
	if err != nil {
		return store.Redirected{}, err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	from := r.Senders[l.Mailbox]
	if from == "" {
		return store.Redirected{}, fmt.Errorf("%w: no sender configured for mailbox %q", store.ErrInvalid, l.Mailbox)
	}
	subject := parsed.Subject
	if subject == "" {
		subject = "(bez temata / no subject)"
	}
	mailboxAddr := from
	if a, err := mail.ParseAddress(from); err == nil {
		mailboxAddr = a.Address
	}
	data := func(caseNumber string) redirectData {
		return redirectData{CaseNumber: caseNumber, Subject: subject, ReceivedAt: rigaTime(l.ReceivedAt), Mailbox: mailboxAddr,
			Client: client, Note: req.Note, SHA256: l.SHA256, Institution: in, Service: r.Service}
	}
	short := l.SHA256
	if len(short) > 16 {
		short = short[:16]
	}
	fwdID := "sigintake.forward." + fmt.Sprint(l.ID) + "." + short + "@" + r.MessageIDDomain
	ansID := ReplyMessageID(store.ReplyRedirect, l.ID, l.SHA256, r.MessageIDDomain)
	rec, err := r.Store.RecordRedirect(ctx, store.Redirect{
		LetterID: req.LetterID, Clerk: req.Clerk, Institution: in.Name, Address: in.Address, Note: req.Note,
		NewCase: &store.NewCase{Pattern: r.CasePattern},
		Forward: store.Reply{Kind: store.ReplyRedirect, Recipient: in.Address, MessageID: fwdID,
			Compose: func(caseNumber string) ([]byte, error) {
				subj, body, err := renderRedirect("forward", data(caseNumber))
				if err != nil {
					return nil, err
				}
				return buildForward(from, in.Address, fwdID, now(), subj, body, raw, reportJSON)
			}},
		Answer: store.Reply{Kind: store.ReplyRedirect, Recipient: client, MessageID: ansID,
			Compose: func(caseNumber string) ([]byte, error) {
				subj, body, err := renderRedirect("redirect", data(caseNumber))
				if err != nil {
					return nil, err
				}
				return reply.Build(reply.Header{From: from, To: client, MessageID: ansID, InReplyTo: parsed.MessageID,
					References: parsed.References, Date: now()}, subj, body), nil
			}},
	})
	if err != nil {
		return rec, err
	}
	if r.Kick != nil {
		r.Kick()
	}
	return rec, nil
}

// buildForward writes the message to the institution: multipart/mixed with
// the bilingual text, the original letter as message/rfc822 (RFC 2046
// §5.2.1; its bytes unchanged, declared 7bit, 8bit or binary as they are)
// and the signature report as application/json.
func buildForward(from, to, messageID string, date time.Time, subject, body string, original, report []byte) ([]byte, error) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.String() // RFC 2047 for a non-ASCII display name
	}
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", strings.ReplaceAll(mime.QEncoding.Encode("utf-8", subject), "?= =?", "?=\r\n =?"))
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+messageID+">")
	hdr("Auto-Submitted", "auto-generated")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")

	text, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return nil, err
	}
	qp := quotedprintable.NewWriter(text)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()

	msg, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"message/rfc822"},
		"Content-Disposition":       {`attachment; filename="original.eml"`},
		"Content-Transfer-Encoding": {rfc822Encoding(original)}})
	if err != nil {
		return nil, err
	}
	msg.Write(original)

	js, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json; charset=utf-8"},
		"Content-Disposition":       {`attachment; filename="signature-report.json"`},
		"Content-Transfer-Encoding": {"base64"}})
	if err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(report)
	for len(enc) > 76 {
		js.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	js.Write([]byte(enc + "\r\n"))
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// rfc822Encoding names the encoding of a message/rfc822 body written as
// is (RFC 2046 §5.2.1 allows only 7bit, 8bit and binary): binary when a
// line is longer than 998 octets or holds NUL, 8bit for other non-ASCII
// octets.
func rfc822Encoding(b []byte) string {
	enc := "7bit"
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSuffix(line, []byte("\r"))) > 998 || bytes.IndexByte(line, 0) >= 0 {
			return "binary"
		}
		for _, c := range line {
			if c >= 0x80 {
				enc = "8bit"
				break
			}
		}
	}
	return enc
}
