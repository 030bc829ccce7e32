#!/usr/bin/env python3
"""Runs a terminal program in a pseudo-terminal and measures it (used by scripts/measure).

  measure_pty.py first-frame --marker TEXT [--runs N] -- CMD ARGS...
      Time from fork+exec to the first output bytes that contain TEXT (the first frame),
      N runs: prints JSON with every run, the median and the p90, in milliseconds.

  measure_pty.py idle --marker TEXT [--settle S] [--seconds S] -- CMD ARGS...
      Waits for the first frame, lets the program settle S seconds, then reads CPU time over
      S seconds with no input: utime+stime from /proc/PID/stat (10 ms clock ticks), the
      threads' run time from /proc/PID/task/*/schedstat (ns), and their context switches
      (each one a wake-up).

  measure_pty.py memory --marker TEXT [--create NAME --done TEXT] [--settle S] -- CMD ARGS...
      Waits for the first frame; with --create types NAME, presses Ctrl-S and waits until
      the screen (emulated with pyte) shows TEXT; then reads VmRSS and VmHWM.

The terminal is 120x40. The program's queries for the cursor position and the device
attributes are answered, as a terminal would.
"""

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time

COLS, ROWS = 120, 40
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Pty:
    def __init__(self, argv, env=None):
        self.t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execvpe(argv[0], argv, env if env is not None else os.environ)
            except Exception as e:  # noqa: BLE001 - the child must not return
                os.write(2, f"exec {argv[0]}: {e}\n".encode())
            os._exit(127)
        self.pid, self.fd = pid, fd
        self.out = bytearray()
        self.screen = None
        self.stream = None

    def emulate(self):
        import pyte

        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.stream.feed(bytes(self.out))

    def text(self):
        return "\n".join(self.screen.display) if self.screen else ""

    def pump(self, timeout):
        """Reads what is there within `timeout` seconds; returns False at EOF."""
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        now = time.perf_counter()
        start = len(self.out)
        self.out += data
        # Answer terminal queries (cursor position, primary device attributes).
        tail = bytes(self.out[max(0, start - 8):])
        if b"\x1b[6n" in tail:
            os.write(self.fd, b"\x1b[1;1R")
        if b"\x1b[c" in tail or b"\x1b[0c" in tail:
            os.write(self.fd, b"\x1b[?62;c")
        if self.stream is not None:
            self.stream.feed(data)
        self.last = now
        return True

    def wait_bytes(self, marker, timeout):
        """Returns the perf_counter time of the read that completed `marker`, or None."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.pump(deadline - time.perf_counter()):
                return None
            if marker in self.out:
                return self.last
        return None

    def wait_screen(self, text, timeout):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.text():
                return True
            if not self.pump(min(0.05, deadline - time.perf_counter())):
                return text in self.text()
        return text in self.text()

    def drain(self, seconds):
        """Keeps reading (so the program never blocks on a full pty) for `seconds`."""
        deadline = time.perf_counter() + seconds
        n = len(self.out)
        while time.perf_counter() < deadline:
            if not self.pump(deadline - time.perf_counter()):
                break
        return len(self.out) - n

    def send(self, data):
        os.write(self.fd, data)

    def kill(self):
        for sig in (signal.SIGKILL,):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15.
    return int(fields[11]) + int(fields[12])


def threads(pid):
    """{tid: (run ns, voluntary + involuntary context switches)}."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
            sw = 0
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        sw += int(line.split()[1])
            out[tid] = (ns, sw)
        except OSError:
            pass
    return out


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def smaps_top(pid, n=12):
    """The largest mappings by Rss (kB): what the resident memory is made of."""
    maps, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if not parts[0].endswith(":") or "-" in parts[0]:
                cur = [" ".join(parts[5:]) or "[anon]", parts[0], 0]
                maps.append(cur)
            elif parts[0] == "Rss:" and cur is not None:
                cur[2] = int(parts[1])
    maps.sort(key=lambda m: -m[2])
    return [f"{m[2]:>6} kB {m[0]} {m[1]}" for m in maps[:n]]


