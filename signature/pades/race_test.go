//go:build race

package pades_test

const raceEnabled = true
