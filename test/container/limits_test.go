package container

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// --memory 2g --cpus 1: kinit reads the container's cgroup and sizes each
// JVM from it. With the standalone config's shares (10, 45, 15 and 30 % of
// 2048 MiB) and heap ratios (0.7, 0.5, 0.7, 0.7) the heaps are 143, 460,
// 215 and 430 MiB, 1248 MiB in all (within the limit: no
// over-provisioning), and every JVM — ZooKeeper, the broker and Apicurio
// Registry — gets -XX:ActiveProcessorCount=1 (the Control Center stand-in
// gets the same settings in the launcher's variables).
func TestLimitsFromCgroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	net := network(t)
	name := "kinit-limits-" + suffix()
	must(t, ctx, "run", "-d", "--name", name, "--network", net, "--memory", "2g", "--cpus", "1",
		"-e", "KINIT_CONFIG_ID=standalone", "-e", "KINIT_ROLE=broker", image)
	waitHealthy(ctx, t, name)
	// Every service ready: the launchers have exec'd their JVMs.
	st, _ := waitStates(ctx, t, name, map[string]string{
		"zookeeper": "ready", "kafka-broker": "ready", "schema-registry": "ready", "control-center": "ready"})
	want := map[string]string{"zookeeper": "143m", "kafka-broker": "460m", "schema-registry": "215m", "control-center": "430m"}
	for _, s := range st.Services {
		heap := want[s.ID]
		cmdline := strings.Split(must(t, ctx, "exec", name, "cat", "/proc/"+strconv.Itoa(s.Pid)+"/cmdline"), "\x00")
		if s.ID == "control-center" {
			// A stand-in, not a JVM: the heap a real one would get is in
			// the launcher's variable.
			env := strings.Split(must(t, ctx, "exec", name, "cat", "/proc/"+strconv.Itoa(s.Pid)+"/environ"), "\x00")
			if !slices.Contains(env, "KAFKA_HEAP_OPTS=-Xms"+heap+" -Xmx"+heap) || !slices.Contains(env, "KAFKA_OPTS=-XX:ActiveProcessorCount=1") {
				t.Errorf("%s's environment lacks the heap %s and one CPU: %q", s.ID, heap, env)
			}
			continue
		}
		for _, arg := range []string{"-Xms" + heap, "-Xmx" + heap, "-XX:ActiveProcessorCount=1"} {
			if !slices.Contains(cmdline, arg) {
				t.Errorf("%s runs without %s: %q", s.ID, arg, strings.Join(cmdline, " "))
			}
		}
	}
	if len(st.Services) != len(want) {
		t.Errorf("services %+v", st.Services)
	}
}
