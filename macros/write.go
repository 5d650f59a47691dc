package macros

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	"github.com/kinit/kinit/internal/safefs"
)

// WriteOptions say where and how Plan.Write writes.
type WriteOptions struct {
	// Root is prefixed to every destination: "" writes the real paths,
	// `kinit render --out DIR` writes /etc/x as DIR/etc/x.
	Root string
	// Chown applies each file's owner and group (kinit up, as root). Without
	// it files keep the writer's ownership.
	Chown bool
	// MakeDirs creates each service's dir and data_dir, owned by its user
	// and group when Chown is set.
	MakeDirs bool
}

// Write writes every rendered file atomically (temp file in the same
// directory, fsync, rename, fsync of the directory) with its mode and, with
// Chown, its owner, following no symlink a service user could have made. A file whose content, mode and owner already match is not
// touched. It returns the destinations it wrote or fixed.
func (p *Plan) Write(o WriteOptions) ([]string, error) {
	var changed []string
	if o.MakeDirs {
		for _, s := range p.Services {
			for _, d := range []string{s.Dir, s.DataDir} {
				if d == "" {
					continue
				}
				if err := makeDir(filepath.Join(o.Root, d), s.User, s.Group, o.Chown); err != nil {
					return changed, err
				}
			}
		}
	}
	for _, f := range p.Files {
		dst := filepath.Join(o.Root, f.Dst)
		uid, gid := -1, -1
		if o.Chown {
			var err error
			if uid, gid, err = lookupOwner(f.Owner, f.Group); err != nil {
				return changed, fmt.Errorf("cannot write %s: %w", dst, err)
			}
		}
		did, err := writeFile(dst, f.Content, f.Mode, uid, gid)
		if err != nil {
			return changed, fmt.Errorf("cannot write %s: %w", dst, err)
		}
		if did {
			changed = append(changed, f.Dst)
		}
	}
	return changed, nil
}

// makeDir creates a service's directory; like every write here it never
// follows a symlink its service could have planted (internal/safefs).
func makeDir(dir, owner, group string, chown bool) error {
	uid, gid := -1, -1
	if chown {
		var err error
		if uid, gid, err = lookupOwner(owner, group); err != nil {
			return fmt.Errorf("cannot create %s: %w", dir, err)
		}
	}
	if err := safefs.MakeDir(dir, uid, gid); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	return nil
}

// lookupOwner resolves user and group names (or numbers); "" means leave
// unchanged (-1).
func lookupOwner(owner, group string) (int, int, error) {
	uid, gid := -1, -1
	if owner != "" {
		if n, err := strconv.Atoi(owner); err == nil {
			uid = n
		} else {
			u, err := user.Lookup(owner)
			if err != nil {
				return 0, 0, fmt.Errorf("unknown user %q", owner)
			}
			uid, _ = strconv.Atoi(u.Uid)
		}
	}
	if group != "" {
		if n, err := strconv.Atoi(group); err == nil {
			gid = n
		} else {
			g, err := user.LookupGroup(group)
			if err != nil {
				return 0, 0, fmt.Errorf("unknown group %q", group)
			}
			gid, _ = strconv.Atoi(g.Gid)
		}
	}
	return uid, gid, nil
}

// writeFile reports whether it changed anything on disk.
func writeFile(dst string, content []byte, mode os.FileMode, uid, gid int) (bool, error) {
	return safefs.WriteFile(dst, content, mode, uid, gid)
}
