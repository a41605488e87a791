package intake

import (
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Riga on machines without zoneinfo

	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

// ReplyMessageID is the stable Message-ID of the reply of kind k to a
// letter: derived from the letter, so that recomputing it after a crash
// gives the same one, and every send attempt reuses it.
func ReplyMessageID(kind store.ReplyKind, letterID int64, sha string, domain string) string {
	if len(sha) > 16 {
		sha = sha[:16]
	}
	return "sigintake." + string(kind) + "." + itoa(letterID) + "." + sha + "@" + domain
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// Recipient returns the address a reply would go to and why none, if so:
// never our own addresses (the other mailbox included), no-reply senders,
// nor, when required, a sender that did not pass DMARC at our server.
func (p *Processor) Recipient(l *mailbox.Letter) (string, string) {
	if len(l.From) == 0 || !strings.Contains(l.From[0].Address, "@") {
		return "", "no usable From address"
	}
	to := l.From[0].Address
	if p.Identity.Own(to) {
		return "", "From is one of our own addresses"
	}
	local, _, _ := strings.Cut(strings.ToLower(to), "@")
	switch strings.ReplaceAll(strings.ReplaceAll(local, "-", ""), "_", "") {
	case "noreply", "donotreply", "mailerdaemon", "postmaster":
		return "", "no-reply sender"
	}
	if p.Settings.RequireDMARCPass && !DMARCPass(l.AuthenticationResults, p.Settings.AuthServID) {
		return "", "no dmarc=pass from " + p.Settings.AuthServID
	}
	return to, ""
}

// DMARCPass reports whether one Authentication-Results field (RFC 8601)
// from authservID says dmarc=pass.
func DMARCPass(fields []string, authservID string) bool {
	for _, f := range fields {
		id, rest, ok := strings.Cut(f, ";")
		if !ok || !strings.EqualFold(strings.Fields(id + " x")[0], authservID) {
			continue
		}
		for _, m := range strings.Split(rest, ";") {
			m = strings.ToLower(strings.TrimSpace(m))
			if strings.HasPrefix(m, "dmarc=pass") {
				return true
			}
		}
	}
	return false
}

func (p *Processor) reply(mb *Mailbox, sl store.Letter, l *mailbox.Letter, parts []Part, f Facts, d Decision, followUp bool, caseNum string) *store.Reply {
	to, why := p.Recipient(l)
	if to == "" {
		p.Log.Info("no reply", "mailbox", sl.Mailbox, "letter", sl.ID, "why", why)
		return nil
	}
	kind := store.ReplyAck
	tk := reply.KindAck
	if followUp {
		tk = reply.KindFollowUp
	}
	if d.Outcome == store.Rejected {
		kind, tk = store.ReplyReject, reply.KindReject
	}
	data := reply.Data{
		Subject:    l.Subject,
		ReceivedAt: sl.ReceivedAt.In(riga()),
		Mailbox:    mb.Address,
		Service:    p.Settings.Service,
		MaxSize:    p.Settings.MaxAttachmentBytes,
	}
	if data.Subject == "" {
		data.Subject = "(bez temata / no subject)"
	}
	for _, pt := range parts {
		if pt.Verdict() == signature.Accepted {
			data.Signed = append(data.Signed, reply.SignedFile{Name: pt.replyLabel(), Message: pt.SMIME, Signers: signers(pt.Report)})
		}
	}
	data.Unsigned = f.Unsigned
	// What the client reads: reason codes and plain words, never the
	// operator's error chain (that stays in the store and the logs).
	whyOf := map[string]string{}
	for _, pt := range parts {
		whyOf[pt.label()] = SubIndicationOf(pt.Report)
	}
	for _, r := range d.Reasons {
		switch r.Code {
		case ReasonSignedOK, ReasonUnsigned:
		case ReasonNoSignature, ReasonSignatureInvalid, ReasonNotQualified, ReasonUnsupportedFormat, ReasonTooLarge:
			data.Reasons = append(data.Reasons, reply.Reason{Code: r.Code, File: r.File, Why: whyOf[r.File]})
		default:
			data.Reasons = append(data.Reasons, reply.Reason{Code: r.Code, File: r.File})
		}
	}
	mid := ReplyMessageID(kind, sl.ID, sl.SHA256, p.Identity.MessageIDDomain)
	h := reply.Header{From: mb.From, To: to, MessageID: mid, InReplyTo: l.MessageID, References: l.References, Date: p.Now()}
	cat := p.Catalogue
	return &store.Reply{
		Kind: kind, Recipient: strings.ToLower(to), MessageID: mid, LimitPerDay: p.Settings.PerRecipientPerDay,
		Compose: func(caseNumber string) ([]byte, error) {
			dd := data
			dd.CaseNumber = caseNumber
			return cat.Compose(tk, h, dd)
		},
	}
}

// riga is the time zone of the dates in replies.
// It is loaded on first use: reading the zone file at start-up would slow
// every command of the one binary.
var riga = sync.OnceValue(func() *time.Location {
	l, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		return time.UTC
	}
	return l
})

func (p Part) replyLabel() string {
	if p.Covers != "" {
		return p.Covers + " (" + p.Name + ")"
	}
	return p.Name
}
