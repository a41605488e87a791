//go:build !unix

package main

import "os"

// readInput returns the bytes of the file at path.
func readInput(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}
