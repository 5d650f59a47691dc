package main

import (
	"sort"
	"sync"
	"time"
)

// LagPoint is one sample of a group's total lag.
type LagPoint struct {
	At  time.Time `json:"at"`
	Lag int64     `json:"lag"`
}

// History keeps each group's total lag over the last Window, in bounded
// memory: at most MaxPoints points per group and MaxGroups groups (those
// first in name order; a cluster with more shows the rest without plots).
type History struct {
	Window    time.Duration
	MaxPoints int
	MaxGroups int

	mu     sync.Mutex
	groups map[string][]LagPoint
}

// NewHistory keeps window of samples, about window/every points a group.
func NewHistory(window, every time.Duration) *History {
	return &History{Window: window, MaxPoints: int(window/every) + 1, MaxGroups: 100, groups: map[string][]LagPoint{}}
}

// Add records one sample of every group's total lag at at. A group
// missing from lags keeps its points until they age out of the window.
func (h *History) Add(at time.Time, lags map[string]int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	names := make([]string, 0, len(lags))
	for g := range lags {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		if _, ok := h.groups[g]; !ok && len(h.groups) >= h.MaxGroups {
			continue
		}
		h.groups[g] = append(h.groups[g], LagPoint{At: at, Lag: lags[g]})
	}
	cut := at.Add(-h.Window)
	for g, ps := range h.groups {
		i := 0
		for i < len(ps) && ps[i].At.Before(cut) {
			i++
		}
		i = max(i, len(ps)-h.MaxPoints)
		if i == len(ps) {
			delete(h.groups, g)
			continue
		}
		// A copy, so the dropped points' backing array is freed.
		h.groups[g] = append([]LagPoint(nil), ps[i:]...)
	}
}

// Of returns a copy of group's points, oldest first.
func (h *History) Of(group string) []LagPoint {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]LagPoint(nil), h.groups[group]...)
}
