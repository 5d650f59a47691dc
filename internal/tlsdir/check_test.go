package tlsdir

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// want is one problem Check must report: the file it names and what it
// says.
type want struct {
	file, says string
}

func TestCheckBadMaterial(t *testing.T) {
	hosts := []string{"broker-1.example", "10.1.2.3"}
	tests := []struct {
		name  string
		hosts []string // hosts when not the default
		// edit changes the good directory's files before they are written;
		// after runs once they are.
		edit  func(t *testing.T, ca testCA, files map[string]file)
		after func(t *testing.T, dir string)
		want  []want
	}{
		{name: "every file missing",
			edit: func(t *testing.T, _ testCA, files map[string]file) { clear(files) },
			want: []want{{CAFile, "missing"}, {CertFile, "missing"}, {KeyFile, "missing"}}},
		{name: "tls.crt missing",
			edit: func(t *testing.T, _ testCA, files map[string]file) { delete(files, CertFile) },
			want: []want{{CertFile, "missing"}}},
		{name: "tls.key unreadable (a FIFO)",
			edit: func(t *testing.T, _ testCA, files map[string]file) { delete(files, KeyFile) },
			after: func(t *testing.T, dir string) {
				if err := syscall.Mkfifo(filepath.Join(dir, KeyFile), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: []want{{KeyFile, "cannot read: not a regular file (FIFO)"}}},
		{name: "ca.crt not PEM",
			edit: func(t *testing.T, _ testCA, files map[string]file) { files[CAFile] = file{[]byte("hello\n"), 0o644} },
			want: []want{{CAFile, "not PEM"}}},
		{name: "tls.crt holds a key, not a certificate",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				files[CertFile] = file{pkcs8(t, ecKey(t)), 0o644}
			},
			want: []want{{CertFile, "holds no certificate (PEM blocks: PRIVATE KEY)"}}},
		{name: "tls.crt a broken certificate",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				files[CertFile] = file{encodePEM("CERTIFICATE", []byte("garbage")), 0o644}
			},
			want: []want{{CertFile, "certificate 1: cannot parse"}}},
		{name: "tls.key not PEM",
			edit: func(t *testing.T, _ testCA, files map[string]file) { files[KeyFile] = file{[]byte("secret"), 0o600} },
			want: []want{{KeyFile, "not PEM"}}},
		{name: "tls.key encrypted",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				files[KeyFile] = file{encodePEM("ENCRYPTED PRIVATE KEY", []byte("x")), 0o600}
			},
			want: []want{{KeyFile, "encrypted"}}},
		{name: "tls.crt expired",
			edit: func(t *testing.T, ca testCA, files map[string]file) {
				s := goodLeaf()
				s.from, s.until = now.Add(-48*time.Hour), now.Add(-time.Hour)
				files[CertFile] = reissue(t, ca, files, s)
			},
			want: []want{{CertFile, "expired at 2026-06-01T11:00:00Z"}}},
		{name: "tls.crt not yet valid",
			edit: func(t *testing.T, ca testCA, files map[string]file) {
				s := goodLeaf()
				s.from = now.Add(time.Hour)
				files[CertFile] = reissue(t, ca, files, s)
			},
			want: []want{{CertFile, "not valid before 2026-06-01T13:00:00Z"}}},
		{name: "ca.crt expired",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				ca := newTestCA(t, "old CA", now.Add(-48*time.Hour), now.Add(-time.Minute))
				files[CAFile] = file{ca.pem(), 0o644}
				files[CertFile] = reissue(t, ca, files, goodLeaf())
			},
			want: []want{{CAFile, "expired"}}},
		{name: "a host not named",
			hosts: []string{"broker-1.example", "broker-2.example", "10.9.9.9"},
			want:  []want{{CertFile, `does not name host "broker-2.example"`}, {CertFile, `does not name host "10.9.9.9"`}}},
		{name: "names in the common name only",
			edit: func(t *testing.T, ca testCA, files map[string]file) {
				s := goodLeaf()
				s.dns, s.ips = nil, nil
				files[CertFile] = reissue(t, ca, files, s)
			},
			hosts: []string{"broker-1"},
			want:  []want{{CertFile, "the common name alone does not count"}}},
		{name: "server auth only",
			edit: func(t *testing.T, ca testCA, files map[string]file) {
				s := goodLeaf()
				s.eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
				files[CertFile] = reissue(t, ca, files, s)
			},
			want: []want{{CertFile, "lacks client auth"}}},
		{name: "key of another certificate",
			edit: func(t *testing.T, _ testCA, files map[string]file) { files[KeyFile] = file{pkcs8(t, ecKey(t)), 0o600} },
			want: []want{{KeyFile, "does not match the certificate in"}}},
		{name: "signed by another CA",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				other := newTestCA(t, "other CA", now.Add(-time.Hour), now.Add(time.Hour))
				files[CertFile] = reissue(t, other, files, goodLeaf())
			},
			want: []want{{CertFile, "not signed by the CA in"}}},
		{name: "tls.key readable by others",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				f := files[KeyFile]
				f.mode = 0o644
				files[KeyFile] = f
			},
			want: []want{{KeyFile, "mode 0644"}}},
		{name: "tls.key group-readable, as a Secret volume with fsGroup shows defaultMode 0400",
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				f := files[KeyFile]
				f.mode = 0o440
				files[KeyFile] = f
			}},
		{name: "ca.key mounted and group-writable",
			edit: func(t *testing.T, ca testCA, files map[string]file) { files[CAKeyFile] = file{pkcs8(t, ca.key), 0o660} },
			want: []want{{CAKeyFile, "mode 0660"}}},
		{name: "everything wrong at once",
			hosts: []string{"broker-1.example", "broker-9.example"},
			edit: func(t *testing.T, _ testCA, files map[string]file) {
				ca := newTestCA(t, "old CA", now.Add(-48*time.Hour), now.Add(-time.Minute))
				other := newTestCA(t, "other CA", now.Add(-48*time.Hour), now.Add(time.Hour))
				s := goodLeaf()
				s.from, s.until = now.Add(-47*time.Hour), now.Add(-2*time.Minute)
				s.eku = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
				files[CAFile] = file{ca.pem(), 0o644}
				files[CertFile] = file{other.issue(t, ecKey(t), s), 0o644}
				files[KeyFile] = file{files[KeyFile].data, 0o604}
				files[CAKeyFile] = file{pkcs8(t, ca.key), 0o644}
			},
			want: []want{
				{CAFile, "expired"}, {CertFile, "expired"}, {CertFile, `does not name host "broker-9.example"`},
				{CertFile, "lacks server auth"}, {CertFile, "not signed by the CA"},
				{KeyFile, "does not match"}, {KeyFile, "mode 0604"}, {CAKeyFile, "mode 0644"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ca, files := goodFiles(t)
			if tt.edit != nil {
				tt.edit(t, ca, files)
			}
			writeFiles(t, dir, files)
			if tt.after != nil {
				tt.after(t, dir)
			}
			h := hosts
			if tt.hosts != nil {
				h = tt.hosts
			}
			m, err := Check(dir, h, now)
			got := problems(err)
			for _, w := range tt.want {
				if !hasLine(got, filepath.Join(dir, w.file)+": ", w.says) {
					t.Errorf("no problem %q naming %s in:\n%s", w.says, w.file, strings.Join(got, "\n"))
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			if m.CertFile != filepath.Join(dir, CertFile) {
				t.Errorf("CertFile %q", m.CertFile)
			}
		})
	}
}

// reissue signs a new leaf for the key in files.
func reissue(t *testing.T, ca testCA, files map[string]file, s leafSpec) file {
	t.Helper()
	key, err := parseKey(files[KeyFile].data)
	if err != nil {
		t.Fatal(err)
	}
	return file{ca.issue(t, key, s), 0o644}
}

func TestCheckMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	_, err := Check(dir, nil, now)
	got := problems(err)
	if len(got) != 1 || !strings.HasPrefix(got[0], dir+": TLS directory missing") {
		t.Fatalf("got %q", got)
	}
}

