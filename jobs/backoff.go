package jobs

import (
	"math/rand/v2"
	"time"
)

// BaseBackoff returns the pause without jitter after failed attempt n
// (counted from 1): 30s, 2m, 10m, 1h, then 6h.
func BaseBackoff(attempt int) time.Duration {
	schedule := [...]time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour}
	i := min(max(attempt, 1), len(schedule)) - 1
	return schedule[i]
}

// DefaultBackoff returns BaseBackoff(attempt) plus up to a fifth of it at
// random, so that jobs that failed together, such as mails to a server that
// was down, do not all retry at the same moment.
func DefaultBackoff(attempt int) time.Duration {
	d := BaseBackoff(attempt)
	return d + rand.N(d/5+1)
}
