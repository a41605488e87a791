package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TLSMode says how a connection is protected.
type TLSMode string

const (
	TLSImplicit TLSMode = "implicit" // TLS from the first byte (IMAPS 993, SMTPS 465)
	TLSStartTLS TLSMode = "starttls" // plain greeting, then STARTTLS (143, 587)
	TLSPlain    TLSMode = "plain"    // no TLS: allowed only to loopback hosts
)

// Folders names the server folders letters are moved to. Empty names are
// not used; Move refuses an empty folder.
type Folders struct {
	Accepted string
	Rejected string
	Review   string
	Ignored  string
}

// IMAPConfig describes one mailbox account. The zero value of each timeout
// and limit means the default shown.
type IMAPConfig struct {
	Host string
	Port int // default 993 for implicit TLS, else 143
	TLS  TLSMode
	// TLSConfig, when set, is cloned and used (for private CAs in tests);
	// ServerName defaults to Host.
	TLSConfig *tls.Config
	User      string
	Password  string
	Mailbox   string // default "INBOX"
	Folders   Folders

	DialTimeout    time.Duration // default 30s, covers TCP, TLS and the greeting
	CommandTimeout time.Duration // default 2m per command (a FETCH of a big batch included)
	// FetchBatch caps the number of messages one FetchSince returns (default 100);
	// FetchBatchBytes caps their total size (default 64 MiB; at least one message
	// is always returned).
	FetchBatch      int
	FetchBatchBytes int64
}

func (cfg *IMAPConfig) withDefaults() IMAPConfig {
	c := *cfg
	if c.Port == 0 {
		if c.TLS == TLSImplicit {
			c.Port = 993
		} else {
			c.Port = 143
		}
	}
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 30 * time.Second
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = 2 * time.Minute
	}
	if c.FetchBatch <= 0 {
		c.FetchBatch = 100
	}
	if c.FetchBatchBytes <= 0 {
		c.FetchBatchBytes = 64 << 20
	}
	return c
}

// Validate reports configuration errors (all wrap ErrConfig).
func (cfg *IMAPConfig) Validate() error {
	var errs []error
	if cfg.Host == "" {
		errs = append(errs, errors.New("imap host is empty"))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		errs = append(errs, fmt.Errorf("imap port %d out of range", cfg.Port))
	}
	if cfg.User == "" {
		errs = append(errs, errors.New("imap user is empty"))
	}
	if err := checkTLSMode(cfg.TLS, cfg.Host); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
}

func checkTLSMode(mode TLSMode, host string) error {
	switch mode {
	case TLSImplicit, TLSStartTLS:
		return nil
	case TLSPlain:
		if !IsLoopback(host) {
			return fmt.Errorf("tls %q is allowed only for loopback hosts, not %q", mode, host)
		}
		return nil
	case "":
		return errors.New("tls mode is empty (implicit, starttls or plain)")
	}
	return fmt.Errorf("unknown tls mode %q (implicit, starttls or plain)", mode)
}

// IsLoopback reports whether host is "localhost" or a loopback IP literal.
// Names other than localhost are not resolved: a DNS answer must not be
// able to turn plain-text credentials on.
func IsLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Capabilities are the server extensions this package uses.
type Capabilities struct {
	IDLE    bool // RFC 2177
	MOVE    bool // RFC 6851
	UIDPLUS bool // RFC 4315
}

// Conn is one logged-in IMAP connection with the mailbox selected. It is
// not safe for concurrent use: one goroutine drives it. After any error
// the connection should be closed and redialled. A UIDVALIDITY change
// under an open session ends it (Dovecot disconnects); the caller compares
// UIDValidity after each Dial with the value it stored.
type Conn struct {
	cfg         IMAPConfig
	cl          *imapclient.Client
	caps        Capabilities
	uidValidity uint32
	uidNext     uint32
	notify      chan struct{}
}

// Message is one message fetched by UID.
type Message struct {
	UID          uint32
	InternalDate time.Time
	Size         int64  // RFC822.SIZE as the server reports it
	Raw          []byte // the whole message, or its first maxBytes bytes when Truncated
	// Truncated is set when Size exceeded the caller's limit: Raw then holds
	// only the start of the message (headers and the first bytes), so the
	// letter can still be recorded and answered rather than dropped.
	Truncated bool
}

