//go:build race

package main

// The race detector's client spends about a tenth of a CPU second reading each megabyte of
// body: the hostile load modes that answer with one would measure the test's own CPU.
const raceEnabled = true
