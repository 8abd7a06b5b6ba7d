package metrics

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// The go_ and process_ families are those Prometheus' Go client library
// exposes by default (its Go and process collectors), with the same
// names, help and values, so that dashboards made for any Go program
// read motcua's.

var (
	goGC         = &Desc{"go_gc_duration_seconds", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", Summary, nil}
	goGoroutines = &Desc{"go_goroutines", "Number of goroutines that currently exist.", Gauge, nil}
	goThreads    = &Desc{"go_threads", "Number of OS threads created.", Gauge, nil}
	goInfo       = &Desc{"go_info", "Information about the Go environment.", Gauge, []string{"version"}}
	goLastGC     = &Desc{"go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", Gauge, nil}
)

// goSample is a family read from runtime/metrics: the sum of the named
// samples (all unsigned integers, or one float).
type goSample struct {
	d     *Desc
	names []string
}

var goSamples = []goSample{
	{&Desc{"go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.", Gauge, nil}, []string{"/gc/gogc:percent"}},
	{&Desc{"go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.", Gauge, nil}, []string{"/gc/gomemlimit:bytes"}},
	{&Desc{"go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.", Gauge, nil}, []string{"/sched/gomaxprocs:threads"}},
	{&Desc{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", Gauge, nil}, []string{"/memory/classes/heap/objects:bytes"}},
	{&Desc{"go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", Counter, nil}, []string{"/gc/heap/allocs:bytes"}},
	{&Desc{"go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", Gauge, nil}, []string{"/memory/classes/profiling/buckets:bytes"}},
	{&Desc{"go_memstats_frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", Counter, nil}, []string{"/gc/heap/frees:objects", "/gc/heap/tiny/allocs:objects"}},
	{&Desc{"go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", Gauge, nil}, []string{"/memory/classes/metadata/other:bytes"}},
	{&Desc{"go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", Gauge, nil}, []string{"/memory/classes/heap/objects:bytes"}},
	{&Desc{"go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", Gauge, nil}, []string{"/memory/classes/heap/released:bytes", "/memory/classes/heap/free:bytes"}},
	{&Desc{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", Gauge, nil}, []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}},
	{&Desc{"go_memstats_heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", Gauge, nil}, []string{"/gc/heap/objects:objects"}},
	{&Desc{"go_memstats_heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", Gauge, nil}, []string{"/memory/classes/heap/released:bytes"}},
	{&Desc{"go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", Gauge, nil}, []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/memory/classes/heap/released:bytes", "/memory/classes/heap/free:bytes"}},
	{&Desc{"go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", Counter, nil}, []string{"/gc/heap/allocs:objects", "/gc/heap/tiny/allocs:objects"}},
	{&Desc{"go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", Gauge, nil}, []string{"/memory/classes/metadata/mcache/inuse:bytes"}},
	{&Desc{"go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", Gauge, nil}, []string{"/memory/classes/metadata/mcache/inuse:bytes", "/memory/classes/metadata/mcache/free:bytes"}},
	{&Desc{"go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", Gauge, nil}, []string{"/memory/classes/metadata/mspan/inuse:bytes"}},
	{&Desc{"go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", Gauge, nil}, []string{"/memory/classes/metadata/mspan/inuse:bytes", "/memory/classes/metadata/mspan/free:bytes"}},
	{&Desc{"go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", Gauge, nil}, []string{"/gc/heap/goal:bytes"}},
	{&Desc{"go_memstats_other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", Gauge, nil}, []string{"/memory/classes/other:bytes"}},
	{&Desc{"go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", Gauge, nil}, []string{"/memory/classes/heap/stacks:bytes"}},
	{&Desc{"go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", Gauge, nil}, []string{"/memory/classes/heap/stacks:bytes", "/memory/classes/os-stacks:bytes"}},
	{&Desc{"go_memstats_sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", Gauge, nil}, []string{"/memory/classes/total:bytes"}},
}

// goCollector reports the Go runtime: goroutines, threads, GC pauses and
// memory, read without stopping the world (runtime/metrics).
type goCollector struct{}

func (goCollector) Collect(s *Scrape) {
	s.Add(goGoroutines, float64(runtime.NumGoroutine()))
	threads, _ := runtime.ThreadCreateProfile(nil)
	s.Add(goThreads, float64(threads))
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&gc)
	q := make([]float64, len(gc.PauseQuantiles))
	for i, p := range gc.PauseQuantiles {
		q[i] = p.Seconds()
	}
	s.addSummary(goGC, []float64{0, 0.25, 0.5, 0.75, 1}, q, gc.PauseTotal.Seconds(), uint64(gc.NumGC))
	s.Add(goLastGC, float64(gc.LastGC.UnixNano())/1e9)
	s.Add(goInfo, 1, runtime.Version())

	idx := map[string]int{}
	var samples []metrics.Sample
	for _, g := range goSamples {
		for _, n := range g.names {
			if _, ok := idx[n]; !ok {
				idx[n] = len(samples)
				samples = append(samples, metrics.Sample{Name: n})
			}
		}
	}
	metrics.Read(samples)
	for _, g := range goSamples {
		var v float64
		var u uint64
		for _, n := range g.names {
			switch val := samples[idx[n]].Value; val.Kind() {
			case metrics.KindUint64:
				u += val.Uint64()
			case metrics.KindFloat64:
				v += val.Float64()
			}
		}
		s.Add(g.d, v+float64(u))
	}
}

var (
	procCPU      = &Desc{"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", Counter, nil}
	procOpenFDs  = &Desc{"process_open_fds", "Number of open file descriptors.", Gauge, nil}
	procMaxFDs   = &Desc{"process_max_fds", "Maximum number of open file descriptors.", Gauge, nil}
	procVSize    = &Desc{"process_virtual_memory_bytes", "Virtual memory size in bytes.", Gauge, nil}
	procMaxVSize = &Desc{"process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", Gauge, nil}
	procRSS      = &Desc{"process_resident_memory_bytes", "Resident memory size in bytes.", Gauge, nil}
	procStart    = &Desc{"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", Gauge, nil}
	procNetIn    = &Desc{"process_network_receive_bytes_total", "Number of bytes received by the process over the network.", Counter, nil}
	procNetOut   = &Desc{"process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", Counter, nil}
)

// userHZ is the unit of the times in /proc/PID/stat (USER_HZ, 100 on
// every Linux architecture).
const userHZ = 100

// processCollector reports the process from /proc: CPU time, memory,
// file descriptors, start time and the network traffic of its network
// namespace. A file it cannot read leaves its families out.
type processCollector struct {
	proc string // the process's directory in /proc: /proc/self
}

func (c processCollector) Collect(s *Scrape) {
	if st, err := os.ReadFile(c.proc + "/stat"); err == nil {
		// The fields after the command name, which is in parentheses
		// and may hold anything.
		if i := bytes.LastIndexByte(st, ')'); i >= 0 {
			f := strings.Fields(string(st[i+1:]))
			// f[0] is field 3 (state): utime is field 14, stime 15,
			// starttime 22, vsize 23, rss 24.
			if len(f) > 21 {
				num := func(field int) float64 {
					v, _ := strconv.ParseUint(f[field-3], 10, 64)
					return float64(v)
				}
				s.Add(procCPU, (num(14)+num(15))/userHZ)
				s.Add(procVSize, num(23))
				s.Add(procRSS, num(24)*float64(os.Getpagesize()))
				if boot, ok := bootTime("/proc/stat"); ok {
					s.Add(procStart, boot+num(22)/userHZ)
				}
			}
		}
	}
	if n, ok := countFDs(c.proc + "/fd"); ok {
		s.Add(procOpenFDs, float64(n))
	}
	if lim, err := os.ReadFile(c.proc + "/limits"); err == nil {
		if v, ok := limit(lim, "Max open files"); ok {
			s.Add(procMaxFDs, v)
		}
		if v, ok := limit(lim, "Max address space"); ok {
			s.Add(procMaxVSize, v)
		}
	}
	if ns, err := os.ReadFile(c.proc + "/net/netstat"); err == nil {
		in, out := ipExt(ns, "InOctets"), ipExt(ns, "OutOctets")
		s.Add(procNetIn, in)
		s.Add(procNetOut, out)
	}
}

// bootTime is the btime line of /proc/stat, in seconds since 1970.
func bootTime(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return float64(n), err == nil
		}
	}
	return 0, false
}

// countFDs counts a /proc fd directory's entries: since Linux 6.2 its
// size says it at once.
func countFDs(dir string) (int, bool) {
	if fi, err := os.Stat(dir); err == nil && fi.Size() > 0 {
		return int(fi.Size()), true
	}
	f, err := os.Open(dir)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	return len(names), err == nil
}

// limit is the soft limit of a /proc/PID/limits line; "unlimited" is the
// largest uint64.
func limit(b []byte, name string) (float64, bool) {
	for line := range strings.Lines(string(b)) {
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		if f[0] == "unlimited" {
			return math.MaxUint64, true
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		return float64(n), err == nil
	}
	return 0, false
}

// ipExt is a field of the IpExt lines of /proc/PID/net/netstat (a line
// of names, then a line of values); 0 when absent.
func ipExt(b []byte, field string) float64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	var names []string
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "IpExt:")
		if !ok {
			continue
		}
		if names == nil {
			names = strings.Fields(rest)
			continue
		}
		vals := strings.Fields(rest)
		for i, n := range names {
			if n == field && i < len(vals) {
				v, _ := strconv.ParseFloat(vals[i], 64)
				return v
			}
		}
		return 0
	}
	return 0
}
