//go:build race

package contracts_test

// The race detector multiplies memory and time: the peak-memory test measures the plain build.
const raceEnabled = true
