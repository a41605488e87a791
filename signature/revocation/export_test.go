package revocation

// CacheLen is the number of in-memory cache entries, for tests.
func (f *HTTPFetcher) CacheLen() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cache)
}
