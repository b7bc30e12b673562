package notify

import (
	"sync"

	"github.com/cxmhq/cxm"
)

// DefaultHubBuffer is how many notifications a subscriber may lag behind
// before the hub drops it; it then reconnects and catches up from the store.
const DefaultHubBuffer = 256

// Hub fans notifications out to the live subscribers of their workspace,
// such as the open SSE streams of a server. It never blocks a publisher:
// a subscriber that falls Buffer notifications behind is dropped, and its
// channel closed, so that it reconnects and catches up by Last-Event-ID.
// It is safe for concurrent use.
type Hub struct {
	buffer int
	mu     sync.Mutex
	subs   map[int64]map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	c    chan *cxm.Notification
	done bool
}

// NewHub returns a hub with channels of buffer notifications (≤ 0 means
// DefaultHubBuffer).
func NewHub(buffer int) *Hub {
	if buffer <= 0 {
		buffer = DefaultHubBuffer
	}
	return &Hub{buffer: buffer, subs: map[int64]map[*subscriber]struct{}{}}
}

// Subscribe returns a channel of the workspace's notifications from now on
// and a function that ends the subscription. The channel is closed when
// the subscription ends, the subscriber lags too far or the hub closes.
func (h *Hub) Subscribe(workspaceID int64) (<-chan *cxm.Notification, func()) {
	s := &subscriber{c: make(chan *cxm.Notification, h.buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.c)
		return s.c, func() {}
	}
	if h.subs[workspaceID] == nil {
		h.subs[workspaceID] = map[*subscriber]struct{}{}
	}
	h.subs[workspaceID][s] = struct{}{}
	return s.c, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.drop(workspaceID, s)
	}
}

// drop ends s; h.mu is held.
func (h *Hub) drop(workspaceID int64, s *subscriber) {
	if s.done {
		return
	}
	s.done = true
	close(s.c)
	delete(h.subs[workspaceID], s)
	if len(h.subs[workspaceID]) == 0 {
		delete(h.subs, workspaceID)
	}
}

// Publish hands n to every subscriber of its workspace without waiting.
func (h *Hub) Publish(n *cxm.Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[n.WorkspaceID] {
		select {
		case s.c <- n:
		default:
			h.drop(n.WorkspaceID, s)
		}
	}
}

// Subscribers returns how many subscribers the workspace has.
func (h *Hub) Subscribers(workspaceID int64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[workspaceID])
}

// Close ends every subscription, so that streams end before a server
// shuts down; later subscriptions end at once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ws, subs := range h.subs {
		for s := range subs {
			h.drop(ws, s)
		}
	}
}
