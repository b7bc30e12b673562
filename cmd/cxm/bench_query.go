package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
	"github.com/cxmhq/cxm/store"
)

// The query benchmark generates a workspace with a journey of 30
// touchpoints, three surveys and N completed responses over two years,
// loads them with ImportResponses, and times three dashboard queries
// twice: through the rollups (FeedbackSlices) and through one plain GROUP
// BY over the raw responses (ScanFeedbackSlices, which groups by the
// local day computed in SQL and adds days up to weeks and months in Go).
// The rollups read whole weeks and months from their own rows and only
// the days at the edges of a range from the daily rows. Both paths must
// give the same counts.

// benchQueryStages are the stages of the default journey, six
// touchpoints each.
var benchQueryStages = []string{"awareness", "consideration", "purchase", "receipt", "advocacy"}

// benchQueryChannels are the channels the touchpoints cycle through.
var benchQueryChannels = []cxm.Channel{cxm.ChannelWeb, cxm.ChannelApp, cxm.ChannelEmail, cxm.ChannelPhone,
	cxm.ChannelStore, cxm.ChannelSocial, cxm.ChannelChat, cxm.ChannelDelivery}

// benchQueryTouchpoint is one generated touchpoint.
type benchQueryTouchpoint struct {
	key     string
	stage   string
	channel cxm.Channel
	// quality shifts its answers; worsens is set for the touchpoints
	// whose answers drop in the last 60 days, the weak spots to find.
	quality float64
	worsens bool
}

// benchQueryTouchpoints returns the 30 touchpoints of the benchmark.
func benchQueryTouchpoints() []benchQueryTouchpoint {
	var out []benchQueryTouchpoint
	for s, stage := range benchQueryStages {
		for i := range 6 {
			n := s*6 + i
			out = append(out, benchQueryTouchpoint{
				key: fmt.Sprintf("%s-%d", stage, i+1), stage: stage,
				channel: benchQueryChannels[n%len(benchQueryChannels)],
				quality: float64(n%7)/3 - 1, worsens: n == 4 || n == 17,
			})
		}
	}
	return out
}

