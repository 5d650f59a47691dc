package schemaregistry

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ContentType is the media type every response carries, as the real
// registry's default.
const ContentType = "application/vnd.schemaregistry.v1+json"

// Error codes of the Schema Registry REST API.
const (
	codeSubjectNotFound  = 40401
	codeVersionNotFound  = 40402
	codeSchemaNotFound   = 40403
	codeNoSubjectConfig  = 40408
	codeInvalidSchema    = 42201
	codeInvalidVersion   = 42202
	codeInvalidCompat    = 42203
	maxRequestBodyLength = 1 << 20
)

// CompatPrefix is where Apicurio Registry serves the Confluent API; the
// stand-in serves it there too, so the shipped readiness URL and client URL
// (kinit.toml) reach whichever of them runs.
const CompatPrefix = "/apis/ccompat/v7"

// NewHandler returns the REST API of a registry whose global compatibility
// level starts at compat, at the root (as Confluent's) and under CompatPrefix.
func NewHandler(compat string) http.Handler {
	api := newAPI(compat)
	mux := http.NewServeMux()
	mux.Handle(CompatPrefix+"/", http.StripPrefix(CompatPrefix, api))
	mux.Handle("/", api)
	return mux
}

func newAPI(compat string) http.Handler {
	r := newRegistry(compat)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { reply(w, http.StatusOK, struct{}{}) })
	// Apicurio's (Quarkus') readiness path, which kinit.toml's probe asks.
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, map[string]string{"status": "UP"})
	})
	mux.HandleFunc("GET /subjects", r.handleSubjects)
	mux.HandleFunc("GET /schemas/types", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, []string{"AVRO", "JSON", "PROTOBUF"})
	})
	mux.HandleFunc("GET /schemas/ids/{id}", r.handleSchemaByID)
	mux.HandleFunc("POST /subjects/{subject}/versions", r.handleRegister)
	mux.HandleFunc("POST /subjects/{subject}", r.handleLookup)
	mux.HandleFunc("DELETE /subjects/{subject}", r.handleDeleteSubject)
	mux.HandleFunc("GET /subjects/{subject}/versions", r.handleVersions)
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", r.handleVersion)
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}/schema", r.handleVersionSchema)
	mux.HandleFunc("GET /config", r.handleGetConfig)
	mux.HandleFunc("PUT /config", r.handlePutConfig)
	mux.HandleFunc("GET /config/{subject}", r.handleGetConfig)
	mux.HandleFunc("PUT /config/{subject}", r.handlePutConfig)
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		fail(w, http.StatusNotFound, http.StatusNotFound, "HTTP 404 Not Found")
	})
	return mux
}

type apiError struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status, code int, msg string) {
	reply(w, status, apiError{ErrorCode: code, Message: msg})
}

func (r *registry) handleSubjects(w http.ResponseWriter, _ *http.Request) {
	reply(w, http.StatusOK, r.subjectNames())
}

type schemaRequest struct {
	Schema     string `json:"schema"`
	SchemaType string `json:"schemaType,omitempty"`
}

type schemaRecord struct {
	Subject    string `json:"subject"`
	Version    int    `json:"version"`
	ID         int    `json:"id"`
	SchemaType string `json:"schemaType,omitempty"`
	Schema     string `json:"schema"`
}

// readSchema decodes a registration or lookup body. Avro and JSON schemas
// must at least be JSON; nothing deeper is checked.
func readSchema(w http.ResponseWriter, req *http.Request) (schemaKey, bool) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBodyLength+1))
	if err != nil || len(body) > maxRequestBodyLength {
		fail(w, http.StatusUnprocessableEntity, codeInvalidSchema, "cannot read request body")
		return schemaKey{}, false
	}
	var sr schemaRequest
	if err := json.Unmarshal(body, &sr); err != nil {
		fail(w, http.StatusUnprocessableEntity, codeInvalidSchema, "Invalid schema: request is not JSON")
		return schemaKey{}, false
	}
	k := schemaKey{schemaType: strings.ToUpper(sr.SchemaType), schema: sr.Schema}
	if k.schemaType == "" {
		k.schemaType = "AVRO"
	}
	switch k.schemaType {
	case "AVRO", "JSON":
		if !json.Valid([]byte(sr.Schema)) {
			fail(w, http.StatusUnprocessableEntity, codeInvalidSchema, "Invalid schema: not valid JSON")
			return schemaKey{}, false
		}
	case "PROTOBUF":
		if strings.TrimSpace(sr.Schema) == "" {
			fail(w, http.StatusUnprocessableEntity, codeInvalidSchema, "Invalid schema: empty")
			return schemaKey{}, false
		}
	default:
		fail(w, http.StatusUnprocessableEntity, codeInvalidSchema, fmt.Sprintf("Invalid schema type %s", sr.SchemaType))
		return schemaKey{}, false
	}
	return k, true
}

