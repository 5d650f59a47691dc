// Package nethost gives integration tests several "hosts" on one machine:
// each host is a network namespace with its own address on a shared bridge,
// and every process started on it runs as PID 1 of a fresh PID namespace
// with the host's hostname (UTS namespace), an /etc/hosts naming every host
// (bind-mounted in a private mount namespace; the machine's file is never
// touched) and a private tmpfs on /run, much like a container.
//
// A host may run several processes at once (each Start makes its own PID
// namespace; they share the host's network, hostname and /etc/hosts), and
// may start one again after it ended, keeping Host.Dir.
//
// The test process stays in the root namespaces. The bridge carries the
// address Gateway there, so the test dials hosts directly by address;
// Cluster.DialContext and Cluster.Dial map host names to addresses for
// clients (franz-go's kgo.Dialer, go-zookeeper's zk.WithDialer) that are
// handed names such as a broker's advertised listener.
//
// Requires root and the ip, nsenter, unshare, hostname and mount commands.
// Everything a Cluster creates is removed by t.Cleanup, also when the test
// fails; leftovers of a crashed run are swept when their slot is reused.
// Processes are waited for with exec.Cmd.Wait, so do not run
// supervisor/reaper in the same test binary.
package nethost
