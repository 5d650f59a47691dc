package kubernetes

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"
)

// An overlay (deploy/kubernetes/*-secure) is a kustomization whose
// resources name a base directory and whose patches change the base's
// objects. The checks read what `kubectl apply -k` would send, so the
// loader does the two things of kustomize the overlays use: load a
// resource directory whole, and apply each patch file as a strategic
// merge patch to the object it names.

// loadBases reads kustomization.yaml: its resources and patches, and every
// resource that is a directory, loaded by loadDir into m.
func (m *manifests) loadBases() []string {
	p := filepath.Join(m.dir, "kustomization.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		return []string{err.Error()}
	}
	var k kustomization
	var errs []string
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		errs = append(errs, fmt.Sprintf("%s: %v", p, err))
	}
	m.kustomize = k.Resources
	for _, pt := range k.Patches {
		m.patches = append(m.patches, filepath.Clean(pt.Path))
	}
	for _, r := range k.Resources {
		dir := filepath.Join(m.dir, r)
		st, err := os.Stat(dir)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: resource %s: %v", p, r, err))
			continue
		}
		if !st.IsDir() {
			continue
		}
		m.bases = append(m.bases, r)
		if _, err := os.Stat(filepath.Join(dir, "kustomization.yaml")); err != nil {
			// kustomize builds a directory only through its kustomization.
			errs = append(errs, fmt.Sprintf("%s: resource %s: a directory without kustomization.yaml: %v", p, r, err))
			continue
		}
		base, err := loadDir(dir)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: resource %s: %v", p, r, err))
			if base == nil {
				continue
			}
		}
		for _, o := range base.objects() {
			if err := m.put(o); err != nil {
				errs = append(errs, fmt.Sprintf("%s: resource %s: %v", p, r, err))
			}
		}
	}
	return errs
}

// objects lists every object in a fixed order: the order of the files,
// maps by name.
func (m *manifests) objects() []any {
	var out []any
	for _, o := range m.namespaces {
		out = append(out, o)
	}
	for _, name := range slices.Sorted(maps.Keys(m.configMaps)) {
		out = append(out, m.configMaps[name])
	}
	for _, name := range slices.Sorted(maps.Keys(m.services)) {
		out = append(out, m.services[name])
	}
	for _, o := range m.statefulSets {
		out = append(out, o)
	}
	for _, o := range m.pdbs {
		out = append(out, o)
	}
	for _, o := range m.certificates {
		out = append(out, o)
	}
	return out
}

// applyPatch applies the strategic merge patch in path to the object it
// names by kind, namespace and name, as kustomize's patches do: lists
// merge by the patchMergeKey of the API type's struct tags (containers and
// env by name, volumeMounts by mountPath, volumes by name), the rest
// replaces or adds. The patch is decoded as strictly as a manifest first,
// so a misspelled field is named with the patch's file, and the result is
// decoded strictly again.
func (m *manifests) applyPatch(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("patch %w", err)
	}
	docs := documents(data)
	if len(docs) != 1 {
		return fmt.Errorf("%s: %d documents: kustomize's patches take one patch per path", path, len(docs))
	}
	var head struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        metav1.ObjectMeta `json:"metadata"`
	}
	if err := yaml.Unmarshal(docs[0], &head); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	shape, ok := newObject(head.TypeMeta)
	if !ok {
		return fmt.Errorf("%s: %s %s: not a kind these manifests use", path, head.APIVersion, head.Kind)
	}
	if err := decodeStrict(docs[0], shape); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	kind := kindOf(shape)
	target, ok := m.index[objectKey(kind, head.Metadata.Namespace, head.Metadata.Name)]
	if !ok {
		var have []string
		for key := range m.index {
			if k, name, _ := strings.Cut(key, " "); k == kind {
				have = append(have, name)
			}
		}
		slices.Sort(have)
		ns := head.Metadata.Namespace
		if ns == "" {
			// kustomize reads no namespace as "default".
			ns = `(no namespace: "default")`
		}
		return fmt.Errorf("%s: patches %s %s/%s, which none of the resources defines (the %ss: %s)",
			path, kind, ns, head.Metadata.Name, kind, strings.Join(have, ", "))
	}
	original, err := json.Marshal(target)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	patch, err := yaml.YAMLToJSONStrict(docs[0])
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	merged, err := strategicpatch.StrategicMergePatch(original, patch, target)
	if err != nil {
		return fmt.Errorf("%s: cannot apply: %v", path, err)
	}
	patched, _ := newObject(head.TypeMeta)
	if err := unmarshalStrict(merged, patched); err != nil {
		return fmt.Errorf("%s: the patched object: %v", path, err)
	}
	// Replaced in place: every list and map of m holds the same pointer.
	reflect.ValueOf(target).Elem().Set(reflect.ValueOf(patched).Elem())
	return nil
}
