package supervisor

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/kinit/kinit/internal/capnames"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/reaper"
)

// creds is what a process of a service runs with: the service itself and
// its exec probes and waits alike, so a probe cannot do what the service
// may not.
type creds struct {
	cred     *syscall.Credential // nil: kinit's own
	ambient  []uintptr
	dropCaps []uintptr // from the bounding set
}

// credsOf reads a validated spec. It takes the spec, not the service, so a
// probe goroutine holds its own copy while the loop may update the service.
func credsOf(spec plan.Service) creds {
	var c creds
	for _, name := range spec.Capabilities {
		if _, n, err := capnames.Parse(name); err == nil {
			c.ambient = append(c.ambient, n)
		}
	}
	if spec.UID != nil || spec.GID != nil {
		cred := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
		if spec.UID != nil {
			cred.Uid = uint32(*spec.UID)
		}
		if spec.GID != nil {
			cred.Gid = uint32(*spec.GID)
		}
		for _, g := range spec.Groups {
			cred.Groups = append(cred.Groups, uint32(g))
		}
		c.cred = cred
	}
	c.dropCaps = dropCaps(c.ambient)
	return c
}

// start runs cmd (its SysProcAttr already set, or nil) with these
// credentials through startConfined.
func (c creds) start(cmd *exec.Cmd) (<-chan reaper.Status, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = c.cred
	cmd.SysProcAttr.AmbientCaps = c.ambient
	// The forking thread exits right after the fork, which would fire a
	// parent-death signal at once.
	cmd.SysProcAttr.Pdeathsig = 0
	return startConfined(cmd, c.dropCaps)
}

// dropCaps lists the capabilities to remove from the child's bounding set:
// all but keep. Without CAP_SETPCAP kinit cannot drop any (and holds none
// worth dropping).
func dropCaps(keep []uintptr) []uintptr {
	if !canSetPcap() {
		return nil
	}
	kept := map[uintptr]bool{}
	for _, c := range keep {
		kept[c] = true
	}
	var drop []uintptr
	for c := uintptr(0); c <= lastCap(); c++ {
		if !kept[c] {
			drop = append(drop, c)
		}
	}
	return drop
}
