package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// manifests is one deploy/kubernetes/<config> directory, decoded: its own
// files, and for an overlay the objects of its bases with its patches
// applied (kustomize_test.go).
type manifests struct {
	dir          string
	namespaces   []*corev1.Namespace
	configMaps   map[string]*corev1.ConfigMap
	services     map[string]*corev1.Service
	statefulSets []*appsv1.StatefulSet
	pdbs         []*policyv1.PodDisruptionBudget
	certificates []*certificate
	// index holds every object by objectKey, for duplicates and patches.
	index     map[string]any
	files     []string // the .yaml files other than kustomization.yaml
	certFiles []string // those of files holding only Certificates
	kustomize []string // kustomization.yaml's resources
	bases     []string // those of its resources that are directories
	patches   []string // its patches' paths
}

// kustomization is the part of kustomization.yaml these manifests use; it
// is no k8s.io/api type, so it has a strict struct of its own. A patch is
// a strategic merge patch file: inline patches, JSON 6902 and targets are
// not used here, so strict decoding refuses them.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
	Patches    []struct {
		Path string `json:"path"`
	} `json:"patches"`
}

// loadDir decodes every document of every .yaml file in dir strictly: a
// field the API type has not got (a typo) or a duplicate key is an error
// naming the file and the document. Resources of kustomization.yaml that
// are directories are loaded the same way, and its patches applied to
// the result.
func loadDir(dir string) (*manifests, error) {
	m := &manifests{dir: dir, configMaps: map[string]*corev1.ConfigMap{}, services: map[string]*corev1.Service{}, index: map[string]any{}}
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("%s: no manifests (%v)", dir, err)
	}
	var errs []string
	if slices.Contains(paths, filepath.Join(dir, "kustomization.yaml")) {
		errs = append(errs, m.loadBases()...)
	}
	for _, p := range paths {
		name := filepath.Base(p)
		if name == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, name)
		if slices.Contains(m.patches, name) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		certs := len(m.certificates)
		docs := documents(data)
		for i, doc := range docs {
			if err := m.add(doc); err != nil {
				errs = append(errs, fmt.Sprintf("%s: document %d: %v", p, i+1, err))
			}
		}
		if len(docs) > 0 && len(m.certificates)-certs == len(docs) {
			m.certFiles = append(m.certFiles, name)
		}
	}
	for _, p := range m.patches {
		if err := m.applyPatch(filepath.Join(dir, p)); err != nil {
			errs = append(errs, err.Error())
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
	o, ok := newObject(tm)
	if !ok {
		return fmt.Errorf("%s %s: not a kind these manifests use", tm.APIVersion, tm.Kind)
	}
	// A document that fails still counts, as far as it decoded: its other
	// checks then say more.
	err := decodeStrict(doc, o)
	if perr := m.put(o); perr != nil && err == nil {
		err = perr
	}
	return err
}

// newObject is an empty object of the API type for tm, if these manifests
// use it.
func newObject(tm metav1.TypeMeta) (any, bool) {
	switch tm.APIVersion + " " + tm.Kind {
	case "v1 Namespace":
		return &corev1.Namespace{}, true
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, true
	case "v1 Service":
		return &corev1.Service{}, true
	case "apps/v1 StatefulSet":
		return &appsv1.StatefulSet{}, true
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	case "cert-manager.io/v1 Certificate":
		return &certificate{}, true
	}
	return nil, false
}

// put files o under its kind; the same kind, namespace and name twice is
// an error, as kustomize makes it.
func (m *manifests) put(o any) error {
	var meta metav1.ObjectMeta
	switch o := o.(type) {
	case *corev1.Namespace:
		m.namespaces, meta = append(m.namespaces, o), o.ObjectMeta
	case *corev1.ConfigMap:
		m.configMaps[o.Name], meta = o, o.ObjectMeta
	case *corev1.Service:
		m.services[o.Name], meta = o, o.ObjectMeta
	case *appsv1.StatefulSet:
		m.statefulSets, meta = append(m.statefulSets, o), o.ObjectMeta
	case *policyv1.PodDisruptionBudget:
		m.pdbs, meta = append(m.pdbs, o), o.ObjectMeta
	case *certificate:
		m.certificates, meta = append(m.certificates, o), o.ObjectMeta
	default:
		return fmt.Errorf("%T: not a kind these manifests use", o)
	}
	key := objectKey(kindOf(o), meta.Namespace, meta.Name)
	if _, dup := m.index[key]; dup {
		return fmt.Errorf("%s is defined twice", key)
	}
	m.index[key] = o
	return nil
}

// kindOf is the Kind of an object put accepts.
func kindOf(o any) string {
	t := reflect.TypeOf(o)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[certificate]() {
		return "Certificate"
	}
	return t.Name()
}

func objectKey(kind, namespace, name string) string {
	return kind + " " + namespace + "/" + name
}

// decodeStrict is the API server's own strict decoding: every unknown or
// duplicate field, each with its path (spec.template.spec.…).
func decodeStrict(doc []byte, into any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	return unmarshalStrict(js, into)
}

func unmarshalStrict(js []byte, into any) error {
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
	for _, o := range m.certificates {
		out = append(out, o.ObjectMeta)
	}
	slices.SortFunc(out, func(a, b metav1.ObjectMeta) int { return strings.Compare(a.Name, b.Name) })
	return out
}
