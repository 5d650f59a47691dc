// One bulk request: encoding the batch, reading Elasticsearch's answer
// item by item, and settling each document (sent, retried or dropped).

package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// outcome is what became of one document of a bulk request.
type outcome uint8

const (
	outSent outcome = iota
	outFailed
	outRetry
)

// sendOnce sends up to BatchSize of the oldest documents in one bulk
// request and settles each. It reports false when the caller should back
// off: the request failed, or some items must be retried.
func (s *Shipper) sendOnce(ctx context.Context) bool {
	s.mu.Lock()
	s.batch = s.q.peek(s.batch, s.cfg.BatchSize)
	if len(s.batch) == 0 {
		s.mu.Unlock()
		return true
	}
	s.inflightHi = s.batch[len(s.batch)-1].seq
	s.mu.Unlock()

	outcomes := make([]outcome, len(s.batch))
	sentIdx := s.encode(outcomes)
	if len(sentIdx) == 0 {
		s.settle(outcomes, false)
		return true
	}

	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := s.api.Bulk(bytes.NewReader(s.body.Bytes()), s.api.Bulk.WithContext(rctx),
		s.api.Bulk.WithHeader(map[string]string{"Content-Type": "application/x-ndjson"}))
	if err != nil {
		s.requestFailed("transport", err.Error())
		s.settle(nil, true)
		return false
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		s.requestFailed(fmt.Sprintf("http %d", res.StatusCode), errorSummary(body))
		// A 400 or 413 for the whole request will not heal by resending it.
		if res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusRequestEntityTooLarge {
			for _, i := range sentIdx {
				outcomes[i] = outFailed
			}
			s.settle(outcomes, false)
			return false
		}
		s.settle(nil, true)
		return false
	}
	var br bulkResponse
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&br); err != nil || len(br.Items) != len(sentIdx) {
		s.requestFailed("protocol", fmt.Sprintf("cannot read bulk response: %v (%d items for %d documents)", err, len(br.Items), len(sentIdx)))
		for _, i := range sentIdx {
			outcomes[i] = outFailed
		}
		s.settle(outcomes, false)
		return false
	}
	s.requestOK()
	retry := false
	for k, i := range sentIdx {
		r := br.Items[k].result()
		switch {
		case r.Status/100 == 2:
			outcomes[i] = outSent
		case r.Status == http.StatusConflict && s.cfg.DataStream != "":
			outcomes[i] = outSent // created by an earlier attempt whose answer was lost
		case r.Status == http.StatusTooManyRequests || r.Status >= 500:
			outcomes[i] = outRetry
			retry = true
			s.itemError(r)
		default:
			outcomes[i] = outFailed
			s.itemError(r)
		}
	}
	s.settle(outcomes, false)
	return !retry
}

// encode writes the NDJSON body for the batch; documents that cannot be
// encoded are marked failed. It returns the batch indexes that were written.
func (s *Shipper) encode(outcomes []outcome) []int {
	s.body.Reset()
	op := "index"
	if s.cfg.DataStream != "" {
		op = "create" // data streams accept only create
	}
	sent := make([]int, 0, len(s.batch))
	for i, it := range s.batch {
		src, err := json.Marshal(it.doc)
		if err != nil {
			outcomes[i] = outFailed
			s.logOnce("encode", slog.LevelError, "kinit: cannot encode a metrics document", "error", err.Error())
			continue
		}
		// A fixed _id per document makes a resend after a timed-out request
		// (which Elasticsearch may have executed) overwrite, or conflict on
		// create, instead of duplicating.
		action, _ := json.Marshal(map[string]map[string]string{op: {
			"_index": s.cfg.indexFor(it.doc.kind(), it.doc.Timestamp),
			"_id":    s.idPrefix + strconv.FormatUint(it.seq, 36),
		}})
		s.body.Write(action)
		s.body.WriteByte('\n')
		s.body.Write(src)
		s.body.WriteByte('\n')
		sent = append(sent, i)
	}
	return sent
}

