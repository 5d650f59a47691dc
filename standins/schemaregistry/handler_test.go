package schemaregistry

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type step struct {
	method, path, body string
	status             int
	want               string // the JSON body, compared after normalising
}

// run plays steps in order against one registry, so later steps see what
// earlier ones stored.
func run(t *testing.T, steps []step) {
	t.Helper()
	srv := httptest.NewServer(NewHandler("BACKWARD"))
	defer srv.Close()
	for i, s := range steps {
		req, err := http.NewRequest(s.method, srv.URL+s.path, strings.NewReader(s.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ContentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != s.status {
			t.Errorf("step %d %s %s: status %d, want %d (body %s)", i, s.method, s.path, resp.StatusCode, s.status, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != ContentType {
			t.Errorf("step %d %s %s: Content-Type %q, want %q", i, s.method, s.path, ct, ContentType)
		}
		if s.want != "" && !sameJSON(t, string(body), s.want) {
			t.Errorf("step %d %s %s: body %s, want %s", i, s.method, s.path, body, s.want)
		}
	}
}

func sameJSON(t *testing.T, got, want string) bool {
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return strings.TrimSpace(got) == want
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}

const avroUser = `{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}`

func schemaBody(s string) string {
	b, _ := json.Marshal(map[string]string{"schema": s})
	return string(b)
}

func TestProbeEndpoints(t *testing.T) {
	run(t, []step{
		{"GET", "/", "", 200, `{}`},
		{"GET", "/subjects", "", 200, `[]`},
		{"GET", "/health/ready", "", 200, `{"status":"UP"}`},
		{"GET", "/config", "", 200, `{"compatibilityLevel":"BACKWARD"}`},
		{"GET", "/schemas/types", "", 200, `["AVRO","JSON","PROTOBUF"]`},
		{"GET", "/no/such/path", "", 404, `{"error_code":404,"message":"HTTP 404 Not Found"}`},
	})
}

// Apicurio's path for the Confluent API reaches the same registry as the root.
func TestCompatPrefix(t *testing.T) {
	run(t, []step{
		{"POST", CompatPrefix + "/subjects/t-value/versions", schemaBody(avroUser), 200, `{"id":1}`},
		{"GET", "/subjects", "", 200, `["t-value"]`},
		{"GET", CompatPrefix + "/subjects", "", 200, `["t-value"]`},
		{"GET", CompatPrefix + "/config", "", 200, `{"compatibilityLevel":"BACKWARD"}`},
	})
}

func TestRegisterAndFetch(t *testing.T) {
	avroV2 := `{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"n","type":"string","default":""}]}`
	run(t, []step{
		{"POST", "/subjects/users-value/versions", schemaBody(avroUser), 200, `{"id":1}`},
		{"POST", "/subjects/users-value/versions", schemaBody(avroUser), 200, `{"id":1}`}, // idempotent
		{"POST", "/subjects/users-value/versions", schemaBody(avroV2), 200, `{"id":2}`},
		{"POST", "/subjects/other-value/versions", schemaBody(avroUser), 200, `{"id":1}`}, // same text, same id
		{"POST", "/subjects/json-value/versions", `{"schemaType":"JSON","schema":"{\"type\":\"object\"}"}`, 200, `{"id":3}`},
		{"GET", "/subjects", "", 200, `["json-value","other-value","users-value"]`},
		{"GET", "/subjects/users-value/versions", "", 200, `[1,2]`},
		{"GET", "/subjects/users-value/versions/1", "", 200,
			`{"subject":"users-value","version":1,"id":1,"schema":` + jsonString(avroUser) + `}`},
		{"GET", "/subjects/users-value/versions/latest", "", 200,
			`{"subject":"users-value","version":2,"id":2,"schema":` + jsonString(avroV2) + `}`},
		{"GET", "/subjects/json-value/versions/latest", "", 200,
			`{"subject":"json-value","version":1,"id":3,"schemaType":"JSON","schema":"{\"type\":\"object\"}"}`},
		{"GET", "/subjects/users-value/versions/1/schema", "", 200, avroUser},
		{"GET", "/schemas/ids/2", "", 200, `{"schema":` + jsonString(avroV2) + `}`},
		{"GET", "/schemas/ids/3", "", 200, `{"schema":"{\"type\":\"object\"}","schemaType":"JSON"}`},
		{"POST", "/subjects/users-value", schemaBody(avroV2), 200,
			`{"subject":"users-value","version":2,"id":2,"schema":` + jsonString(avroV2) + `}`},
		{"DELETE", "/subjects/other-value", "", 200, `[1]`},
		{"GET", "/subjects", "", 200, `["json-value","users-value"]`},
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestErrors(t *testing.T) {
	run(t, []step{
		{"GET", "/subjects/nope/versions", "", 404, `{"error_code":40401,"message":"Subject 'nope' not found."}`},
		{"GET", "/subjects/nope/versions/1", "", 404, `{"error_code":40401,"message":"Subject 'nope' not found."}`},
		{"DELETE", "/subjects/nope", "", 404, `{"error_code":40401,"message":"Subject 'nope' not found."}`},
		{"POST", "/subjects/s/versions", schemaBody(avroUser), 200, `{"id":1}`},
		{"GET", "/subjects/s/versions/7", "", 404, `{"error_code":40402,"message":"Version 7 not found."}`},
		{"GET", "/subjects/s/versions/zero", "", 422, ""},
		{"GET", "/schemas/ids/99", "", 404, `{"error_code":40403,"message":"Schema 99 not found"}`},
		{"POST", "/subjects/s", schemaBody(`"string"`), 404, `{"error_code":40403,"message":"Schema not found"}`},
		{"POST", "/subjects/s/versions", schemaBody(`{not json`), 422, `{"error_code":42201,"message":"Invalid schema: not valid JSON"}`},
		{"POST", "/subjects/s/versions", `garbage`, 422, ""},
		{"POST", "/subjects/s/versions", `{"schemaType":"XML","schema":"<a/>"}`, 422, ""},
		{"POST", "/subjects/s/versions", `{"schemaType":"PROTOBUF","schema":" "}`, 422, ""},
	})
}

func TestCompatibilityConfig(t *testing.T) {
	run(t, []step{
		{"PUT", "/config", `{"compatibility":"full"}`, 200, `{"compatibility":"FULL"}`},
		{"GET", "/config", "", 200, `{"compatibilityLevel":"FULL"}`},
		{"GET", "/config/users-value", "", 404, ""},
		{"PUT", "/config/users-value", `{"compatibility":"NONE"}`, 200, `{"compatibility":"NONE"}`},
		{"GET", "/config/users-value", "", 200, `{"compatibilityLevel":"NONE"}`},
		{"GET", "/config", "", 200, `{"compatibilityLevel":"FULL"}`},
		{"PUT", "/config", `{"compatibility":"SIDEWAYS"}`, 422, ""},
		{"PUT", "/config", `nope`, 422, ""},
	})
}
