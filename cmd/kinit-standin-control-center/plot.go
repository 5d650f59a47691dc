package main

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Plot geometry: the drawing area inside the SVG, leaving room for the
// axis labels.
const (
	plotW, plotH       = 480, 120
	plotLeft, plotTop  = 56, 8
	plotRight, plotBot = 8, 20
)

// LagPlot draws points as an inline SVG line: time on x over the points'
// own span, lag on y from 0 to the largest value. It is drawn here, on the
// server, so the page needs no script to show it.
func LagPlot(group string, points []LagPoint) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		plotW, plotH, plotW, plotH, template.HTMLEscapeString("total lag of "+group))
	x0, y0 := plotLeft, plotTop
	w, h := plotW-plotLeft-plotRight, plotH-plotTop-plotBot
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="frame"/>`, x0, y0, w, h)
	if len(points) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="note">no samples yet</text></svg>`, x0+8, y0+h/2)
		return template.HTML(b.String())
	}
	var top int64 = 1
	for _, p := range points {
		top = max(top, p.Lag)
	}
	first, last := points[0].At, points[len(points)-1].At
	span := last.Sub(first)
	coords := make([]string, len(points))
	for i, p := range points {
		x := float64(x0)
		if span > 0 {
			x += float64(w) * float64(p.At.Sub(first)) / float64(span)
		}
		y := float64(y0+h) - float64(h)*float64(max(p.Lag, 0))/float64(top)
		coords[i] = fmt.Sprintf("%.1f,%.1f", x, y)
	}
	if len(points) == 1 {
		// One sample: a flat line across, so it is visible.
		coords = append(coords, strings.Replace(coords[0], fmt.Sprintf("%.1f,", float64(x0)), fmt.Sprintf("%.1f,", float64(x0+w)), 1))
	}
	fmt.Fprintf(&b, `<polyline class="line" fill="none" points="%s"/>`, strings.Join(coords, " "))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">%d</text>`, x0-4, y0+10, top)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">0</text>`, x0-4, y0+h)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">-%s</text>`, x0, plotH-4, span.Round(time.Second))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">%s</text>`, x0+w, plotH-4, last.UTC().Format("15:04:05"))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