// benchQuerySurvey returns survey j of three, about every third
// touchpoint, asking NPS, CSAT and CES.
func benchQuerySurvey(ws int64, j int, tps []benchQueryTouchpoint) *cxm.Survey {
	var keys []string
	for i, tp := range tps {
		if i%3 == j {
			keys = append(keys, tp.key)
		}
	}
	return &cxm.Survey{
		WorkspaceID: ws, Slug: fmt.Sprintf("bench-journey-%d", j+1), Name: fmt.Sprintf("Journey survey %d", j+1),
		Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war Ihre Erfahrung?", "en": "How was your experience?"},
		Questions: []cxm.Question{
			{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Wie wahrscheinlich empfehlen Sie uns weiter?"}},
			{Key: "csat", Kind: cxm.KindCSAT, Text: cxm.LocalizedText{"de": "Wie zufrieden waren Sie?"}},
			{Key: "ces", Kind: cxm.KindCES, Text: cxm.LocalizedText{"de": "Wie einfach war es?"}},
		},
		Touchpoints: keys,
	}
}

// benchQueryData is the generated workspace.
type benchQueryData struct {
	ws      *cxm.Workspace
	loc     *time.Location
	tps     []benchQueryTouchpoint
	surveys []*cxm.Survey
	// tpIDs maps touchpoint ids to keys.
	tpIDs map[int64]string
	// now is the end of the generated history.
	now time.Time
}

func runBenchQuery(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("bench query", m, &cfg)
	n := fs.Int("responses", 1000000, "number of completed responses")
	batch := fs.Int("batch", 10000, "responses per ImportResponses call")
	runs := fs.Int("runs", 9, "timed runs of each query on each path")
	asJSON := fs.Bool("json", false, "print one JSON line per database")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	if *n < 1 || *batch < 1 || *runs < 1 {
		fmt.Fprintln(m.Stderr, "cxm bench query: --responses, --batch and --runs must be at least 1")
		return errUsage
	}
	now := m.Now()
	dir, err := os.MkdirTemp("", "cxm-bench-query-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, store.Config{URL: filepath.Join(dir, "cxm.db")})
	if err != nil {
		return err
	}
	fields, err := benchQueryOn(ctx, m, db, "sqlite", *n, *batch, *runs, now)
	db.Close()
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := printResult(m, *asJSON, fields); err != nil {
		return err
	}
	url := m.Getenv("CXM_TEST_DATABASE_URL")
	if url == "" {
		return nil
	}
	pg, drop, err := store.OpenInNewSchema(ctx, url, "bench_query", store.Config{})
	if err != nil {
		return err
	}
	fields, err = benchQueryOn(ctx, m, pg, "postgres", *n, *batch, *runs, now)
	pg.Close()
	if derr := drop(); derr != nil && err == nil {
		err = fmt.Errorf("drop schema: %w", derr)
	}
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return printResult(m, *asJSON, fields)
}

// benchQueryOn loads the benchmark into db and times the queries.
func benchQueryOn(ctx context.Context, m *Main, db *store.DB, name string, n, batch, runs int, now time.Time) ([]benchField, error) {
	d, err := benchQuerySetup(ctx, db, now)
	if err != nil {
		return nil, err
	}
	if err := benchQueryLoad(ctx, m, db, d, name, n, batch); err != nil {
		return nil, err
	}
	paths := []struct {
		name   string
		slices slicer
	}{{"rollup", db.FeedbackSlices}, {"raw", db.ScanFeedbackSlices}}
	queries := benchQueries(d)
	p50 := make([]float64, len(paths))
	for _, q := range queries {
		// The first, untimed run of each path checks that they agree.
		var first any
		for i, p := range paths {
			got, err := q.run(ctx, d, p.slices)
			if err != nil {
				return nil, fmt.Errorf("%s through %s: %w", q.name, p.name, err)
			}
			if i == 0 {
				first = got
				if err := q.check(got); err != nil {
					return nil, fmt.Errorf("%s: %w", q.name, err)
				}
			} else if fmt.Sprint(first) != fmt.Sprint(got) {
				// Compared as printed, so that NaN estimates of empty cells compare equal.
				return nil, fmt.Errorf("%s: rollups and raw responses disagree:\nrollup %v\nraw    %v", q.name, first, got)
			}
		}
		times := make([][]time.Duration, len(paths))
		for range runs {
			for i, p := range paths {
				t0 := time.Now()
				if _, err := q.run(ctx, d, p.slices); err != nil {
					return nil, fmt.Errorf("%s through %s: %w", q.name, p.name, err)
				}
				times[i] = append(times[i], time.Since(t0))
			}
		}
		var line []string
		for i, p := range paths {
			ms := medianMS(times[i])
			p50[i] += ms
			line = append(line, fmt.Sprintf("%s p50 %.2f ms", p.name, ms))
		}
		fmt.Fprintf(m.Stderr, "bench query: %s: %s: %s\n", name, q.name, strings.Join(line, ", "))
	}
	return []benchField{
		{"responses", n},
		{"rollup_p50_ms", round2(p50[0])},
		{"raw_p50_ms", round2(p50[1])},
		{"speedup", round2(p50[1] / p50[0])},
		{"rss_mb", round2(peakRSSMB())},
		{"database", name},
	}, nil
}

// medianMS returns the median of ds in milliseconds.
func medianMS(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[mid].Microseconds()) / 1000
	}
	return float64((s[mid-1] + s[mid]).Microseconds()) / 2000
}

// benchQuerySetup creates the workspace, its touchpoints and surveys.
func benchQuerySetup(ctx context.Context, db *store.DB, now time.Time) (*benchQueryData, error) {
	d := &benchQueryData{tps: benchQueryTouchpoints(), tpIDs: map[int64]string{}}
	d.ws = &cxm.Workspace{Slug: "bench-query", Name: "Bench query", TimeZone: "Europe/Berlin"}
	if err := db.CreateWorkspace(ctx, d.ws); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(d.ws.TimeZone)
	if err != nil {
		return nil, err
	}
	d.loc, d.now = loc, now.In(loc)
	for _, t := range d.tps {
		tp := &cxm.Touchpoint{WorkspaceID: d.ws.ID, Key: t.key, Name: t.key, StageKey: t.stage, Channel: t.channel, Online: t.channel.Online()}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			return nil, fmt.Errorf("touchpoint %s: %w", t.key, err)
		}
		d.tpIDs[tp.ID] = t.key
	}
	for j := range 3 {
		sv := benchQuerySurvey(d.ws.ID, j, d.tps)
		if err := db.CreateSurvey(ctx, sv); err != nil {
			return nil, err
		}
		d.surveys = append(d.surveys, sv)
	}
	return d, nil
}