// settle books the outcome of the batch in flight. With whole set, the
// request failed as a whole: queued items stay for the next attempt.
// Items evicted by Enqueue while the request was in flight are booked here:
// sent or failed as Elasticsearch answered, dropped otherwise.
func (s *Shipper) settle(outcomes []outcome, whole bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.inflightHi = 0 }()
	// Evictions take the oldest first, so the evicted items of the batch are
	// a prefix of it and the rest sit at the front of the queue.
	evicted := len(s.batch)
	if f, ok := s.q.front(); ok {
		evicted = 0
		for evicted < len(s.batch) && s.batch[evicted].seq < f.seq {
			evicted++
		}
	}
	if whole {
		s.st.Dropped += uint64(evicted)
		return
	}
	for range len(s.batch) - evicted {
		s.q.popFront()
	}
	var again []item
	for i, it := range s.batch {
		switch outcomes[i] {
		case outSent:
			s.st.Sent++
		case outFailed:
			s.st.Failed++
		case outRetry:
			switch {
			case i < evicted:
				s.st.Dropped++
			case it.attempts+1 >= maxItemAttempts:
				s.st.Failed++
			default:
				it.attempts++
				s.st.Retries++
				again = append(again, it)
			}
		}
	}
	s.q.pushFront(again)
}

// requestOK records a successful exchange and ends a logged outage.
func (s *Shipper) requestOK() {
	s.mu.Lock()
	wasDown := s.down
	s.down = false
	s.st.Connected = true
	s.st.LastSuccess = time.Now()
	queued, dropped := s.q.len(), s.st.Dropped
	s.mu.Unlock()
	if wasDown {
		s.log.Info("kinit: elasticsearch reachable again; delivering queued documents",
			"queued", queued, "dropped_total", dropped)
	}
}

// requestFailed records a failed exchange. The first failure of an outage
// is logged, and each new kind of failure once; the rest only count.
func (s *Shipper) requestFailed(kind, detail string) {
	detail = s.red.clean(detail)
	s.mu.Lock()
	first := !s.down
	s.down = true
	s.st.Connected = false
	s.st.LastError = kind + ": " + detail
	s.st.LastErrorAt = time.Now()
	queued := s.q.len()
	s.mu.Unlock()
	if first {
		s.log.Warn("kinit: elasticsearch unavailable; queueing documents (oldest dropped when full)",
			"error", kind+": "+detail, "queued", queued, "queue_size", s.cfg.QueueSize)
		s.markLogged("request:" + kind)
		return
	}
	s.logOnce("request:"+kind, slog.LevelWarn, "kinit: elasticsearch request failed", "error", kind+": "+detail)
}

func (s *Shipper) itemError(r bulkItem) {
	typ := "unknown"
	reason := ""
	if r.Error != nil {
		typ, reason = r.Error.Type, r.Error.Reason
	}
	if len(reason) > 300 {
		reason = reason[:300] + "…"
	}
	s.mu.Lock()
	s.st.LastError = fmt.Sprintf("item %d %s: %s", r.Status, typ, s.red.clean(reason))
	s.st.LastErrorAt = time.Now()
	s.mu.Unlock()
	s.logOnce(fmt.Sprintf("item:%d:%s", r.Status, typ), slog.LevelWarn,
		"kinit: elasticsearch rejected a document (further rejections of this kind are only counted)",
		"status", r.Status, "type", typ, "reason", s.red.clean(reason))
}

// bulkResponse is the part of the bulk API answer the shipper reads: one
// item per action, keyed by the action name, in request order.
type bulkResponse struct {
	Errors bool        `json:"errors"`
	Items  []bulkEntry `json:"items"`
}

// bulkEntry is {"index": {…}} or {"create": {…}}.
type bulkEntry map[string]bulkItem

func (e bulkEntry) result() bulkItem {
	for _, v := range e {
		return v
	}
	return bulkItem{}
}

type bulkItem struct {
	Status int `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// errorSummary extracts "type: reason" from an Elasticsearch error body.
func errorSummary(body []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Error) > 0 {
		var obj struct{ Type, Reason string }
		if json.Unmarshal(e.Error, &obj) == nil && obj.Type != "" {
			return obj.Type + ": " + obj.Reason
		}
		var str string
		if json.Unmarshal(e.Error, &str) == nil {
			return str
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
