package intake

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics are the daemon's counters, written in the Prometheus text format
// (version 0.0.4) by WriteTo.
type Metrics struct {
	Fetched     atomic.Int64
	Postponed   atomic.Int64
	Panics      atomic.Int64
	Errors      atomic.Int64
	Reconnects  atomic.Int64
	Moved       atomic.Int64
	MoveErrors  atomic.Int64
	RepliesSent atomic.Int64
	ReplyErrors atomic.Int64

	mu       sync.Mutex
	decided  map[[2]string]int64 // (mailbox, outcome)
	durSum   float64
	durCount int64
	started  time.Time
}

// NewMetrics returns zeroed metrics.
func NewMetrics() *Metrics {
	return &Metrics{decided: map[[2]string]int64{}, started: time.Now()}
}

// Decided counts one decided letter.
func (m *Metrics) Decided(mailbox, outcome string, d time.Duration) {
	m.mu.Lock()
	m.decided[[2]string{mailbox, outcome}]++
	m.durSum += d.Seconds()
	m.durCount++
	m.mu.Unlock()
}

// WriteTo writes the metrics in the Prometheus text exposition format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var n int64
	p := func(format string, a ...any) {
		k, _ := fmt.Fprintf(w, format, a...)
		n += int64(k)
	}
	counter := func(name, help string, v int64) {
		p("# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("sigintake_letters_fetched_total", "Letters fetched from IMAP and stored.", m.Fetched.Load())
	counter("sigintake_letters_postponed_total", "Letters postponed after a temporary failure.", m.Postponed.Load())
	counter("sigintake_letter_panics_total", "Letters sent to review after a panic.", m.Panics.Load())
	counter("sigintake_letter_errors_total", "Letters whose outcome could not be recorded.", m.Errors.Load())
	counter("sigintake_imap_reconnects_total", "IMAP sessions that ended with an error.", m.Reconnects.Load())
	counter("sigintake_letters_moved_total", "Messages moved to their folder on the server.", m.Moved.Load())
	counter("sigintake_move_errors_total", "Failed IMAP moves (retried).", m.MoveErrors.Load())
	counter("sigintake_replies_sent_total", "Replies delivered to the SMTP server.", m.RepliesSent.Load())
	counter("sigintake_reply_errors_total", "Failed reply sends (retried or failed).", m.ReplyErrors.Load())
	m.mu.Lock()
	keys := make([][2]string, 0, len(m.decided))
	for k := range m.decided {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	p("# HELP sigintake_letters_decided_total Letters decided, by mailbox and outcome.\n# TYPE sigintake_letters_decided_total counter\n")
	for _, k := range keys {
		p("sigintake_letters_decided_total{mailbox=%q,outcome=%q} %d\n", k[0], k[1], m.decided[k])
	}
	p("# HELP sigintake_letter_processing_seconds Time from taking a letter to its decision.\n# TYPE sigintake_letter_processing_seconds summary\n")
	p("sigintake_letter_processing_seconds_sum %g\nsigintake_letter_processing_seconds_count %d\n", m.durSum, m.durCount)
	m.mu.Unlock()
	p("# HELP sigintake_uptime_seconds Seconds since the daemon started.\n# TYPE sigintake_uptime_seconds gauge\nsigintake_uptime_seconds %g\n", time.Since(m.started).Seconds())
	return n, nil
}
