package container

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// A data volume the kafka user cannot write (a host directory owned by
// root, mode 0755) stops the container at once with exit 78 and a message
// naming the directory and the uid it needs; nothing is written into it.
func TestVolumeWrongOwner(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	net := network(t)
	dir := t.TempDir()
	if err := os.Chown(dir, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := "kinit-volume-" + suffix()
	must(t, ctx, "run", "-d", "--name", name, "--network", net,
		"-e", "KINIT_CONFIG_ID=standalone", "-e", "KINIT_ROLE=broker", "-e", "KINIT_FLAVOR=small",
		"-v", dir+":/var/lib/zookeeper", image)
	code := strings.TrimSpace(must(t, ctx, "wait", name))
	out := logs(ctx, name)
	if code != "78" {
		t.Errorf("exit %s with an unwritable volume; want 78:\n%s", code, tail(out, 20))
	}
	for _, want := range []string{"data directory /var/lib/zookeeper is not writable by uid 1000 (kafka)", "owned by 0:0 mode 0755", "chown -R 1000:1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, tail(out, 20))
		}
	}
	if strings.Contains(out, `\" started`) || strings.Contains(out, "starting services") {
		t.Errorf("something started:\n%s", tail(out, 20))
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the volume got %d entries; want none", len(left))
	}
}
