package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

// ValidatorVersion is recorded with every signature report.
const ValidatorVersion = "sigintake-intake/1"

// Mailbox is one configured intake mailbox as the pipeline sees it.
type Mailbox struct {
	Name    string
	Address string // public address, e.g. ekase@kase.gov.lv
	From    string // From of replies
	Policy  config.Policy
	Folders mailbox.Folders
	IMAP    mailbox.IMAPConfig
}

// Folder returns the server folder for an outcome.
func (m *Mailbox) Folder(o store.OutcomeKind) string {
	switch o {
	case store.Accepted:
		return m.Folders.Accepted
	case store.Rejected:
		return m.Folders.Rejected
	case store.Ignored:
		return m.Folders.Ignored
	}
	return m.Folders.Review
}

// Processor decides letters: parse, classify, validate, decide, and record
// the outcome. It is safe for concurrent use.
type Processor struct {
	Store     *store.Store
	Mailboxes map[string]*Mailbox
	Identity  Identity
	Catalogue *reply.Catalogue
	// Options returns the signature options for a validation at time now
	// (trust anchors, trust source, fetcher); Time is set by the caller.
	Options  func() signature.Options
	Now      func() time.Time
	Log      *slog.Logger
	Metrics  *Metrics
	Settings Settings

	once   sync.Once
	caseRE *regexp.Regexp
}

// Settings are the pipeline's tunables (from config).
type Settings struct {
	CasePattern        string
	PerRecipientPerDay int
	RequireDMARCPass   bool
	AuthServID         string
	Service            reply.Service
	MaxMessageBytes    int64
	MaxAttachmentBytes int64
	LetterTimeout      time.Duration
	RetryFor           time.Duration
	RetryInterval      time.Duration
	Workers            int
}

func (p *Processor) init() {
	p.once.Do(func() {
		p.caseRE = CaseNumberRE(p.Settings.CasePattern)
		if p.Now == nil {
			p.Now = time.Now
		}
		if p.Log == nil {
			p.Log = slog.New(slog.DiscardHandler)
		}
		if p.Metrics == nil {
			p.Metrics = NewMetrics()
		}
		if p.Settings.Workers < 1 {
			p.Settings.Workers = 1
		}
		if p.Settings.LetterTimeout <= 0 {
			p.Settings.LetterTimeout = 2 * time.Minute
		}
		if p.Settings.RetryInterval <= 0 {
			p.Settings.RetryInterval = 5 * time.Minute
		}
	})
}

// prepared is a letter decided but not yet recorded.
type prepared struct {
	letter   store.Letter
	start    time.Time
	outcome  *store.Outcome
	class    Class
	postpone time.Time // non-zero: temporary failure, retry then
	cause    string
}

// ProcessPending decides up to limit due letters of a mailbox, validating
// them on Settings.Workers goroutines and recording their outcomes in one
// group commit. It returns how many were decided or postponed; an error
// means the store is unreachable (nothing was recorded; retry later).
func (p *Processor) ProcessPending(ctx context.Context, mbox string, limit int) (int, error) {
	return p.processPending(ctx, mbox, limit, nil)
}

