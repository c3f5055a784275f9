//go:build !unix

package duckdb

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
