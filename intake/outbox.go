package intake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// Sender delivers one message to an SMTP server. Errors matching
// mailbox.ErrPermanent (5xx answers) are not retried.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// SMTPSender submits over SMTP (RFC 5321, RFC 6409) with go-smtp.
type SMTPSender struct {
	Host      string
	Port      int
	TLS       mailbox.TLSMode
	TLSConfig *tls.Config
	User      string
	Password  string
	Helo      string
	Timeout   time.Duration // per message; default 1 minute
}

// Send implements Sender.
func (s *SMTPSender) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if s.TLS == mailbox.TLSPlain && !mailbox.IsLoopback(s.Host) {
		return &mailbox.Error{Op: "smtp send", Err: errors.New("plain SMTP only to loopback hosts")}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	tc := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		tc = s.TLSConfig.Clone()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return smtpErr(err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	var c *smtp.Client
	switch s.TLS {
	case mailbox.TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, tc))
	case mailbox.TLSStartTLS:
		c, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return smtpErr(err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if s.Helo != "" {
		if err := c.Hello(s.Helo); err != nil {
			return smtpErr(err)
		}
	}
	if s.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.User, s.Password)); err != nil {
			return smtpErr(err)
		}
	}
	if err := c.SendMail(from, to, bytesReader(raw)); err != nil {
		return smtpErr(err)
	}
	_ = c.Quit()
	return nil
}

func smtpErr(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return &mailbox.Error{Op: "smtp send", Temporary: false, Err: err}
	}
	return &mailbox.Error{Op: "smtp send", Temporary: true, Err: err}
}

// Outbox sends queued replies: it claims rows, sends each with its stored
// Message-ID and bytes, and marks it sent, or failed with backoff
// (store.Backoff) or permanently on a 5xx answer.
type Outbox struct {
	Store        *store.Store
	Sender       Sender
	Owner        string
	EnvelopeFrom string // MAIL FROM; "" is the null reverse path
	Interval     time.Duration
	Log          *slog.Logger
	Metrics      *Metrics

	kick chan struct{}
}

// Kick wakes the worker (after new replies were queued).
func (ob *Outbox) Kick() {
	ob.init()
	select {
	case ob.kick <- struct{}{}:
	default:
	}
}

func (ob *Outbox) init() {
	if ob.kick == nil {
		ob.kick = make(chan struct{}, 1)
	}
}

// Run sends until ctx ends.
func (ob *Outbox) Run(ctx context.Context) {
	ob.init()
	if ob.Interval <= 0 {
		ob.Interval = 5 * time.Second
	}
	// Rows this owner left "sending" when it died are due again now.
	if n, err := ob.Store.ReleaseClaims(ctx, ob.Owner); err != nil {
		ob.Log.Warn("outbox: releasing old claims", "err", err)
	} else if n > 0 {
		ob.Log.Info("outbox: replies interrupted by a restart are queued again", "count", n)
	}
	t := time.NewTicker(ob.Interval)
	defer t.Stop()
	for {
		if _, err := ob.Drain(ctx); err != nil && ctx.Err() == nil {
			ob.Log.Warn("outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-ob.kick:
		}
	}
}

// Drain sends every due message and returns how many were sent.
func (ob *Outbox) Drain(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		msgs, err := ob.Store.ClaimOutbox(ctx, ob.Owner, 16)
		if err != nil {
			return sent, err
		}
		if len(msgs) == 0 {
			return sent, nil
		}
		for _, m := range msgs {
			err := ob.Sender.Send(ctx, ob.EnvelopeFrom, []string{m.Recipient}, m.Raw)
			if err == nil {
				if err := ob.Store.MarkSent(context.WithoutCancel(ctx), m.ID, ob.Owner); err != nil {
					ob.Log.Warn("outbox: sent but not marked", "outbox", m.ID, "err", err)
				}
				sent++
				if ob.Metrics != nil {
					ob.Metrics.RepliesSent.Add(1)
				}
				ob.Log.Info("reply sent", "outbox", m.ID, "letter", m.LetterID, "kind", string(m.Kind), "message_id", m.MessageID, "attempt", m.Attempts)
				continue
			}
			if ob.Metrics != nil {
				ob.Metrics.ReplyErrors.Add(1)
			}
			permanent := errors.Is(err, mailbox.ErrPermanent)
			next, merr := ob.Store.MarkFailed(context.WithoutCancel(ctx), m.ID, ob.Owner, err.Error(), permanent)
			if merr != nil {
				return sent, fmt.Errorf("outbox: %w", merr)
			}
			ob.Log.Warn("reply not sent", "outbox", m.ID, "letter", m.LetterID, "message_id", m.MessageID, "attempt", m.Attempts, "permanent", permanent, "retry_at", next, "err", err)
		}
	}
	return sent, ctx.Err()
}
