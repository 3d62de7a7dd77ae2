"""Start-up and idle-memory benchmark of the Coffer app (run by scripts/bench-app).

One data directory for all runs: the first start provisions the local cloud (reported apart),
the following ones are ordinary starts.

First paint: the UI calls the `ui_ready` command in the first animation frame after its first
screen is rendered (the restored session checked), and the app logs the time since its process
started (`first paint first_paint_ms=N`). The wall time from spawning the process to that log
line is reported too. Idle memory: 5 s after first paint, the resident (RSS) and proportional
(PSS: shared pages divided among their users) memory of the app and its WebKit child processes.
"""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

IDLE_SECONDS = 5
PAINT = re.compile(r"first_paint_ms=(\d+)")
BACKEND = re.compile(r"backend ready.*since_start_ms=(\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_kib(pid):
    """(RSS, PSS) in KiB of a process from /proc/PID/smaps_rollup."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def one_run(binary, data, port):
    if True:
        env = dict(os.environ, COFFER_DATA_DIR=data, COFFER_LOCAL_CLOUD_ADDR=f"127.0.0.1:{port}",
                   RUST_LOG="warn,coffer_app::startup=info", NO_COLOR="1")
        started = time.monotonic()
        app = subprocess.Popen([binary], env=env, stderr=subprocess.PIPE, text=True)
        internal = backend = None
        deadline = started + 60
        while internal is None and time.monotonic() < deadline:
            line = app.stderr.readline()
            if not line:
                break
            match = PAINT.search(line)
            ready = BACKEND.search(line)
            if ready:
                backend = int(ready.group(1))
            if match:
                internal = int(match.group(1))
        wall = (time.monotonic() - started) * 1000
        if internal is None:
            app.kill()
            raise SystemExit("the app did not report a first paint")
        time.sleep(IDLE_SECONDS)
        per_process = [(name(p), *memory_kib(p)) for p in descendants(app.pid)]
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        return internal, wall, per_process, backend


def main():
    binary, runs = sys.argv[1], int(sys.argv[2])
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        # Run 1 is a first start ever (the local cloud provisions its demo pool and RSA key);
        # the others start as a user's app does every day.
        first = one_run(binary, data, port)
        results = [one_run(binary, data, port) for _ in range(runs)]
    internal = [r[0] for r in results]
    wall = [r[1] for r in results]
    backend = [r[3] for r in results if r[3] is not None]
    rss = [sum(p[1] for p in r[2]) / 1024 for r in results]
    pss = [sum(p[2] for p in r[2]) / 1024 for r in results]
    print(f"binary: {binary}")
    print(f"first start ever (provisions the local cloud): first paint {first[0]} ms after process start")
    print(f"runs: {runs} ordinary starts (warm page cache)")
    print(f"first paint, process start -> UI ready: median {statistics.median(internal):.0f} ms (min {min(internal)}, max {max(internal)})")
    print(f"first paint, spawn -> UI ready (wall):  median {statistics.median(wall):.0f} ms (min {min(wall):.0f}, max {max(wall):.0f})")
    if backend:
        print(f"backend (local cloud) ready, in parallel with the window: median {statistics.median(backend):.0f} ms after process start")
    print(f"idle memory after {IDLE_SECONDS} s, app + WebKit processes: RSS median {statistics.median(rss):.0f} MiB, PSS median {statistics.median(pss):.0f} MiB")
    for proc, r, p in results[-1][2]:
        print(f"  {proc:<22} RSS {r / 1024:6.1f} MiB  PSS {p / 1024:6.1f} MiB")


if __name__ == "__main__":
    main()
