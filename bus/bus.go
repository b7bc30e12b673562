// Package bus carries events between the parts of one cxm process: an
// in-process implementation of cxm.Bus. A NATS JetStream implementation of
// the same interface serves clusters.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cxmhq/cxm"
)

// DefaultQueueSize is how many events wait for one subscriber before
// Publish blocks, when Options.QueueSize is zero.
const DefaultQueueSize = 1024

// Options configure a Bus.
type Options struct {
	// QueueSize bounds the events waiting for each subscriber; zero means
	// DefaultQueueSize.
	QueueSize int
	// Logger receives handler errors and panics; nil means slog.Default().
	Logger *slog.Logger
	// Now stamps events published without a time, and names events
	// published without an id; nil means time.Now.
	Now func() time.Time
}

// Bus is an in-process cxm.Bus. Publish hands an event to a bounded queue
// per subscriber of its topic and returns; each subscriber runs its
// handler in a goroutine of its own, one event at a time, in the order it
// was published.
//
// When a subscriber's queue is full, Publish waits for room rather than
// drop the event, until its ctx ends. Then the event is lost for that
// subscriber: Publish returns an error and Dropped counts it. Publishers
// therefore pass a context with a deadline, which bounds how long a slow
// subscriber can hold them up.
type Bus struct {
	queueSize int
	log       *slog.Logger
	now       func() time.Time

	mu      sync.Mutex
	closed  bool
	subs    map[string]map[*subscriber]struct{}
	wg      sync.WaitGroup
	dropped atomic.Int64
	handled atomic.Int64
	failed  atomic.Int64
}

// Bus implements cxm.Bus.
var _ cxm.Bus = (*Bus)(nil)

// New returns an empty bus.
func New(opt Options) *Bus {
	b := &Bus{queueSize: opt.QueueSize, log: opt.Logger, now: opt.Now, subs: map[string]map[*subscriber]struct{}{}}
	if b.queueSize <= 0 {
		b.queueSize = DefaultQueueSize
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

// subscriber is one subscription: a queue and the goroutine draining it.
type subscriber struct {
	topic string
	queue chan cxm.Event
	// done is closed when the subscription ends; publishers stop waiting
	// on its queue then.
	done chan struct{}
	// cancel ends the context of a running handler.
	cancel context.CancelFunc
}

// ErrClosed is returned by Publish and Subscribe after Close.
var ErrClosed = errors.New("bus: closed")

// Publish delivers e to every current subscriber of e.Topic. An event
// without an id or time gets one. It returns once e waits in every
// subscriber's queue; when ctx ends first, it returns an error, and the
// subscribers that had no room miss e.
func (b *Bus) Publish(ctx context.Context, e cxm.Event) error {
	if e.Topic == "" {
		return fmt.Errorf("bus: publish: %w", cxm.Invalid(cxm.FieldError{Field: "topic", Reason: "is required"}))
	}
	if e.At.IsZero() {
		e.At = b.now()
	}
	if e.ID == "" {
		e.ID = cxm.NewEventID(e.At)
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	subs := make([]*subscriber, 0, len(b.subs[e.Topic]))
	for s := range b.subs[e.Topic] {
		subs = append(subs, s)
	}
	b.mu.Unlock()

	missed := 0
	for _, s := range subs {
		select {
		case s.queue <- e:
			continue
		default:
		}
		select {
		case s.queue <- e:
		case <-s.done:
		case <-ctx.Done():
			missed++
		}
	}
	if missed > 0 {
		b.dropped.Add(int64(missed))
		return fmt.Errorf("bus: publish %s: %d of %d subscribers missed the event: %w", e.Topic, missed, len(subs), ctx.Err())
	}
	return nil
}

// Subscribe calls fn for each event of topic published from now on, one
// at a time and in order, in a goroutine of its own, until ctx ends; it
// returns at once. An error or a panic in fn is logged and counted, and
// the subscription goes on. Events still queued when ctx ends are not
// handled.
func (b *Bus) Subscribe(ctx context.Context, topic string, fn func(context.Context, cxm.Event) error) error {
	if topic == "" || fn == nil {
		return fmt.Errorf("bus: subscribe: %w", cxm.Invalid(cxm.FieldError{Field: "topic", Reason: "topic and handler are required"}))
	}
	// The subscription ends with ctx or with Close.
	ctx, cancel := context.WithCancel(ctx)
	s := &subscriber{topic: topic, queue: make(chan cxm.Event, b.queueSize), done: make(chan struct{}), cancel: cancel}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		cancel()
		return ErrClosed
	}
	if b.subs[topic] == nil {
		b.subs[topic] = map[*subscriber]struct{}{}
	}
	b.subs[topic][s] = struct{}{}
	b.wg.Add(1)
	b.mu.Unlock()

	go func() {
		defer b.wg.Done()
		for {
			select {
			case <-ctx.Done():
				b.remove(s)
				return
			case <-s.done:
				return
			case e := <-s.queue:
				if ctx.Err() != nil { // ended while the event waited
					b.remove(s)
					return
				}
				b.handle(ctx, s, fn, e)
			}
		}
	}()
	return nil
}

// remove ends subscription s: no more events go to it.
func (b *Bus) remove(s *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s.topic][s]; !ok {
		return
	}
	delete(b.subs[s.topic], s)
	if len(b.subs[s.topic]) == 0 {
		delete(b.subs, s.topic)
	}
	close(s.done)
	s.cancel()
}

// handle runs fn on e, logging its error or panic.
func (b *Bus) handle(ctx context.Context, s *subscriber, fn func(context.Context, cxm.Event) error, e cxm.Event) {
	defer func() {
		if p := recover(); p != nil {
			b.failed.Add(1)
			b.log.Error("bus: handler panicked", "topic", s.topic, "event", e.ID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if err := fn(ctx, e); err != nil {
		b.failed.Add(1)
		b.log.Error("bus: handler failed", "topic", s.topic, "event", e.ID, "workspace", e.WorkspaceID, "err", err)
		return
	}
	b.handled.Add(1)
}

// Stats are counts since the bus started, for metrics.
type Stats struct {
	// Handled counts events handlers took without error.
	Handled int64
	// Failed counts events whose handler returned an error or panicked.
	Failed int64
	// Dropped counts deliveries lost because a subscriber's queue stayed
	// full until the publisher's context ended.
	Dropped int64
	// Subscribers is the number of current subscriptions.
	Subscribers int
}

// Stats returns the bus's counts.
func (b *Bus) Stats() Stats {
	b.mu.Lock()
	n := 0
	for _, subs := range b.subs {
		n += len(subs)
	}
	b.mu.Unlock()
	return Stats{Handled: b.handled.Load(), Failed: b.failed.Load(), Dropped: b.dropped.Load(), Subscribers: n}
}

// Close ends every subscription, waits until their handlers have returned,
// and makes further Publish and Subscribe calls fail with ErrClosed.
// Events still queued are not handled.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	var all []*subscriber
	for _, subs := range b.subs {
		for s := range subs {
			all = append(all, s)
		}
	}
	b.mu.Unlock()
	for _, s := range all {
		b.remove(s)
	}
	b.wg.Wait()
	return nil
}
