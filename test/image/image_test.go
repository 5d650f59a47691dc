package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/test/kafkahome"
)

func repo(t *testing.T) Repo {
	t.Helper()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tomlPath := filepath.Join(root, "rootfs/etc/kinit/kinit.toml")
	cfg, err := LoadConfig(tomlPath)
	if err != nil {
		t.Fatal(err)
	}
	known, err := ScanKnownEnv(root, tomlPath)
	if err != nil {
		t.Fatal(err)
	}
	return Repo{Root: root, Config: cfg, Known: known}
}

// The shipped image files agree with the repository.
func TestShippedImageFiles(t *testing.T) {
	r := repo(t)
	for _, n := range []string{"KINIT_ROLE", "KINIT_CONFIG_ID", "KINIT_NODE_ID", "KINIT_NODES", "KINIT_KAFKA_HOME"} {
		if !r.Known.Knows(n) {
			t.Fatalf("scan of the sources does not find %s; known: %v", n, r.Known.Names())
		}
	}
	probs, ins := r.CheckDockerfile("Dockerfile.centos7")
	for _, p := range probs {
		t.Error(p)
	}
	for _, p := range r.CheckCompose("docker-compose.yml", ins) {
		t.Error(p)
	}
	// The production config the compose file runs has every role.
	roles := map[string]bool{}
	for role := range r.Config.Configs["production"] {
		roles[role] = true
	}
	for _, want := range []string{"zookeeper", "broker", "schemareg", "gateway"} {
		if !roles[want] {
			t.Errorf("kinit.toml's production config lacks role %s", want)
		}
	}
}

// Each rule catches what it is for: the fixtures break them one by one.
func TestChecksCatchMistakes(t *testing.T) {
	r := repo(t)
	r.Root = filepath.Join(r.Root, "test/image") // so testdata/… are the files
	probs, ins := r.CheckDockerfile("testdata/bad.Dockerfile")
	wantDocker := []string{
		"go build of ./cmd/no-such-command: no main package there",
		"COPY no-such-dir/: not in the repository",
		"COPY --from=build /out/never-built: no RUN of that stage writes it",
		"COPY --from=nostage: no such earlier stage",
		"ENV KINIT_NOT_A_THING: kinit does not read this variable",
		"ENTRYPOINT must be in exec form",
		"STOPSIGNAL is \"SIGINT\", want SIGTERM",
		"VOLUME /data/elsewhere is not under kinit.toml's data_dir",
		"no RUN unpacks into kinit.toml's kafka_home",
		"no RUN unpacks into kinit.toml's apicurio_home",
		"no RUN makes kinit.toml's registry_java_home",
	}
	expectAll(t, probs, wantDocker)
	for _, p := range probs {
		if strings.Contains(p, "KINIT_ROLE") {
			t.Errorf("KINIT_ROLE flagged though kinit reads it: %s", p)
		}
	}

	wantCompose := []string{
		"service zk-1: dockerfile Dockerfile.missing is not in the repository",
		"service zk-1: KINIT_TYPO: kinit does not read this variable",
		"service zk-1: KINIT_NODES: host \"zk-9\" is no service or hostname",
		"service zk-1: KINIT_NODES: role \"nosuchrole\" is not a role of kinit.toml",
		"service zk-1: volume target /var/lib/elsewhere is not a VOLUME of the image",
		"service zk-1: stop_signal SIGKILL differs from the image's STOPSIGNAL SIGINT",
		"service zk-2: role zookeeper node id 1 already used by zk-1",
		"service gw: KINIT_CONFIG_ID \"nosuchconfig\" is not a config of kinit.toml",
		"service nr: KINIT_ROLE \"nosuchrole\" is not a role of kinit.toml",
		"service noenv: no KINIT_ROLE",
	}
	expectAll(t, r.CheckCompose("testdata/bad-compose.yml", ins), wantCompose)
}

func expectAll(t *testing.T, got Problems, want []string) {
	t.Helper()
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no problem reported containing %q; got:\n%s", w, all)
		}
	}
}

