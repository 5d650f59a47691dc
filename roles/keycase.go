package roles

import (
	"reflect"
	"slices"
	"strings"
)

// TOML keys are case-sensitive, but the decoder matches struct fields
// without regard to case: `[Configs.x]` would fill Configs while everything
// that reads the file in order (positions, declaration order) looks for
// "configs". So a key that names a field only in another case is an error.
var rawFileType = reflect.TypeOf(rawFile{})

// checkKeyCase reports each key whose path reaches a field through a
// spelling other than the field's own.
func (l *loader) checkKeyCase() {
	reported := map[string]bool{}
	for _, k := range l.md.Keys() {
		t := rawFileType
		for i, part := range k {
			t = deref(t)
			switch t.Kind() {
			case reflect.Map:
				t = t.Elem() // part is an id or a free-form key
				continue
			case reflect.Struct:
			default:
				// A value, or a type that decodes itself: nothing deeper.
				t = nil
			}
			if t == nil {
				break
			}
			f, exact := fieldByTag(t, part)
			if f == nil {
				break // unknown: MetaData.Undecoded reports it
			}
			if !exact {
				path := strings.Join(k[:i+1], ".")
				if !reported[path] {
					reported[path] = true
					l.c.Add(l.cfg.File, l.firstLine(k[:i+1]), "key %q: keys are case-sensitive; write %q", part, tagName(*f))
				}
				break
			}
			t = f.Type
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	return t
}

// fieldByTag finds the field a key decodes into, and whether the key spells
// its name exactly.
func fieldByTag(t reflect.Type, key string) (*reflect.StructField, bool) {
	var folded *reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch name := tagName(f); {
		case name == key:
			return &f, true
		case folded == nil && strings.EqualFold(name, key):
			folded = &f
		}
	}
	return folded, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// firstLine is the line of a key path, or, for a table only named by the
// headers of its subtables ([Configs.x.roles]), the first line below it.
func (l *loader) firstLine(prefix []string) int {
	if n := l.cfg.pos.Line(prefix...); n > 0 {
		return n
	}
	first := 0
	for _, k := range l.md.Keys() {
		if len(k) < len(prefix) || !slices.Equal([]string(k[:len(prefix)]), prefix) {
			continue
		}
		if n := l.cfg.pos.Line(k...); n > 0 && (first == 0 || n < first) {
			first = n
		}
	}
	return first
}
