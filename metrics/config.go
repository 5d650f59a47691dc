package metrics

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the Elasticsearch output. The zero value with URLs set is usable:
// defaults fill the rest.
type Config struct {
	URLs []string
	// Index is the daily index name pattern; {kind} becomes "metrics" or
	// "events", {date} the document's UTC day as yyyy.MM.dd. Ignored when
	// DataStream is set.
	Index string
	// DataStream, when set, writes with "create" actions to this data stream
	// name pattern ({kind} allowed), and the template declares a data stream.
	DataStream string
	// Template is the index template name installed at start; SkipTemplate
	// leaves templates alone (for users without manage_index_templates).
	Template     string
	SkipTemplate bool
	// Product is the engine behind URLs; ProductAuto (the zero value) asks
	// GET / once before the first write.
	Product Product

	Interval time.Duration // sampling interval; default 10s

	APIKey   string // encoded API key, sent as "Authorization: ApiKey …"
	Username string
	Password string
	CAFile   string // PEM CA bundle for https URLs

	QueueSize     int           // documents held while Elasticsearch is away; default 4096
	BatchSize     int           // documents per bulk request; default 500
	FlushInterval time.Duration // how long the first queued document waits for company; default 1s
	Timeout       time.Duration // per request; default 10s
	// ShutdownFlush bounds the last attempt to deliver on shutdown; default 2s.
	ShutdownFlush time.Duration
}

const (
	defaultIndex      = "kinit-{kind}-{date}"
	defaultTemplate   = "kinit"
	defaultInterval   = 10 * time.Second
	defaultQueueSize  = 4096
	defaultBatchSize  = 500
	defaultFlush      = time.Second
	defaultTimeout    = 10 * time.Second
	defaultShutdown   = 2 * time.Second
	minMetricInterval = 100 * time.Millisecond
)

// Enabled reports whether any URL is configured; without one metrics are off.
func (c Config) Enabled() bool { return len(c.URLs) > 0 }

// withDefaults fills unset fields.
func (c Config) withDefaults() Config {
	if c.Index == "" {
		c.Index = defaultIndex
	}
	if c.Template == "" {
		c.Template = defaultTemplate
	}
	if c.Interval <= 0 {
		c.Interval = defaultInterval
	}
	if c.QueueSize <= 0 {
		c.QueueSize = defaultQueueSize
	}
	if c.BatchSize <= 0 {
		c.BatchSize = defaultBatchSize
	}
	if c.BatchSize > c.QueueSize {
		c.BatchSize = c.QueueSize
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = defaultFlush
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	if c.ShutdownFlush <= 0 {
		c.ShutdownFlush = defaultShutdown
	}
	return c
}

// validate checks what FromEnv cannot: the URLs, and that credentials in a
// URL's userinfo are moved out of it (so no URL that is logged carries them).
func (c *Config) validate() error {
	for i, raw := range c.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("cannot use elasticsearch url %q: want http(s)://host:port", redactURL(raw))
		}
		if u.User != nil {
			if c.Username == "" && c.APIKey == "" {
				c.Username = u.User.Username()
				c.Password, _ = u.User.Password()
			}
			u.User = nil
			c.URLs[i] = u.String()
		}
	}
	if c.Interval > 0 && c.Interval < minMetricInterval {
		return fmt.Errorf("cannot use metrics interval %s: below %s", c.Interval, minMetricInterval)
	}
	return nil
}

// FromEnv reads KINIT_ES_URLS (comma separated), KINIT_ES_API_KEY,
// KINIT_ES_USERNAME/KINIT_ES_PASSWORD, KINIT_ES_CA_CERT,
// KINIT_METRICS_INTERVAL (a Go duration or whole seconds; default 10s), and
// the optional KINIT_ES_INDEX, KINIT_ES_DATA_STREAM, KINIT_ES_PRODUCT
// (auto, elasticsearch or opensearch). Error messages never
// contain secret values.
func FromEnv(getenv func(string) string) (Config, error) {
	var c Config
	for _, u := range strings.Split(getenv("KINIT_ES_URLS"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.URLs = append(c.URLs, u)
		}
	}
	c.APIKey = strings.TrimSpace(getenv("KINIT_ES_API_KEY"))
	c.Username = getenv("KINIT_ES_USERNAME")
	c.Password = getenv("KINIT_ES_PASSWORD")
	c.CAFile = getenv("KINIT_ES_CA_CERT")
	c.Index = getenv("KINIT_ES_INDEX")
	c.DataStream = getenv("KINIT_ES_DATA_STREAM")
	p, err := ParseProduct(getenv("KINIT_ES_PRODUCT"))
	if err != nil {
		return Config{}, fmt.Errorf("cannot parse KINIT_ES_PRODUCT=%q: %w", getenv("KINIT_ES_PRODUCT"), err)
	}
	c.Product = p
	if v := strings.TrimSpace(getenv("KINIT_METRICS_INTERVAL")); v != "" {
		d, err := parseInterval(v)
		if err != nil {
			return Config{}, fmt.Errorf("cannot parse KINIT_METRICS_INTERVAL=%q: %w", v, err)
		}
		c.Interval = d
	}
	if c.Username != "" && c.Password == "" {
		return Config{}, fmt.Errorf("cannot use KINIT_ES_USERNAME without KINIT_ES_PASSWORD")
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c.withDefaults(), nil
}

func parseInterval(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("want a positive duration")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("want a duration like 10s")
	}
	if d <= 0 {
		return 0, fmt.Errorf("want a positive duration")
	}
	return d, nil
}

// indexFor names the target for a document of the given kind and day.
func (c Config) indexFor(kind string, ts time.Time) string {
	pat := c.Index
	if c.DataStream != "" {
		pat = c.DataStream
	}
	if strings.Contains(pat, "{kind}") {
		pat = strings.ReplaceAll(pat, "{kind}", kind)
	}
	if strings.Contains(pat, "{date}") {
		pat = strings.ReplaceAll(pat, "{date}", ts.UTC().Format("2006.01.02"))
	}
	return pat
}

// indexPatterns is the template's index_patterns: the name pattern with
// placeholders as wildcards.
func (c Config) indexPatterns() []string {
	pat := c.Index
	if c.DataStream != "" {
		pat = c.DataStream
	}
	pat = strings.ReplaceAll(pat, "{kind}", "*")
	pat = strings.ReplaceAll(pat, "{date}", "*")
	return []string{pat}
}
