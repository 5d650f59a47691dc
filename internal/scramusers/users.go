// Package scramusers keeps a secured cluster's client users: read from a
// directory in the Kubernetes Secret layout (one file per user, named for
// the user, holding the password) and applied to the cluster as
// SCRAM-SHA-512 credentials through AlterUserScramCredentials.
package scramusers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-multierror"
	"github.com/kinit/kinit/internal/safefs"
	"github.com/twmb/franz-go/pkg/kadm"
)

// maxPasswordFile bounds one user's file: a password, not a document.
const maxPasswordFile = 64 << 10

// Iterations of each credential: twice Kafka's minimum for SCRAM-SHA-512,
// still cheap for a login.
const Iterations = 8192

// name is what a user may be called here: a Secret key (a file name)
// that is also a principal name no Kafka tool has to quote.
var name = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`) })

// Users maps each user to its password.
type Users map[string]string

// Names are the users, sorted.
func (u Users) Names() []string {
	out := make([]string, 0, len(u))
	for n := range u {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Digests identify each user's password without keeping a second copy
// of it: what changed since the last apply.
func (u Users) Digests() map[string][sha256.Size]byte {
	out := make(map[string][sha256.Size]byte, len(u))
	for n, p := range u {
		out[n] = sha256.Sum256([]byte(p))
	}
	return out
}

// ReadDir reads every user of dir. Names starting with "." are the Secret
// volume's own links (..data, ..2026_…) and are skipped; reserved are
// names that may not be client users (the admin user, whose password is
// fixed at format time). Every problem is reported at once, each naming
// its file; a password never appears in one.
func ReadDir(dir string, reserved ...string) (Users, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	users := Users{}
	var errs *multierror.Error
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		path := filepath.Join(dir, n)
		switch {
		case !name().MatchString(n):
			errs = multierror.Append(errs, fmt.Errorf("%s: %q is not a user name (letters, digits, '.', '_', '-'; at most 64)", path, n))
			continue
		case slices.Contains(reserved, n):
			errs = multierror.Append(errs, fmt.Errorf("%s: %s is the admin user, whose password is its own file's", path, n))
			continue
		}
		data, err := safefs.ReadRegular(path, maxPasswordFile)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			errs = multierror.Append(errs, fmt.Errorf("%s: cannot read the password: %v", path, err))
			continue
		}
		pw := strings.TrimRight(string(data), "\r\n")
		if pw == "" {
			errs = multierror.Append(errs, fmt.Errorf("%s: the password file is empty", path))
			continue
		}
		users[n] = pw
	}
	return users, errs.ErrorOrNil()
}

// Apply upserts the SCRAM-SHA-512 credential of every user in u; each
// failure names its user.
func Apply(ctx context.Context, adm *kadm.Client, u Users) error {
	if len(u) == 0 {
		return nil
	}
	var up []kadm.UpsertSCRAM
	for _, n := range u.Names() {
		up = append(up, kadm.UpsertSCRAM{User: n, Mechanism: kadm.ScramSha512, Iterations: Iterations, Password: u[n]})
	}
	res, err := adm.AlterUserSCRAMs(ctx, nil, up)
	if err != nil {
		return err
	}
	var errs *multierror.Error
	for _, r := range res.Sorted() {
		if r.Err != nil {
			msg := r.Err.Error()
			if r.ErrMessage != "" {
				msg += ": " + r.ErrMessage
			}
			errs = multierror.Append(errs, fmt.Errorf("user %s: %s", r.User, msg))
		}
	}
	return errs.ErrorOrNil()
}

// Revoke gives each user named a random password nobody knows, so that
// it can no longer log in. Not a deletion: a RemoveUserScramCredential
// record replayed at a broker's start can take the other credentials of
// its mechanism with it (seen on Kafka 4.4: after a user was deleted, a
// restarted broker refused the admin user, and with it every
// inter-broker connection).
func Revoke(ctx context.Context, adm *kadm.Client, users []string) error {
	if len(users) == 0 {
		return nil
	}
	u := Users{}
	for _, n := range users {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		u[n] = base64.RawStdEncoding.EncodeToString(b)
	}
	return Apply(ctx, adm, u)
}
