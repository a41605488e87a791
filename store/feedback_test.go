package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestFeedback(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		// Letters received in March, April and June 2026.
		var ids []int64
		for i, at := range []time.Time{t0, t0.AddDate(0, 0, 5), t0.AddDate(0, 1, 0), t0.AddDate(0, 1, 2), t0.AddDate(0, 3, 0)} {
			sv, err := s.SaveRawLetter(ctx, RawLetter{Mailbox: "pasts", UIDValidity: 1, UID: uint32(i + 1), Raw: raw(i),
				ReceivedAt: at, From: "client@example.lv"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, sv.ID)
		}
		tag := func(id int64, tg, sug FeedbackTag) {
			t.Helper()
			if _, err := s.TagFeedback(ctx, Feedback{LetterID: id, Tag: tg, Suggested: sug, TaggedBy: "anna", Note: "n"}); err != nil {
				t.Fatal(err)
			}
		}
		tag(ids[0], FeedbackPraise, FeedbackPraise)
		tag(ids[1], FeedbackComplaint, "")
		tag(ids[2], FeedbackPraise, FeedbackComplaint) // the clerk overrides the suggestion
		tag(ids[3], FeedbackSuggestion, "")
		tag(ids[3], FeedbackComplaint, "") // re-tagged
		tag(ids[4], FeedbackSuggestion, FeedbackSuggestion)

		t.Run("ok/letter-tag", func(t *testing.T) {
			f, err := s.LetterFeedback(ctx, ids[3])
			if err != nil || f.Tag != FeedbackComplaint || f.TaggedBy != "anna" || !f.TaggedAt.Equal(c.now().Truncate(time.Microsecond)) {
				t.Fatalf("LetterFeedback = %+v, %v", f, err)
			}
			if f, err := s.LetterFeedback(ctx, ids[2]); err != nil || f.Suggested != FeedbackComplaint || f.Tag != FeedbackPraise {
				t.Fatalf("override kept the suggestion = %+v, %v", f, err)
			}
		})
		t.Run("ok/monthly-report", func(t *testing.T) {
			rows, err := s.FeedbackReport(ctx, "", "")
			if err != nil {
				t.Fatal(err)
			}
			want := "[{2026-03 praise 1} {2026-03 complaint 1} {2026-03 suggestion 0} {2026-04 praise 1} {2026-04 complaint 1} {2026-04 suggestion 0} {2026-06 praise 0} {2026-06 complaint 0} {2026-06 suggestion 1}]"
			if fmt.Sprint(rows) != want {
				t.Fatalf("report = %v\nwant %s", rows, want)
			}
			rows, err = s.FeedbackReport(ctx, "2026-04", "2026-05")
			if err != nil || len(rows) != 3 || rows[0].Month != "2026-04" {
				t.Fatalf("report Apr-May = %v, %v", rows, err)
			}
			if rows, err := s.FeedbackReport(ctx, "2026-07", ""); err != nil || len(rows) != 0 {
				t.Fatalf("empty report = %v, %v", rows, err)
			}
		})
		t.Run("fail/invalid", func(t *testing.T) {
			if _, err := s.TagFeedback(ctx, Feedback{LetterID: ids[0], Tag: "spam", TaggedBy: "anna"}); !errors.Is(err, ErrInvalid) {
				t.Fatalf("bad tag: %v", err)
			}
			if _, err := s.TagFeedback(ctx, Feedback{LetterID: ids[0], Tag: FeedbackPraise}); !errors.Is(err, ErrInvalid) {
				t.Fatalf("no clerk: %v", err)
			}
			if _, err := s.TagFeedback(ctx, Feedback{LetterID: 9999, Tag: FeedbackPraise, TaggedBy: "anna"}); !errors.Is(err, ErrNotFound) {
				t.Fatalf("no letter: %v", err)
			}
			if _, err := s.FeedbackReport(ctx, "2026-13", ""); !errors.Is(err, ErrInvalid) {
				t.Fatalf("bad month: %v", err)
			}
			if _, err := s.LetterFeedback(ctx, ids[0]+100); !errors.Is(err, ErrNotFound) {
				t.Fatalf("untagged: %v", err)
			}
		})
		t.Run("ok/audited", func(t *testing.T) {
			log, err := s.AuditLog(ctx, fmt.Sprintf("letter:%d", ids[3]), 0, 10)
			if err != nil || len(log) != 2 || log[1].Action != "feedback.tag" || log[1].Actor != "anna" {
				t.Fatalf("audit = %+v, %v", log, err)
			}
			if _, err := s.VerifyAuditChain(ctx); err != nil {
				t.Fatal(err)
			}
		})
	})
}
