package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/sigintake/sigintake/store"
)

// Decision is a clerk's decision about a letter in review.
type Decision struct {
	ReviewID int64
	LetterID int64
	Clerk    string // the clerk's user name; must hold the claim
	Reason   string // reason code from RejectReasons or InfoReasons ("" for accept)
	Comment  string // the clerk's internal comment (audited)
	Text     string // optional extra text for the client's reply
}

// Result is what a decision recorded.
type Result struct {
	CaseID     int64  `json:"case_id,omitempty"`
	CaseNumber string `json:"case,omitempty"`
	OutboxID   int64  `json:"outbox_id,omitempty"`
	AuditID    int64  `json:"audit_id"`
}

// Decider records clerk decisions. Each call is one store transaction that
// decides the review item, moves the letter's outcome, opens a case (accept),
// queues the reply and appends the audit entry; store.ErrNotClaimed,
// store.ErrAlreadyDecided and store.ErrNotFound pass through.
type Decider interface {
	Accept(ctx context.Context, d Decision) (Result, error)
	Reject(ctx context.Context, d Decision) (Result, error)
	AskInfo(ctx context.Context, d Decision) (Result, error)
}

// ReplyRequest asks a ReplyComposer for the reply to a decided letter.
type ReplyRequest struct {
	Kind     store.ReplyKind // ReplyAck, ReplyReject or ReplyInfo
	Letter   store.Letter
	Decision Decision
	// Reason is the catalogue entry of Decision.Reason (zero for accept).
	Reason Reason
}

// ReplyComposer builds the reply for a clerk's decision: recipient, a new
// stable Message-ID and a Compose function that gets the case number inside
// the store transaction. The intake plugs its reply templates in here.
type ReplyComposer func(ctx context.Context, req ReplyRequest) (*store.Reply, error)

// StoreDecider is the Decider over store.DecideReview.
type StoreDecider struct {
	Store *store.Store
	// CasePattern numbers cases opened by an accept (default
	// "VK-{YYYY}/{SEQ:6}", as the intake's default configuration).
	CasePattern string
	// Replies composes the replies; nil uses PlainReplies("") (a short
	// bilingual text without the intake's templates).
	Replies ReplyComposer
}

func (d *StoreDecider) decide(ctx context.Context, dec Decision, action store.ReviewAction, kind store.ReplyKind, reasons []Reason) (Result, error) {
	var reason Reason
	if reasons != nil {
		var ok bool
		if reason, ok = findReason(reasons, dec.Reason); !ok {
			return Result{}, fmt.Errorf("%w: unknown reason %q", store.ErrInvalid, dec.Reason)
		}
	}
	l, err := d.Store.Letter(ctx, dec.LetterID)
	if err != nil {
		return Result{}, err
	}
	compose := d.Replies
	if compose == nil {
		compose = PlainReplies("")
	}
	reply, err := compose(ctx, ReplyRequest{Kind: kind, Letter: l, Decision: dec, Reason: reason})
	if err != nil {
		return Result{}, fmt.Errorf("web: compose %s reply: %w", kind, err)
	}
	pattern := d.CasePattern
	if pattern == "" {
		pattern = "VK-{YYYY}/{SEQ:6}"
	}
	rd := store.ReviewDecision{ReviewID: dec.ReviewID, Clerk: dec.Clerk, Action: action, Reason: dec.Reason,
		Comment: dec.Comment, Reply: reply}
	if action == store.ReviewAccept {
		rd.NewCase = &store.NewCase{Pattern: pattern}
	}
	rec, err := d.Store.DecideReview(ctx, rd)
	if err != nil {
		return Result{}, err
	}
	return Result{CaseID: rec.CaseID, CaseNumber: rec.CaseNumber, OutboxID: rec.OutboxID, AuditID: rec.AuditID}, nil
}

// Accept accepts the letter: a case opens (or the letter's case is noted)
// and the acknowledgement is queued.
func (d *StoreDecider) Accept(ctx context.Context, dec Decision) (Result, error) {
	return d.decide(ctx, dec, store.ReviewAccept, store.ReplyAck, nil)
}

// Reject rejects the letter with a reason from RejectReasons and queues the
// rejection.
func (d *StoreDecider) Reject(ctx context.Context, dec Decision) (Result, error) {
	return d.decide(ctx, dec, store.ReviewReject, store.ReplyReject, RejectReasons)
}

