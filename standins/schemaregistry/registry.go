package schemaregistry

import (
	"sort"
	"sync"
)

// registry is the in-memory schema store. One mutex guards it all; requests
// are tiny and rare.
type registry struct {
	mu            sync.Mutex
	nextID        int
	ids           map[schemaKey]int // the same schema text gets the same id everywhere
	schemas       map[int]schemaKey
	subjects      map[string][]version
	compat        string
	subjectCompat map[string]string
}

type schemaKey struct {
	schemaType string // AVRO, JSON or PROTOBUF
	schema     string
}

type version struct {
	version int
	id      int
}

func newRegistry(compat string) *registry {
	return &registry{
		nextID:        1,
		ids:           map[schemaKey]int{},
		schemas:       map[int]schemaKey{},
		subjects:      map[string][]version{},
		compat:        compat,
		subjectCompat: map[string]string{},
	}
}

// register adds the schema to subject unless the subject already has it,
// and returns its global id.
func (r *registry) register(subject string, k schemaKey) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.ids[k]
	if !ok {
		id = r.nextID
		r.nextID++
		r.ids[k] = id
		r.schemas[id] = k
	}
	vs := r.subjects[subject]
	for _, v := range vs {
		if v.id == id {
			return id
		}
	}
	next := 1
	if len(vs) > 0 {
		next = vs[len(vs)-1].version + 1
	}
	r.subjects[subject] = append(vs, version{version: next, id: id})
	return id
}

func (r *registry) subjectNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.subjects))
	for s := range r.subjects {
		names = append(names, s)
	}
	sort.Strings(names)
	return names
}

// versions returns the subject's versions, or ok=false for an unknown subject.
func (r *registry) versions(subject string) ([]version, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	vs, ok := r.subjects[subject]
	return append([]version(nil), vs...), ok
}

func (r *registry) schema(id int) (schemaKey, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.schemas[id]
	return k, ok
}

// lookup finds the version of subject that holds the schema.
func (r *registry) lookup(subject string, k schemaKey) (version, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.ids[k]
	if !ok {
		return version{}, false
	}
	for _, v := range r.subjects[subject] {
		if v.id == id {
			return v, true
		}
	}
	return version{}, false
}

func (r *registry) deleteSubject(subject string) ([]int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	vs, ok := r.subjects[subject]
	if !ok {
		return nil, false
	}
	delete(r.subjects, subject)
	delete(r.subjectCompat, subject)
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = v.version
	}
	return out, true
}

func (r *registry) compatibility(subject string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if subject == "" {
		return r.compat, true
	}
	c, ok := r.subjectCompat[subject]
	return c, ok
}

func (r *registry) setCompatibility(subject, level string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if subject == "" {
		r.compat = level
		return
	}
	r.subjectCompat[subject] = level
}
