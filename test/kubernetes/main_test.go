// Package kubernetes checks deploy/kubernetes without a cluster (none runs
// here): every manifest decodes strictly into the k8s.io/api types, the
// StatefulSets agree with the image (Dockerfile) and with kinit.toml, and
// for every pod ordinal the environment the kubelet would give that pod is
// run through the real `kinit check`, which must accept it and resolve the
// expected id and members. docs/image.md says what is run and what checked.
package kubernetes

import (
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}