def percentile(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def first_frame(args, cmd):
    runs, failures = [], 0
    for _ in range(args.runs):
        p = Pty(cmd)
        t = p.wait_bytes(args.marker.encode(), args.timeout)
        if t is None:
            failures += 1
            sys.stderr.write(f"no first frame within {args.timeout}s; output: {bytes(p.out[-400:])!r}\n")
        else:
            runs.append((t - p.t0) * 1000)
        p.kill()
        time.sleep(0.05)
    res = {"runs_ms": [round(r, 2) for r in runs], "failures": failures}
    if runs:
        res["median_ms"] = round(statistics.median(runs), 2)
        res["p90_ms"] = round(percentile(runs, 0.9), 2)
        res["min_ms"] = round(min(runs), 2)
    return res


def idle(args, cmd):
    p = Pty(cmd)
    try:
        if p.wait_bytes(args.marker.encode(), args.timeout) is None:
            return {"error": f"no first frame; output {bytes(p.out[-400:])!r}"}
        p.drain(args.settle)
        t0, th0 = cpu_ticks(p.pid), threads(p.pid)
        w0 = time.perf_counter()
        written = p.drain(args.seconds)
        wall = time.perf_counter() - w0
        t1, th1 = cpu_ticks(p.pid), threads(p.pid)
        ns = sum(v[0] - th0.get(k, (0, 0))[0] for k, v in th1.items())
        sw = sum(v[1] - th0.get(k, (0, 0))[1] for k, v in th1.items())
        return {
            "seconds": round(wall, 2),
            "cpu_ms_stat": (t1 - t0) * 1000 // CLK_TCK,
            "cpu_ms_schedstat": round(ns / 1e6, 2),
            "context_switches": sw,
            "threads": len(th1),
            "bytes_written": written,
        }
    finally:
        p.kill()


def memory(args, cmd):
    p = Pty(cmd)
    try:
        if p.wait_bytes(args.marker.encode(), args.timeout) is None:
            return {"error": f"no first frame; output {bytes(p.out[-400:])!r}"}
        res = {}
        if args.create:
            p.emulate()
            if args.ready and not p.wait_screen(args.ready, args.timeout):
                return {"error": f"never showed {args.ready!r}:\n{p.text()}"}
            p.send(args.create.encode())
            p.drain(0.2)
            p.send(b"\x13")  # Ctrl-S
            t = time.perf_counter()
            if not p.wait_screen(args.done, args.timeout):
                return {"error": f"never showed {args.done!r}:\n{p.text()}"}
            res["create_ms"] = round((time.perf_counter() - t) * 1000, 1)
        p.drain(args.settle)
        res["vmrss_kib"] = status_kib(p.pid, "VmRSS")
        res["vmhwm_kib"] = status_kib(p.pid, "VmHWM")
        res["rss_anon_kib"] = status_kib(p.pid, "RssAnon")
        res["rss_file_kib"] = status_kib(p.pid, "RssFile")
        res["threads"] = status_kib(p.pid, "Threads")
        if args.smaps:
            res["smaps"] = smaps_top(p.pid)
        if args.show:
            res["screen"] = p.text() if p.screen else None
        return res
    finally:
        p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["first-frame", "idle", "memory"])
    ap.add_argument("--marker", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=15)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--create")
    ap.add_argument("--ready", help="screen text to wait for before typing")
    ap.add_argument("--done", default="CreateMesh ✓")
    ap.add_argument("--show", action="store_true", help="print the final screen")
    ap.add_argument("--smaps", action="store_true", help="list the largest mappings")
    argv = sys.argv[1:]
    if "--" not in argv:
        ap.error("give the command after --")
    cut = argv.index("--")
    args, cmd = ap.parse_args(argv[:cut]), argv[cut + 1:]
    if not cmd:
        ap.error("no command after --")
    fn = {"first-frame": first_frame, "idle": idle, "memory": memory}[args.mode]
    print(json.dumps(fn(args, cmd)))


if __name__ == "__main__":
    main()