// processPending is ProcessPending with the raw bytes of letters just stored
// by this process (by letter id): the very bytes that were committed, so
// they need not be read back and re-hashed.
func (p *Processor) processPending(ctx context.Context, mbox string, limit int, fresh func(id int64) []byte) (int, error) {
	p.init()
	letters, err := p.Store.LettersToProcess(ctx, mbox, limit)
	if err != nil {
		return 0, err
	}
	if len(letters) == 0 {
		return 0, nil
	}
	// A duplicate waits for its first letter when both are in this batch.
	ids := map[int64]bool{}
	for _, l := range letters {
		ids[l.ID] = true
	}
	preps := make([]*prepared, len(letters))
	sem := make(chan struct{}, p.Settings.Workers)
	var wg sync.WaitGroup
	for i := range letters {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if d := letters[i].DuplicateOf; d != 0 && ids[d] {
				preps[i] = &prepared{letter: letters[i], start: p.Now(), postpone: p.Now().Add(time.Second), cause: "waiting for the first copy"}
				return
			}
			var raw []byte
			if fresh != nil {
				raw = fresh(letters[i].ID)
			}
			preps[i] = p.prepare(ctx, letters[i], raw)
		}(i)
	}
	wg.Wait()
	var outs []store.Outcome
	var idx []*prepared
	for _, pr := range preps {
		if pr.outcome != nil {
			outs = append(outs, *pr.outcome)
			idx = append(idx, pr)
		}
	}
	if len(outs) > 0 {
		recs, errs, err := p.Store.RecordOutcomes(ctx, outs)
		if err != nil {
			return 0, err
		}
		for i, pr := range idx {
			p.logRecorded(pr, recs[i], errs[i])
		}
	}
	for _, pr := range preps {
		if pr.postpone.IsZero() {
			continue
		}
		n, err := p.Store.Postpone(ctx, pr.letter.ID, pr.postpone, pr.cause)
		if err != nil {
			return 0, err
		}
		p.Metrics.Postponed.Add(1)
		p.Log.Info("letter postponed", "mailbox", pr.letter.Mailbox, "uid", pr.letter.UID, "letter", pr.letter.ID,
			"message_id", pr.letter.MessageID, "sha256", pr.letter.SHA256, "attempts", n, "retry_at", pr.postpone, "cause", pr.cause)
	}
	return len(letters), nil
}

func (p *Processor) logRecorded(pr *prepared, rec store.Recorded, err error) {
	o := pr.outcome
	dur := p.Now().Sub(pr.start)
	if errors.Is(err, store.ErrAlreadyDecided) {
		p.Log.Info("letter already decided", "mailbox", pr.letter.Mailbox, "uid", pr.letter.UID, "letter", pr.letter.ID, "sha256", pr.letter.SHA256)
		return
	}
	if err != nil {
		p.Metrics.Errors.Add(1)
		p.Log.Error("letter not recorded", "mailbox", pr.letter.Mailbox, "uid", pr.letter.UID, "letter", pr.letter.ID,
			"message_id", pr.letter.MessageID, "sha256", pr.letter.SHA256, "err", err)
		return
	}
	p.Metrics.Decided(pr.letter.Mailbox, string(o.Outcome), dur)
	var codes []string
	for _, r := range o.Reasons {
		codes = append(codes, r.Code)
	}
	reply := "none"
	switch {
	case rec.OutboxID != 0:
		reply = "queued"
	case rec.ReplySuppressed:
		reply = "rate-limited"
	}
	p.Log.Info("letter",
		"mailbox", pr.letter.Mailbox, "uid", pr.letter.UID, "letter", pr.letter.ID,
		"message_id", pr.letter.MessageID, "sha256", pr.letter.SHA256,
		"class", string(pr.class), "outcome", string(o.Outcome), "case", rec.CaseNumber,
		"reasons", strings.Join(codes, ","), "reply", reply, "duration_ms", dur.Milliseconds())
}

