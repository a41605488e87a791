package mailbox

import (
	"strings"
)

// Classification helpers: pure functions of a Letter that report what kind
// of mail it is. What to do about it (never answer, ignore, file) is the
// pipeline's policy, not decided here. Each *Reason function returns ""
// when the letter is not of that kind, else a short reason for logs.

// AutoReplyReason tells whether the letter was sent by a program
// (RFC 3834): Auto-Submitted with any value other than "no" (§5);
// X-Autoreply, X-Autorespond, X-Autoresponse (set by many responders);
// X-Auto-Response-Suppress containing All, AutoReply or OOF (Microsoft's
// marker on automatic replies); Precedence: auto_reply; or a Subject that
// starts with a common out-of-office prefix ("Automatic reply:",
// "Auto-Reply:", "Autoreply:", "Out of Office:", "Automātiskā atbilde:",
// "Prombūtnē:", "Abwesenheitsnotiz:"), which covers responders that set no
// header at all.
func AutoReplyReason(l *Letter) string {
	if v := strings.ToLower(strings.TrimSpace(l.AutoSubmitted)); v != "" && v != "no" && !strings.HasPrefix(v, "no;") && !strings.HasPrefix(v, "no ") {
		return "Auto-Submitted: " + l.AutoSubmitted
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-Autoresponder"} {
		if v := strings.TrimSpace(l.Get(k)); v != "" && !strings.EqualFold(v, "no") {
			return k + ": " + v
		}
	}
	if v := strings.ToLower(l.Get("X-Auto-Response-Suppress")); v != "" {
		for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if w == "all" || w == "autoreply" || w == "oof" {
				return "X-Auto-Response-Suppress: " + l.Get("X-Auto-Response-Suppress")
			}
		}
	}
	if strings.EqualFold(strings.TrimSpace(l.Precedence), "auto_reply") {
		return "Precedence: " + l.Precedence
	}
	subj := strings.ToLower(strings.TrimSpace(l.Subject))
	for _, pre := range autoReplySubjects {
		if strings.HasPrefix(subj, pre) {
			return "Subject starts with " + pre
		}
	}
	return ""
}

var autoReplySubjects = []string{
	"automatic reply:", "auto-reply:", "autoreply:", "auto reply:", "auto response:",
	"out of office:", "out of office reply:", "automātiskā atbilde:", "automātiska atbilde:",
	"prombūtnē:", "abwesenheitsnotiz:", "автоматический ответ:",
}

// IsAutoReply reports whether AutoReplyReason is not empty.
func IsAutoReply(l *Letter) bool { return AutoReplyReason(l) != "" }

// BounceReason tells whether the letter is a bounce or delivery report:
// a null reverse path (Return-Path: <>, RFC 5321 §4.5.5), a
// multipart/report with report-type delivery-status (RFC 3464) or
// disposition-notification (RFC 8098), or a From of MAILER-DAEMON or
// postmaster.
func BounceReason(l *Letter) string {
	if rp := strings.ReplaceAll(l.ReturnPath, " ", ""); rp == "<>" {
		return "null Return-Path"
	}
	for _, r := range l.Reports {
		if r.Depth == 0 {
			return "multipart/report; report-type=" + r.ReportType
		}
	}
	for _, a := range l.From {
		local := strings.ToLower(a.Address)
		if i := strings.LastIndexByte(local, '@'); i >= 0 {
			local = local[:i]
		}
		if local == "mailer-daemon" || local == "postmaster" {
			return "From: " + a.Address
		}
	}
	return ""
}

// IsBounce reports whether BounceReason is not empty.
func IsBounce(l *Letter) bool { return BounceReason(l) != "" }

// ListReason tells whether the letter came through a mailing list or is
// bulk mail: a List-Id (RFC 2919) or List-Unsubscribe header, or
// Precedence bulk, list or junk.
func ListReason(l *Letter) string {
	if l.ListID != "" {
		return "List-Id: " + l.ListID
	}
	if v := l.Get("List-Unsubscribe"); v != "" {
		return "List-Unsubscribe present"
	}
	switch strings.ToLower(strings.TrimSpace(l.Precedence)) {
	case "bulk", "list", "junk":
		return "Precedence: " + l.Precedence
	}
	return ""
}

// IsList reports whether ListReason is not empty.
func IsList(l *Letter) bool { return ListReason(l) != "" }