// Dial connects, logs in, checks that the session really works (Dovecot
// answers LOGIN with OK and then BYE when its mail process fails), reads
// the capabilities and selects the mailbox. The context bounds the whole
// dial; cfg.DialTimeout bounds it too.
func Dial(ctx context.Context, cfg IMAPConfig) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, permanent("dial", err)
	}
	cfg = cfg.withDefaults()
	dctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()

	c := &Conn{cfg: cfg, notify: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: tlsConfigFor(cfg.TLSConfig, cfg.Host),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					c.signal()
				}
			},
		},
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	var d net.Dialer
	raw, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, dialErr(ctx, err)
	}
	stop := context.AfterFunc(dctx, func() { raw.Close() })
	switch cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(raw, opts.TLSConfig)
		if err := tc.HandshakeContext(dctx); err != nil {
			stop()
			raw.Close()
			return nil, dialErr(ctx, err)
		}
		c.cl = imapclient.New(tc, opts)
	case TLSStartTLS:
		c.cl, err = imapclient.NewStartTLS(raw, opts)
		if err != nil {
			stop()
			raw.Close()
			return nil, dialErr(ctx, err)
		}
	default:
		c.cl = imapclient.New(raw, opts)
	}
	if !stop() {
		c.cl.Close()
		return nil, dialErr(ctx, context.Cause(dctx))
	}

	ok := false
	defer func() {
		if !ok {
			c.cl.Close()
		}
	}()
	err = c.do(dctx, "login", func() error {
		if dctx.Err() != nil {
			return dctx.Err()
		}
		if err := c.cl.WaitGreeting(); err != nil {
			return err
		}
		if err := c.cl.Login(cfg.User, cfg.Password).Wait(); err != nil {
			return err
		}
		// Dovecot says OK to LOGIN and then BYE when the mail process
		// cannot start: only a completed command proves the session.
		return c.cl.Noop().Wait()
	})
	if err != nil {
		return nil, dialTimeout(ctx, dctx, err)
	}
	err = c.do(dctx, "capability", func() error {
		caps := c.cl.Caps()
		if len(caps) == 0 {
			var err error
			if caps, err = c.cl.Capability().Wait(); err != nil {
				return err
			}
		}
		c.caps = Capabilities{
			IDLE:    caps.Has(imap.CapIdle),
			MOVE:    caps.Has(imap.CapMove) || caps.Has(imap.CapIMAP4rev2),
			UIDPLUS: caps.Has(imap.CapUIDPlus) || caps.Has(imap.CapIMAP4rev2),
		}
		return nil
	})
	if err != nil {
		return nil, dialTimeout(ctx, dctx, err)
	}
	err = c.do(dctx, "select", func() error {
		data, err := c.cl.Select(cfg.Mailbox, nil).Wait()
		if err != nil {
			return err
		}
		c.uidValidity = data.UIDValidity
		c.uidNext = uint32(data.UIDNext)
		return nil
	})
	if err != nil {
		return nil, dialTimeout(ctx, dctx, err)
	}
	c.drain()
	ok = true
	return c, nil
}

// dialTimeout turns the end of the dial's own deadline into a temporary
// error; the caller's cancellation stays the context's error.
func dialTimeout(ctx, dctx context.Context, err error) error {
	if ctx.Err() == nil && dctx.Err() != nil {
		return temporary("dial", fmt.Errorf("no session within the dial timeout: %w", os.ErrDeadlineExceeded))
	}
	return err
}

func dialErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("mailbox: dial: %w", context.Cause(ctx))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return temporary("dial", fmt.Errorf("timed out: %w", os.ErrDeadlineExceeded))
	}
	return classify(nil, "dial", err)
}

