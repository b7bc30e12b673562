package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
)

// TestReportTopicsOnTheDemo seeds the demo, analyses its free text, and
// prints the topics by touchpoint for the last 90 days: the delivery
// topic's row at the delivery touchpoint shows the mentions that the store
// counts, every figure carries its n, and bad flags are named.
func TestReportTopicsOnTheDemo(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	if code, _, errs := run(t, env, "", "demo", "--seed-only", "--customers", "600"); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	if code, out, errs := run(t, env, "", "text", "backfill", "--workspace", "demo"); code != 0 {
		t.Fatalf("backfill: %d %q %q", code, out, errs)
	}
	code, out, errs := run(t, env, "", "report", "topics", "--workspace", "demo", "--by", "touchpoint")
	if code != 0 {
		t.Fatalf("report topics: %d %q", code, errs)
	}
	t.Log("\n" + out)

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.FindWorkspaceBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	// The default period is the last 90 days; the header names them.
	head := regexp.MustCompile(`^Topics, (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d) `).FindStringSubmatch(out)
	if head == nil {
		t.Fatalf("no period in the header of\n%s", out)
	}
	q := cxm.TopicQuery{Loc: ws.Location(), By: cxm.TopicsByTouchpoint}
	from, err1 := time.ParseInLocation(time.DateOnly, head[1], q.Loc)
	last, err2 := time.ParseInLocation(time.DateOnly, head[2], q.Loc)
	if err1 != nil || err2 != nil || last.Sub(from) < 88*24*time.Hour {
		t.Fatalf("header period %q: %v %v; want about 90 days", head, err1, err2)
	}
	q.From, q.To = from, last.AddDate(0, 0, 1)
	tp, err := db.FindTouchpointByKey(ctx, ws.ID, "delivery")
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.TopicCounts(ctx, ws.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	var want *cxm.TopicSlice
	for _, ts := range c.Topics {
		if ts.Topic == "delivery" && ts.TouchpointID == tp.ID {
			want = ts
		}
	}
	if want == nil || want.Negative == 0 {
		t.Fatalf("the store counts no negative delivery mentions at the delivery touchpoint: %+v", want)
	}
	row := regexp.MustCompile(`(?m)^delivery\s+delivery\s+(\d+)\s+(\d+)/(\d+)/(\d+)\s+(.*)$`).FindStringSubmatch(out)
	if row == nil || row[1] != fmt.Sprint(want.Mentions) || row[2] != fmt.Sprint(want.Negative) || row[4] != fmt.Sprint(want.Positive) {
		t.Errorf("delivery row %q, want %d mentions, %d negative, %d positive", row, want.Mentions, want.Negative, want.Positive)
	} else if strings.Count(row[5], "n=") != 4 {
		t.Errorf("delivery row %q: every figure must carry its n", row[5])
	}
	if !strings.Contains(out, "minimum n 30") || !strings.Contains(out, "responses") {
		t.Errorf("report lacks its header or group totals:\n%s", out)
	}

	for _, bad := range [][]string{{"--by", "stage"}, {"--period", "soon"}, {"--touchpoint", "nowhere"}, {"--min-n", "0"}} {
		args := append([]string{"report", "topics", "--workspace", "demo"}, bad...)
		if code, _, errs := run(t, env, "", args...); code != 1 || !strings.Contains(errs, bad[0]) {
			t.Errorf("%v: %d %q; want 1 naming %s", bad, code, errs, bad[0])
		}
	}
}
