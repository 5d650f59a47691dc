// Class-data sharing managed by kinit (KINIT_CDS=on): each JVM service
// keeps an application CDS archive of the classes it loads on its data
// volume, so its next start maps them instead of loading and verifying
// them again. The archive's name is keyed by the JVM (its release file
// and path) and the jars the service runs, so a new image or a changed
// classpath opens a new archive; the JVM checks the archive's own header
// too, and an archive it cannot use is skipped with a warning, never a
// failed start.

package node

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kinit/kinit/macros"
)

// cdsEnv is where the JVM option goes: the java launcher itself reads it,
// whichever script starts it (Kafka's, Apicurio's).
const cdsEnv = "JDK_JAVA_OPTIONS"

// cdsPrefix starts an archive's file name in the service's data
// directory: kinit-cds-<service>-<key>.jsa.
const cdsPrefix = "kinit-cds-"

// cdsKinds are the services whose JVMs get an archive.
var cdsKinds = []string{"zookeeper", "kafka", "kraft-controller", "schema-registry"}

// cdsOn reads KINIT_CDS from env: "on" turns it on; "", "off" leave it off.
func cdsOn(env []string) (bool, error) {
	switch v := lookupEnv(env, "KINIT_CDS"); v {
	case "", "off":
		return false, nil
	case "on":
		return true, nil
	default:
		return false, fmt.Errorf("KINIT_CDS=%q: want on or off", v)
	}
}

// cdsOption is the JVM option that gives service s its archive, or "" with
// the reason when it gets none (no data directory, no JVM found).
func cdsOption(s *macros.Service, env []string) (string, string) {
	if !slices.Contains(cdsKinds, s.Kind) {
		return "", ""
	}
	dir := s.DataDir
	if dir == "" {
		dir = s.Dir
	}
	if dir == "" {
		return "", "no data directory"
	}
	java, release, err := findJava(env)
	if err != nil {
		return "", err.Error()
	}
	major := javaMajor(release)
	if major < 13 {
		return "", "no dynamic CDS archives before Java 13"
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", java, release)
	for _, d := range jarDirs(s, env) {
		hashJars(h, d)
	}
	archive := filepath.Join(dir, cdsPrefix+s.ID+"-"+hex.EncodeToString(h.Sum(nil))[:16]+".jsa")
	if major >= 19 {
		// The JVM maps the archive when it fits and writes a new one at
		// exit when it does not (or is missing).
		return cdsMap + archive + " -XX:+AutoCreateSharedArchive", ""
	}
	// Java 13-18 writes an archive only when asked to at exit, and must
	// not be asked once it maps one: cdsAtStart decides at each start.
	return cdsWrite + archive, ""
}

// The Java 13-18 options: write the archive at exit, map it.
const (
	cdsWrite = "-XX:ArchiveClassesAtExit="
	cdsMap   = "-XX:SharedArchiveFile="
)

// cdsAtStart is the supervisor's StartEnv: a service planned to write its
// archive at exit (Java 13-18) maps it instead once a previous run wrote
// it. Deciding at each start, not when the plan is compiled, is what lets
// a crash restart or a rolled broker map the archive its last run wrote
// rather than write it again at every exit.
func cdsAtStart(_ string, env []string) []string {
	for i, kv := range env {
		opts, ok := strings.CutPrefix(kv, cdsEnv+"=")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(opts) {
			path, ok := strings.CutPrefix(f, cdsWrite)
			if !ok || !strings.HasPrefix(filepath.Base(path), cdsPrefix) {
				continue
			}
			if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
				env[i] = cdsEnv + "=" + strings.Replace(opts, f, cdsMap+path, 1)
			}
		}
	}
	return env
}

// pruneCDS removes the archives of a service's older keys (an older
// image's JVM or jars) beside the one its options (JDK_JAVA_OPTIONS) name:
// best effort, before the service's first start, never while its JVM runs.
func pruneCDS(opts string) {
	var path string
	for _, f := range strings.Fields(opts) {
		for _, o := range []string{cdsMap, cdsWrite} {
			if p, ok := strings.CutPrefix(f, o); ok && strings.HasPrefix(filepath.Base(p), cdsPrefix) {
				path = p
			}
		}
	}
	if path == "" {
		return
	}
	dir, name := filepath.Split(path)
	prefix := name[:strings.LastIndexByte(name, '-')+1]
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), ".jsa") && e.Name() != name {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// findJava is the java a launcher would run with env: $JAVA_HOME/bin/java,
// else the first java on $PATH; with its release file's content.
func findJava(env []string) (string, string, error) {
	var java string
	if home := lookupEnv(env, "JAVA_HOME"); home != "" {
		java = filepath.Join(home, "bin", "java")
	} else {
		for _, d := range filepath.SplitList(lookupEnv(env, "PATH")) {
			if st, err := os.Stat(filepath.Join(d, "java")); err == nil && !st.IsDir() {
				java = filepath.Join(d, "java")
				break
			}
		}
	}
	if java == "" {
		return "", "", fmt.Errorf("no java on PATH")
	}
	real, err := filepath.EvalSymlinks(java)
	if err != nil {
		return "", "", fmt.Errorf("no java at %s", java)
	}
	release, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(real)), "release"))
	if err != nil {
		return "", "", fmt.Errorf("no release file beside %s", real)
	}
	return real, string(release), nil
}

// javaMajor reads JAVA_VERSION="17.0.15" (or "1.8.0_…") from a release file.
func javaMajor(release string) int {
	for _, l := range strings.Split(release, "\n") {
		v, ok := strings.CutPrefix(l, "JAVA_VERSION=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		v = strings.TrimPrefix(v, "1.")
		n, _ := strconv.Atoi(strings.FieldsFunc(v, func(r rune) bool { return r < '0' || r > '9' })[0])
		return n
	}
	return 0
}

// jarDirs are where the service's jars are: the Kafka home its command
// runs from (share/java/kafka, libs) and Apicurio's home.
func jarDirs(s *macros.Service, env []string) []string {
	var out []string
	if len(s.Argv) > 0 {
		home := filepath.Dir(filepath.Dir(s.Argv[0]))
		out = append(out, filepath.Join(home, "share", "java", "kafka"), filepath.Join(home, "libs"))
	}
	if a := lookupEnv(env, "APICURIO_HOME"); a != "" {
		out = append(out, a, filepath.Join(a, "lib", "main"), filepath.Join(a, "lib", "boot"))
	}
	return out
}

// hashJars adds each jar's name, size and modification time in dir.
func hashJars(h interface{ Write([]byte) (int, error) }, dir string) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != dir {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(d.Name(), ".jar") {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(h, "%s\x00%d\x00%d\x00", path, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
}