func tlsConfigFor(base *tls.Config, host string) *tls.Config {
	var c *tls.Config
	if base != nil {
		c = base.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = strings.Trim(host, "[]")
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// do runs f with the connection closed when ctx ends or the command
// timeout passes (go-imap has no context). The caller's cancellation is
// returned as the context's error; a timeout is temporary.
func (c *Conn) do(ctx context.Context, op string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mailbox: %s: %w", op, context.Cause(ctx))
	}
	opCtx, cancel := context.WithTimeout(ctx, c.cfg.CommandTimeout)
	defer cancel()
	stop := context.AfterFunc(opCtx, func() { c.cl.Close() })
	err := f()
	stop()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("mailbox: %s: %w", op, context.Cause(ctx))
	}
	if opCtx.Err() != nil {
		return temporary(op, fmt.Errorf("no answer within %v: %w", c.cfg.CommandTimeout, os.ErrDeadlineExceeded))
	}
	return classify(nil, op, err)
}

func (c *Conn) signal() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *Conn) drain() {
	select {
	case <-c.notify:
	default:
	}
}

// Capabilities returns what the server announced after login.
func (c *Conn) Capabilities() Capabilities { return c.caps }

// UIDValidity is the selected mailbox's UIDVALIDITY at select time. When it
// differs from the value the caller stored, UIDs it stored are void.
func (c *Conn) UIDValidity() uint32 { return c.uidValidity }

// UIDNext is the selected mailbox's UIDNEXT at select time (0 if the
// server did not say).
func (c *Conn) UIDNext() uint32 { return c.uidNext }

// Closed is closed when the connection has ended for any reason.
func (c *Conn) Closed() <-chan struct{} { return c.cl.Closed() }

// Close logs out (briefly, best effort) and closes the connection.
func (c *Conn) Close() error {
	select {
	case <-c.cl.Closed():
		return nil
	default:
	}
	done := make(chan struct{})
	go func() {
		c.cl.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return c.cl.Close()
}

// FetchSince returns the messages with a UID above lastUID, in UID order,
// at most cfg.FetchBatch of them (call again until it returns none). It
// fetches BODY.PEEK[] so \Seen is never set, and takes messages already
// read by someone else just the same. A message larger than maxBytes
// (<= 0: no limit) comes back Truncated with its first maxBytes bytes.
func (c *Conn) FetchSince(ctx context.Context, lastUID uint32, maxBytes int64) ([]Message, error) {
	var metas []*imapclient.FetchMessageBuffer
	err := c.do(ctx, "fetch", func() error {
		// A server answers from the view the session has: a NOOP first
		// makes Dovecot report messages delivered since (EXISTS).
		if err := c.cl.Noop().Wait(); err != nil {
			return err
		}
		set := imap.UIDSet{imap.UIDRange{Start: imap.UID(lastUID + 1), Stop: 0}}
		var err error
		metas, err = c.cl.Fetch(set, &imap.FetchOptions{
			UID: true, RFC822Size: true, InternalDate: true,
		}).Collect()
		return err
	})
	if err != nil {
		return nil, err
	}
	// "n:*" always includes the last message, even when its UID is below n.
	var msgs []Message
	for _, m := range metas {
		if uint32(m.UID) > lastUID {
			msgs = append(msgs, Message{UID: uint32(m.UID), InternalDate: m.InternalDate, Size: m.RFC822Size})
		}
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].UID < msgs[j].UID })
	var total int64
	for i := range msgs {
		sz := msgs[i].Size
		if maxBytes > 0 && sz > maxBytes {
			sz = maxBytes
		}
		if i >= c.cfg.FetchBatch || (i > 0 && total+sz > c.cfg.FetchBatchBytes) {
			msgs = msgs[:i]
			break
		}
		total += sz
	}
	if len(msgs) == 0 {
		return nil, nil
	}

	var whole, partial imap.UIDSet
	for i := range msgs {
		if maxBytes > 0 && msgs[i].Size > maxBytes {
			partial.AddNum(imap.UID(msgs[i].UID))
		} else {
			whole.AddNum(imap.UID(msgs[i].UID))
		}
	}
	bodies := map[uint32][]byte{}
	fetch := func(set imap.UIDSet, section *imap.FetchItemBodySection) error {
		return c.do(ctx, "fetch", func() error {
			// Streamed rather than Collect()ed: each body is read into a
			// buffer of its literal's size instead of a growing one.
			cmd := c.cl.Fetch(set, &imap.FetchOptions{
				UID: true, BodySection: []*imap.FetchItemBodySection{section},
			})
			for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
				var uid imap.UID
				var data []byte
				for item := msg.Next(); item != nil; item = msg.Next() {
					switch it := item.(type) {
					case imapclient.FetchItemDataUID:
						uid = it.UID
					case imapclient.FetchItemDataBodySection:
						if data != nil || it.Literal == nil || !sameSection(section, it.Section) {
							continue
						}
						b, err := readLiteral(it.Literal)
						if err != nil {
							cmd.Close()
							return err
						}
						data = b
					}
				}
				if data != nil {
					bodies[uint32(uid)] = data
				}
			}
			return cmd.Close()
		})
	}
	if len(whole) > 0 {
		if err := fetch(whole, &imap.FetchItemBodySection{Peek: true}); err != nil {
			return nil, err
		}
	}
	if len(partial) > 0 {
		sec := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: maxBytes}}
		if err := fetch(partial, sec); err != nil {
			return nil, err
		}
	}
	out := msgs[:0]
	for _, m := range msgs {
		raw, ok := bodies[m.UID]
		if !ok {
			// Expunged between the two FETCHes: it is gone, the next
			// call will not see it either.
			continue
		}
		m.Raw = raw
		m.Truncated = maxBytes > 0 && m.Size > maxBytes
		out = append(out, m)
	}
	return out, nil
}

