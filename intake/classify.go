package intake

import (
	"regexp"
	"strings"

	"github.com/sigintake/sigintake/mailbox"
)

// Class is what kind of letter a message is.
type Class string

const (
	ClassNew      Class = "new"
	ClassFollowUp Class = "follow-up"
	ClassAuto     Class = "auto-reply"
	ClassBounce   Class = "bounce"
	ClassList     Class = "list"
	ClassOwn      Class = "own-reply"
	ClassDup      Class = "duplicate"
)

// Automated reports whether letters of class c must never be answered and
// are not decided on their signatures.
func (c Class) Automated() bool {
	switch c {
	case ClassAuto, ClassBounce, ClassList, ClassOwn:
		return true
	}
	return false
}

// Identity is what the classifier needs to know about us.
type Identity struct {
	// Addresses are our own mailbox and sender addresses, lower case.
	Addresses map[string]bool
	// MessageIDDomain is the right-hand side of the Message-IDs we generate.
	MessageIDDomain string
}

// Own reports whether addr is one of our addresses.
func (id Identity) Own(addr string) bool {
	return addr != "" && id.Addresses[strings.ToLower(strings.TrimSpace(addr))]
}

// OwnMessageID reports whether a Message-ID is one we generated.
func (id Identity) OwnMessageID(mid string) bool {
	return id.MessageIDDomain != "" && strings.HasPrefix(mid, "sigintake.") &&
		strings.HasSuffix(strings.ToLower(mid), "@"+strings.ToLower(id.MessageIDDomain))
}

// ClassifyAutomated tells automated mail from a person's letter by the
// headers alone. It returns "" for a letter written by a person (which may
// still be a follow-up; see Processor).
//
// Checked, in order: our own replies; bounces and DSNs (RFC 3464 multipart/report
// delivery-status, null reverse path "<>", MAILER-DAEMON / postmaster
// senders); auto-replies (RFC 3834 Auto-Submitted other than "no",
// X-Autoreply, X-Autorespond, X-Auto-Response-Suppress from Exchange OOF,
// Precedence auto_reply); list mail (RFC 2919 List-Id, Precedence
// bulk|list|junk).
func ClassifyAutomated(l *mailbox.Letter, id Identity) (Class, string) {
	from := ""
	if len(l.From) > 0 {
		from = strings.ToLower(l.From[0].Address)
	}
	if id.Own(from) {
		return ClassOwn, "sent from our own address " + from
	}
	if id.OwnMessageID(l.MessageID) {
		return ClassOwn, "carries a Message-ID we generated"
	}
	for _, r := range l.Reports {
		if r.Depth == 0 && (r.ReportType == "delivery-status" || r.ReportType == "disposition-notification") {
			return ClassBounce, "multipart/report; report-type=" + r.ReportType
		}
	}
	if strings.TrimSpace(l.ReturnPath) == "<>" {
		return ClassBounce, "null reverse path (Return-Path: <>)"
	}
	local, _, _ := strings.Cut(from, "@")
	if local == "mailer-daemon" || local == "postmaster" {
		return ClassBounce, "sent by " + from
	}
	as := strings.ToLower(strings.TrimSpace(l.AutoSubmitted))
	if as != "" && as != "no" && !strings.HasPrefix(as, "no;") && !strings.HasPrefix(as, "no ") {
		return ClassAuto, "Auto-Submitted: " + l.AutoSubmitted
	}
	if l.Get("X-Autoreply") != "" || l.Get("X-Autorespond") != "" {
		return ClassAuto, "X-Autoreply/X-Autorespond header"
	}
	prec := strings.ToLower(strings.TrimSpace(l.Precedence))
	if prec == "auto_reply" {
		return ClassAuto, "Precedence: auto_reply"
	}
	if l.ListID != "" {
		return ClassList, "List-Id: " + l.ListID
	}
	if prec == "bulk" || prec == "list" || prec == "junk" {
		return ClassList, "Precedence: " + prec
	}
	return "", ""
}

// CaseNumberRE makes a regular expression that finds case numbers of the
// given pattern (see store.NewCase.Pattern) in a subject line.
func CaseNumberRE(pattern string) *regexp.Regexp {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		switch {
		case strings.HasPrefix(pattern[i:], "{YYYY}"):
			b.WriteString(`\d{4}`)
			i += len("{YYYY}")
		case strings.HasPrefix(pattern[i:], "{YY}"):
			b.WriteString(`\d{2}`)
			i += len("{YY}")
		case strings.HasPrefix(pattern[i:], "{SEQ"):
			j := strings.IndexByte(pattern[i:], '}')
			if j < 0 {
				b.WriteString(regexp.QuoteMeta(pattern[i:]))
				i = len(pattern)
				continue
			}
			b.WriteString(`\d+`)
			i += j + 1
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
			i++
		}
	}
	return regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(` + b.String() + `)(?:$|[^\pN])`)
}

// CaseNumbersIn returns the case numbers of pattern found in s, in order.
func CaseNumbersIn(re *regexp.Regexp, s string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, 4) {
		out = append(out, m[1])
	}
	return out
}
