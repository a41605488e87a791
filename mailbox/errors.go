package mailbox

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
)

// Sentinels. Every error returned by the IMAP and SMTP code of this package
// matches exactly one of ErrTemporary or ErrPermanent with errors.Is, unless
// it is the context's own error (context.Canceled, context.DeadlineExceeded).
var (
	// ErrTemporary marks a failure worth retrying later: network trouble, a
	// server that hangs up, an SMTP 4xx reply, an IMAP [UNAVAILABLE].
	ErrTemporary = errors.New("mailbox: temporary failure")
	// ErrPermanent marks a failure that retrying will not fix: bad
	// credentials, bad configuration, an SMTP 5xx reply.
	ErrPermanent = errors.New("mailbox: permanent failure")

	// ErrAuth is a rejected login (permanent).
	ErrAuth = errors.New("mailbox: authentication failed")
	// ErrConfig is an invalid configuration (permanent).
	ErrConfig = errors.New("mailbox: invalid configuration")
)

// Error is an I/O failure of an IMAP or SMTP operation, classified.
type Error struct {
	Op        string // "dial", "login", "select", "fetch", "move", "idle", "smtp send", ...
	Temporary bool
	Err       error
}

func (e *Error) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	return fmt.Sprintf("mailbox: %s (%s): %v", e.Op, kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTemporary) and errors.Is(err, ErrPermanent) work.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrTemporary:
		return e.Temporary
	case ErrPermanent:
		return !e.Temporary
	}
	return false
}

// IsTemporary reports whether err is worth retrying (ErrTemporary).
// Context cancellation is not temporary: the caller asked to stop.
func IsTemporary(err error) bool { return errors.Is(err, ErrTemporary) }

func temporary(op string, err error) error { return &Error{Op: op, Temporary: true, Err: err} }
func permanent(op string, err error) error { return &Error{Op: op, Temporary: false, Err: err} }

// classify wraps err from operation op, deciding temporary vs permanent.
// If ctx has ended, the context's error is returned instead (the
// connection was closed on purpose).
func classify(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctx != nil && ctx.Err() != nil {
		return fmt.Errorf("mailbox: %s: %w", op, context.Cause(ctx))
	}
	var me *Error
	if errors.As(err, &me) {
		return err
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodeAuthenticationFailed, imap.ResponseCodeAuthorizationFailed,
			imap.ResponseCodeExpired, imap.ResponseCodePrivacyRequired:
			return permanent(op, fmt.Errorf("%w: %v", ErrAuth, err))
		case imap.ResponseCodeUnavailable, imap.ResponseCodeServerBug, imap.ResponseCodeInUse,
			imap.ResponseCodeLimit, imap.ResponseCodeOverQuota:
			return temporary(op, err)
		}
		if ie.Type == imap.StatusResponseTypeBye {
			return temporary(op, err)
		}
		if op == "login" && ie.Type == imap.StatusResponseTypeNo {
			return permanent(op, fmt.Errorf("%w: %v", ErrAuth, err))
		}
		return permanent(op, err)
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		if se.Code >= 400 && se.Code < 500 {
			return temporary(op, err)
		}
		if se.Code == 535 || se.Code == 534 || se.Code == 530 {
			return permanent(op, fmt.Errorf("%w: %v", ErrAuth, err))
		}
		return permanent(op, err)
	}
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	if errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ce) {
		return permanent(op, err)
	}
	if errors.Is(err, ErrConfig) || errors.Is(err, ErrAuth) {
		return permanent(op, err)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, os.ErrDeadlineExceeded) {
		return temporary(op, err)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return temporary(op, err)
	}
	// Unknown failures of the transport (for example a connection closed
	// while a command was in flight) are treated as temporary: retrying
	// costs little, rejecting a letter for our outage costs much.
	return temporary(op, err)
}
