package metrics

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestTemplateMapsEveryField: every field a Document can carry has an
// explicit mapping, and the template maps nothing a Document lacks, so no
// field is left to dynamic mapping (test/cluster TestOpenSearch checks the
// same against a real engine's _mapping).
func TestTemplateMapsEveryField(t *testing.T) {
	var body struct {
		Template struct {
			Mappings struct {
				Properties map[string]any `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(Config{Index: defaultIndex}.templateBody(), &body); err != nil {
		t.Fatal(err)
	}
	var mapped []string
	var walkMapping func(prefix string, props map[string]any)
	walkMapping = func(prefix string, props map[string]any) {
		for name, v := range props {
			m := v.(map[string]any)
			if sub, ok := m["properties"].(map[string]any); ok {
				walkMapping(prefix+name+".", sub)
			} else {
				mapped = append(mapped, prefix+name)
			}
		}
	}
	walkMapping("", body.Template.Mappings.Properties)

	var fields []string
	var walkType func(prefix string, typ reflect.Type)
	walkType = func(prefix string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if typ.Kind() == reflect.Map {
			// kafka, zookeeper and kinit.jvm: the fields jvmFields and
			// clusterFields name (TestJVMDocumentFields checks documents
			// carry no others).
			for _, f := range dynamicFields() {
				if rest, ok := strings.CutPrefix(f, prefix); ok {
					fields = append(fields, prefix+rest)
				}
			}
			return
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() {
			fields = append(fields, strings.TrimSuffix(prefix, "."))
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			walkType(prefix+name+".", f.Type)
		}
	}
	walkType("", reflect.TypeFor[Document]())

	sort.Strings(mapped)
	sort.Strings(fields)
	if !slices.Equal(mapped, fields) {
		for _, f := range fields {
			if !slices.Contains(mapped, f) {
				t.Errorf("document field %s has no mapping in the template", f)
			}
		}
		for _, m := range mapped {
			if !slices.Contains(fields, m) {
				t.Errorf("template maps %s, which no document carries", m)
			}
		}
	}
}
