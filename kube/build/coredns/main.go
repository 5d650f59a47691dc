// CoreDNS with only the plugins a test cluster's DNS needs: the kubernetes
// plugin answers the Services' and the StatefulSets' per-pod names, which
// kinit's manifests rely on for node identity and bootstrap addresses. The
// full plugin set would pull every cloud provider's SDK into the build.
package main

import (
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	coremain.Run()
}
