package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/cxmhq/cxm"
)

// benchSurvey is the survey the respond benchmark answers: the NPS after
// delivery with a satisfaction score and a reason.
func benchSurvey(ws int64) *cxm.Survey {
	return &cxm.Survey{
		WorkspaceID: ws, Slug: "bench-after-delivery", Name: "After delivery", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war Ihre Lieferung?", "en": "How was your delivery?"},
		Questions: []cxm.Question{
			{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Wie wahrscheinlich empfehlen Sie uns weiter?"}},
			{Key: "csat", Kind: cxm.KindCSAT, Text: cxm.LocalizedText{"de": "Wie zufrieden waren Sie mit der Lieferung?"}},
			{Key: "why", Kind: cxm.KindText, Text: cxm.LocalizedText{"de": "Was war der Grund?"}},
		},
		Touchpoints: []string{"delivery"},
	}
}

var benchReasons = []string{"Lieferung kam pünktlich, alles bestens", "Paket war zwei Tage zu spät",
	"Fast delivery, great packaging", "Der Fahrer war sehr freundlich", "Karton beschädigt, Ware aber ok"}

func runBenchRespond(ctx context.Context, m *Main, args []string) error {
	var cfg config
	fs := newFlags("bench respond", m, &cfg)
	n := fs.Int("responses", 20000, "number of complete responses")
	conc := fs.Int("concurrency", 16, "concurrent HTTP requests")
	customers := fs.Int("customers", 5000, "distinct customers")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	db, ws, cleanup, err := benchDB(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	sv := benchSurvey(ws.ID)
	if err := db.CreateSurvey(ctx, sv); err != nil {
		return err
	}
	url, token, stop, err := benchServer(ctx, m, db, ws)
	if err != nil {
		return err
	}
	defer stop()
	bodies := make([][]byte, *n)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"id":"r-%d","customer":"K-%d","touchpoint":"delivery","locale":"de","completed":true,`+
			`"answers":{"nps":%d,"csat":%d,"why":%q}}`, i, 100000+(i*7919)%*customers, i%11, 1+i%5, benchReasons[i%len(benchReasons)])
	}
	res, err := runLoad(ctx, url+"/api/v1/surveys/"+strconv.FormatInt(sv.ID, 10)+"/responses", token, "application/json",
		bodies, *conc, func(status int, body []byte) error {
			if status != http.StatusCreated {
				return fmt.Errorf("status %d: %.300s", status, body)
			}
			return nil
		})
	if err != nil {
		return err
	}
	// Every acknowledged response must be committed.
	var count int
	page := cxm.Page{Limit: cxm.MaxPageLimit}
	for {
		rs, next, err := db.ListResponses(ctx, ws.ID, cxm.ResponseFilter{SurveyID: sv.ID, Page: page})
		if err != nil {
			return err
		}
		count += len(rs)
		if page.Cursor = next; next == "" {
			break
		}
	}
	if count != *n {
		return fmt.Errorf("%d responses acknowledged but %d stored", *n, count)
	}
	return printResult(m, *asJSON, []benchField{
		{"responses", *n},
		{"concurrency", *conc},
		{"responses_per_s", round2(float64(*n) / res.elapsed.Seconds())},
		{"p50_ms", round2(res.percentileMS(50))},
		{"p99_ms", round2(res.percentileMS(99))},
	})
}
