// What the reloader watches: directories (editors and Kubernetes replace
// files by rename), and which of their events matter.

package node

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/roles"
)

// watchDir is a watched directory and the entries in it that matter.
type watchDir struct {
	any   bool // a template directory: every entry
	names map[string]bool
}

// relevant reports whether an event touches a watched file. A change of
// mode or times only (chmod, touch) changes nothing kinit renders.
func (r *reloader) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	name := filepath.Clean(ev.Name)
	base := filepath.Base(name)
	if r.dsts[name] || strings.Contains(base, ".kinit-") {
		return false
	}
	d := r.dirs[filepath.Dir(name)]
	if d == nil {
		return false
	}
	// ..data is the symlink a Kubernetes ConfigMap volume swaps.
	return d.any || d.names[base] || base == "..data"
}

// rewatch watches the directories of the config file, the nodes file and
// the templates of np, and stops watching those it no longer needs.
// Directories, not files: editors and Kubernetes replace a file by a
// rename or a symlink swap, which a watch on the file itself would miss.
func (r *reloader) rewatch(np *Rendered) {
	want := map[string]*watchDir{}
	add := func(dir, name string, any bool) {
		dir = filepath.Clean(dir)
		d := want[dir]
		if d == nil {
			d = &watchDir{names: map[string]bool{}}
			want[dir] = d
		}
		d.any = d.any || any
		if name != "" {
			d.names[name] = true
		}
	}
	file := func(p string) {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		add(filepath.Dir(p), filepath.Base(p), false)
		// A plain symlink to a file elsewhere: watch the target too. A
		// ConfigMap's target lives in a ..<timestamp> directory that the
		// next update deletes; its ..data swap is seen in the first one.
		if real, err := filepath.EvalSymlinks(p); err == nil && real != p {
			if d := filepath.Dir(real); !strings.HasPrefix(filepath.Base(d), "..") {
				add(d, filepath.Base(real), false)
			}
		}
	}
	file(np.Config.File)
	if src := np.Node.NodesSource; src != "" && src != roles.EnvNodes {
		file(src)
	}
	if sec := np.Node.Security; sec.Secure() {
		// A new certificate is rendered into the keystores and reloaded
		// (a Secret update swaps ..data, seen by the directory watch).
		for _, f := range []string{tlsdir.CAFile, tlsdir.CertFile, tlsdir.KeyFile} {
			file(filepath.Join(sec.TLSDir, f))
		}
	}
	tdir := np.Node.Vars["TEMPLATE_DIR"]
	if tdir == "" {
		tdir = filepath.Join(np.Config.Dir, "templates")
	}
	tdirs := map[string]bool{}
	if a, err := filepath.Abs(tdir); err == nil {
		tdirs[a] = true
	}
	for _, f := range np.Rendering.Files {
		if f.Template == macros.KeystoreName {
			// Rendered from the TLS dir's files, watched above: its
			// parent holds anything (logs, the config), whose every
			// write would start a roll anew.
			continue
		}
		if a, err := filepath.Abs(f.Src); err == nil {
			tdirs[filepath.Dir(a)] = true
		}
	}
	for dir := range tdirs {
		add(dir, "", true)
		// A template directory replaced as a whole (rm -r, cp -r) is
		// seen from its parent; the reload then watches the new one.
		add(filepath.Dir(dir), filepath.Base(dir), false)
	}
	for dir := range r.dirs {
		if want[dir] == nil {
			_ = r.w.Remove(dir)
			delete(r.dirs, dir)
		}
	}
	for dir, d := range want {
		// Added again even when watched: a directory deleted and created
		// anew needs a new watch, and adding an existing one is harmless.
		if err := r.w.Add(dir); err != nil {
			if !r.noDir[dir] {
				r.log.Warn(fmt.Sprintf("cannot watch %s; changes there apply at the next start", dir), "err", err.Error())
				r.noDir[dir] = true
			}
			delete(r.dirs, dir)
			continue
		}
		delete(r.noDir, dir)
		r.dirs[dir] = d
	}
}
