package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress draws one line on a terminal with the rows done and the rate,
// at most four times a second.
type progress struct {
	w      io.Writer
	label  string
	start  time.Time
	mu     sync.Mutex
	last   time.Time
	rows   int
	bad    int
	drawn  bool
	silent bool
}

func newProgress(w io.Writer, label string, silent bool) *progress {
	now := time.Now()
	return &progress{w: w, label: label, start: now, last: now, silent: silent}
}

// add counts rows and bad rows and redraws the line when it is due.
func (p *progress) add(rows, bad int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rows += rows
	p.bad += bad
	if now := time.Now(); now.Sub(p.last) >= 250*time.Millisecond {
		p.last = now
		p.draw(now)
	}
}

func (p *progress) draw(now time.Time) {
	if p.silent {
		return
	}
	fmt.Fprintf(p.w, "\r%s: %d rows, %d bad, %.0f rows/s   ", p.label, p.rows, p.bad, p.rate(now))
	p.drawn = true
}

func (p *progress) rate(now time.Time) float64 {
	s := now.Sub(p.start).Seconds()
	if s <= 0 {
		return 0
	}
	return float64(p.rows) / s
}

// done ends the progress line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
}
