package web_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOpenAPIListsEveryRoute fails when a registered route is missing from
// the OpenAPI description, or the description lists a route that does not exist.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		r := e.call("GET", "/api/v1/openapi.json", "", nil, 200)
		var doc struct {
			OpenAPI string                                `json:"openapi"`
			Paths   map[string]map[string]json.RawMessage `json:"paths"`
		}
		r.decode(t, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.1") {
			t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
		}
		registered := map[string]bool{}
		for _, rt := range e.web.Routes() {
			if rt.Page {
				continue
			}
			key := strings.ToLower(rt.Method) + " " + rt.Pattern
			registered[key] = true
			raw, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
			var op map[string]any
			if ok {
				json.Unmarshal(raw, &op)
			}
			if !ok {
				t.Errorf("route %s %s is missing from openapi.json", rt.Method, rt.Pattern)
				continue
			}
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses in openapi.json", rt.Method, rt.Pattern)
			}
		}
		for path, ops := range doc.Paths {
			for method := range ops {
				if method == "parameters" {
					continue
				}
				if !registered[method+" "+path] {
					t.Errorf("openapi.json lists %s %s, which is not a route", method, path)
				}
			}
		}
		if len(doc.Paths) == 0 {
			t.Error("openapi.json lists no paths")
		}
	})
}
