package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// sseEvent is one event of a stream.
type sseEvent struct {
	id    int64
	event string
	data  cxm.Notification
}

// sseStream is an open event stream.
type sseStream struct {
	t    *testing.T
	res  *http.Response
	read *bufio.Reader
}

// openStream connects to the event stream of the workspace of token,
// resuming after lastID when it is not empty, and reads up to the
// retry hint, after which the stream is subscribed.
func openStream(t *testing.T, baseURL, token, lastID string) *sseStream {
	t.Helper()
	req, err := http.NewRequest("GET", baseURL+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("events: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	s := &sseStream{t: t, res: res, read: bufio.NewReader(res.Body)}
	line, err := s.read.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "retry: ") {
		t.Fatalf("first line %q (%v), want a retry hint", line, err)
	}
	return s
}

// next reads the next event, skipping comments and blank lines.
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	var ev sseEvent
	for {
		line, err := s.read.ReadString('\n')
		if err != nil {
			s.t.Fatalf("read event: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if ev.id != 0 {
				return ev
			}
		case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry: "):
		case strings.HasPrefix(line, "id: "):
			ev.id, _ = strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data); err != nil {
				s.t.Fatalf("data %q: %v", line, err)
			}
		default:
			s.t.Fatalf("unexpected line %q", line)
		}
	}
}

// notifyN sends n notifications to workspace ws and returns their ids.
func notifyN(t *testing.T, d *delivery, ws int64, title string, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		note := &cxm.Notification{WorkspaceID: ws, Kind: "alert", Title: fmt.Sprintf("%s %d", title, i+1)}
		if err := d.notifier.Notify(context.Background(), note, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, note.ID)
	}
	return ids
}

func TestEventStreamCatchUpAfterDrop(t *testing.T) {
	forEachDeliveryEnv(t, func(t *testing.T, d *delivery) {
		s := openStream(t, d.srv.URL, d.a.readKey, "")
		first := notifyN(t, d, d.a.ws.ID, "before drop", 2)
		notifyN(t, d, d.b.ws.ID, "other workspace", 1) // B's never reach A's stream
		for i, want := range first {
			ev := s.next()
			if ev.id != want || ev.event != "alert" || ev.data.ID != want || ev.data.Title != fmt.Sprintf("before drop %d", i+1) {
				t.Fatalf("live event %d = %+v, want id %d", i, ev, want)
			}
		}
		s.res.Body.Close() // the connection drops

		missed := notifyN(t, d, d.a.ws.ID, "while away", 3)
		s = openStream(t, d.srv.URL, d.a.readKey, strconv.FormatInt(first[1], 10))
		// Live notifications from now on follow the replay without gap or duplicate.
		live := notifyN(t, d, d.a.ws.ID, "after reconnect", 1)
		for i, want := range append(missed, live...) {
			ev := s.next()
			if ev.id != want {
				t.Fatalf("event %d after reconnect = %d %q, want %d (missed %v, live %v)", i, ev.id, ev.data.Title, want, missed, live)
			}
		}

		// Polling without a stream answers the backlog and ends.
		r := d.do(request{method: "GET", path: fmt.Sprintf("/api/v1/events?stream=false&last_event_id=%d", first[1]), token: d.a.readKey})
		if r.status != 200 {
			t.Fatalf("poll: %d %s", r.status, r.body)
		}
		var polled []int64
		for _, line := range strings.Split(string(r.body), "\n") {
			if v, ok := strings.CutPrefix(line, "id: "); ok {
				id, _ := strconv.ParseInt(v, 10, 64)
				polled = append(polled, id)
			}
		}
		if fmt.Sprint(polled) != fmt.Sprint(append(missed, live...)) {
			t.Errorf("poll ids = %v, want %v", polled, append(missed, live...))
		}

		for _, bad := range []string{"abc", "-1"} {
			r := d.do(request{method: "GET", path: "/api/v1/events", token: d.a.readKey, header: map[string]string{"Last-Event-ID": bad}})
			if r.status != 400 || len(r.errorFields()) != 1 || !strings.HasPrefix(r.errorFields()[0], "Last-Event-ID: ") {
				t.Errorf("Last-Event-ID %q: %d %s", bad, r.status, r.body)
			}
		}
		if r := d.do(request{method: "GET", path: "/api/v1/events"}); r.status != 401 {
			t.Errorf("anonymous stream: %d", r.status)
		}
	})
}

// TestEventStreamOutlivesServerTimeouts serves the stream from a server
// with tiny read and write timeouts; the stream lifts them for itself.
func TestEventStreamOutlivesServerTimeouts(t *testing.T) {
	forEachDeliveryEnv(t, func(t *testing.T, d *delivery) {
		srv := httptest.NewUnstartedServer(d.web.Handler())
		srv.Config.ReadTimeout = 50 * time.Millisecond
		srv.Config.WriteTimeout = 50 * time.Millisecond
		srv.Start()
		t.Cleanup(srv.Close)
		s := openStream(t, srv.URL, d.a.readKey, "")
		time.Sleep(300 * time.Millisecond) // well past both timeouts
		ids := notifyN(t, d, d.a.ws.ID, "late", 1)
		if ev := s.next(); ev.id != ids[0] {
			t.Errorf("event after the timeouts = %+v, want %d", ev, ids[0])
		}
		s.res.Body.Close()
	})
}
