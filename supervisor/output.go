package supervisor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Log formats for child output.
const (
	LogText = "text"
	LogJSON = "json"
)

// sink keeps every line of child output in its service's ring and writes
// it to kinit's stdout, one whole line per Write so lines of different
// services never interleave; under KINIT_OUTPUT=summary only the lines the
// summary wants reach stdout.
type sink struct {
	mu      sync.Mutex
	w       io.Writer
	json    bool
	summary bool
	buf     bytes.Buffer
	maxLen  int
	rings   *logStore
}

func newSink(w io.Writer, format, mode string, ringBytes int) *sink {
	if w == nil {
		w = os.Stdout
	}
	return &sink{w: w, json: format == LogJSON, summary: mode == OutputSummary, maxLen: maxLineBytes,
		rings: newLogStore(ringBytes)}
}

// runOutput is one run of a service (one spawn), shared by its stdout and
// stderr readers: the summary counts its first lines.
type runOutput struct {
	service string
	lines   atomic.Int64
}

// shown says whether the summary lets a line of run reach stdout.
func (k *sink) shown(run *runOutput, line []byte) bool {
	return !k.summary || run.lines.Add(1) <= int64(summaryFirstLines) || notable(line)
}

// outputLine is the JSON form of one line of child output.
type outputLine struct {
	Time    time.Time `json:"time"`
	Service string    `json:"service"`
	Stream  string    `json:"stream"`
	Line    string    `json:"line"`
	// Split marks a piece of a line longer than the bound; the next piece
	// follows in the next record.
	Split bool `json:"split,omitempty"`
}

func (k *sink) line(run *runOutput, stream string, line []byte, split bool) {
	service := run.service
	now := k.rings.add(service, stream, line)
	if !k.shown(run, line) {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.buf.Reset()
	if k.json {
		// encoding/json replaces invalid UTF-8, so binary output stays
		// valid JSON.
		_ = json.NewEncoder(&k.buf).Encode(outputLine{
			Time: now.UTC(), Service: service, Stream: stream, Line: string(line), Split: split,
		})
	} else {
		k.buf.WriteString(service)
		k.buf.WriteString(" | ")
		k.buf.Write(line)
		k.buf.WriteByte('\n')
	}
	_, _ = k.w.Write(k.buf.Bytes())
	if k.buf.Cap() > 4*k.maxLen {
		// A huge record (JSON escaping can grow a line 6x) must not pin
		// its buffer for the life of kinit.
		k.buf = bytes.Buffer{}
	}
}

// pipeOut reads one child stream and forwards it line by line. Memory is
// bounded by the reader's buffer: a longer line is cut into pieces of at
// most maxLen bytes. It returns at EOF, which comes once every process
// holding the write end (grandchildren too) has exited or closed it.
func (k *sink) pipeOut(r *os.File, run *runOutput, stream string, wg *sync.WaitGroup, wake *readyWake) {
	defer wg.Done()
	defer r.Close()
	br := bufio.NewReaderSize(r, k.maxLen)
	split := false
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte{'\n'}), []byte{'\r'})
			// A line exactly as long as the bound leaves only its newline
			// for this read; the pieces already went out.
			if !split || len(line) > 0 {
				k.line(run, stream, line, false)
			}
			if wake != nil {
				wake.line(line)
			}
			split = false
		case errors.Is(err, bufio.ErrBufferFull):
			k.line(run, stream, line, true)
			split = true
		default:
			if len(line) > 0 {
				k.line(run, stream, line, false)
			}
			return
		}
	}
}
