// Can this node write its data volumes? Checked before anything is
// written: a volume with the wrong owner is the most common way a Kafka
// container fails (AccessDeniedException deep in a JVM's log).

package roles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// writable is access(2) with W_OK|X_OK; a variable so tests running as
// root (for whom access always passes) can stand in another user.
var writable = defaultWritable

func defaultWritable(dir string) error { return unix.Access(dir, unix.W_OK|unix.X_OK) }

// checkDataDirs: every local data_dir, or the nearest directory that
// exists above it (where kinit would create it), must be writable by the
// user kinit runs as, which the services of the image run as too.
func (n *Node) checkDataDirs(c *Collector) {
	for _, s := range n.Services {
		dir, ok := n.DataDirs[s.ID]
		if !ok {
			continue
		}
		at := dir
		for {
			if _, err := os.Stat(at); err == nil || !errors.Is(err, fs.ErrNotExist) {
				break
			}
			parent := filepath.Dir(at)
			if parent == at {
				break
			}
			at = parent
		}
		if err := writable(at); err != nil {
			c.Add("", 0, "service %s: %s", s.ID, notWritable(dir, at, err))
		}
	}
}

func notWritable(dir, at string, err error) string {
	uid, gid := os.Getuid(), os.Getgid()
	who := strconv.Itoa(uid)
	if u, e := user.LookupId(who); e == nil {
		who += " (" + u.Username + ")"
	}
	owner := ""
	if fi, e := os.Stat(at); e == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			owner = fmt.Sprintf(", owned by %d:%d mode %04o", st.Uid, st.Gid, fi.Mode().Perm())
		}
	}
	what := "data directory " + dir
	if at != dir {
		what += " cannot be created: " + at
	}
	return fmt.Sprintf("%s is not writable by uid %s%s (%v); nothing was started or written: give the volume to uid %d (chown -R %d:%d, or Kubernetes securityContext.fsGroup: %d)",
		what, who, owner, err, uid, uid, gid, gid)
}
