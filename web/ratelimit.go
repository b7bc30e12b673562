package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyLimiter bounds attempts per key, such as a client address, an email
// or a survey, with a token bucket per key that refills perMin tokens a
// minute. Entries idle for long are dropped so the map cannot grow without end.
type keyLimiter struct {
	mu      sync.Mutex
	perMin  int
	entries map[string]*limiterEntry
	swept   time.Time
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newKeyLimiter(perMinute int) *keyLimiter {
	return &keyLimiter{perMin: perMinute, entries: map[string]*limiterEntry{}}
}

// allow reports whether one more attempt for key is allowed now, and if
// not, how long to wait.
func (l *keyLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute {
		for k, e := range l.entries {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(l.entries, k)
			}
		}
		l.swept = now
	}
	e := l.entries[key]
	if e == nil {
		e = &limiterEntry{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMin)), l.perMin)}
		l.entries[key] = e
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
