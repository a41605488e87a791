package revocation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
)

// Fetcher gets revocation data and certificates from the network. It is the
// I/O seam of this package: tests use an in-process server.
type Fetcher interface {
	// OCSP asks the responder named in cert's AIA about cert.
	OCSP(ctx context.Context, cert, issuer *pki.Certificate) ([]byte, error)
	// CRL downloads the CRL at url.
	CRL(ctx context.Context, url string) ([]byte, error)
	// Certificate downloads a certificate (AIA caIssuers) at url.
	Certificate(ctx context.Context, url string) ([]byte, error)
}

// HTTPFetcher is a Fetcher over HTTP(S) with a bounded in-memory cache and
// an optional on-disk cache. The zero value works (no caching without Now).
type HTTPFetcher struct {
	// Client is the HTTP client; nil means a client without cookies and
	// with the default transport.
	Client *http.Client
	// Timeout bounds each request; default 10 s.
	Timeout time.Duration
	// MaxOCSPSize, MaxCRLSize and MaxCertSize bound response bodies;
	// defaults MaxOCSPSize, MaxCRLSize and 64 KiB.
	MaxOCSPSize, MaxCRLSize, MaxCertSize int64
	// Now is the clock for cache expiry. Nothing in signature/ reads the
	// system clock: with Now nil, nothing is cached.
	Now func() time.Time
	// MaxEntries bounds the in-memory cache; default 1024.
	MaxEntries int
	// CacheDir, when set, keeps answers on disk (one file per request)
	// across restarts; they are used while the clock is before their
	// nextUpdate.
	CacheDir string

	mu    sync.Mutex
	cache map[string]cacheEntry
	stats struct {
		requests, cacheHits, diskHits, errors, bytes atomic.Int64
	}
}

type cacheEntry struct {
	body    []byte
	expires time.Time
}

// FetchStats are an HTTPFetcher's counters.
type FetchStats struct {
	Requests, CacheHits, DiskHits, Errors, Bytes int64
}

// Stats returns the counters so far.
func (f *HTTPFetcher) Stats() FetchStats {
	return FetchStats{
		Requests: f.stats.requests.Load(), CacheHits: f.stats.cacheHits.Load(), DiskHits: f.stats.diskHits.Load(),
		Errors: f.stats.errors.Load(), Bytes: f.stats.bytes.Load(),
	}
}

// HTTPError is a non-200 HTTP answer. 5xx and 429 match ErrUnavailable.
type HTTPError struct {
	URL        string
	StatusCode int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("revocation: %s: HTTP %d", e.URL, e.StatusCode)
}

// Is makes server errors temporary.
func (e *HTTPError) Is(target error) bool {
	return target == ErrUnavailable && (e.StatusCode >= 500 || e.StatusCode == 429 || e.StatusCode == 408)
}

