package demo

import (
	"context"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

// TestReverifyAfterTrustChange runs the demo, then validates its letters
// again with no trust at all (as if the test root had been removed from the
// trusted lists): every letter accepted on a signature would now go to
// review, nothing rejected for a broken signature changes, new reports are
// added beside the old ones, and no past decision changes.
func TestReverifyAfterTrustChange(t *testing.T) {
	res, _ := runOnce(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, res.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before, err := st.ListLetters(ctx, store.LetterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	reportsBefore := map[int64]int{}
	for _, l := range before {
		rs, err := st.LetterReports(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		reportsBefore[l.ID] = len(rs)
	}
	mailboxes := Config("127.0.0.1:1", "127.0.0.1:1", res.DSN).Mailboxes
	var calls int
	rr, err := intake.Reverify(ctx, st, mailboxes, signature.Options{}, intake.ReverifyOptions{Progress: func(done, total int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Letters == 0 || rr.Reports == 0 || calls == 0 || len(rr.Errors) != 0 {
		t.Fatalf("reverify: %+v (progress calls %d)", rr, calls)
	}
	t.Logf("re-verified %d letters, %d reports, %d changed, %d skipped", rr.Letters, rr.Reports, len(rr.Changed), rr.Skipped)
	if len(rr.Changed) == 0 {
		t.Fatal("no letter would be decided differently without trust")
	}
	changed := map[int64]intake.ReverifyChange{}
	for _, c := range rr.Changed {
		changed[c.LetterID] = c
	}
	after, err := st.ListLetters(ctx, store.LetterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range after {
		if l.Outcome != before[i].Outcome || l.Case != before[i].Case {
			t.Errorf("letter %d: decision changed from %s/%s to %s/%s", l.ID, before[i].Outcome, before[i].Case, l.Outcome, l.Case)
		}
		rs, err := st.LetterReports(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := changed[l.ID]; ok && (c.Was != l.Outcome || c.Now == c.Was) {
			t.Errorf("letter %d: change %+v", l.ID, c)
		}
		signedAccepted := l.Outcome == store.Accepted && reportsBefore[l.ID] > 0 && l.Classification != string(intake.ClassFollowUp)
		if signedAccepted {
			if c, ok := changed[l.ID]; !ok || c.Now != store.Review {
				t.Errorf("letter %d (%s): accepted on a now untrusted signature, not reported as review: %+v", l.ID, l.Subject, c)
			}
			if len(rs) <= reportsBefore[l.ID] {
				t.Errorf("letter %d: %d reports before, %d after", l.ID, reportsBefore[l.ID], len(rs))
			}
		}
	}
}