func (r *registry) handleRegister(w http.ResponseWriter, req *http.Request) {
	k, ok := readSchema(w, req)
	if !ok {
		return
	}
	reply(w, http.StatusOK, map[string]int{"id": r.register(req.PathValue("subject"), k)})
}

func (r *registry) handleLookup(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	k, ok := readSchema(w, req)
	if !ok {
		return
	}
	if _, ok := r.versions(subject); !ok {
		fail(w, http.StatusNotFound, codeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject))
		return
	}
	v, ok := r.lookup(subject, k)
	if !ok {
		fail(w, http.StatusNotFound, codeSchemaNotFound, "Schema not found")
		return
	}
	reply(w, http.StatusOK, record(subject, v, k))
}

func record(subject string, v version, k schemaKey) schemaRecord {
	rec := schemaRecord{Subject: subject, Version: v.version, ID: v.id, Schema: k.schema}
	if k.schemaType != "AVRO" {
		rec.SchemaType = k.schemaType
	}
	return rec
}

func (r *registry) handleDeleteSubject(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	vs, ok := r.deleteSubject(subject)
	if !ok {
		fail(w, http.StatusNotFound, codeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject))
		return
	}
	reply(w, http.StatusOK, vs)
}

func (r *registry) handleVersions(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	vs, ok := r.versions(subject)
	if !ok {
		fail(w, http.StatusNotFound, codeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject))
		return
	}
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = v.version
	}
	reply(w, http.StatusOK, out)
}

// findVersion resolves {subject}/versions/{version}, "latest" or a number,
// writing the error response itself when it fails.
func (r *registry) findVersion(w http.ResponseWriter, req *http.Request) (string, version, schemaKey, bool) {
	subject, raw := req.PathValue("subject"), req.PathValue("version")
	vs, ok := r.versions(subject)
	if !ok {
		fail(w, http.StatusNotFound, codeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject))
		return "", version{}, schemaKey{}, false
	}
	var found *version
	if raw == "latest" || raw == "-1" {
		found = &vs[len(vs)-1]
	} else {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			fail(w, http.StatusUnprocessableEntity, codeInvalidVersion,
				fmt.Sprintf("The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", raw))
			return "", version{}, schemaKey{}, false
		}
		for i := range vs {
			if vs[i].version == n {
				found = &vs[i]
			}
		}
	}
	if found == nil {
		fail(w, http.StatusNotFound, codeVersionNotFound, fmt.Sprintf("Version %s not found.", raw))
		return "", version{}, schemaKey{}, false
	}
	k, _ := r.schema(found.id)
	return subject, *found, k, true
}

func (r *registry) handleVersion(w http.ResponseWriter, req *http.Request) {
	if subject, v, k, ok := r.findVersion(w, req); ok {
		reply(w, http.StatusOK, record(subject, v, k))
	}
}

func (r *registry) handleVersionSchema(w http.ResponseWriter, req *http.Request) {
	if _, _, k, ok := r.findVersion(w, req); ok {
		w.Header().Set("Content-Type", ContentType)
		_, _ = io.WriteString(w, k.schema)
	}
}

func (r *registry) handleSchemaByID(w http.ResponseWriter, req *http.Request) {
	id, err := strconv.Atoi(req.PathValue("id"))
	k, ok := r.schema(id)
	if err != nil || !ok {
		fail(w, http.StatusNotFound, codeSchemaNotFound, "Schema "+req.PathValue("id")+" not found")
		return
	}
	out := map[string]string{"schema": k.schema}
	if k.schemaType != "AVRO" {
		out["schemaType"] = k.schemaType
	}
	reply(w, http.StatusOK, out)
}

func (r *registry) handleGetConfig(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	level, ok := r.compatibility(subject)
	if !ok {
		fail(w, http.StatusNotFound, codeNoSubjectConfig,
			fmt.Sprintf("Subject '%s' does not have subject-level compatibility configured", subject))
		return
	}
	reply(w, http.StatusOK, map[string]string{"compatibilityLevel": level})
}

func (r *registry) handlePutConfig(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Compatibility string `json:"compatibility"`
	}
	if err := json.NewDecoder(io.LimitReader(req.Body, maxRequestBodyLength)).Decode(&body); err != nil {
		fail(w, http.StatusUnprocessableEntity, codeInvalidCompat, "Invalid compatibility level: request is not JSON")
		return
	}
	level, ok := validLevel(body.Compatibility)
	if !ok {
		fail(w, http.StatusUnprocessableEntity, codeInvalidCompat,
			fmt.Sprintf("Invalid compatibility level. Valid values are %s", strings.Join(levels, ", ")))
		return
	}
	r.setCompatibility(req.PathValue("subject"), level)
	reply(w, http.StatusOK, map[string]string{"compatibility": level})
}
