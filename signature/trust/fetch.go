package trust

import (
	"context"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
)

type cacheMeta struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

type fetcher struct {
	client *http.Client
	cache  string
}

func newFetcher(o LoadOptions) *fetcher {
	c := o.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 2 * time.Minute}
	}
	return &fetcher{client: c, cache: o.CacheDir}
}

// get fetches url with a conditional GET against the cached copy. On a
// network error or a non-200/304 answer the cached copy is used, with a
// warning; without a cached copy the list is reported as fetch-failed.
func (f *fetcher) get(ctx context.Context, url string) *loadedList {
	l := &loadedList{source: url, url: url}
	var cached []byte
	var meta cacheMeta
	if f.cache != "" {
		base := cacheName(f.cache, url)
		if b, err := os.ReadFile(base + ".xml"); err == nil {
			cached = b
			if mb, err := os.ReadFile(base + ".json"); err == nil {
				_ = json.Unmarshal(mb, &meta)
			}
		}
	}
	data, newMeta, err := f.fetch(ctx, url, cached != nil, meta)
	switch {
	case err != nil && cached != nil:
		l.warnings = append(l.warnings, fmt.Sprintf("fetch failed (%v); using the cached copy", err))
		data, newMeta = cached, meta
	case err != nil:
		l.status, l.err = StatusFetchFailed, fmt.Errorf("%w: %s: %w", ErrFetch, url, err)
		return l
	case data == nil: // 304 Not Modified
		data, newMeta = cached, meta
	default:
		l.fallback = cached
	}
	l.raw, l.meta = data, newMeta
	parseInto(l, data)
	if l.list == nil && cached != nil && l.fallback != nil {
		// The new copy does not even parse: keep the last good one.
		warn := fmt.Sprintf("the downloaded copy is unusable (%v); using the cached copy", l.err)
		nl := &loadedList{source: url, url: url, raw: cached, meta: meta}
		parseInto(nl, cached)
		nl.warnings = append(nl.warnings, warn)
		*l = *nl
	}
	return l
}

func (f *fetcher) fetch(ctx context.Context, url string, conditional bool, meta cacheMeta) ([]byte, cacheMeta, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, meta, err
	}
	if conditional {
		if meta.ETag != "" {
			req.Header.Set("If-None-Match", meta.ETag)
		}
		if meta.LastModified != "" {
			req.Header.Set("If-Modified-Since", meta.LastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, meta, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		return nil, meta, nil
	case resp.StatusCode != http.StatusOK:
		return nil, meta, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxListSize+1))
	if err != nil {
		return nil, meta, err
	}
	if len(b) > MaxListSize {
		return nil, meta, fmt.Errorf("list larger than %d bytes", MaxListSize)
	}
	return b, cacheMeta{URL: url, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

// store keeps a verified list as the last good copy (written atomically).
func (f *fetcher) store(l *loadedList) {
	if l.raw == nil {
		return
	}
	if err := os.MkdirAll(f.cache, 0o755); err != nil {
		l.warnings = append(l.warnings, "cache: "+err.Error())
		return
	}
	base := cacheName(f.cache, l.url)
	mb, _ := json.Marshal(l.meta)
	for _, w := range []struct {
		path string
		b    []byte
	}{{base + ".xml", l.raw}, {base + ".json", mb}} {
		tmp := w.path + ".tmp"
		if err := os.WriteFile(tmp, w.b, 0o644); err != nil {
			l.warnings = append(l.warnings, "cache: "+err.Error())
			return
		}
		if err := os.Rename(tmp, w.path); err != nil {
			l.warnings = append(l.warnings, "cache: "+err.Error())
			return
		}
	}
}

// skiOf returns the certificate's subject key identifier, or the SHA-1 of
// its subjectPublicKey (RFC 5280 §4.2.1.2 method 1) when it has none.
func skiOf(c *pki.Certificate) []byte {
	if len(c.SubjectKeyId) > 0 {
		return c.SubjectKeyId
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	h := sha1.Sum(spki.PublicKey.Bytes)
	return h[:]
}
