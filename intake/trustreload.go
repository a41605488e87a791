package intake

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/trust"
)

// trustReloadEvery is how often the trusted lists are read again from their
// files: a list is only ever judged fresh at the time it was loaded, so a
// long-running daemon must reload to notice a NextUpdate passing, and to
// pick up the lists `sigintake trust refresh` fetched in the meantime.
const trustReloadEvery = time.Hour

// trustReloader gives the signature options with trusted lists reloaded
// from the configured files at most once per trustReloadEvery. A reload
// that fails keeps the options loaded before and logs why.
type trustReloader struct {
	cfg  config.Trust
	log  *slog.Logger
	now  func() time.Time
	load func(ctx context.Context, t config.Trust) (signature.Options, error)

	mu       sync.Mutex
	opts     signature.Options
	loadedAt time.Time
}

func newTrustReloader(ctx context.Context, cfg config.Trust, log *slog.Logger, now func() time.Time) (*trustReloader, error) {
	if now == nil {
		now = time.Now
	}
	r := &trustReloader{cfg: cfg, log: log, now: now, load: TrustOptions}
	o, err := r.load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	r.opts, r.loadedAt = o, now()
	return r, nil
}

// Options returns the current signature options, reloading the trusted
// lists when they are older than trustReloadEvery.
func (r *trustReloader) Options() signature.Options {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cfg.TrustedLists) > 0 && r.now().Sub(r.loadedAt) >= trustReloadEvery {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		o, err := r.load(ctx, r.cfg)
		cancel()
		if err != nil {
			r.log.Error("reloading the trusted lists failed; keeping the lists loaded before", "err", err)
		} else {
			r.opts = o
		}
		r.loadedAt = r.now()
	}
	return r.opts
}

// Summaries describe the loaded trusted lists (nil without lists).
func (r *trustReloader) Summaries() []trust.ListSummary {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ls, ok := r.opts.Trust.(*trust.Lists); ok {
		return ls.Summaries()
	}
	return nil
}
