package algo

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"sort"
	"time"
)

// KeyExpiry says that keys of at least Size bits (and below the next entry)
// are acceptable up to and including the day Until.
type KeyExpiry struct {
	Size  int
	Until time.Time
}

// Policy is a date-based cryptographic policy. The zero value accepts
// nothing; use DefaultPolicy. Maps are keyed by DSS algorithm names:
// "RSA" (also used for RSASSA-PSS keys, as DSS does), "ECDSA",
// "PLAIN-ECDSA", "Ed25519".
type Policy struct {
	// Digests lists the acceptable digests and the last day each may be used.
	Digests map[crypto.Hash]time.Time
	// MinKeySize is the smallest acceptable key per algorithm
	// (DSS MiniPublicKeySize); an algorithm absent here is not acceptable.
	MinKeySize map[string]int
	// Keys lists expiry dates by key size per algorithm (DSS
	// AlgoExpirationDate with Size); a key smaller than every entry has
	// no expiry entry and is governed by MinKeySize alone.
	Keys map[string][]KeyExpiry
	// UpdateDate: an expiry later than this day is only a warning
	// (DSS UpdateDate/LevelAfterUpdate="WARN"). Zero enforces every date.
	UpdateDate time.Time
}

func endOfYear(y int) time.Time { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC) }

// DefaultPolicy returns the DSS default cryptographic constraints (see the
// package documentation for the table and its source).
func DefaultPolicy() *Policy {
	y := endOfYear
	ecdsa := []KeyExpiry{{160, y(2013)}, {192, y(2013)}, {224, y(2016)}, {256, y(2029)}, {384, y(2029)}, {512, y(2029)}}
	return &Policy{
		Digests: map[crypto.Hash]time.Time{
			crypto.MD5:      y(2005),
			crypto.SHA1:     y(2009),
			crypto.SHA224:   y(2026),
			crypto.SHA256:   y(2029),
			crypto.SHA384:   y(2029),
			crypto.SHA512:   y(2029),
			crypto.SHA3_256: y(2029),
			crypto.SHA3_384: y(2029),
			crypto.SHA3_512: y(2029),
		},
		MinKeySize: map[string]int{"RSA": 1024, "ECDSA": 160, "PLAIN-ECDSA": 160},
		Keys: map[string][]KeyExpiry{
			"RSA":         {{1024, y(2009)}, {1536, y(2016)}, {1900, y(2026)}, {3000, y(2029)}},
			"ECDSA":       ecdsa,
			"PLAIN-ECDSA": ecdsa,
		},
		UpdateDate: y(2022),
	}
}

func policyAlgName(s Signature) string {
	switch s.Key {
	case RSA, RSAPSS:
		return "RSA"
	case ECDSA:
		if s.PlainECDSA {
			return "PLAIN-ECDSA"
		}
		return "ECDSA"
	case Ed25519:
		return "Ed25519"
	}
	return s.Key.String()
}

// check returns every constraint violated at time at, warnings included.
func (p *Policy) check(s Signature, pub crypto.PublicKey, at time.Time) []*ConstraintError {
	var out []*ConstraintError
	out = append(out, p.checkDigest(s.Hash, at)...)
	if s.PSS != nil && s.PSS.MGFHash != s.Hash {
		out = append(out, p.checkDigest(s.PSS.MGFHash, at)...)
	}
	name := policyAlgName(s)
	size := KeySize(pub)
	if !keyFits(s, pub) {
		return append(out, &ConstraintError{Algorithm: name, KeySize: size})
	}
	minSize, ok := p.MinKeySize[name]
	if !ok || size < minSize {
		return append(out, &ConstraintError{Algorithm: name, KeySize: size})
	}
	entries := append([]KeyExpiry(nil), p.Keys[name]...)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Size < entries[j].Size })
	var hit *KeyExpiry
	for i := range entries {
		if entries[i].Size <= size {
			hit = &entries[i]
		}
	}
	if hit != nil {
		out = append(out, p.expired(name, size, hit.Until, at)...)
	}
	return out
}

func keyFits(s Signature, pub crypto.PublicKey) bool {
	switch pub.(type) {
	case *rsa.PublicKey:
		return s.Key == RSA || s.Key == RSAPSS
	case ed25519.PublicKey:
		return s.Key == Ed25519
	}
	return s.Key == ECDSA && KeySize(pub) > 0
}

func (p *Policy) expired(name string, size int, until, at time.Time) []*ConstraintError {
	if at.Before(until.AddDate(0, 0, 1)) {
		return nil
	}
	e := &ConstraintError{Algorithm: name, KeySize: size, ExpiredAt: until}
	if !p.UpdateDate.IsZero() && until.After(p.UpdateDate) {
		e.Warning = true
	}
	return []*ConstraintError{e}
}

func (p *Policy) checkDigest(h crypto.Hash, at time.Time) []*ConstraintError {
	until, ok := p.Digests[h]
	if !ok {
		return []*ConstraintError{{Algorithm: hashLabel(h)}}
	}
	return p.expired(hashLabel(h), 0, until, at)
}

func hashLabel(h crypto.Hash) string {
	if h == 0 {
		return "no digest"
	}
	return h.String()
}

func firstFailure(errs []*ConstraintError) error {
	for _, e := range errs {
		if !e.Warning {
			return e
		}
	}
	return nil
}

// CheckSignature reports the first constraint that signature algorithm s
// with key pub fails at time at (the signing time, or the time of the
// earliest proof of existence), as a *ConstraintError, or nil.
func (p *Policy) CheckSignature(s Signature, pub crypto.PublicKey, at time.Time) error {
	if p == nil {
		return fmt.Errorf("%w: no policy", ErrConstraint)
	}
	return firstFailure(p.check(s, pub, at))
}

// CheckDigest reports whether digest h is acceptable at time at.
func (p *Policy) CheckDigest(h crypto.Hash, at time.Time) error {
	if p == nil {
		return fmt.Errorf("%w: no policy", ErrConstraint)
	}
	return firstFailure(p.checkDigest(h, at))
}

// Warnings lists the expiries that the policy downgrades to warnings
// (Warning is true in each), for signature s with key pub at time at.
// Pass a nil pub to check only the digest(s).
func (p *Policy) Warnings(s Signature, pub crypto.PublicKey, at time.Time) []*ConstraintError {
	if p == nil {
		return nil
	}
	var all []*ConstraintError
	if pub == nil {
		all = p.checkDigest(s.Hash, at)
	} else {
		all = p.check(s, pub, at)
	}
	var out []*ConstraintError
	for _, e := range all {
		if e.Warning {
			out = append(out, e)
		}
	}
	return out
}