// prepare decides one letter. It never panics: a panic sends the letter to
// review with the reason.
func (p *Processor) prepare(ctx context.Context, sl store.Letter, raw []byte) (pr *prepared) {
	pr = &prepared{letter: sl, start: p.Now()}
	defer func() {
		if r := recover(); r != nil {
			p.Metrics.Panics.Add(1)
			p.Log.Error("panic while processing a letter", "mailbox", sl.Mailbox, "uid", sl.UID, "letter", sl.ID,
				"sha256", sl.SHA256, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			pr.postpone = time.Time{}
			pr.class = ClassNew
			pr.outcome = &store.Outcome{
				LetterID: sl.ID, Outcome: store.Review, Classification: string(ClassNew),
				Reasons: []store.Reason{{Code: ReasonInternal, Detail: fmt.Sprintf("internal error while processing: %v", r)}},
				Review:  "internal error while processing the letter",
			}
		}
	}()
	if raw == nil {
		var err error
		raw, _, err = p.Store.RawLetterBytes(ctx, sl.ID)
		if err != nil {
			pr.postpone = p.Now().Add(p.Settings.RetryInterval)
			pr.cause = "reading the stored letter: " + err.Error()
			return pr
		}
	}
	mb := p.Mailboxes[sl.Mailbox]
	if mb == nil {
		pr.postpone = p.Now().Add(time.Hour)
		pr.cause = "mailbox " + sl.Mailbox + " is not configured"
		return pr
	}
	// raw is either the very bytes SaveRawLetters hashed into sl.SHA256 and
	// committed, or bytes the store checked against sl.SHA256 on reading
	// them back: Parse need not hash them again.
	l := mailbox.Parse(raw, mailbox.Limits{MaxMessageBytes: p.Settings.MaxMessageBytes - 1, MaxAttachmentBytes: p.Settings.MaxAttachmentBytes,
		KnownSHA256: sl.SHA256})
	o := &store.Outcome{LetterID: sl.ID}
	pr.outcome = o

	// Duplicate delivery: filed under the first copy's case, never answered.
	if sl.DuplicateOf != 0 {
		pr.class = ClassDup
		first, err := p.Store.Letter(ctx, sl.DuplicateOf)
		if err != nil || first.Outcome == store.Pending {
			pr.outcome = nil
			pr.postpone = p.Now().Add(5 * time.Second)
			pr.cause = "waiting for the first copy to be decided"
			return pr
		}
		o.Outcome = store.Ignored
		o.Classification = string(ClassDup)
		o.CaseID = first.CaseID
		o.Reasons = []store.Reason{{Code: ReasonDuplicate, Detail: fmt.Sprintf("same bytes as letter %d", first.ID)}}
		return pr
	}
	if class, why := ClassifyAutomated(l, p.Identity); class != "" {
		pr.class = class
		o.Outcome = store.Ignored
		o.Classification = string(class)
		o.Reasons = []store.Reason{{Code: ReasonAutomated, Detail: why}}
		return pr
	}
	caseID, caseNum := p.followUp(ctx, l)
	pr.class = ClassNew
	if caseID != 0 {
		pr.class = ClassFollowUp
	}
	o.Classification = string(pr.class)

	opts := signature.Options{}
	if p.Options != nil {
		opts = p.Options()
	}
	opts.Time = p.Now()
	vctx, cancel := context.WithTimeout(ctx, p.Settings.LetterTimeout)
	parts, facts := ValidateLetter(vctx, l, opts)
	timedOut := vctx.Err() != nil && ctx.Err() == nil
	cancel()
	if ctx.Err() != nil { // shutting down: decide nothing
		pr.outcome = nil
		return pr
	}
	temporary := false
	for _, pt := range parts {
		if TemporaryReport(pt.Report) {
			temporary = true
		}
	}
	age := p.Now().Sub(sl.StoredAt)
	if temporary && age < p.Settings.RetryFor {
		pr.outcome = nil
		wait := p.Settings.RetryInterval << min(sl.Attempts, 6)
		pr.postpone = p.Now().Add(min(wait, time.Hour))
		pr.cause = "signature validation could not reach a revocation or timestamp service (TRY_LATER)"
		return pr
	}
	d := Decide(mb.Policy, parts, facts)
	if timedOut {
		d.Outcome = store.Review
		d.Reasons = append(d.Reasons, store.Reason{Code: ReasonInternal, Detail: "validation took longer than " + p.Settings.LetterTimeout.String()})
	}
	if temporary && d.Outcome != store.Review {
		d.Outcome = store.Review // never decided on our own outage
	}
	// A follow-up without any signed part is correspondence on the case:
	// filed under it, not rejected.
	if caseID != 0 && d.Outcome == store.Rejected && len(parts) == 0 && len(facts.TooLarge) == 0 {
		d.Outcome = store.Accepted
		kept := d.Reasons[:0]
		for _, r := range d.Reasons {
			if r.Code != ReasonNoSignature {
				kept = append(kept, r)
			}
		}
		d.Reasons = append(kept, store.Reason{Code: ReasonUnsigned, Detail: "unsigned follow-up of case " + caseNum})
	}
	o.Outcome = d.Outcome
	o.Reasons = d.Reasons
	o.Attachments, o.Reports = p.evidence(l, parts, opts.Time)
	from := ""
	if len(l.From) > 0 {
		from = strings.ToLower(l.From[0].Address)
	}
	switch {
	case caseID != 0:
		o.CaseID = caseID
	case d.Outcome == store.Accepted:
		o.NewCase = &store.NewCase{Pattern: p.Settings.CasePattern, At: p.Now(), Subject: truncate(l.Subject, 500), ClientAddress: from}
	}
	if d.Outcome == store.Review {
		o.Review = reviewSummary(d.Reasons)
	}
	if d.Outcome == store.Accepted || d.Outcome == store.Rejected {
		o.Reply = p.reply(mb, sl, l, parts, facts, d, caseID != 0, caseNum)
	}
	o.AuditDetails = map[string]any{"class": string(pr.class), "mailbox": sl.Mailbox}
	return pr
}

// followUp finds the case a letter continues: a case number in the subject
// first, then In-Reply-To/References pointing at our replies or the case's letters.
func (p *Processor) followUp(ctx context.Context, l *mailbox.Letter) (int64, string) {
	for _, n := range CaseNumbersIn(p.caseRE, l.Subject) {
		for _, cand := range []string{n, strings.ToUpper(n)} {
			if c, err := p.Store.FindCaseByNumber(ctx, cand); err == nil {
				return c.ID, c.Number
			}
		}
	}
	if ids := l.MessageIDs(); len(ids) > 0 {
		if c, err := p.Store.FindCaseByReference(ctx, ids); err == nil {
			return c.ID, c.Number
		}
	}
	return 0, ""
}

func (p *Processor) evidence(l *mailbox.Letter, parts []Part, at time.Time) ([]store.Attachment, []store.Report) {
	var atts []store.Attachment
	for _, a := range l.Attachments {
		if a.Path == "" {
			continue
		}
		atts = append(atts, store.Attachment{PartPath: a.Path, Name: truncate(a.Name, 500), ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256})
	}
	var reps []store.Report
	for _, pt := range parts {
		name := pt.Name
		if pt.SMIME {
			name = "(message)"
		}
		base := store.Report{AttachmentPart: pt.Path, FileName: name, Format: string(pt.Report.Format), Verdict: string(pt.Verdict()), ValidatedAt: at, ValidatorVersion: ValidatorVersion}
		if pt.SMIME {
			base.AttachmentPart = ""
		}
		if len(pt.Report.Signatures) == 0 {
			r := base
			r.Indication = string(signature.TotalFailed)
			r.SubIndication = string(signature.FormatFailure)
			if pt.Verdict() != signature.Rejected {
				r.Indication, r.SubIndication = string(signature.Indeterminate), ""
			}
			r.Qualification = string(signature.QualNA)
			r.JSON, _ = json.Marshal(pt.Report)
			reps = append(reps, r)
			continue
		}
		for _, s := range pt.Report.Signatures {
			r := base
			r.Indication = string(s.Indication)
			r.SubIndication = string(s.SubIndication)
			r.Qualification = string(s.Qualification)
			r.Level = s.Level
			r.SignerSubject = s.Signer.Subject
			r.SignerSerial = s.Signer.SerialNumber
			r.SignerOrg = s.Signer.Organization
			r.Issuer = s.Issuer
			r.CertSHA256 = s.CertificateSHA256
			r.CertSerial = s.Signer.CertificateSerial
			if s.SigningTime != nil {
				r.SigningTime = *s.SigningTime
			}
			r.BestSignatureTime = s.BestSignatureTime
			r.JSON, _ = json.Marshal(s)
			reps = append(reps, r)
		}
	}
	return atts, reps
}

func reviewSummary(rs []store.Reason) string {
	var out []string
	for _, r := range rs {
		if r.Code == ReasonSignedOK || r.Code == ReasonUnsigned {
			continue
		}
		s := r.Code
		if r.File != "" {
			s += " (" + r.File + ")"
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "review"
	}
	return truncate(strings.Join(out, "; "), 1000)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
