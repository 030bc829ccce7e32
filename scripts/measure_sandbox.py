#!/usr/bin/env python3
"""Start-up time and resident memory of `appmesh-tui sandbox serve` (used by scripts/measure).

  measure_sandbox.py startup --runs N --probe PATH -- CMD ARGS...

Runs CMD (a `sandbox serve` without --port) N times, each on a free loopback port it picks,
and times from fork+exec until the first answer to GET PATH (a connection is tried every
millisecond; refused connections and non-HTTP answers are retried). After each answer it reads
VmRSS, VmHWM and RssAnon from /proc/PID/status, then stops the server with SIGTERM and waits for
it. With the answer it also takes the CPU time the server used so far (utime+stime). Prints JSON: every run, the median start-up in milliseconds, the status of the answers, and
the memory of the last run.
"""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def one(cmd, probe, timeout=60):
    port = free_port()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd + ["--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if p.poll() is not None:
                return {"error": f"exited with {p.returncode} before answering"}
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                c.request("GET", probe)
                r = c.getresponse()
                r.read()
                t = time.perf_counter()
                c.close()
                with open(f"/proc/{p.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                cpu_ms = (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")
                return {
                    "startup_ms": round((t - t0) * 1000, 1),
                    # CPU time the sandbox used until then (all threads, 10 ms ticks): under
                    # load from other processes the wall time is longer by the wait for a core.
                    "cpu_ms": cpu_ms,
                    "status": r.status,
                    "vmrss_kib": status_kib(p.pid, "VmRSS"),
                    "vmhwm_kib": status_kib(p.pid, "VmHWM"),
                    "rss_anon_kib": status_kib(p.pid, "RssAnon"),
                }
            except (ConnectionError, OSError, http.client.HTTPException):
                time.sleep(0.001)
        return {"error": f"no answer within {timeout} s"}
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    argv = sys.argv[1:]
    if len(argv) < 1 or argv[0] != "startup" or "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    opts, cmd = argv[1:cut], argv[cut + 1:]
    runs, probe = 5, "/v20190125/meshes"
    i = 0
    while i < len(opts):
        if opts[i] == "--runs":
            runs = int(opts[i + 1])
        elif opts[i] == "--probe":
            probe = opts[i + 1]
        else:
            sys.exit(f"unknown option {opts[i]}")
        i += 2
    results = [one(cmd, probe) for _ in range(runs)]
    ok = [r for r in results if "startup_ms" in r]
    out = {"runs": results}
    if ok:
        out["median_ms"] = round(statistics.median(r["startup_ms"] for r in ok), 1)
        out["max_ms"] = max(r["startup_ms"] for r in ok)
        out["median_cpu_ms"] = statistics.median(r["cpu_ms"] for r in ok)
        out["statuses"] = sorted({r["status"] for r in ok})
        out["last"] = ok[-1]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
