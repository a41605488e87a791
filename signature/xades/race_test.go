//go:build race

package xades

// timeBound is the per-file time limit; the race detector slows code ~5-10x.
const timeBound = 10 * 1e9
