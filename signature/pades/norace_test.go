//go:build !race

package pades_test

const raceEnabled = false
