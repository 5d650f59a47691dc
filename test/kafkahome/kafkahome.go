// Package kafkahome locates the Kafka install the integration tests run:
// the home `make kafka` lays out under .cache/ (docs/kafka.md), or any
// Confluent/Apache install named by KINIT_KAFKA_HOME. It also gives the
// small-JVM environment the tests start ZooKeeper and Kafka with.
package kafkahome

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// RepoRoot is the directory holding go.mod, found from the working
// directory upwards (go test runs in the package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find go.mod above the working directory")
		}
		dir = parent
	}
}

var versionRe = regexp.MustCompile(`<kafka\.version>([^<]+)</kafka\.version>`)

// The POMs scripts/fetch-kafka.sh lays the two Kafka homes out from.
const (
	zkPOM    = "java/kafka/pom.xml"       // Kafka 3.9.2, ZooKeeper mode
	kraftPOM = "java/kafka/kraft/pom.xml" // Kafka 4.4, KRaft only
)

// Version is the Kafka version java/kafka/pom.xml fetches, the one source of it.
func Version() (string, error) { return versionOf(zkPOM) }

// KRaftVersion is the Kafka version of the KRaft home (java/kafka/kraft/pom.xml).
func KRaftVersion() (string, error) { return versionOf(kraftPOM) }

func versionOf(rel string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	pom, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return "", fmt.Errorf("cannot read the kafka POM: %w", err)
	}
	m := versionRe.FindSubmatch(pom)
	if m == nil {
		return "", fmt.Errorf("%s has no <kafka.version>", rel)
	}
	return string(m[1]), nil
}

// Find returns KINIT_KAFKA_HOME when set, else <repo>/.cache/kafka-<version>,
// after checking that it holds the launchers and the jars.
func Find() (string, error) {
	home := os.Getenv("KINIT_KAFKA_HOME")
	if home == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		v, err := Version()
		if err != nil {
			return "", err
		}
		home = filepath.Join(root, ".cache", "kafka-"+v)
	}
	for _, f := range []string{"bin/kafka-run-class", "bin/kafka-server-start", "bin/zookeeper-server-start"} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			return "", fmt.Errorf("kafka home %s lacks %s: run `make kafka` (or `make test-deps`) first", home, f)
		}
	}
	jars, _ := filepath.Glob(filepath.Join(home, "share/java/kafka/kafka_2.13-*.jar"))
	apache, _ := filepath.Glob(filepath.Join(home, "libs/kafka_2.13-*.jar"))
	if len(jars)+len(apache) == 0 {
		return "", fmt.Errorf("kafka home %s has no kafka_2.13 jar: run `make kafka` (or `make test-deps`) first", home)
	}
	return home, nil
}

// KRaftDir is the Kafka 4.4 home (.cache/kafka-<version> of
// java/kafka/kraft/pom.xml), with its storage tool; it fails t when missing.
func KRaftDir(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := KRaftVersion()
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(root, ".cache", "kafka-"+v)
	for _, f := range []string{"bin/kafka-storage", "bin/kafka-server-start", "share/java/kafka/kafka_2.13-" + v + ".jar"} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Fatalf("kafka home %s lacks %s: run `make kafka` (or `make test-deps`) first", home, f)
		}
	}
	return home
}

// Dir is Find for tests: it fails t when the home is missing.
func Dir(t testing.TB) string {
	t.Helper()
	home, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	return home
}

// JVMEnv is the launchers' environment for small, quick JVMs in tests,
// to append to a process environment: 256 MiB heaps, serial GC, C1 only,
// no GC log, and no /tmp/hsperfdata files (JVMs in different PID
// namespaces share /tmp and would reuse each other's pid-named files).
func JVMEnv() []string {
	return []string{
		"KAFKA_HEAP_OPTS=-Xms256m -Xmx256m",
		"KAFKA_JVM_PERFORMANCE_OPTS=-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true",
		"KAFKA_GC_LOG_OPTS=",
		"KAFKA_JMX_OPTS=",
	}
}
