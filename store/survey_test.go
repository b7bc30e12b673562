package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// testSurvey returns a valid survey of workspace ws with slug, asking at
// the touchpoints keys: a required NPS, a CSAT, a text and a multi choice.
func testSurvey(ws int64, slug string, touchpoints ...string) *cxm.Survey {
	return &cxm.Survey{
		WorkspaceID: ws, Slug: slug, Name: "Survey " + slug, Status: cxm.SurveyActive, DefaultLocale: "de",
		Title: cxm.LocalizedText{"de": "Wie war es?", "en": "How was it?"},
		Questions: []cxm.Question{
			{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Weiterempfehlen?"}},
			{Key: "csat", Kind: cxm.KindCSAT, Text: cxm.LocalizedText{"de": "Zufrieden?"}},
			{Key: "why", Kind: cxm.KindText, Text: cxm.LocalizedText{"de": "Warum?"}},
			{Key: "what", Kind: cxm.KindMulti, Text: cxm.LocalizedText{"de": "Was?"}, Choices: []cxm.Choice{
				{Key: "speed", Label: cxm.LocalizedText{"de": "Tempo"}}, {Key: "packaging", Label: cxm.LocalizedText{"de": "Verpackung"}}}},
		},
		Touchpoints:  touchpoints,
		HiddenFields: []string{"order_id"},
	}
}

// mustCreateSurvey stores s and fails the test on error.
func mustCreateSurvey(t *testing.T, db *DB, s *cxm.Survey) *cxm.Survey {
	t.Helper()
	if err := db.CreateSurvey(context.Background(), s); err != nil {
		t.Fatalf("create survey %s: %v", s.Slug, err)
	}
	return s
}

// jsonOf returns v as JSON, for comparing whole records.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// surveySlugs returns the slugs of ss in order.
func surveySlugs(ss []*cxm.Survey) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Slug
	}
	return out
}

func TestSurveyCreateAndFind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fixed := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)
		db.now = func() time.Time { return fixed }
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, w.ID, "hotline", "receipt")
		opens := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		s := testSurvey(w.ID, "after-delivery", "delivery", "hotline")
		s.OpensAt = &opens
		s.Trigger = &cxm.Trigger{InteractionType: "delivered", Touchpoint: "delivery", DelayMinutes: 2880, Channel: "email"}
		mustCreateSurvey(t, db, s)
		if s.ID == 0 || !s.CreatedAt.Equal(fixed.Truncate(time.Microsecond)) {
			t.Fatalf("created = id %d at %v, want an id at %v", s.ID, s.CreatedAt, fixed)
		}
		byID, err := db.FindSurvey(ctx, w.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		bySlug, err := db.FindSurveyBySlug(ctx, "after-delivery")
		if err != nil {
			t.Fatal(err)
		}
		want := jsonOf(t, s)
		for name, got := range map[string]*cxm.Survey{"by id": byID, "by slug": bySlug} {
			if g := jsonOf(t, got); g != want {
				t.Errorf("found %s:\n%s\nwant\n%s", name, g, want)
			}
		}
		_, err = db.FindSurvey(ctx, w.ID, s.ID+9999)
		checkError(t, err, cxm.ENotFound)
		_, err = db.FindSurveyBySlug(ctx, "nope")
		checkError(t, err, cxm.ENotFound)
	})
}

func TestSurveyCreateErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, other.ID, "store", "purchase")
		mustCreateSurvey(t, db, testSurvey(other.ID, "taken"))
		tests := []struct {
			name   string
			change func(s *cxm.Survey)
			code   string
			fields []string
		}{
			{"unknown touchpoint", func(s *cxm.Survey) { s.Touchpoints = []string{"delivery", "store"} }, cxm.EInvalid, []string{"touchpoints[1]"}},
			{"touchpoint twice", func(s *cxm.Survey) { s.Touchpoints = []string{"delivery", "delivery"} }, cxm.EInvalid, []string{"touchpoints[1]"}},
			{"unknown trigger touchpoint", func(s *cxm.Survey) {
				s.Trigger = &cxm.Trigger{InteractionType: "delivered", Touchpoint: "store", Channel: "email"}
			}, cxm.EInvalid, []string{"trigger.touchpoint"}},
			{"slug of another workspace", func(s *cxm.Survey) { s.Slug = "taken" }, cxm.EConflict, []string{"slug"}},
			{"invalid definition", func(s *cxm.Survey) { s.Questions[1].Kind = "slider" }, cxm.EInvalid, []string{"questions[1].kind"}},
		}
		for _, tt := range tests {
			s := testSurvey(w.ID, "survey", "delivery")
			tt.change(s)
			err := db.CreateSurvey(ctx, s)
			checkError(t, err, tt.code, tt.fields...)
			if s.ID != 0 {
				t.Errorf("%s: survey got id %d", tt.name, s.ID)
			}
		}
		list, _, err := db.ListSurveys(ctx, w.ID, cxm.SurveyFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("failed creates stored %v", surveySlugs(list))
		}
	})
}

func TestListSurveysFiltersAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, w.ID, "hotline", "receipt")
		mustCreateTouchpointAt(t, db, other.ID, "delivery", "receipt")
		for _, s := range []*cxm.Survey{
			testSurvey(w.ID, "s1", "delivery"),
			testSurvey(w.ID, "s2", "hotline", "delivery"),
			testSurvey(w.ID, "s3"),
			testSurvey(w.ID, "s4", "hotline"),
			testSurvey(other.ID, "o1", "delivery"),
		} {
			if s.Slug == "s3" {
				s.Status = cxm.SurveyDraft
			}
			mustCreateSurvey(t, db, s)
		}
		tests := []struct {
			name string
			f    cxm.SurveyFilter
			want []string
		}{
			{"all", cxm.SurveyFilter{}, []string{"s1", "s2", "s3", "s4"}},
			{"draft", cxm.SurveyFilter{Status: cxm.SurveyDraft}, []string{"s3"}},
			{"active", cxm.SurveyFilter{Status: cxm.SurveyActive}, []string{"s1", "s2", "s4"}},
			{"delivery", cxm.SurveyFilter{Touchpoint: "delivery"}, []string{"s1", "s2"}},
			{"active at hotline", cxm.SurveyFilter{Status: cxm.SurveyActive, Touchpoint: "hotline"}, []string{"s2", "s4"}},
			{"unknown touchpoint", cxm.SurveyFilter{Touchpoint: "nope"}, []string{}},
		}
		for _, tt := range tests {
			got, next, err := db.ListSurveys(ctx, w.ID, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !slices.Equal(surveySlugs(got), tt.want) || next != "" {
				t.Errorf("%s: got %v (next %q), want %v", tt.name, surveySlugs(got), next, tt.want)
			}
		}
		var all []string
		cursor := ""
		for range 10 {
			page, next, err := db.ListSurveys(ctx, w.ID, cxm.SurveyFilter{Page: cxm.Page{Cursor: cursor, Limit: 3}})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, surveySlugs(page)...)
			if cursor = next; next == "" {
				break
			}
		}
		if want := []string{"s1", "s2", "s3", "s4"}; !slices.Equal(all, want) {
			t.Errorf("paged = %v, want %v", all, want)
		}
		_, _, err := db.ListSurveys(ctx, w.ID, cxm.SurveyFilter{Status: "open"})
		checkError(t, err, cxm.EInvalid, "status")
		_, _, err = db.ListSurveys(ctx, w.ID, cxm.SurveyFilter{Page: cxm.Page{Cursor: "junk!"}})
		checkError(t, err, cxm.EInvalid, "cursor")
	})
}

func TestSurveyUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
		now := start
		db.now = func() time.Time { return now }
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, w.ID, "hotline", "receipt")
		s := mustCreateSurvey(t, db, testSurvey(w.ID, "survey", "delivery"))
		mustCreateSurvey(t, db, testSurvey(w.ID, "taken"))

		// Without responses anything valid may change.
		now = start.Add(time.Hour)
		u := testSurvey(w.ID, "renamed", "hotline")
		u.ID = s.ID
		u.Questions[0].Kind = cxm.KindCSAT
		u.Questions = u.Questions[:3]
		if err := db.UpdateSurvey(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindSurvey(ctx, w.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(start) || !got.UpdatedAt.Equal(now) || got.Slug != "renamed" || len(got.Questions) != 3 {
			t.Errorf("updated = %s", jsonOf(t, got))
		}
		if jsonOf(t, got) != jsonOf(t, u) {
			t.Errorf("found %s\nwant %s", jsonOf(t, got), jsonOf(t, u))
		}
		list, _, err := db.ListSurveys(ctx, w.ID, cxm.SurveyFilter{Touchpoint: "delivery"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("the old touchpoint still lists %v", surveySlugs(list))
		}

		// Once "nps" is answered, it keeps its key and kind.
		s = mustCreateSurvey(t, db, testSurvey(w.ID, "answered", "delivery"))
		mustSubmit(t, db, &cxm.Response{WorkspaceID: w.ID, SurveyID: s.ID, Source: cxm.SourceAPI, Locale: "de",
			Answers: cxm.Answers{"nps": 9.0}})
		tests := []struct {
			name   string
			change func(u *cxm.Survey)
			code   string
			fields []string
		}{
			{"texts and a new question", func(u *cxm.Survey) {
				u.Questions[0].Text = cxm.LocalizedText{"de": "Neu?", "en": "New?"}
				u.Questions = append(u.Questions, cxm.Question{Key: "extra", Kind: cxm.KindRating, Text: cxm.LocalizedText{"de": "Sterne"}})
			}, "", nil},
			{"unanswered question removed", func(u *cxm.Survey) { u.Questions = u.Questions[:3] }, "", nil},
			{"unanswered key changed", func(u *cxm.Survey) { u.Questions[1].Key = "satisfaction" }, "", nil},
			{"answered kind changed", func(u *cxm.Survey) { u.Questions[0].Kind = cxm.KindRating }, cxm.EConflict, []string{"questions[0]"}},
			{"answered key changed", func(u *cxm.Survey) { u.Questions[0].Key = "recommend" }, cxm.EConflict, []string{"questions[0]"}},
			{"answered question removed", func(u *cxm.Survey) { u.Questions = u.Questions[1:] }, cxm.EConflict, []string{"questions[0]"}},
			{"answered question moved and changed", func(u *cxm.Survey) {
				u.Questions[0], u.Questions[2] = u.Questions[2], u.Questions[0]
				u.Questions[2].Kind = cxm.KindCES
			}, cxm.EConflict, []string{"questions[2]"}},
			{"slug taken", func(u *cxm.Survey) { u.Slug = "taken" }, cxm.EConflict, []string{"slug"}},
			{"unknown touchpoint", func(u *cxm.Survey) { u.Touchpoints = []string{"nope"} }, cxm.EInvalid, []string{"touchpoints[0]"}},
			{"invalid", func(u *cxm.Survey) { u.Name = "" }, cxm.EInvalid, []string{"name"}},
		}
		for _, tt := range tests {
			u := testSurvey(w.ID, "answered", "delivery")
			u.ID = s.ID
			tt.change(u)
			err := db.UpdateSurvey(ctx, u)
			if tt.code == "" {
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
				}
				continue
			}
			checkError(t, err, tt.code, tt.fields...)
		}
		u = testSurvey(w.ID, "answered")
		u.ID = s.ID + 9999
		checkError(t, db.UpdateSurvey(ctx, u), cxm.ENotFound)

		// An answer to "axb" is no answer to "a_b": _ is no wildcard here.
		lookalike := testSurvey(w.ID, "lookalike")
		lookalike.Questions = append(lookalike.Questions,
			cxm.Question{Key: "a_b", Kind: cxm.KindRating, Text: cxm.LocalizedText{"de": "A"}},
			cxm.Question{Key: "axb", Kind: cxm.KindRating, Text: cxm.LocalizedText{"de": "B"}})
		mustCreateSurvey(t, db, lookalike)
		mustSubmit(t, db, &cxm.Response{WorkspaceID: w.ID, SurveyID: lookalike.ID, Source: cxm.SourceAPI, Locale: "de",
			Answers: cxm.Answers{"axb": 3.0}})
		lookalike.Questions = slices.DeleteFunc(lookalike.Questions, func(q cxm.Question) bool { return q.Key == "a_b" })
		if err := db.UpdateSurvey(ctx, lookalike); err != nil {
			t.Errorf("removing the unanswered a_b: %v", err)
		}
	})
}

