package intake

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sigintake/sigintake/signature/trust"
	"github.com/sigintake/sigintake/store"
)

// writeHealthMetrics writes the gauges that alerts are built on
// (README "Metrics and alerts"): when each mailbox was last polled, the
// outbox backlog, the letters waiting for a clerk and the trusted lists'
// freshness. Times are Unix seconds so that alert rules compare them with
// time().
func writeHealthMetrics(ctx context.Context, w io.Writer, st *store.Store, lists []trust.ListSummary, now time.Time) error {
	h, err := st.Health(ctx)
	if err != nil {
		return err
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	unix := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.Unix()
	}
	age := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return now.Sub(t).Seconds()
	}
	p("# HELP sigintake_mailbox_last_poll_timestamp_seconds When the mailbox was last polled (0: never).\n# TYPE sigintake_mailbox_last_poll_timestamp_seconds gauge\n")
	for _, m := range h.Mailboxes {
		p("sigintake_mailbox_last_poll_timestamp_seconds{mailbox=%q} %d\n", m.Name, unix(m.LastPollAt))
	}
	p("# HELP sigintake_outbox_pending Replies queued or being sent.\n# TYPE sigintake_outbox_pending gauge\nsigintake_outbox_pending %d\n", h.OutboxPending)
	p("# HELP sigintake_outbox_failed Replies given up on.\n# TYPE sigintake_outbox_failed gauge\nsigintake_outbox_failed %d\n", h.OutboxFailed)
	p("# HELP sigintake_outbox_oldest_pending_age_seconds Age of the oldest pending reply (0: none).\n# TYPE sigintake_outbox_oldest_pending_age_seconds gauge\nsigintake_outbox_oldest_pending_age_seconds %g\n", age(h.OutboxOldest))
	p("# HELP sigintake_review_waiting Letters waiting for a clerk.\n# TYPE sigintake_review_waiting gauge\nsigintake_review_waiting %d\n", h.ReviewWaiting)
	p("# HELP sigintake_review_oldest_age_seconds Age of the oldest letter waiting for a clerk (0: none).\n# TYPE sigintake_review_oldest_age_seconds gauge\nsigintake_review_oldest_age_seconds %g\n", age(h.ReviewOldest))
	p("# HELP sigintake_trusted_list_usable Whether a loaded trusted list can be used (signature valid, not past NextUpdate).\n# TYPE sigintake_trusted_list_usable gauge\n")
	for _, l := range lists {
		v := 0
		if l.Status.Usable() {
			v = 1
		}
		p("sigintake_trusted_list_usable{territory=%q,sequence=\"%d\"} %d\n", l.Territory, l.SequenceNumber, v)
	}
	p("# HELP sigintake_trusted_list_next_update_timestamp_seconds The list's NextUpdate.\n# TYPE sigintake_trusted_list_next_update_timestamp_seconds gauge\n")
	for _, l := range lists {
		p("sigintake_trusted_list_next_update_timestamp_seconds{territory=%q,sequence=\"%d\"} %d\n", l.Territory, l.SequenceNumber, unix(l.NextUpdate))
	}
	return nil
}