// readLiteral reads a literal whole, into a buffer of its announced size
// (up to 64 MiB; a larger one grows as it comes, as io.ReadAll would).
func readLiteral(lit imap.LiteralReader) ([]byte, error) {
	n := lit.Size()
	if n < 0 || n > 64<<20 {
		return io.ReadAll(lit)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(lit, b); err != nil {
		return nil, err
	}
	return b, nil
}

// sameSection reports whether a body section in a FETCH response is the
// one asked for (as imapclient's FindBodySection matches them: Peek and
// the partial size are not echoed back).
func sameSection(want, got *imap.FetchItemBodySection) bool {
	if got == nil || want.Specifier != got.Specifier || len(want.Part) != len(got.Part) ||
		len(want.HeaderFields) != len(got.HeaderFields) || len(want.HeaderFieldsNot) != len(got.HeaderFieldsNot) ||
		(want.Partial == nil) != (got.Partial == nil) {
		return false
	}
	for i := range want.Part {
		if want.Part[i] != got.Part[i] {
			return false
		}
	}
	for i := range want.HeaderFields {
		if !strings.EqualFold(want.HeaderFields[i], got.HeaderFields[i]) {
			return false
		}
	}
	for i := range want.HeaderFieldsNot {
		if !strings.EqualFold(want.HeaderFieldsNot[i], got.HeaderFieldsNot[i]) {
			return false
		}
	}
	return want.Partial == nil || want.Partial.Offset == got.Partial.Offset
}

// Move moves the message with uid to folder, creating the folder when the
// server says it is missing. It is idempotent: moving a UID that is no
// longer in the mailbox succeeds and does nothing. MOVE (RFC 6851) is used
// when offered; otherwise COPY, STORE +FLAGS (\Deleted) and, with UIDPLUS,
// UID EXPUNGE of just that UID (without UIDPLUS the message stays flagged
// \Deleted: a plain EXPUNGE would remove other clients' deleted mail too).
func (c *Conn) Move(ctx context.Context, uid uint32, folder string) error {
	if folder == "" {
		return permanent("move", fmt.Errorf("%w: empty folder name", ErrConfig))
	}
	return c.do(ctx, "move", func() error {
		// Moving a UID that is gone is done already. Checking first also
		// spares servers that answer COPY of nothing with a broken COPYUID.
		set, err := c.present(imap.UIDSetNum(imap.UID(uid)))
		if err != nil || len(set) == 0 {
			return err
		}
		return c.moveSet(set, folder)
	})
}

// present returns the UIDs of set that are still in the selected mailbox.
func (c *Conn) present(set imap.UIDSet) (imap.UIDSet, error) {
	bufs, err := c.cl.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
	if err != nil {
		return nil, err
	}
	var out imap.UIDSet
	for _, b := range bufs {
		if b.UID != 0 && set.Contains(b.UID) {
			out.AddNum(b.UID)
		}
	}
	return out, nil
}

// moveSet moves the UIDs of set (all present) to folder: MOVE when
// offered, else COPY, STORE +FLAGS (\Deleted) and, with UIDPLUS, UID
// EXPUNGE of just that set. The folder is created on TRYCREATE.
func (c *Conn) moveSet(set imap.UIDSet, folder string) error {
	if c.caps.MOVE {
		return c.tryCreate(folder, func() error {
			_, err := c.cl.Move(set, folder).Wait()
			return err
		})
	}
	err := c.tryCreate(folder, func() error {
		_, err := c.cl.Copy(set, folder).Wait()
		return err
	})
	if err != nil {
		return err
	}
	err = c.cl.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	if err != nil {
		return err
	}
	if c.caps.UIDPLUS {
		return c.cl.UIDExpunge(set).Close()
	}
	return nil
}

// tryCreate runs f and, when the server answers [TRYCREATE], creates
// folder (an ALREADYEXISTS from a concurrent creator is fine) and runs f
// once more.
func (c *Conn) tryCreate(folder string, f func() error) error {
	err := f()
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code == imap.ResponseCodeTryCreate {
		cerr := c.cl.Create(folder, nil).Wait()
		if cerr != nil && !(errors.As(cerr, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
			return cerr
		}
		err = f()
	}
	return err
}

// MaxIdle is the longest an IDLE command is kept open: RFC 2177 servers may
// drop an IDLE client after 30 minutes, so it is restarted before 29.
const MaxIdle = 29 * time.Minute

// WaitForNew blocks until new mail may be in the mailbox, then returns nil:
// after an EXISTS notification during IDLE (RFC 2177), or when idleRestart
// (capped at MaxIdle; 0 means MaxIdle) has passed and the IDLE was ended,
// or, when the server lacks IDLE, after poll (0 means 1 minute) and a NOOP.
// The caller then calls FetchSince; a spurious wake-up costs one FETCH.
// It returns the context's error when ctx ends (the connection is closed),
// and a temporary error when the connection breaks.
func (c *Conn) WaitForNew(ctx context.Context, idleRestart, poll time.Duration) error {
	if idleRestart <= 0 || idleRestart > MaxIdle {
		idleRestart = MaxIdle
	}
	if poll <= 0 {
		poll = time.Minute
	}
	select {
	case <-c.notify:
		return nil
	default:
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mailbox: idle: %w", context.Cause(ctx))
	}
	if !c.caps.IDLE {
		t := time.NewTimer(poll)
		defer t.Stop()
		select {
		case <-ctx.Done():
			c.cl.Close()
			return fmt.Errorf("mailbox: poll: %w", context.Cause(ctx))
		case <-c.cl.Closed():
			return temporary("poll", errors.New("connection closed"))
		case <-c.notify:
			return nil
		case <-t.C:
		}
		return c.do(ctx, "poll", func() error { return c.cl.Noop().Wait() })
	}

	var idle *imapclient.IdleCommand
	err := c.do(ctx, "idle", func() error {
		var err error
		idle, err = c.cl.Idle()
		return err
	})
	if err != nil {
		return err
	}
	t := time.NewTimer(idleRestart)
	defer t.Stop()
	var woke error
	select {
	case <-ctx.Done():
		c.cl.Close()
		return fmt.Errorf("mailbox: idle: %w", context.Cause(ctx))
	case <-c.cl.Closed():
		err := idle.Wait()
		if err == nil {
			err = errors.New("connection closed")
		}
		return classify(nil, "idle", err)
	case <-c.notify:
	case <-t.C:
	}
	return c.do(ctx, "idle", func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		woke = idle.Wait()
		return woke
	})
}
