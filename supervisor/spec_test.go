package supervisor_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/kinit/kinit/plan"
)

// Spec answers with what a service was last given, its defaults filled in:
// the plan's spec, then an Update's as soon as Update returns; and a copy,
// which the caller may change without reaching the supervisor.
func TestSpecIsWhatTheServiceWasLastGiven(t *testing.T) {
	a := svc("a")
	h := start(t, plan.Plan{Services: []plan.Service{a}})
	defaulted := func(s plan.Service) plan.Service {
		return plan.Plan{Services: []plan.Service{s}}.WithDefaults().Services[0]
	}
	got, ok := h.sup.Spec("a")
	if !ok || !reflect.DeepEqual(got, defaulted(a)) {
		t.Fatalf("Spec(a) = %+v, %v; want the plan's %+v", got, ok, defaulted(a))
	}
	got.Argv[0] = "/changed/by/the/caller"
	if again, _ := h.sup.Spec("a"); !reflect.DeepEqual(again, defaulted(a)) {
		t.Fatalf("a caller's change to its copy reached the supervisor: %+v", again)
	}

	next := a
	next.Env = []string{"MODE=two"}
	next.Grace *= 2
	if _, err := h.sup.Update(context.Background(), next, false); err != nil {
		t.Fatalf("update refused: %v", err)
	}
	if got, _ := h.sup.Spec("a"); !reflect.DeepEqual(got, defaulted(next)) {
		t.Fatalf("Spec(a) after Update = %+v, want %+v", got, defaulted(next))
	}
	if _, ok := h.sup.Spec("nope"); ok {
		t.Error("Spec of an unknown service reports one")
	}
}
