package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cxmhq/cxm"
	cxmtext "github.com/cxmhq/cxm/text"
)

// TestTextModelRoutes lists a workspace's model versions and restores an
// earlier one as an admin, and checks who may do what.
func TestTextModelRoutes(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		m, err := cxmtext.Train([]cxmtext.Example{{Text: "toll", Label: cxmtext.Positive}, {Text: "mies", Label: cxmtext.Negative}},
			cxmtext.TrainOptions{Bits: 10})
		if err != nil {
			t.Fatal(err)
		}
		blob, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := e.db.SaveTextModel(ctx, &cxm.TextModel{WorkspaceID: e.a.ws.ID, Examples: 2, Source: cxm.ModelSourceFile,
				LexiconWeight: 0.3, Blob: blob}); err != nil {
				t.Fatal(err)
			}
		}
		var list struct {
			Data []cxm.TextModel `json:"data"`
		}
		e.call("GET", "/api/v1/text/models", e.a.readKey, nil, 200).decode(t, &list)
		if len(list.Data) != 2 || list.Data[0].Version != 2 || !list.Data[0].Active || list.Data[1].Active {
			t.Fatalf("models = %+v", list.Data)
		}
		e.call("GET", "/api/v1/text/models", e.b.readKey, nil, 200).decode(t, &list)
		if len(list.Data) != 0 {
			t.Errorf("B sees A's models: %+v", list.Data)
		}

		admin := e.signIn(e.a.adminEmail, "acme")
		post := func(path string, client *http.Client, token string) response {
			return e.do(request{method: "POST", path: path, client: client, token: token})
		}
		if r := post("/api/v1/text/models/1/activate", nil, e.a.writeKey); r.status != 403 {
			t.Errorf("write key activates: %d %s", r.status, r.body)
		}
		if r := post("/api/v1/text/models/9/activate", admin, ""); r.status != 404 {
			t.Errorf("unknown version: %d %s", r.status, r.body)
		}
		if r := post("/api/v1/text/models/x/activate", admin, ""); r.status != 400 || len(r.errorFields()) != 1 || r.errorFields()[0][:7] != "version" {
			t.Errorf("bad version: %d %s", r.status, r.body)
		}
		r := post("/api/v1/text/models/1/activate", admin, "")
		var got cxm.TextModel
		r.decode(t, &got)
		if r.status != 200 || got.Version != 1 || !got.Active {
			t.Fatalf("activate 1: %d %s", r.status, r.body)
		}
		e.call("GET", "/api/v1/text/models", e.a.readKey, nil, 200).decode(t, &list)
		if len(list.Data) != 2 || list.Data[0].Active || !list.Data[1].Active {
			t.Errorf("after restoring 1: %+v", list.Data)
		}
	})
}
