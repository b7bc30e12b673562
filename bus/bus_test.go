package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func newBus(t *testing.T, queue int) *Bus {
	t.Helper()
	b := New(Options{QueueSize: queue, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { b.Close() })
	return b
}

// collect subscribes to topic and sends every event's id to the returned channel.
func collect(t *testing.T, b *Bus, ctx context.Context, topic string, buf int) <-chan string {
	t.Helper()
	ch := make(chan string, buf)
	err := b.Subscribe(ctx, topic, func(ctx context.Context, e cxm.Event) error {
		ch <- e.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func publish(t *testing.T, b *Bus, topic, id string) {
	t.Helper()
	if err := b.Publish(context.Background(), cxm.Event{Topic: topic, ID: id}); err != nil {
		t.Fatal(err)
	}
}

// receive reads n ids from ch, failing only if they never come (a hang guard).
func receive(t *testing.T, ch <-chan string, n int) []string {
	t.Helper()
	var out []string
	for range n {
		select {
		case id := <-ch:
			out = append(out, id)
		case <-time.After(time.Minute):
			t.Fatalf("received %d of %d events", len(out), n)
		}
	}
	return out
}

// waitUntil waits for cond to hold, yielding in between.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func TestOrderPerSubscriber(t *testing.T) {
	b := newBus(t, 16)
	const n = 1000
	first := collect(t, b, context.Background(), "response.completed", n)
	second := collect(t, b, context.Background(), "response.completed", n)
	go func() {
		for i := range n {
			b.Publish(context.Background(), cxm.Event{Topic: "response.completed", ID: strconv.Itoa(i)})
		}
	}()
	for name, ch := range map[string]<-chan string{"first": first, "second": second} {
		for i, id := range receive(t, ch, n) {
			if id != strconv.Itoa(i) {
				t.Fatalf("%s subscriber: event %d is %s, want them in published order", name, i, id)
			}
		}
	}
}

func TestTopicsAndSubscribers(t *testing.T) {
	b := newBus(t, 0)
	a1 := collect(t, b, context.Background(), "a", 10)
	a2 := collect(t, b, context.Background(), "a", 10)
	other := collect(t, b, context.Background(), "b", 10)
	publish(t, b, "a", "x")
	publish(t, b, "b", "y")
	publish(t, b, "c", "nobody listens")
	if got := receive(t, a1, 1); got[0] != "x" {
		t.Errorf("a1 got %v", got)
	}
	if got := receive(t, a2, 1); got[0] != "x" {
		t.Errorf("a2 got %v", got)
	}
	if got := receive(t, other, 1); got[0] != "y" {
		t.Errorf("b got %v, want only its own topic", got)
	}
	if s := b.Stats(); s.Subscribers != 3 || s.Handled != 3 {
		t.Errorf("stats = %+v, want 3 subscribers and 3 handled", s)
	}
}

func TestPublishFillsIDAndTime(t *testing.T) {
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	b := New(Options{Now: func() time.Time { return at }, Logger: slog.New(slog.DiscardHandler)})
	defer b.Close()
	got := make(chan cxm.Event, 1)
	b.Subscribe(context.Background(), "t", func(ctx context.Context, e cxm.Event) error {
		got <- e
		return nil
	})
	if err := b.Publish(context.Background(), cxm.Event{Topic: "t", WorkspaceID: 7}); err != nil {
		t.Fatal(err)
	}
	e := <-got
	if e.ID == "" || !e.At.Equal(at) || e.WorkspaceID != 7 {
		t.Errorf("event = %+v, want an id, the bus time and the workspace", e)
	}
	if err := b.Publish(context.Background(), cxm.Event{}); cxm.ErrorCode(err) != cxm.EInvalid {
		t.Errorf("publish without topic: %v, want EInvalid", err)
	}
	if err := b.Subscribe(context.Background(), "", nil); cxm.ErrorCode(err) != cxm.EInvalid {
		t.Errorf("subscribe without topic: %v, want EInvalid", err)
	}
}

func TestHandlerErrorsAndPanicsKeepTheSubscription(t *testing.T) {
	b := newBus(t, 0)
	seen := make(chan string, 3)
	b.Subscribe(context.Background(), "t", func(ctx context.Context, e cxm.Event) error {
		seen <- e.ID
		switch e.ID {
		case "panic":
			panic("handler bug")
		case "error":
			return errors.New("webhook down")
		}
		return nil
	})
	for _, id := range []string{"panic", "error", "ok"} {
		publish(t, b, "t", id)
	}
	if got := fmt.Sprint(receive(t, seen, 3)); got != "[panic error ok]" {
		t.Errorf("handled %s, want all three", got)
	}
	waitUntil(t, "the last event is counted", func() bool { return b.Stats().Handled == 1 })
	if s := b.Stats(); s.Failed != 2 || s.Subscribers != 1 {
		t.Errorf("stats = %+v, want 2 failed and the subscription alive", s)
	}
}

func TestSubscriptionEndsWithContext(t *testing.T) {
	b := newBus(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var gone []string
	b.Subscribe(ctx, "t", func(ctx context.Context, e cxm.Event) error {
		mu.Lock()
		gone = append(gone, e.ID)
		mu.Unlock()
		return nil
	})
	live := collect(t, b, context.Background(), "t", 10)
	cancel()
	waitUntil(t, "the subscription is removed", func() bool { return b.Stats().Subscribers == 1 })
	publish(t, b, "t", "after")
	receive(t, live, 1)
	mu.Lock()
	defer mu.Unlock()
	if len(gone) != 0 {
		t.Errorf("ended subscription handled %v", gone)
	}
}

// TestFullQueueBlocksUntilContextEnds fills a subscriber's queue of one.
func TestFullQueueBlocksUntilContextEnds(t *testing.T) {
	b := newBus(t, 1)
	started, release := make(chan struct{}), make(chan struct{})
	got := make(chan string, 10)
	b.Subscribe(context.Background(), "t", func(ctx context.Context, e cxm.Event) error {
		if e.ID == "1" {
			close(started)
			<-release
		}
		got <- e.ID
		return nil
	})
	publish(t, b, "t", "1")
	<-started // the handler holds event 1; the queue is empty
	publish(t, b, "t", "2")

	ended, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.Publish(ended, cxm.Event{Topic: "t", ID: "3"})
	if !errors.Is(err, context.Canceled) || b.Stats().Dropped != 1 {
		t.Errorf("publish to a full queue with an ended context: %v, dropped %d; want context.Canceled and 1 drop", err, b.Stats().Dropped)
	}
	waiting := make(chan error, 1)
	go func() { waiting <- b.Publish(context.Background(), cxm.Event{Topic: "t", ID: "4"}) }()
	close(release)
	if err := <-waiting; err != nil {
		t.Errorf("blocked publish: %v", err)
	}
	if order := fmt.Sprint(receive(t, got, 3)); order != "[1 2 4]" {
		t.Errorf("handled %s, want [1 2 4]", order)
	}
}

func TestCloseStopsEverythingWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	b := New(Options{Logger: slog.New(slog.DiscardHandler)})
	blocked := make(chan struct{})
	b.Subscribe(context.Background(), "slow", func(ctx context.Context, e cxm.Event) error {
		close(blocked)
		<-ctx.Done() // Close cancels a running handler
		return ctx.Err()
	})
	for i := range 10 {
		collect(t, b, context.Background(), fmt.Sprint("t", i), 1)
	}
	publish(t, b, "slow", "x")
	<-blocked
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), cxm.Event{Topic: "t"}); !errors.Is(err, ErrClosed) {
		t.Errorf("publish after close: %v, want ErrClosed", err)
	}
	if err := b.Subscribe(context.Background(), "t", func(context.Context, cxm.Event) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("subscribe after close: %v, want ErrClosed", err)
	}
	if s := b.Stats(); s.Subscribers != 0 {
		t.Errorf("subscribers after close = %d", s.Subscribers)
	}
	// Close waited for every subscriber goroutine, so none is left.
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after Close", before, after)
	}
}
