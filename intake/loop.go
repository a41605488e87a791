package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// Source is the IMAP side of a mailbox loop: *mailbox.Conn implements it.
type Source interface {
	UIDValidity() uint32
	FetchSince(ctx context.Context, lastUID uint32, maxBytes int64) ([]mailbox.Message, error)
	Move(ctx context.Context, uid uint32, folder string) error
	MoveMany(ctx context.Context, uids []uint32, folder string) error
	WaitForNew(ctx context.Context, idleRestart, poll time.Duration) error
	Close() error
}

// DialFunc opens a Source for a mailbox.
type DialFunc func(ctx context.Context, cfg mailbox.IMAPConfig) (Source, error)

// DialIMAP dials with mailbox.Dial.
func DialIMAP(ctx context.Context, cfg mailbox.IMAPConfig) (Source, error) {
	c, err := mailbox.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Loop works one mailbox: a supervised session that reconnects with backoff
// and jitter until its context ends.
type Loop struct {
	P       *Processor
	Mailbox *Mailbox
	Owner   string // lease owner: this daemon's name
	Dial    DialFunc
	Log     *slog.Logger

	PollInterval  time.Duration
	IdleRestart   time.Duration
	ReconnectMax  time.Duration
	LeaseTTL      time.Duration
	FetchMaxBytes int64
	// Kick is called after outcomes were recorded (to wake the outbox).
	Kick func()
	// OnIdle is called each time the loop has caught up and is about to
	// wait for new mail (tests and the demo use it).
	OnIdle func()

	ready atomic.Bool
}

// Ready reports whether the loop has a working session.
func (lp *Loop) Ready() bool { return lp.ready.Load() }

var errLeaseHeld = errors.New("intake: mailbox lease held by another daemon")

// Run runs sessions until ctx ends.
func (lp *Loop) Run(ctx context.Context) {
	if lp.Dial == nil {
		lp.Dial = DialIMAP
	}
	if lp.PollInterval <= 0 {
		lp.PollInterval = time.Minute
	}
	if lp.ReconnectMax <= 0 {
		lp.ReconnectMax = 5 * time.Minute
	}
	if lp.LeaseTTL <= 0 {
		lp.LeaseTTL = 2 * time.Minute
	}
	log := lp.Log.With("mailbox", lp.Mailbox.Name)
	backoff := time.Second
	for ctx.Err() == nil {
		start := time.Now()
		err := lp.session(ctx, log)
		lp.ready.Store(false)
		if ctx.Err() != nil {
			break
		}
		if time.Since(start) > time.Minute {
			backoff = time.Second
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		if errors.Is(err, errLeaseHeld) {
			wait = lp.LeaseTTL / 2
			log.Info("mailbox worked by another daemon; waiting", "retry_in", wait)
		} else {
			lp.P.Metrics.Reconnects.Add(1)
			log.Warn("mailbox session ended", "err", err, "retry_in", wait)
			backoff = min(backoff*2, lp.ReconnectMax)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	_ = lp.P.Store.ReleaseLease(context.WithoutCancel(ctx), lp.Mailbox.Name, lp.Owner)
}

func (lp *Loop) session(ctx context.Context, log *slog.Logger) error {
	st := lp.P.Store
	name := lp.Mailbox.Name
	if _, err := st.AcquireLease(ctx, name, lp.Owner, lp.LeaseTTL); err != nil {
		if errors.Is(err, store.ErrLeaseHeld) {
			return errLeaseHeld
		}
		return fmt.Errorf("lease: %w", err)
	}
	src, err := lp.Dial(ctx, lp.Mailbox.IMAP)
	if err != nil {
		return err
	}
	defer src.Close()
	ms, changed, err := st.SyncUIDValidity(ctx, name, src.UIDValidity())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if changed {
		log.Warn("UIDVALIDITY changed: resynchronising", "uidvalidity", src.UIDValidity())
	}
	last := ms.LastUID
	skip := map[int64]bool{} // letters whose move failed permanently in this session
	dctx, stopDecider := context.WithCancel(ctx)
	dec := newDecider(lp)
	var dwg sync.WaitGroup
	dwg.Add(1)
	go func() { defer dwg.Done(); dec.run(dctx) }()
	defer func() { stopDecider(); dwg.Wait() }()
	lp.ready.Store(true)
	log.Info("mailbox session started", "uidvalidity", src.UIDValidity(), "last_uid", last)
	for {
		if err := st.RenewLease(ctx, name, lp.Owner, lp.LeaseTTL); err != nil {
			if errors.Is(err, store.ErrLeaseHeld) {
				return errLeaseHeld
			}
			return fmt.Errorf("lease: %w", err)
		}
		// Fetch batch by batch and store each durably before anything else
		// happens to it; the decider validates and records what was stored
		// meanwhile (its own goroutine: IMAP and database I/O overlap with
		// validation), and what it decided is moved between fetches.
		for {
			msgs, err := src.FetchSince(ctx, last, lp.FetchMaxBytes)
			if err != nil {
				return err
			}
			if len(msgs) > 0 {
				ins := make([]store.RawLetter, len(msgs))
				for i, m := range msgs {
					ins[i] = store.RawLetter{Mailbox: name, UIDValidity: src.UIDValidity(), UID: m.UID, ReceivedAt: m.InternalDate, Raw: m.Raw}
					fillListing(&ins[i])
				}
				saved, err := st.SaveRawLetters(ctx, ins)
				if err != nil {
					return fmt.Errorf("store: %w", err)
				}
				fresh := make(map[int64][]byte, len(saved))
				for i, sv := range saved {
					if sv.Created { // the bytes just committed under sv.SHA256
						fresh[sv.ID] = ins[i].Raw
					}
				}
				dec.add(fresh)
				lp.P.Metrics.Fetched.Add(int64(len(msgs)))
				for _, m := range msgs {
					last = max(last, m.UID)
				}
			}
			dec.poke()
			if len(msgs) == 0 || dec.backlog() > 256 {
				// Caught up with the server, or too far ahead of the
				// decider: wait for it (bounded memory).
				if err := dec.wait(ctx); err != nil {
					return err
				}
			}
			if err := lp.moveDecided(ctx, src, log, skip); err != nil {
				return err
			}
			if len(msgs) == 0 {
				break
			}
		}
		_ = st.RecordPoll(ctx, name)
		if lp.OnIdle != nil {
			lp.OnIdle()
		}
		// 4. Wait for new mail, or for postponed letters to come due.
		idle := lp.IdleRestart
		if idle <= 0 || idle > mailbox.MaxIdle {
			idle = mailbox.MaxIdle
		}
		idle = min(idle, lp.P.Settings.RetryInterval)
		if err := src.WaitForNew(ctx, idle, min(lp.PollInterval, idle)); err != nil {
			return err
		}
	}
}

// decider decides a mailbox's pending letters in its own goroutine while
// the session fetches and moves.
type decider struct {
	lp     *Loop
	mu     sync.Mutex
	fresh  map[int64][]byte // bytes just stored, by letter id
	want   atomic.Uint64    // pokes so far
	done   atomic.Uint64    // pokes fully processed
	kick   chan struct{}
	caught chan struct{}
	errc   chan error
}

func newDecider(lp *Loop) *decider {
	return &decider{lp: lp, fresh: map[int64][]byte{}, kick: make(chan struct{}, 1), caught: make(chan struct{}, 1), errc: make(chan error, 1)}
}

func (d *decider) add(m map[int64][]byte) {
	d.mu.Lock()
	for k, v := range m {
		d.fresh[k] = v
	}
	d.mu.Unlock()
}

func (d *decider) take(id int64) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.fresh[id]
	delete(d.fresh, id)
	return b
}

func (d *decider) backlog() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.fresh)
}

// poke asks for a pass over the due letters.
func (d *decider) poke() {
	d.want.Add(1)
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// wait returns once every poke so far has been processed, or the decider
// failed (store unreachable).
func (d *decider) wait(ctx context.Context) error {
	target := d.want.Load()
	for d.done.Load() < target {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-d.errc:
			return err
		case <-d.caught:
		}
	}
	return nil
}

func (d *decider) run(ctx context.Context) {
	name := d.lp.Mailbox.Name
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
		}
		target := d.want.Load()
		for {
			n, err := d.lp.P.processPending(ctx, name, 64, d.take)
			if err != nil {
				if ctx.Err() == nil {
					select {
					case d.errc <- fmt.Errorf("store: %w", err):
					default:
					}
				}
				return
			}
			if n > 0 && d.lp.Kick != nil {
				d.lp.Kick()
			}
			if n < 64 {
				break
			}
		}
		d.mu.Lock()
		if len(d.fresh) > 0 && d.want.Load() == target {
			// Bytes of letters no longer pending (decided by another
			// daemon, or duplicates): not needed.
			clear(d.fresh)
		}
		d.mu.Unlock()
		d.done.Store(target)
		select {
		case d.caught <- struct{}{}:
		default:
		}
	}
}

