package mailbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPConfig describes the submission server replies are sent through.
type SMTPConfig struct {
	Host      string
	Port      int // default 465 for implicit TLS, 587 for STARTTLS, 25 for plain
	TLS       TLSMode
	TLSConfig *tls.Config // optional, cloned; ServerName defaults to Host
	// User and Password enable AUTH PLAIN (RFC 4954); empty User means no
	// AUTH. AUTH is only ever sent over TLS or to loopback.
	User      string
	Password  string
	LocalName string // EHLO name; default "localhost"

	DialTimeout       time.Duration // default 30s: TCP, TLS, greeting, EHLO, AUTH
	CommandTimeout    time.Duration // default 1m per command
	SubmissionTimeout time.Duration // default 5m for the end of DATA
}

// Validate reports configuration errors (all wrap ErrConfig).
func (cfg *SMTPConfig) Validate() error {
	var errs []error
	if cfg.Host == "" {
		errs = append(errs, errors.New("smtp host is empty"))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		errs = append(errs, fmt.Errorf("smtp port %d out of range", cfg.Port))
	}
	if err := checkTLSMode(cfg.TLS, cfg.Host); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
}

// SMTPSender submits messages over SMTP (RFC 5321, 6409). It holds no
// connection between sends; it is safe for concurrent use.
type SMTPSender struct {
	cfg SMTPConfig
}

// NewSMTPSender checks cfg and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, permanent("smtp config", err)
	}
	if cfg.Port == 0 {
		switch cfg.TLS {
		case TLSImplicit:
			cfg.Port = 465
		case TLSStartTLS:
			cfg.Port = 587
		default:
			cfg.Port = 25
		}
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 30 * time.Second
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = time.Minute
	}
	if cfg.SubmissionTimeout <= 0 {
		cfg.SubmissionTimeout = 5 * time.Minute
	}
	return &SMTPSender{cfg: cfg}, nil
}

// Send delivers raw (a complete RFC 5322 message, sent as is) to the
// envelope recipients to with envelope sender from ("" is the null
// reverse path). 4xx replies and network failures are ErrTemporary; 5xx
// replies, rejected AUTH and refused TLS certificates are ErrPermanent.
// When ctx ends the connection is closed and the context's error returned.
// A failure after the final "." may still have delivered the message:
// callers retry with the same Message-ID.
func (s *SMTPSender) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if len(to) == 0 {
		return permanent("smtp send", fmt.Errorf("%w: no recipients", ErrConfig))
	}
	cfg := s.cfg
	dctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return s.fail(ctx, dctx, "smtp dial", err)
	}
	defer conn.Close()
	// go-smtp has no context: close the connection when ctx ends.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	stopDial := context.AfterFunc(dctx, func() { conn.Close() })

	tlsCfg := tlsConfigFor(cfg.TLSConfig, cfg.Host)
	var c *smtp.Client
	switch cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			return s.fail(ctx, dctx, "smtp tls", err)
		}
		c = smtp.NewClient(tc)
	case TLSStartTLS:
		// go-smtp sends EHLO localhost before STARTTLS, then EHLO again.
		c, err = smtp.NewClientStartTLS(conn, tlsCfg)
		if err != nil {
			return s.fail(ctx, dctx, "smtp starttls", err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = cfg.CommandTimeout
	c.SubmissionTimeout = cfg.SubmissionTimeout
	defer c.Close()
	if cfg.TLS != TLSStartTLS {
		if err := c.Hello(cfg.LocalName); err != nil {
			return s.fail(ctx, dctx, "smtp ehlo", err)
		}
	}
	if cfg.User != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return permanent("smtp auth", fmt.Errorf("%w: server does not offer AUTH", ErrConfig))
		}
		if err := c.Auth(sasl.NewPlainClient("", cfg.User, cfg.Password)); err != nil {
			var se *smtp.SMTPError
			if errors.As(err, &se) && se.Code >= 500 {
				return permanent("smtp auth", fmt.Errorf("%w: %v", ErrAuth, err))
			}
			return s.fail(ctx, dctx, "smtp auth", err)
		}
	}
	if !stopDial() {
		return s.fail(ctx, dctx, "smtp dial", context.DeadlineExceeded)
	}
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return s.fail(ctx, nil, "smtp send", err)
	}
	if err := c.Quit(); err != nil {
		// The message was accepted at the final "."; a failed QUIT does
		// not change that.
		return nil
	}
	return nil
}

func (s *SMTPSender) fail(ctx, dctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("mailbox: %s: %w", op, context.Cause(ctx))
	}
	if dctx != nil && dctx.Err() != nil {
		return temporary(op, fmt.Errorf("no answer within the dial timeout: %w", os.ErrDeadlineExceeded))
	}
	return classify(nil, op, err)
}
