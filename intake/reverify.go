package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

// ReverifyOptions select the letters to validate again.
type ReverifyOptions struct {
	Mailbox string    // "" for all
	Since   time.Time // received at or after; zero for all
	// Now is the validation time of the new reports (default time.Now).
	Now func() time.Time
	// Progress, when set, is told how many letters are done of how many.
	Progress func(done, total int)
	// DryRun computes what would be decided differently without recording
	// the new reports.
	DryRun bool
	Limits mailbox.Limits
}

// ReverifyChange is a letter the policy would now decide differently.
type ReverifyChange struct {
	LetterID  int64             `json:"letter_id"`
	Mailbox   string            `json:"mailbox"`
	MessageID string            `json:"message_id"`
	Was       store.OutcomeKind `json:"was"`
	Now       store.OutcomeKind `json:"now"`
	Reasons   []store.Reason    `json:"reasons"`
}

// ReverifyResult summarises a re-verification.
type ReverifyResult struct {
	Letters int              `json:"letters"`
	Reports int              `json:"reports"`
	Skipped int              `json:"skipped"` // purged, unreadable, or of an unconfigured mailbox
	Changed []ReverifyChange `json:"changed"`
	Errors  []string         `json:"errors,omitempty"`
}

// Reverify validates stored letters again (for example after a trusted-list
// update) with the signature options o, records the new reports beside the
// old ones (store.AddReports) and never changes a past decision: it reports
// which letters the policy would now decide differently. Only letters that
// were decided on their signatures (accepted, rejected, review) are
// considered; automated mail stays as it was.
func Reverify(ctx context.Context, st *store.Store, mailboxes []config.Mailbox, o signature.Options, ro ReverifyOptions) (*ReverifyResult, error) {
	if ro.Now == nil {
		ro.Now = time.Now
	}
	policies := map[string]config.Policy{}
	for _, m := range mailboxes {
		policies[m.Name] = m.Policy
	}
	var letters []store.Letter
	for _, oc := range []store.OutcomeKind{store.Accepted, store.Rejected, store.Review} {
		var after int64
		for {
			page, err := st.ListLetters(ctx, store.LetterFilter{Mailbox: ro.Mailbox, Outcome: oc, Since: ro.Since, AfterID: after, Limit: 1000})
			if err != nil {
				return nil, err
			}
			letters = append(letters, page...)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	res := &ReverifyResult{Changed: []ReverifyChange{}}
	for i, sl := range letters {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if ro.Progress != nil {
			ro.Progress(i, len(letters))
		}
		policy, ok := policies[sl.Mailbox]
		if !ok {
			res.Skipped++
			continue
		}
		raw, _, err := st.RawLetterBytes(ctx, sl.ID)
		if err != nil {
			var purged *store.PurgedError
			if !errors.As(err, &purged) {
				res.Errors = append(res.Errors, fmt.Sprintf("letter %d: %v", sl.ID, err))
			}
			res.Skipped++
			continue
		}
		l := mailbox.Parse(raw, ro.Limits)
		at := ro.Now()
		o.Time = at
		parts, facts := ValidateLetter(ctx, l, o)
		d := Decide(policy, parts, facts)
		// As the pipeline does: an unsigned follow-up is filed under its case.
		if sl.Classification == string(ClassFollowUp) && d.Outcome == store.Rejected && len(parts) == 0 && len(facts.TooLarge) == 0 {
			d.Outcome = store.Accepted
		}
		for _, pt := range parts {
			if TemporaryReport(pt.Report) && d.Outcome != store.Review {
				d.Outcome = store.Review
				d.Reasons = append(d.Reasons, store.Reason{Code: ReasonInternal, Detail: "a revocation or timestamp service could not be reached"})
			}
		}
		_, reports := new(Processor).evidence(l, parts, at)
		if !ro.DryRun && len(reports) > 0 {
			if err := st.AddReports(ctx, sl.ID, reports, "reverify"); err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("letter %d: recording reports: %v", sl.ID, err))
				continue
			}
		}
		res.Letters++
		res.Reports += len(reports)
		if d.Outcome != sl.Outcome {
			res.Changed = append(res.Changed, ReverifyChange{LetterID: sl.ID, Mailbox: sl.Mailbox, MessageID: sl.MessageID, Was: sl.Outcome, Now: d.Outcome, Reasons: d.Reasons})
		}
	}
	if ro.Progress != nil {
		ro.Progress(len(letters), len(letters))
	}
	return res, nil
}
