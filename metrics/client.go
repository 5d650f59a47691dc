package metrics

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/kinit/kinit/internal/safefs"
)

// newClient builds the official client with kinit's own transport: its
// retries are off (the shipper retries with backoff and keeps documents in
// its queue meanwhile), and the dialer gives up quickly so a dead address
// costs one short wait.
// maxCAFile bounds KINIT_ES_CA_CERT: Debian's whole CA bundle is about
// 220 KiB.
const maxCAFile = 1 << 20

func newClient(c Config) (*elasticsearch.Client, error) {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: c.Timeout,
		ForceAttemptHTTP2:     true,
	}
	if c.CAFile != "" {
		// An operator's path (a Secret's symlink is fine), but never a
		// FIFO that would hang kinit or /dev/zero that would fill it.
		pem, err := safefs.ReadRegular(c.CAFile, maxCAFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read elasticsearch CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("cannot use elasticsearch CA file %s: no PEM certificate in it", c.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses:         c.URLs,
		APIKey:            c.APIKey,
		Username:          c.Username,
		Password:          c.Password,
		Transport:         tr,
		DisableRetry:      true,
		DisableMetaHeader: true,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot create elasticsearch client: %s", newRedactor(c).clean(err.Error()))
	}
	return es, nil
}

// redactor removes secrets from text before it is logged or shown in status:
// the password, the API key, the basic-auth token made from them, and any
// userinfo left in a URL.
type redactor struct{ secrets []string }

func newRedactor(c Config) redactor {
	var r redactor
	for _, s := range []string{c.APIKey, c.Password} {
		if len(s) >= 3 {
			r.secrets = append(r.secrets, s)
		}
	}
	if c.Username != "" || c.Password != "" {
		r.secrets = append(r.secrets, base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)))
	}
	return r
}

var userinfoRE = regexp.MustCompile(`(://)[^/@\s"]+@`)

func (r redactor) clean(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "xxxxx")
	}
	return userinfoRE.ReplaceAllString(s, "${1}xxxxx@")
}

func redactURL(s string) string { return userinfoRE.ReplaceAllString(s, "${1}xxxxx@") }
