#!/usr/bin/env python3
"""bench/fsyncprobe.py DIR: every 100 ms, append 380 bytes (a ticket.issued
event's size) to a file in DIR and fsync it, until SIGTERM or SIGINT; then
print the count, p50, p99 and max of the write+fsync times. Run beside a
benchmark, it shows what the disk cost at the time."""
import os, signal, sys, time

path = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "fsyncprobe.dat")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
buf = b"x" * 380
times = []
stop = False

def quit(*_):
    global stop
    stop = True

signal.signal(signal.SIGTERM, quit)
signal.signal(signal.SIGINT, quit)
while not stop:
    t0 = time.perf_counter()
    os.write(fd, buf)
    os.fsync(fd)
    times.append((time.perf_counter() - t0) * 1e3)
    time.sleep(0.1)
os.close(fd)
os.unlink(path)
s = sorted(times)
if s:
    pick = lambda p: s[min(len(s) - 1, int(len(s) * p))]
    print(f"bare write+fsync of 380 B, {len(s)} samples: p50 {pick(0.5):.3f} ms, p99 {pick(0.99):.3f} ms, max {s[-1]:.3f} ms")