func TestSurveyDelete(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		unused := mustCreateSurvey(t, db, testSurvey(w.ID, "unused", "delivery"))
		used := mustCreateSurvey(t, db, testSurvey(w.ID, "used", "delivery"))
		mustSubmit(t, db, &cxm.Response{WorkspaceID: w.ID, SurveyID: used.ID, Source: cxm.SourceAPI, Locale: "de",
			Answers: cxm.Answers{"csat": 4.0}})
		if err := db.DeleteSurvey(ctx, w.ID, unused.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.FindSurvey(ctx, w.ID, unused.ID)
		checkError(t, err, cxm.ENotFound)
		checkError(t, db.DeleteSurvey(ctx, w.ID, unused.ID), cxm.ENotFound)
		checkError(t, db.DeleteSurvey(ctx, w.ID, used.ID), cxm.EConflict)
		if _, err := db.FindSurvey(ctx, w.ID, used.ID); err != nil {
			t.Errorf("refused delete removed the survey: %v", err)
		}
		// The slug of a deleted survey is free again.
		mustCreateSurvey(t, db, testSurvey(w.ID, "unused", "delivery"))
	})
}

func TestSurveyIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "acme")
		b := mustCreateWorkspace(t, db, "globex")
		mustCreateTouchpointAt(t, db, a.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, b.ID, "delivery", "receipt")
		s := mustCreateSurvey(t, db, testSurvey(a.ID, "acme-survey", "delivery"))
		before := jsonOf(t, s)

		_, err := db.FindSurvey(ctx, b.ID, s.ID)
		checkError(t, err, cxm.ENotFound)
		list, _, err := db.ListSurveys(ctx, b.ID, cxm.SurveyFilter{Touchpoint: "delivery"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("B lists %v", surveySlugs(list))
		}
		u := testSurvey(b.ID, "acme-survey", "delivery")
		u.ID = s.ID
		u.Name = "taken over"
		checkError(t, db.UpdateSurvey(ctx, u), cxm.ENotFound)
		checkError(t, db.DeleteSurvey(ctx, b.ID, s.ID), cxm.ENotFound)
		_, err = db.SubmitResponse(ctx, &cxm.Response{WorkspaceID: b.ID, SurveyID: s.ID, Source: cxm.SourceAPI, Locale: "de",
			Answers: cxm.Answers{"nps": 1.0}})
		checkError(t, err, cxm.ENotFound)

		got, err := db.FindSurvey(ctx, a.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after := jsonOf(t, got); after != before {
			t.Errorf("A's survey changed:\n%s\nwant\n%s", after, before)
		}
		rs, _, err := db.ListResponses(ctx, a.ID, cxm.ResponseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 0 {
			t.Errorf("B's submit stored %d responses in A", len(rs))
		}
	})
}
