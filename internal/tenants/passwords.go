package tenants

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
)

// maxPasswordFile bounds one password file: a password, not a document.
const maxPasswordFile = 64 << 10

// Passwords reads every tenant's password file: its first line, without
// the line ending a Secret created from a file often carries. Every
// unreadable or empty file is a Problem naming it and its tenant, at the
// line of its password_file; no password ever appears in one.
func (f *File) Passwords() (map[string]string, error) {
	out, ps := f.passwords()
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

// passwords reads what it can: the passwords read, and the problems.
// Tenants without an absolute password_file (a problem of the file
// itself) are skipped.
func (f *File) passwords() (map[string]string, Problems) {
	out := make(map[string]string, len(f.Tenants))
	var ps Problems
	for _, t := range f.Tenants {
		if !filepath.IsAbs(t.PasswordFile) {
			continue
		}
		at := func(format string, a ...any) {
			ps = append(ps, Problem{Path: f.Path, Line: f.lines.Line("tenants", t.Name, "password_file"), Message: fmt.Sprintf(format, a...)})
		}
		data, err := safefs.ReadRegular(t.PasswordFile, maxPasswordFile)
		if err != nil {
			at("tenant %s: cannot read the password file %s: %s", t.Name, t.PasswordFile, errText(err))
			continue
		}
		pw, _, _ := strings.Cut(string(data), "\n")
		pw = strings.TrimRight(pw, "\r")
		if pw == "" {
			at("tenant %s: the password file %s is empty", t.Name, t.PasswordFile)
			continue
		}
		out[t.Name] = pw
	}
	return out, ps
}