// benchQueryLoad imports n completed responses in batches, reporting
// progress to stderr.
func benchQueryLoad(ctx context.Context, m *Main, db *store.DB, d *benchQueryData, name string, n, batch int) error {
	start := time.Now()
	nextReport := n / 10
	for from := 0; from < n; from += batch {
		rs := benchQueryResponses(d, from, min(from+batch, n), n)
		got, err := db.ImportResponses(ctx, d.ws.ID, rs)
		if err != nil {
			return err
		}
		if got != len(rs) {
			return fmt.Errorf("imported %d of %d responses", got, len(rs))
		}
		if done := from + len(rs); done >= nextReport || done == n {
			fmt.Fprintf(m.Stderr, "bench query: %s: loaded %d of %d responses (%.0f/s)\n", name, done, n,
				float64(done)/time.Since(start).Seconds())
			nextReport = done + n/10
		}
	}
	return nil
}

// benchQueryResponses returns responses from..to of n, the same every
// time: spread evenly over the two years before d.now, each answered by
// the survey of its touchpoint.
func benchQueryResponses(d *benchQueryData, from, to, n int) []*cxm.Response {
	rng := rand.New(rand.NewPCG(42, uint64(from)))
	span := float64(2 * 365 * 24 * time.Hour)
	first := d.now.Add(-2 * 365 * 24 * time.Hour)
	recent := d.now.Add(-60 * 24 * time.Hour)
	out := make([]*cxm.Response, 0, to-from)
	for i := from; i < to; i++ {
		k := rng.IntN(len(d.tps))
		tp := d.tps[k]
		done := first.Add(time.Duration(span * (float64(i) + rng.Float64()) / float64(n)))
		shift := tp.quality
		if tp.worsens && done.After(recent) {
			shift -= 1.5
		}
		answers := cxm.Answers{"nps": float64(clampRound(8+shift+rng.NormFloat64()*2, 0, 10))}
		if rng.IntN(10) < 7 {
			answers["csat"] = float64(clampRound(4+shift/2+rng.NormFloat64()*0.9, 1, 5))
		}
		if rng.IntN(2) == 0 {
			answers["ces"] = float64(clampRound(5.5+shift/2+rng.NormFloat64()*1.2, 1, 7))
		}
		locale := "de"
		if rng.IntN(5) == 0 {
			locale = "en"
		}
		sv := d.surveys[k%3]
		r := &cxm.Response{ID: "q-" + strconv.Itoa(i), WorkspaceID: d.ws.ID, SurveyID: sv.ID, Touchpoint: tp.key,
			Source: cxm.SourceImport, Locale: locale, Answers: answers, Completed: true,
			StartedAt: done.Add(-time.Duration(1+rng.IntN(20)) * time.Minute), CompletedAt: &done}
		r.Derive(sv)
		out = append(out, r)
	}
	return out
}

// clampRound rounds x to the nearest whole number within [lo, hi].
func clampRound(x float64, lo, hi int) int {
	return min(max(int(math.Round(x)), lo), hi)
}

// slicer answers a feedback query: FeedbackSlices or ScanFeedbackSlices.
type slicer func(ctx context.Context, workspaceID int64, q cxm.FeedbackQuery) ([]*cxm.FeedbackSlice, error)

// benchQuery is one timed dashboard query. run returns a comparable
// result; check rejects a result that counts nothing.
type benchQuery struct {
	name  string
	run   func(ctx context.Context, d *benchQueryData, s slicer) (any, error)
	check func(any) error
}

// weekCell and monthCell are the results of the first two queries.
type (
	weekCell struct {
		Counts metric.NPSCounts
		NPS    metric.Estimate
	}
	monthCell struct {
		CSAT     metric.Proportion
		Mean     float64
		Estimate metric.Estimate
	}
)

// weakSpotResult is the result of the weak-spot query: each touchpoint's
// counts in both quarters and the report.
type weakSpotResult struct {
	Current, Previous map[string]metric.NPSCounts
	Report            metric.WeakSpotReport
}