func TestCheckGoodMaterial(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, ca testCA, files map[string]file)
	}{
		{name: "PKCS#8 ECDSA"},
		{name: "PKCS#1 RSA", edit: func(t *testing.T, ca testCA, files map[string]file) {
			k := rsaKey(t)
			files[KeyFile] = file{pkcs1(k), 0o400}
			files[CertFile] = file{ca.issue(t, k, goodLeaf()), 0o644}
		}},
		{name: "SEC1 ECDSA after EC PARAMETERS", edit: func(t *testing.T, ca testCA, files map[string]file) {
			k := ecKey(t)
			params := encodePEM("EC PARAMETERS", []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})
			files[KeyFile] = file{append(params, sec1(t, k)...), 0o600}
			files[CertFile] = file{ca.issue(t, k, goodLeaf()), 0o644}
		}},
		{name: "wildcard and no extended key usage", edit: func(t *testing.T, ca testCA, files map[string]file) {
			s := goodLeaf()
			s.dns, s.eku = []string{"*.example"}, nil
			files[CertFile] = reissue(t, ca, files, s)
		}},
		{name: "ca.key mounted 0600", edit: func(t *testing.T, ca testCA, files map[string]file) {
			files[CAKeyFile] = file{pkcs8(t, ca.key), 0o600}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ca, files := goodFiles(t)
			if tt.edit != nil {
				tt.edit(t, ca, files)
			}
			writeFiles(t, dir, files)
			m, err := Check(dir, []string{"broker-1.example"}, now)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			want := Material{
				CAFile: filepath.Join(dir, CAFile), CertFile: filepath.Join(dir, CertFile), KeyFile: filepath.Join(dir, KeyFile),
				CAKeyMounted: files[CAKeyFile].data != nil, NotAfter: now.Add(30 * 24 * time.Hour),
			}
			if m != want {
				t.Errorf("Material %+v, want %+v", m, want)
			}
		})
	}
}

// A Secret volume mounts its files as links into ..data: followed.
func TestCheckFollowsSecretLinks(t *testing.T) {
	dir := t.TempDir()
	_, files := goodFiles(t)
	data := filepath.Join(dir, "..2026_06_01")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, data, files)
	if err := os.Symlink(filepath.Base(data), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Check(dir, []string{"broker-1.example"}, now); err != nil {
		t.Fatalf("Check: %v", err)
	}
}
