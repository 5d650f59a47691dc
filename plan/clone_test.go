package plan_test

import (
	"reflect"
	"testing"

	"github.com/kinit/kinit/plan"
)

// A clone shares no memory with its original, for every field a Service
// has now or gets later: the test fills each field by reflection, so a new
// slice or pointer that Clone forgets fails here.
func TestCloneSharesNothing(t *testing.T) {
	var s plan.Service
	fill(reflect.ValueOf(&s).Elem())
	c := s.Clone()
	if !reflect.DeepEqual(s, c) {
		t.Fatalf("clone differs:\n%+v\n%+v", s, c)
	}
	if path := shared(reflect.ValueOf(s), reflect.ValueOf(c), "Service"); path != "" {
		t.Fatalf("%s is shared between a Service and its clone", path)
	}
	if z := (plan.Service{}).Clone(); !reflect.DeepEqual(z, plan.Service{}) {
		t.Fatalf("clone of the zero Service: %+v", z)
	}
}

// fill sets every field below v to a non-zero value, slices to one element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	default:
		panic("fill: add a case for " + v.Kind().String())
	}
}

// shared returns the path of the first slice or pointer a and b share.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Pointer:
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	}
	return ""
}