// benchQueries returns the three queries, relative to d.now.
func benchQueries(d *benchQueryData) []benchQuery {
	today := cxm.LocalDay(d.now, d.loc)
	tomorrow := cxm.LocalDay(cxm.DayTime(today, d.loc).AddDate(0, 0, 1), d.loc)
	yearAgo := cxm.LocalDay(cxm.DayTime(today, d.loc).AddDate(-1, 0, 0), d.loc)
	y, mo, _ := d.now.Date()
	thisMonth := y*10000 + int(mo)*100 + 1
	monthsAgo := cxm.LocalDay(time.Date(y, mo-12, 1, 0, 0, 0, 0, d.loc), d.loc)
	q := (int(mo) - 1) / 3
	quarter := cxm.LocalDay(time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, d.loc), d.loc)
	prevQuarter := cxm.LocalDay(time.Date(y, time.Month(q*3+1-3), 1, 0, 0, 0, 0, d.loc), d.loc)
	o := metric.Options{}
	nonEmpty := func(v any) error {
		if reflect.ValueOf(v).Len() == 0 {
			return errors.New("counts no responses")
		}
		return nil
	}
	return []benchQuery{
		{
			name: "nps by touchpoint x week (1 year)",
			run: func(ctx context.Context, d *benchQueryData, s slicer) (any, error) {
				rows, err := s(ctx, d.ws.ID, cxm.FeedbackQuery{FromDay: yearAgo, ToDay: tomorrow, Only: "nps",
					GroupBy: []cxm.FeedbackDimension{cxm.ByTouchpoint, cxm.ByWeek}})
				if err != nil {
					return nil, err
				}
				cells := map[string]*weekCell{}
				for _, r := range rows {
					wy, wk := cxm.DayTime(r.Day, d.loc).ISOWeek()
					key := fmt.Sprintf("%s %d-W%02d", d.tpIDs[r.TouchpointID], wy, wk)
					c := cells[key]
					if c == nil {
						c = &weekCell{}
						cells[key] = c
					}
					c.Counts = c.Counts.Merge(metric.NPSCounts{Promoters: r.Promoters, Passives: r.Passives, Detractors: r.Detractors})
				}
				out := make(map[string]weekCell, len(cells))
				for k, c := range cells {
					c.NPS = metric.NPS(c.Counts, o)
					out[k] = *c
				}
				return out, nil
			},
			check: nonEmpty,
		},
		{
			name: "csat by channel x month (12 months)",
			run: func(ctx context.Context, d *benchQueryData, s slicer) (any, error) {
				rows, err := s(ctx, d.ws.ID, cxm.FeedbackQuery{FromDay: monthsAgo, ToDay: thisMonth, Only: "csat",
					GroupBy: []cxm.FeedbackDimension{cxm.ByChannel, cxm.ByMonth}})
				if err != nil {
					return nil, err
				}
				sums := map[string]*cxm.FeedbackSums{}
				for _, r := range rows {
					key := fmt.Sprintf("%s %d-%02d", r.Channel, r.Day/10000, r.Day/100%100)
					if sums[key] == nil {
						sums[key] = &cxm.FeedbackSums{}
					}
					sums[key].Add(r.FeedbackSums)
				}
				out := make(map[string]monthCell, len(sums))
				for k, s := range sums {
					c := monthCell{CSAT: metric.Proportion{Hits: s.CSATTop2, N: s.CSATN}}
					c.Estimate = metric.CSAT(c.CSAT, o)
					if s.CSATN > 0 {
						c.Mean = float64(s.CSATSum) / float64(s.CSATN)
					}
					out[k] = c
				}
				return out, nil
			},
			check: nonEmpty,
		},
		{
			name: "nps weak spots (quarter vs previous)",
			run: func(ctx context.Context, d *benchQueryData, s slicer) (any, error) {
				res := weakSpotResult{Current: map[string]metric.NPSCounts{}, Previous: map[string]metric.NPSCounts{}}
				for _, p := range []struct {
					from, to int
					into     map[string]metric.NPSCounts
				}{{quarter, tomorrow, res.Current}, {prevQuarter, quarter, res.Previous}} {
					rows, err := s(ctx, d.ws.ID, cxm.FeedbackQuery{FromDay: p.from, ToDay: p.to, Only: "nps",
						GroupBy: []cxm.FeedbackDimension{cxm.ByTouchpoint}})
					if err != nil {
						return nil, err
					}
					for _, r := range rows {
						p.into[d.tpIDs[r.TouchpointID]] = metric.NPSCounts{Promoters: r.Promoters, Passives: r.Passives, Detractors: r.Detractors}
					}
				}
				var figs []metric.TouchpointFigures[metric.NPSCounts]
				for _, tp := range d.tps {
					figs = append(figs, metric.TouchpointFigures[metric.NPSCounts]{Key: tp.key, Current: res.Current[tp.key], Previous: res.Previous[tp.key]})
				}
				res.Report = metric.WeakSpots(figs, metric.WeakSpotOptions{Options: o, Adjust: true})
				return res, nil
			},
			check: func(v any) error {
				if len(v.(weakSpotResult).Current) == 0 {
					return errors.New("counts no responses this quarter")
				}
				return nil
			},
		},
	}
}
