//go:build !race

package xades

// timeBound is the per-file time limit (1 s, issue 5).
const timeBound = 1e9
