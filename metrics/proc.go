package metrics

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// userHZ is the unit of the tick counters in /proc/<pid>/stat. It is 100 on
// every Linux architecture (the kernel converts from its internal HZ).
const userHZ = 100

// procStat is the part of /proc/<pid>/stat the sampler uses.
type procStat struct {
	pid, ppid, pgrp int
	state           byte
	// cpu is utime+stime+cutime+cstime in ticks: the process's own time and
	// that of the children it has waited for.
	cpu      uint64
	threads  int
	start    uint64 // ticks after boot
	rssPages int64
}

// procReader reads /proc with reused buffers, so a pass allocates little.
type procReader struct {
	root   string // "/proc" normally
	buf    []byte
	dents  []byte
	path   []byte
	pageSz int64
}

func newProcReader(root string) *procReader {
	return &procReader{root: root, buf: make([]byte, 4096), dents: make([]byte, 8192), pageSz: int64(os.Getpagesize())}
}

// procEntry is one /proc/<pid> directory entry. The inode number tells a
// new process from an old one with the same pid: a new process gets a new
// procfs inode.
type procEntry struct {
	pid int
	ino uint64
}

// pids lists the numeric entries of /proc.
func (r *procReader) pids(out []procEntry) ([]procEntry, error) {
	out = out[:0]
	fd, err := unix.Open(r.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return out, err
	}
	defer unix.Close(fd)
	for {
		n, err := unix.Getdents(fd, r.dents)
		if err != nil {
			return out, err
		}
		if n <= 0 {
			return out, nil
		}
		forEachDirent(r.dents[:n], func(ino uint64, name []byte) {
			if pid, ok := atoiBytes(name); ok {
				out = append(out, procEntry{pid, ino})
			}
		})
	}
}

// countFDs counts the entries of /proc/<pid>/fd; -1 when unreadable (a
// process of another user when kinit is not root).
func (r *procReader) countFDs(pid int) int {
	r.path = append(append(r.path[:0], r.root...), '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	r.path = append(r.path, "/fd"...)
	fd, err := unix.Open(string(r.path), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	defer unix.Close(fd)
	count := 0
	for {
		n, err := unix.Getdents(fd, r.dents)
		if err != nil {
			return -1
		}
		if n <= 0 {
			return count
		}
		forEachDirent(r.dents[:n], func(_ uint64, name []byte) {
			if string(name) != "." && string(name) != ".." {
				count++
			}
		})
	}
}

var errMalformedStat = errors.New("malformed /proc stat line")

// stat reads and parses /proc/<pid>/stat.
func (r *procReader) stat(pid int) (procStat, error) {
	r.path = append(append(r.path[:0], r.root...), '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	r.path = append(r.path, "/stat"...)
	fd, err := unix.Open(string(r.path), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return procStat{}, err
	}
	n, err := unix.Read(fd, r.buf)
	unix.Close(fd)
	if err != nil {
		return procStat{}, err
	}
	return parseStat(pid, r.buf[:n], r.pageSz)
}

// parseStat parses a stat line. The command name is in parentheses and may
// itself contain spaces and parentheses, so fields are counted from the last
// ')'.
func parseStat(pid int, line []byte, pageSz int64) (procStat, error) {
	i := bytes.LastIndexByte(line, ')')
	if i < 0 || i+2 >= len(line) {
		return procStat{}, errMalformedStat
	}
	rest := line[i+2:]
	s := procStat{pid: pid}
	var utime, stime, cutime, cstime uint64
	for field := 3; len(rest) > 0 && field <= 24; field++ {
		j := bytes.IndexByte(rest, ' ')
		var tok []byte
		if j < 0 {
			tok, rest = bytes.TrimSpace(rest), nil
		} else {
			tok, rest = rest[:j], rest[j+1:]
		}
		switch field {
		case 3:
			if len(tok) > 0 {
				s.state = tok[0]
			}
		case 4:
			s.ppid, _ = atoiBytes(tok)
		case 5:
			s.pgrp, _ = atoiBytes(tok)
		case 14:
			utime = atouBytes(tok)
		case 15:
			stime = atouBytes(tok)
		case 16:
			cutime = atouBytes(tok)
		case 17:
			cstime = atouBytes(tok)
		case 20:
			s.threads, _ = atoiBytes(tok)
		case 22:
			s.start = atouBytes(tok)
		case 24:
			n, _ := atoiBytes(tok)
			s.rssPages = int64(n)
			s.cpu = utime + stime + cutime + cstime
			return s, nil
		}
	}
	return procStat{}, errMalformedStat
}

// forEachDirent walks linux_dirent64 records: ino(8) off(8) reclen(2)
// type(1) name (NUL terminated).
func forEachDirent(b []byte, f func(ino uint64, name []byte)) {
	for len(b) >= 19 {
		reclen := int(b[16]) | int(b[17])<<8
		if reclen < 19 || reclen > len(b) {
			return
		}
		name := b[19:reclen]
		if k := bytes.IndexByte(name, 0); k >= 0 {
			name = name[:k]
		}
		f(binary.NativeEndian.Uint64(b[:8]), name)
		b = b[reclen:]
	}
}

func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, len(b) > 0
}

func atouBytes(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

// stateName spells out a /proc state letter.
func stateName(c byte) string {
	switch c {
	case 'R':
		return "running"
	case 'S':
		return "sleeping"
	case 'D':
		return "disk-sleep"
	case 'Z':
		return "zombie"
	case 'T':
		return "stopped"
	case 't':
		return "tracing-stop"
	case 'X', 'x':
		return "dead"
	case 'I':
		return "idle"
	case 0:
		return ""
	}
	return string(c)
}
