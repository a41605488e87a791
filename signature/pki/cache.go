package pki

import "sync"

// maxParsed bounds the cache of parsed certificates.
const maxParsed = 4096

// parsed caches parsed certificates by the SHA-256 of their DER. A
// Certificate is never modified after parsing, so sharing it is safe.
var parsed = &certCache{m: make(map[[32]byte]*Certificate)}

type certCache struct {
	mu sync.Mutex
	m  map[[32]byte]*Certificate
}

func (cc *certCache) get(k [32]byte) *Certificate {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.m[k]
}

func (cc *certCache) put(k [32]byte, c *Certificate) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.m) >= maxParsed {
		// Drop an arbitrary half: cheap, and bounded.
		n := 0
		for key := range cc.m {
			delete(cc.m, key)
			if n++; n >= maxParsed/2 {
				break
			}
		}
	}
	cc.m[k] = c
}