// moveDecided moves decided letters to their folders: a batch's letters
// grouped by folder, one MoveMany (one UID MOVE) per folder. A temporary
// failure ends the session (the move is retried after reconnecting); a
// permanent one (e.g. a folder name the server refuses) is retried letter
// by letter, and a letter that still fails is logged and left in the inbox
// until the next session, without blocking the others. The moves of a
// batch are recorded together in one commit (and before the session ends
// on an error): a letter moved on the server but not yet recorded is
// simply moved again later, which finds it gone and is done.
func (lp *Loop) moveDecided(ctx context.Context, src Source, log *slog.Logger, skip map[int64]bool) error {
	st := lp.P.Store
	for {
		ls, err := st.LettersToMove(ctx, lp.Mailbox.Name, 200+len(skip))
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		var done []store.MovedLetter
		record := func() error {
			if len(done) == 0 {
				return nil
			}
			if err := st.MarkMovedAll(ctx, done); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			lp.P.Metrics.Moved.Add(int64(len(done)))
			return nil
		}
		var folders []string // in order of first appearance
		groups := map[string][]store.Letter{}
		for _, l := range ls {
			if skip[l.ID] {
				continue
			}
			folder := lp.Mailbox.Folder(l.Outcome)
			if l.UIDValidity != src.UIDValidity() {
				// The UID is void; the message is no longer in this folder.
				done = append(done, store.MovedLetter{LetterID: l.ID, Folder: folder})
				continue
			}
			if _, ok := groups[folder]; !ok {
				folders = append(folders, folder)
			}
			groups[folder] = append(groups[folder], l)
		}
		for _, folder := range folders {
			g := groups[folder]
			uids := make([]uint32, len(g))
			for i, l := range g {
				uids[i] = l.UID
			}
			err := src.MoveMany(ctx, uids, folder)
			if err != nil && errors.Is(err, mailbox.ErrPermanent) {
				lp.P.Metrics.MoveErrors.Add(1)
				log.Warn("cannot move letters together; moving them one by one", "count", len(g), "folder", folder, "err", err)
				err = nil
				for _, l := range g {
					if merr := src.Move(ctx, l.UID, folder); merr != nil {
						lp.P.Metrics.MoveErrors.Add(1)
						if errors.Is(merr, mailbox.ErrPermanent) {
							log.Error("cannot move letter; it stays in the inbox", "letter", l.ID, "uid", l.UID, "folder", folder, "err", merr)
							skip[l.ID] = true
							continue
						}
						err = merr
						break
					}
					done = append(done, store.MovedLetter{LetterID: l.ID, Folder: folder})
				}
			} else if err == nil {
				for _, l := range g {
					done = append(done, store.MovedLetter{LetterID: l.ID, Folder: folder})
				}
			} else {
				lp.P.Metrics.MoveErrors.Add(1)
			}
			if err != nil {
				if rerr := record(); rerr != nil {
					log.Warn("moves not recorded; they are done again", "count", len(done), "err", rerr)
				}
				return err // the session restarts; the move is retried
			}
		}
		if len(done) == 0 {
			return nil
		}
		if err := record(); err != nil {
			return err
		}
	}
}

// fillListing sets the listing columns from the header (best effort; the
// full parse happens later).
func fillListing(r *store.RawLetter) {
	hdr := r.Raw
	if i := indexHeaderEnd(hdr); i >= 0 {
		hdr = hdr[:i]
	} else if len(hdr) > 64<<10 {
		hdr = hdr[:64<<10]
	}
	l := mailbox.Parse(hdr, mailbox.Limits{MaxMessageBytes: 256 << 10})
	r.MessageID = truncate(l.MessageID, 500)
	r.Subject = truncate(l.Subject, 500)
	if len(l.From) > 0 {
		r.From = truncate(l.From[0].String(), 500)
	}
}

func indexHeaderEnd(b []byte) int {
	for i := 0; i+1 < len(b) && i < 256<<10; i++ {
		if b[i] == '\n' && (b[i+1] == '\n' || (b[i+1] == '\r' && i+2 < len(b) && b[i+2] == '\n')) {
			return i + 1
		}
	}
	return -1
}
