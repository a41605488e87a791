package web

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// TemplateReplies composes clerk replies with the intake's reply templates
// (intake/reply), so a clerk's acknowledgement or rejection reads like the
// daemon's: same wording, headers (Auto-Submitted, In-Reply-To,
// References) and stable Message-IDs (intake.ReplyMessageID). A request for
// information has no intake template yet and is written by PlainReplies.
type TemplateReplies struct {
	Store     *store.Store
	Catalogue *reply.Catalogue
	// Mailboxes maps a store mailbox name to its configuration (address
	// and From of replies).
	Mailboxes map[string]config.Mailbox
	Service   reply.Service
	// MessageIDDomain is the right-hand side of reply Message-IDs
	// (default: the mailbox address's domain).
	MessageIDDomain string
}

// intakeCode maps the clerk's reject reasons to the intake's reason texts;
// the others are written out as Detail in both languages.
var intakeCode = map[string]string{
	"no_qualified_signature": "not-qualified",
	"invalid_signature":      "signature-invalid",
}

// Compose is a ReplyComposer.
func (tr *TemplateReplies) Compose(ctx context.Context, req ReplyRequest) (*store.Reply, error) {
	mb, ok := tr.Mailboxes[req.Letter.Mailbox]
	if !ok {
		return nil, fmt.Errorf("web: no configuration for mailbox %q", req.Letter.Mailbox)
	}
	if req.Kind == store.ReplyInfo || tr.Catalogue == nil {
		from := mb.From
		if from == "" {
			from = mb.Address
		}
		return PlainReplies(from)(ctx, req)
	}
	raw, l, err := tr.Store.RawLetterBytes(ctx, req.Letter.ID)
	if err != nil {
		return nil, err
	}
	m := mailbox.Parse(raw, mailbox.Limits{})
	if len(m.From) == 0 || !strings.Contains(m.From[0].Address, "@") {
		return nil, fmt.Errorf("%w: letter %d has no usable From address", store.ErrInvalid, l.ID)
	}
	to := m.From[0].Address
	domain := tr.MessageIDDomain
	if domain == "" {
		if i := strings.LastIndexByte(mb.Address, '@'); i >= 0 {
			domain = mb.Address[i+1:]
		}
	}
	msgID := intake.ReplyMessageID(req.Kind, l.ID, l.SHA256, domain)
	from := mb.From
	if from == "" {
		from = (&mail.Address{Name: tr.Service.Name, Address: mb.Address}).String()
	}
	refs := append([]string(nil), m.References...)
	if m.MessageID != "" {
		refs = append(refs, m.MessageID)
	}
	h := reply.Header{From: from, To: to, MessageID: msgID, InReplyTo: m.MessageID, References: refs}
	d := reply.Data{Subject: m.Subject, ReceivedAt: l.ReceivedAt, Mailbox: mb.Address, Service: tr.Service}
	kind := reply.KindAck
	if req.Kind == store.ReplyReject {
		kind = reply.KindReject
		r := reply.Reason{Code: "other", Detail: req.Reason.LV + " / " + req.Reason.EN}
		if c, ok := intakeCode[req.Reason.Code]; ok {
			r = reply.Reason{Code: c}
		}
		if t := strings.TrimSpace(req.Decision.Text); t != "" {
			r.Detail = strings.TrimSpace(r.Detail + " " + t)
			if r.Code != "other" {
				d.Reasons = append(d.Reasons, r)
				r = reply.Reason{Code: "other", Detail: t}
			}
		}
		d.Reasons = append(d.Reasons, r)
	} else {
		reps, err := tr.Store.LetterReports(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		for _, rp := range reps {
			d.Signed = append(d.Signed, reply.SignedFile{Name: rp.FileName, Message: rp.AttachmentID == 0, Signers: rp.SignerSubject})
		}
	}
	cat := tr.Catalogue
	return &store.Reply{Kind: req.Kind, Recipient: to, MessageID: msgID, Compose: func(caseNumber string) ([]byte, error) {
		dd := d
		dd.CaseNumber = caseNumber
		return cat.Compose(kind, h, dd)
	}}, nil
}

// DeciderFromConfig is the Decider that `sigintake run`, `demo` and `serve
// --config` give the web desk: decisions through store.DecideReview, the case
// pattern and reply templates of the intake configuration.
func DeciderFromConfig(st *store.Store, cfg *config.Config) (*StoreDecider, error) {
	cat, err := reply.Load(cfg.Replies.TemplatesDir)
	if err != nil {
		return nil, err
	}
	tr := &TemplateReplies{Store: st, Catalogue: cat, Mailboxes: map[string]config.Mailbox{},
		MessageIDDomain: cfg.Replies.MessageIDDomain,
		Service: reply.Service{Name: cfg.Replies.ServiceName, Phone: cfg.Replies.ServicePhone,
			Email: cfg.Replies.ServiceEmail, Web: cfg.Replies.ServiceWeb}}
	for _, m := range cfg.Mailboxes {
		tr.Mailboxes[m.Name] = m
	}
	return &StoreDecider{Store: st, CasePattern: cfg.Cases.Pattern, Replies: tr.Compose}, nil
}
