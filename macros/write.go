package macros

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kinit/kinit/internal/owner"
	"github.com/kinit/kinit/internal/safefs"
)

// WriteOptions say where and how Rendering.Write writes.
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
// Chown, its owner, following no symlink a service user could have made
// (internal/safefs). A file whose content, mode and owner already match is not
// touched. It returns the destinations it wrote or fixed.
func (p *Rendering) Write(o WriteOptions) ([]string, error) {
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
func makeDir(dir, ownerName, group string, chown bool) error {
	uid, gid := -1, -1
	if chown {
		var err error
		if uid, gid, err = lookupOwner(ownerName, group); err != nil {
			return fmt.Errorf("cannot create %s: %w", dir, err)
		}
	}
	if err := safefs.MakeDir(dir, uid, gid); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	return nil
}

// lookupOwner resolves a file's owner and group through the one lookup
// (internal/owner); what is not given stays unchanged (-1). A named owner
// does not bring its primary group: the group key says the group.
func lookupOwner(ownerName, group string) (int, int, error) {
	id, err := owner.Resolve(ownerName, group)
	if err != nil {
		return 0, 0, err
	}
	gid := -1
	if group != "" || strings.Contains(ownerName, ":") {
		gid = id.GID
	}
	return id.UID, gid, nil
}

// writeFile reports whether it changed anything on disk.
func writeFile(dst string, content []byte, mode os.FileMode, uid, gid int) (bool, error) {
	return safefs.WriteFile(dst, content, mode, uid, gid)
}
