package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// manifests is one deploy/kubernetes/<config> directory, decoded.
type manifests struct {
	dir          string
	namespaces   []*corev1.Namespace
	configMaps   map[string]*corev1.ConfigMap
	services     map[string]*corev1.Service
	statefulSets []*appsv1.StatefulSet
	pdbs         []*policyv1.PodDisruptionBudget
	files        []string // the .yaml files other than kustomization.yaml
	kustomize    []string // kustomization.yaml's resources
}

// kustomization is the part of kustomization.yaml these manifests use; it
// is no k8s.io/api type, so it has a strict struct of its own.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// loadDir decodes every document of every .yaml file in dir strictly: a
// field the API type has not got (a typo) or a duplicate key is an error
// naming the file and the document.
func loadDir(dir string) (*manifests, error) {
	m := &manifests{dir: dir, configMaps: map[string]*corev1.ConfigMap{}, services: map[string]*corev1.Service{}}
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("%s: no manifests (%v)", dir, err)
	}
	var errs []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if filepath.Base(p) == "kustomization.yaml" {
			var k kustomization
			if err := yaml.UnmarshalStrict(data, &k); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", p, err))
			}
			m.kustomize = k.Resources
			continue
		}
		m.files = append(m.files, filepath.Base(p))
		for i, doc := range documents(data) {
			if err := m.add(doc); err != nil {
				errs = append(errs, fmt.Sprintf("%s: document %d: %v", p, i+1, err))
			}
		}
	}
	if len(errs) > 0 {
		return m, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return m, nil
}

// documents splits a YAML stream at its "---" lines, dropping empty ones.
func documents(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), data...), []byte("\n---\n")) {
		if len(bytes.TrimSpace(stripComments(d))) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}

func stripComments(d []byte) []byte {
	var out []byte
	for _, l := range bytes.Split(d, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(append(out, l...), '\n')
		}
	}
	return out
}

func (m *manifests) add(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	// The API server's own strict decoding: every unknown or duplicate
	// field, each with its path (spec.template.spec.…).
	strict := func(into any) error {
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return err
		}
		problems, err := sigsjson.UnmarshalStrict(js, into)
		if err != nil {
			return err
		}
		var msgs []string
		for _, p := range problems {
			msgs = append(msgs, p.Error())
		}
		if len(msgs) > 0 {
			return fmt.Errorf("%s", strings.Join(msgs, "; "))
		}
		return nil
	}
	switch tm.APIVersion + " " + tm.Kind {
	case "v1 Namespace":
		o := &corev1.Namespace{}
		m.namespaces = append(m.namespaces, o)
		return strict(o)
	case "v1 ConfigMap":
		o := &corev1.ConfigMap{}
		err := strict(o)
		m.configMaps[o.Name] = o
		return err
	case "v1 Service":
		o := &corev1.Service{}
		err := strict(o)
		m.services[o.Name] = o
		return err
	case "apps/v1 StatefulSet":
		o := &appsv1.StatefulSet{}
		m.statefulSets = append(m.statefulSets, o)
		return strict(o)
	case "policy/v1 PodDisruptionBudget":
		o := &policyv1.PodDisruptionBudget{}
		m.pdbs = append(m.pdbs, o)
		return strict(o)
	}
	return fmt.Errorf("%s %s: not a kind these manifests use", tm.APIVersion, tm.Kind)
}

// objectMetas lists every object's metadata, for checks that hold for all.
func (m *manifests) objectMetas() []metav1.ObjectMeta {
	var out []metav1.ObjectMeta
	for _, o := range m.configMaps {
		out = append(out, o.ObjectMeta)
	}
	for _, o := range m.services {
		out = append(out, o.ObjectMeta)
	}
	for _, o := range m.statefulSets {
		out = append(out, o.ObjectMeta)
	}
	for _, o := range m.pdbs {
		out = append(out, o.ObjectMeta)
	}
	slices.SortFunc(out, func(a, b metav1.ObjectMeta) int { return strings.Compare(a.Name, b.Name) })
	return out
}
