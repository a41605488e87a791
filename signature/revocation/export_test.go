package revocation

import (
	"encoding/asn1"
	"math/big"
	"time"
)

// CacheLen is the number of in-memory cache entries, for tests.
func (f *HTTPFetcher) CacheLen() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cache)
}

// CRLEntry exposes the in-place entry lookup for the differential test.
func CRLEntry(der []byte, serial *big.Int) (found bool, at time.Time, reason int, err error) {
	var outer crlASN1
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 {
		return false, time.Time{}, 0, ErrMalformed
	}
	t, err := parseCRLTBS(outer.TBS.FullBytes)
	if err != nil {
		return false, time.Time{}, 0, err
	}
	e, err := findEntry(t.revoked, serial)
	if err != nil || e == nil {
		return false, time.Time{}, 0, err
	}
	return true, e.revokedAt, e.reason, nil
}
