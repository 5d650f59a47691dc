// Command pause is the pod sandbox of the test cluster (docs/kubernetes.md):
// the process that holds a pod's namespaces while its containers come and
// go. No image registry is reachable here, so the harness builds this into
// an image of one file and imports it into each node's containerd.
package main

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

func main() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGCHLD)
	for sig := range sigs {
		if sig != unix.SIGCHLD {
			return
		}
		// A pod sharing its PID namespace makes this its init: reap.
		for {
			pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
