package pki

import (
	"bytes"
	"sync"
)

// Pool is a set of certificates indexed by subject. It is safe for
// concurrent use.
type Pool struct {
	mu      sync.RWMutex
	certs   []*Certificate
	byHash  map[[32]byte]*Certificate
	byRaw   map[string][]*Certificate
	byCanon map[string][]*Certificate
}

// NewPool returns a pool holding certs (nil entries are ignored).
func NewPool(certs ...*Certificate) *Pool {
	p := &Pool{byHash: map[[32]byte]*Certificate{}, byRaw: map[string][]*Certificate{}, byCanon: map[string][]*Certificate{}}
	for _, c := range certs {
		p.Add(c)
	}
	return p
}

// Add adds c unless the pool already holds the same DER.
func (p *Pool) Add(c *Certificate) {
	if p == nil || c == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byHash == nil {
		p.byHash, p.byRaw, p.byCanon = map[[32]byte]*Certificate{}, map[string][]*Certificate{}, map[string][]*Certificate{}
	}
	if _, ok := p.byHash[c.SHA256]; ok {
		return
	}
	p.byHash[c.SHA256] = c
	p.certs = append(p.certs, c)
	p.byRaw[string(c.RawSubject)] = append(p.byRaw[string(c.RawSubject)], c)
	if cn := canonicalName(c.RawSubject); cn != "" {
		p.byCanon[cn] = append(p.byCanon[cn], c)
	}
}

// Certificates returns the pool's certificates in insertion order.
func (p *Pool) Certificates() []*Certificate {
	if p == nil {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append([]*Certificate(nil), p.certs...)
}

// Len returns the number of certificates.
func (p *Pool) Len() int {
	if p == nil {
		return 0
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.certs)
}

// Contains reports whether the pool holds a certificate with c's DER.
func (p *Pool) Contains(c *Certificate) bool {
	if p == nil || c == nil {
		return false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.byHash[c.SHA256]
	return ok
}

// containsEntity reports whether the pool holds c or a certificate with
// the same subject and public key (a trust anchor is its name and key,
// RFC 5280 §6.1.1 (d)).
func (p *Pool) containsEntity(c *Certificate) bool {
	if p.Contains(c) {
		return true
	}
	if p == nil {
		return false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, o := range p.byRaw[string(c.RawSubject)] {
		if bytes.Equal(o.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo) {
			return true
		}
	}
	return false
}

// Issuers returns the pool's candidate issuers of c: certificates whose
// subject equals c's issuer (raw bytes, then normalised names), minus those
// whose subjectKeyIdentifier contradicts c's authorityKeyIdentifier. Those
// with a matching key identifier come first. Signatures are not checked.
func (p *Pool) Issuers(c *Certificate) []*Certificate {
	if p == nil || c == nil {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	seen := map[[32]byte]bool{}
	var match, other []*Certificate
	add := func(list []*Certificate) {
		for _, cand := range list {
			if seen[cand.SHA256] {
				continue
			}
			seen[cand.SHA256] = true
			switch {
			case len(c.AuthorityKeyId) > 0 && len(cand.SubjectKeyId) > 0:
				if bytes.Equal(c.AuthorityKeyId, cand.SubjectKeyId) {
					match = append(match, cand)
				}
			default:
				other = append(other, cand)
			}
		}
	}
	add(p.byRaw[string(c.RawIssuer)])
	if cn := canonicalName(c.RawIssuer); cn != "" {
		add(p.byCanon[cn])
	}
	return append(match, other...)
}
