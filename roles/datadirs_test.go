package roles

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A data volume kinit cannot write is refused before anything is written,
// naming the directory and the uid it needs; a missing data_dir is judged
// by the directory it would be created in.
func TestDataDirNotWritable(t *testing.T) {
	cfg := loadShipped(t)
	data := t.TempDir()
	denied := map[string]bool{filepath.Join(data, "zookeeper"): true, data: false}
	writable = func(dir string) error {
		if denied[dir] {
			return syscall.EACCES
		}
		return nil
	}
	defer func() { writable = defaultWritable }()
	env := Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "k", "KINIT_DATA_DIR": data}
	mkdir(t, filepath.Join(data, "zookeeper"))
	_, err := Resolve(cfg, env)
	for _, want := range []string{"service zookeeper: data directory " + filepath.Join(data, "zookeeper") + " is not writable by uid", "chown -R"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "kafka-broker") {
		t.Errorf("kafka-broker's data dir (to be created in a writable %s) was refused: %v", data, err)
	}
	// kafka-broker's data_dir does not exist: the directory above decides.
	denied[data] = true
	_, err = Resolve(cfg, env)
	if err == nil || !strings.Contains(err.Error(), "data directory "+filepath.Join(data, "kafka")+" cannot be created: "+data) {
		t.Errorf("missing data dir under an unwritable parent: %v", err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	write(t, filepath.Join(dir, ".keep"), "")
}