// AskInfo queues a request for more information (reason from
// InfoReasons); the letter stays in review, claimed by the clerk.
func (d *StoreDecider) AskInfo(ctx context.Context, dec Decision) (Result, error) {
	return d.decide(ctx, dec, store.ReviewAskInfo, store.ReplyInfo, InfoReasons)
}

// PlainReplies is a ReplyComposer writing a short plain-text reply, Latvian
// first and English below, From the address from (when "", the letter's
// mailbox name, which is only right when mailboxes are named by address).
// It marks the reply Auto-Submitted: auto-replied (RFC 3834 §5), threads it
// with In-Reply-To/References and sends it to the letter's From address.
// TemplateReplies, with the intake's wording, is what production uses.
func PlainReplies(from string) ReplyComposer {
	return func(ctx context.Context, req ReplyRequest) (*store.Reply, error) {
		to, err := mail.ParseAddress(req.Letter.From)
		if err != nil {
			return nil, fmt.Errorf("web: reply recipient %q: %w", req.Letter.From, err)
		}
		sender := from
		if sender == "" {
			sender = req.Letter.Mailbox
		}
		domain := "sigintake.invalid"
		if i := strings.LastIndexByte(sender, '@'); i >= 0 {
			domain = sender[i+1:]
		}
		rnd := make([]byte, 12)
		rand.Read(rnd)
		msgID := fmt.Sprintf("%s.%s@%s", time.Now().UTC().Format("20060102T150405"), hex.EncodeToString(rnd), domain)
		compose := func(caseNumber string) ([]byte, error) {
			lvSubj, enSubj, lv, en := plainText(req, caseNumber)
			subj := lvSubj + " / " + enSubj
			if req.Letter.Subject != "" {
				subj += ": " + req.Letter.Subject
			}
			var b strings.Builder
			hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
			hdr("From", sender)
			hdr("To", to.String())
			hdr("Subject", mime.QEncoding.Encode("utf-8", subj))
			hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
			hdr("Message-ID", "<"+msgID+">")
			if id := store.NormalizeMessageID(req.Letter.MessageID); id != "" {
				hdr("In-Reply-To", "<"+id+">")
				hdr("References", "<"+id+">")
			}
			hdr("Auto-Submitted", "auto-replied")
			hdr("MIME-Version", "1.0")
			hdr("Content-Type", "text/plain; charset=utf-8")
			hdr("Content-Transfer-Encoding", "8bit")
			b.WriteString("\r\n")
			body := lv + "\n\n-- \n\n" + en + "\n"
			b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
			return []byte(b.String()), nil
		}
		return &store.Reply{Kind: req.Kind, Recipient: to.Address, MessageID: msgID, Compose: compose}, nil
	}
}

func plainText(req ReplyRequest, caseNumber string) (lvSubj, enSubj, lv, en string) {
	extra := strings.TrimSpace(req.Decision.Text)
	switch req.Kind {
	case store.ReplyAck:
		lvSubj, enSubj = "Vēstule saņemta", "Letter received"
		lv = "Labdien!\n\nJūsu vēstule ir pieņemta un reģistrēta ar lietas numuru " + caseNumber + ".\nLūdzam to norādīt turpmākajā sarakstē."
		en = "Hello,\n\nYour letter has been accepted and filed under case number " + caseNumber + ".\nPlease quote it in further correspondence."
	case store.ReplyReject:
		lvSubj, enSubj = "Vēstule netika pieņemta", "Letter not accepted"
		lv = "Labdien!\n\nDiemžēl Jūsu vēstuli nevaram pieņemt. Iemesls: " + req.Reason.LV + "."
		en = "Hello,\n\nUnfortunately we cannot accept your letter. Reason: " + req.Reason.EN + "."
	default:
		lvSubj, enSubj = "Nepieciešama papildu informācija", "More information needed"
		lv = "Labdien!\n\nLai izskatītu Jūsu vēstuli, mums nepieciešama papildu informācija: " + req.Reason.LV + "."
		en = "Hello,\n\nTo deal with your letter we need more information: " + req.Reason.EN + "."
	}
	if extra != "" {
		lv += "\n\n" + extra
		en += "\n\n" + extra
	}
	lv += "\n\nAr cieņu\nValsts kase"
	en += "\n\nKind regards\nState Treasury of Latvia"
	return
}

var errNoDecider = errors.New("web: no decider configured")