// OCSP POSTs an OCSPRequest (RFC 6960 Appendix A.1) to each http(s) OCSP URL
// of cert in turn, falling back to GET when the POST is refused with a 4xx.
func (f *HTTPFetcher) OCSP(ctx context.Context, cert, issuer *pki.Certificate) ([]byte, error) {
	req, err := NewOCSPRequest(cert, issuer)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, u := range cert.OCSPServer {
		if !httpURL(u) {
			continue
		}
		key := "ocsp\x00" + u + "\x00" + string(req)
		if b := f.cached(key); b != nil {
			return b, nil
		}
		b, err := f.do(ctx, http.MethodPost, u, req, f.maxOCSP())
		var he *HTTPError
		if errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500 {
			get := strings.TrimSuffix(u, "/") + "/" + url.QueryEscape(base64.StdEncoding.EncodeToString(req))
			b, err = f.do(ctx, http.MethodGet, get, nil, f.maxOCSP())
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// Cache only answers that verify (with the certificates they
		// carry), so a forged or broken answer cannot stick until the
		// nextUpdate it claims.
		if r, verr := CheckOCSP(b, cert, issuer, nil); verr == nil {
			f.store(key, b, r.NextUpdate)
		}
		return b, nil
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("%w: no http(s) OCSP URL in %q", ErrUnavailable, cert.SubjectString())
	}
	return nil, errors.Join(errs...)
}

// CRL GETs the CRL at u.
func (f *HTTPFetcher) CRL(ctx context.Context, u string) ([]byte, error) {
	if !httpURL(u) {
		return nil, fmt.Errorf("%w: unsupported CRL URL %q", ErrUnsupported, u)
	}
	key := "crl\x00" + u
	if b := f.cached(key); b != nil {
		return b, nil
	}
	b, err := f.do(ctx, http.MethodGet, u, nil, f.maxCRL())
	if err != nil {
		return nil, err
	}
	f.store(key, b, crlNextUpdate(b))
	return b, nil
}

// Certificate GETs a certificate at u (not cached: path building caches
// per call).
func (f *HTTPFetcher) Certificate(ctx context.Context, u string) ([]byte, error) {
	if !httpURL(u) {
		return nil, fmt.Errorf("%w: unsupported URL %q", ErrUnsupported, u)
	}
	max := f.MaxCertSize
	if max <= 0 {
		max = 64 << 10
	}
	return f.do(ctx, http.MethodGet, u, nil, max)
}

func httpURL(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

func (f *HTTPFetcher) maxOCSP() int64 {
	if f.MaxOCSPSize > 0 {
		return f.MaxOCSPSize
	}
	return MaxOCSPSize
}

func (f *HTTPFetcher) maxCRL() int64 {
	if f.MaxCRLSize > 0 {
		return f.MaxCRLSize
	}
	return MaxCRLSize
}

func (f *HTTPFetcher) do(ctx context.Context, method, u string, body []byte, max int64) ([]byte, error) {
	f.stats.requests.Add(1)
	b, err := f.doOnce(ctx, method, u, body, max)
	if err != nil {
		f.stats.errors.Add(1)
	}
	return b, err
}

func (f *HTTPFetcher) doOnce(ctx context.Context, method, u string, body []byte, max int64) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("revocation: %s: %w", u, err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/ocsp-request")
	}
	client := f.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, temporary(fmt.Errorf("revocation: %s %s: %w", method, u, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, &HTTPError{URL: u, StatusCode: resp.StatusCode}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, temporary(fmt.Errorf("revocation: reading %s: %w", u, err))
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %s: response larger than %d bytes", ErrMalformed, u, max)
	}
	f.stats.bytes.Add(int64(len(b)))
	return b, nil
}

func (f *HTTPFetcher) cached(key string) []byte {
	if f.Now == nil {
		return nil
	}
	now := f.Now()
	f.mu.Lock()
	e, ok := f.cache[key]
	f.mu.Unlock()
	if ok && now.Before(e.expires) {
		f.stats.cacheHits.Add(1)
		return bytes.Clone(e.body) // callers keep Result.Raw; the cache keeps its own copy
	}
	if f.CacheDir == "" {
		return nil
	}
	b, err := os.ReadFile(f.diskPath(key))
	if err != nil || len(b) < 8 {
		return nil
	}
	exp := time.Unix(int64(beUint64(b[:8])), 0)
	if !now.Before(exp) {
		return nil
	}
	f.stats.diskHits.Add(1)
	f.memStore(key, b[8:], exp, now)
	return b[8:]
}

// store caches body until next (answers without nextUpdate are not cached).
func (f *HTTPFetcher) store(key string, body []byte, next time.Time) {
	if f.Now == nil || next.IsZero() {
		return
	}
	now := f.Now()
	if !now.Before(next) {
		return
	}
	f.memStore(key, body, next, now)
	if f.CacheDir != "" {
		f.diskStore(key, body, next)
	}
}

func (f *HTTPFetcher) memStore(key string, body []byte, exp, now time.Time) {
	max := f.MaxEntries
	if max <= 0 {
		max = 1024
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cache == nil {
		f.cache = map[string]cacheEntry{}
	}
	if len(f.cache) >= max {
		for k, e := range f.cache {
			if !now.Before(e.expires) {
				delete(f.cache, k)
			}
		}
	}
	for len(f.cache) >= max {
		var oldest string
		var t time.Time
		for k, e := range f.cache {
			if oldest == "" || e.expires.Before(t) {
				oldest, t = k, e.expires
			}
		}
		delete(f.cache, oldest)
	}
	f.cache[key] = cacheEntry{body: bytes.Clone(body), expires: exp}
}

// diskStore writes one cache file atomically (a unique temporary file
// renamed into place). Failures only cost a later download.
func (f *HTTPFetcher) diskStore(key string, body []byte, next time.Time) {
	if err := os.MkdirAll(f.CacheDir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(f.CacheDir, ".tmp-*")
	if err != nil {
		return
	}
	hdr := make([]byte, 8)
	putBeUint64(hdr, uint64(next.Unix()))
	_, werr := tmp.Write(append(hdr, body...))
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), f.diskPath(key)); err != nil {
		os.Remove(tmp.Name())
	}
}

func (f *HTTPFetcher) diskPath(key string) string {
	h := sha256.Sum256([]byte(key))
	return filepath.Join(f.CacheDir, hex.EncodeToString(h[:])+".bin")
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

func putBeUint64(b []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}