func TestParseHelpers(t *testing.T) {
	tests := []struct {
		args string
		want CopySpec
	}{
		{"--from=build --chown=1:1 /out/a /out/b /usr/bin/", CopySpec{From: "build", Sources: []string{"/out/a", "/out/b"}, Dest: "/usr/bin/"}},
		{`["a b", "c"]`, CopySpec{Sources: []string{"a b"}, Dest: "c"}},
	}
	for _, tt := range tests {
		got, err := ParseCopy(tt.args)
		if err != nil || got.From != tt.want.From || strings.Join(got.Sources, "|") != strings.Join(tt.want.Sources, "|") || got.Dest != tt.want.Dest {
			t.Errorf("ParseCopy(%q) = %+v, %v", tt.args, got, err)
		}
	}
	if _, err := ParseCopy("only-one"); err == nil {
		t.Error("ParseCopy accepted a COPY without destination")
	}
	if got := strings.Join(EnvKeys("A=1 B=\"x\""), ","); got != "A,B" {
		t.Errorf("EnvKeys = %s", got)
	}
	if got := strings.Join(EnvKeys("LEGACY some value"), ","); got != "LEGACY" {
		t.Errorf("EnvKeys legacy = %s", got)
	}
}

// Dockerfile (Debian, built and run by test/container) and
// Dockerfile.centos7 (the reference deployment's base) are one image on
// two bases: they agree on every kinit part, and run as a non-root user.
func TestDockerfilesAgree(t *testing.T) {
	r := repo(t)
	parts := map[string]KinitParts{}
	for _, name := range []string{"Dockerfile", "Dockerfile.centos7", "test/image/testdata/bad.Dockerfile"} {
		ins, err := ParseDockerfile(filepath.Join(r.Root, name))
		if err != nil {
			t.Fatal(err)
		}
		parts[name] = PartsOf(ins)
	}
	deb := parts["Dockerfile"]
	for _, p := range Disagreements("Dockerfile", deb, "Dockerfile.centos7", parts["Dockerfile.centos7"]) {
		t.Error(p)
	}
	if deb.User == "" || deb.User == "root" || strings.HasPrefix(deb.User, "0") {
		t.Errorf("USER %q; want a non-root user", deb.User)
	}
	if deb.Entrypoint != `["/usr/bin/kinit"]` || !strings.Contains(deb.Healthcheck, `CMD ["/usr/bin/kinit", "health"]`) || deb.StopSignal != "SIGTERM" || !deb.CopiesRootfs {
		t.Errorf("Dockerfile's kinit parts: %+v", deb)
	}
	// The comparison sees a difference when there is one.
	bad := Disagreements("Dockerfile", deb, "bad.Dockerfile", parts["test/image/testdata/bad.Dockerfile"])
	expectAll(t, bad, []string{"ENTRYPOINT: Dockerfile has", "STOPSIGNAL: Dockerfile has \"SIGTERM\"", "USER: Dockerfile has \"1000:1000\""})
}

// Dockerfile.centos7 downloads at build time what the tests run from
// .cache: its version pins and Apicurio's archive hash are those of the
// fetch scripts, so the image cannot drift from what was tested.
func TestCentos7Pins(t *testing.T) {
	r := repo(t)
	ins, err := ParseDockerfile(filepath.Join(r.Root, "Dockerfile.centos7"))
	if err != nil {
		t.Fatal(err)
	}
	args := ArgDefaults(ins)
	kafka, err := kafkahome.Version()
	if err != nil {
		t.Fatal(err)
	}
	kraft, err := kafkahome.KRaftVersion()
	if err != nil {
		t.Fatal(err)
	}
	apicurio, err := kafkahome.ApicurioVersion()
	if err != nil {
		t.Fatal(err)
	}
	home, _ := kafkahome.Apicurio(t)
	sum, err := os.ReadFile(filepath.Join(home, ".archive.sha256"))
	if err != nil {
		t.Fatalf("%v (scripts/fetch-apicurio.sh records it)", err)
	}
	want := map[string]string{
		"KAFKA_VERSION":    kafka,
		"KRAFT_VERSION":    kraft,
		"APICURIO_VERSION": apicurio,
		"APICURIO_SHA256":  strings.TrimSpace(string(sum)),
	}
	for name, v := range want {
		if args[name] != v {
			t.Errorf("Dockerfile.centos7: ARG %s=%s, want %s", name, args[name], v)
		}
	}
}
