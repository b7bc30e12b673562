package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// NotificationHub hands out live subscriptions to a workspace's
// notifications; *notify.Hub is one. The channel closes when the
// subscription ends or falls too far behind.
type NotificationHub interface {
	Subscribe(workspaceID int64) (<-chan *cxm.Notification, func())
}

// The timing of the event stream.
const (
	// sseHeartbeat is how often an idle stream sends a comment, so that
	// proxies keep it open and dead clients are noticed.
	sseHeartbeat = 15 * time.Second
	// sseRetryMs is the reconnect delay the stream suggests to browsers.
	sseRetryMs = 3000
	// sseReplayPages bounds the catch-up to this many pages of
	// cxm.MaxNotificationReplay notifications.
	sseReplayPages = 10
)

// registerEventRoutes declares the live notification stream.
func (s *Server) registerEventRoutes() {
	s.handle("GET", "/api/v1/events", permRead, s.events)
}

// lastEventID reads where a client resumes: the Last-Event-ID header or
// the last_event_id parameter. It reports false when neither is given.
func lastEventID(r *http.Request) (int64, bool, error) {
	field, v := "Last-Event-ID", strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		field, v = "last_event_id", r.URL.Query().Get("last_event_id")
	}
	if v == "" {
		return 0, false, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, false, cxm.Invalid(cxm.FieldError{Field: field, Reason: "must be a notification id, a non-negative integer"})
	}
	return id, true, nil
}

// events streams the workspace's notifications as Server-Sent Events:
// id is the notification's id, event its kind, data its JSON. A client
// that resumes with Last-Event-ID first gets the stored notifications
// after it, then the live ones, without gaps or duplicates: the stream
// subscribes before it reads the backlog and drops live notifications
// it has already sent. With stream=false it answers only the backlog
// and ends, for clients that poll.
func (s *Server) events(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.cfg.Hub == nil || s.svc.Notifications == nil {
		return cxm.Errorf(cxm.EUnsupported, "live notifications are not configured on this server")
	}
	last, resume, err := lastEventID(r)
	if err != nil {
		return err
	}
	stream := true
	switch v := r.URL.Query().Get("stream"); v {
	case "", "true", "1":
	case "false", "0":
		stream = false
	default:
		return cxm.Invalid(cxm.FieldError{Field: "stream", Reason: "must be true or false"})
	}
	var live <-chan *cxm.Notification
	if stream {
		var cancel func()
		live, cancel = s.cfg.Hub.Subscribe(p.WorkspaceID)
		defer cancel()
	}
	// Read the backlog before the first byte, so that a failure is still
	// an error answer.
	var backlog []*cxm.Notification
	if resume || !stream {
		for page := 0; page < sseReplayPages; page++ {
			batch, err := s.svc.Notifications.NotificationsAfter(r.Context(), p.WorkspaceID, last, cxm.MaxNotificationReplay)
			if err != nil {
				return err
			}
			backlog = append(backlog, batch...)
			if len(batch) < cxm.MaxNotificationReplay {
				break
			}
			last = batch[len(batch)-1].ID
		}
	}
	// A stream outlives the server's read and write timeouts.
	rc := http.NewResponseController(w)
	if stream {
		rc.SetReadDeadline(time.Time{})
		rc.SetWriteDeadline(time.Time{})
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", sseRetryMs); err != nil {
		return nil
	}
	var sent int64
	for _, n := range backlog {
		if writeEvent(w, n) != nil {
			return nil
		}
		sent = n.ID
	}
	if err := rc.Flush(); err != nil || !stream {
		return nil
	}
	beat := time.NewTicker(sseHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case n, ok := <-live:
			if !ok {
				return nil // dropped or shutting down: the client resumes by Last-Event-ID
			}
			if n.ID <= sent {
				continue
			}
			if writeEvent(w, n) != nil {
				return nil
			}
			sent = n.ID
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

// writeEvent writes one notification as an event.
func writeEvent(w http.ResponseWriter, n *cxm.Notification) error {
	data, err := json.Marshal(n)
	if err != nil {
		return err
	}
	kind := strings.NewReplacer("\n", " ", "\r", " ").Replace(n.Kind)
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", n.ID, kind, data)
	return err
}
