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

  measure_pty.py inside --marker TEXT --upstream HOST:PORT --mesh NAME --first TEXT
                  [--seconds S] -- CMD ARGS... (an argument ENDPOINT is replaced)
      Puts a timing proxy in front of the sandbox at HOST:PORT and runs CMD with ENDPOINT
      replaced by the proxy's URL. After the first frame: F3, waits for NAME on screen, Enter
      (opens the mesh); the time from the proxy handing the app the first answer to
      ListVirtualServices until the first row, TEXT, is in the app's output; then waits until
      the breadcrumb's "described X of Y" is gone (every resource described), reads VmRSS,
      VmHWM and /proc/PID/smaps_rollup, and measures S seconds of idle CPU as `idle` does.

  measure_pty.py editor --marker TEXT --upstream HOST:PORT --mesh NAME --node NAME --toggle A,B
                  [--runs N] -- CMD ARGS... (an argument ENDPOINT is replaced)
      The spec editor's hand-over (`E`). Writes an EDITOR script (bash) that reads the clock
      when it starts and just before it exits ($EPOCHREALTIME, no process started for it) and
      in between either leaves the file as it is or swaps the strings A and B in it. First
      runs the script N times on its own (fork+exec to its first clock reading: its start-up,
      part of every "E to the editor" figure). Then, behind the timing proxy: F3, Enter on
      NAME, `:NODE` Enter (the node described, so `E` needs no call first), and N times each:
      `E` with an unchanged save, until "Nothing changed" is in the app's output, and `E`
      with the swap, until "Sending UpdateVirtualNode" (the app back, the request on its way)
      and then "Updated virtual node … version V." (the service's answer drawn). Per run: `E`
      written to the pty → the script started; the script about to exit → those bytes read
      from the pty; for the change, the script's exit → UpdateVirtualNode at the proxy, the
      calls' time at the proxy (UpdateVirtualNode and ListTagsForResource), and the last
      answer leaving the proxy → the result in the app's output. Medians and worst cases.

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
        self.last_wall = time.time()
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

    def kill(self, term=0.0):
        """SIGKILL; with `term`, SIGTERM first and up to `term` seconds to exit (so a tool
        wrapped around the program, valgrind say, writes its report)."""
        if term:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.perf_counter() + term
            while time.perf_counter() < deadline:
                self.drain(0.1)
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    os.close(self.fd)
                    return
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


class Proxy:
    """A TCP proxy to `upstream` that notes when each HTTP answer was handed to the client:
    `done` is a list of (request line path, perf_counter time of the answer's last byte)."""

    def __init__(self, upstream):
        import re
        import socket
        import threading

        self.re = re
        self.socket = socket
        self.threading = threading
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        self.done = []
        # (method, path, time the request reached the proxy, time its answer left it)
        self.calls = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            u = self.socket.create_connection(self.upstream)
            for s in (c, u):
                s.setsockopt(self.socket.IPPROTO_TCP, self.socket.TCP_NODELAY, 1)
            paths = []
            self.threading.Thread(target=self.up, args=(c, u, paths), daemon=True).start()
            self.threading.Thread(target=self.down, args=(u, c, paths), daemon=True).start()

    def up(self, c, u, paths):
        try:
            while data := c.recv(65536):
                now = time.perf_counter()
                for m in self.re.finditer(rb"(GET|PUT|POST|DELETE|PATCH) (\S+) HTTP/1\.1", data):
                    paths.append((m.group(1).decode(), m.group(2).decode(), now))
                u.sendall(data)
        except OSError:
            pass
        finally:
            u.close()

    def down(self, u, c, paths):
        buf = b""
        try:
            while data := u.recv(65536):
                c.sendall(data)
                now = time.perf_counter()
                buf += data
                while (end := buf.find(b"\r\n\r\n")) >= 0:
                    head = buf[:end].decode("latin-1").lower()
                    m = self.re.search(r"content-length: *(\d+)", head)
                    total = end + 4 + (int(m.group(1)) if m else 0)
                    if len(buf) < total:
                        break
                    buf = buf[total:]
                    method, path, t_req = paths.pop(0) if paths else ("?", "?", now)
                    with self.lock:
                        self.done.append((path, now))
                        self.calls.append((method, path, t_req, now))
        except OSError:
            pass
        finally:
            c.close()


def to_meshes(p, args):
    """The first frame, then F3 until `args.mesh` is listed: None, or the error to return."""
    if p.wait_bytes(args.marker.encode(), args.timeout) is None:
        return {"error": f"no first frame; output {bytes(p.out[-400:])!r}"}
    p.emulate()
    p.send(b"\x1bOR")  # F3: the Meshes view
    if not p.wait_screen(args.mesh, args.timeout):
        return {"error": f"never listed {args.mesh!r}:\n{p.text()}"}
    return None


def inside(args, cmd):
    proxy = Proxy(args.upstream)
    cmd = [a.replace("ENDPOINT", f"http://127.0.0.1:{proxy.port}") for a in cmd]
    p = Pty(cmd)
    try:
        err = to_meshes(p, args)
        if err:
            return err
        p.drain(0.3)
        mark = len(p.out)
        p.send(b"\r")  # Enter: open the mesh
        t_enter = time.perf_counter()
        first = args.first.encode()
        t_row = None
        while time.perf_counter() < t_enter + args.timeout:
            if not p.pump(0.5):
                break
            if first in p.out[mark:]:
                t_row = p.last
                break
        if t_row is None:
            return {"error": f"never showed {args.first!r}:\n{p.text()}"}
        with proxy.lock:
            lists = [(path, t) for path, t in proxy.done if "/virtualServices" in path and "nextToken" not in path
                     and path.split("?")[0].endswith("/virtualServices")]
        if not lists:
            return {"error": f"no ListVirtualServices answer went through the proxy: {proxy.done[:5]}"}
        res = {
            "enter_to_row_ms": round((t_row - t_enter) * 1000, 2),
            "answer_to_row_ms": round((t_row - lists[0][1]) * 1000, 2),
            "first_list": lists[0][0],
        }
        if not p.wait_screen("described ", 10):
            res["note"] = "the breadcrumb never showed 'described X of Y'"
        seen = p.text()
        deadline = time.perf_counter() + 600
        while "described " in p.text() and time.perf_counter() < deadline:
            seen = p.text()
            p.pump(0.05)
        if "described " in p.text():
            return {"error": f"still describing after 600 s:\n{p.text()}"}
        res["all_described_s"] = round(time.perf_counter() - t_enter, 2)
        res["last_progress"] = next((ln.strip() for ln in seen.splitlines() if "described " in ln), "")
        with proxy.lock:
            res["requests"] = len(proxy.done)
            res["describes"] = sum(1 for path, _ in proxy.done
                                   if path.count("/") >= 5 and "?" not in path and not path.endswith(("/virtualServices", "/virtualNodes", "/virtualRouters", "/virtualGateways", "/routes", "/gatewayRoutes")))
        p.drain(args.settle)
        res["vmrss_kib"] = status_kib(p.pid, "VmRSS")
        res["vmhwm_kib"] = status_kib(p.pid, "VmHWM")
        res["rss_anon_kib"] = status_kib(p.pid, "RssAnon")
        res["rss_file_kib"] = status_kib(p.pid, "RssFile")
        with open(f"/proc/{p.pid}/smaps_rollup") as f:
            res["smaps_rollup"] = [ln.strip() for ln in f.readlines()[1:]]
        if args.smaps:
            res["smaps"] = smaps_top(p.pid, 16)
        res["screen"] = p.text()
        t0, th0 = cpu_ticks(p.pid), threads(p.pid)
        w0 = time.perf_counter()
        written = p.drain(args.seconds)
        wall = time.perf_counter() - w0
        t1, th1 = cpu_ticks(p.pid), threads(p.pid)
        res["idle"] = {
            "seconds": round(wall, 2),
            "cpu_ms_stat": (t1 - t0) * 1000 // CLK_TCK,
            "cpu_ms_schedstat": round(sum(v[0] - th0.get(k, (0, 0))[0] for k, v in th1.items()) / 1e6, 2),
            "context_switches": sum(v[1] - th0.get(k, (0, 0))[1] for k, v in th1.items()),
            "threads": len(th1),
            "bytes_written": written,
        }
        if args.trim:
            # Freed memory glibc keeps (per-thread arenas, holes) against what is live: after
            # malloc_trim(0) only pages holding live allocations stay resident.
            import subprocess

            subprocess.run(["gdb", "-p", str(p.pid), "-batch", "-ex", "call (int)malloc_trim(0)"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            res["after_malloc_trim"] = {"vmrss_kib": status_kib(p.pid, "VmRSS"), "rss_anon_kib": status_kib(p.pid, "RssAnon")}
        return res
    finally:
        p.kill(term=args.term)


EDITOR_SCRIPT = """#!/bin/bash
# The EDITOR of `measure_pty.py editor`: notes when it started and when it is about to exit
# ($EPOCHREALTIME: bash's own clock reading, no process started for it), and in between, when
# the control file says "change", swaps two strings in the file it edits (an edit the service
# keeps), else leaves the file as it is (an unchanged save).
start=$EPOCHREALTIME
read -r mode < "$APPMESH_MEASURE_CTL"
if [ "$mode" = change ]; then
    text=$(< "$1")
    a=%(a)s b=%(b)s
    if [[ $text == *"$a"* ]]; then text=${text/"$a"/"$b"}; else text=${text/"$b"/"$a"}; fi
    printf '%%s\\n' "$text" > "$1"
fi
printf '%%s %%s\\n' "$start" "$EPOCHREALTIME" >> "$APPMESH_MEASURE_STAMPS"
"""


def stamps(path):
    """The (start, end) times the editor script wrote, one pair per run."""
    try:
        with open(path) as f:
            return [tuple(float(x) for x in line.split()) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def editor(args, cmd):
    """The spec editor's hand-over (`E`): the terminal to $EDITOR and back, see the docstring."""
    import shlex
    import tempfile

    # The script, its control file and its stamps on tmpfs when there is one: a write there
    # never waits for the disk (the app's own file stays in $TMPDIR, as for anyone).
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    work = tempfile.mkdtemp(prefix="appmesh-measure-editor.", dir=shm)
    script, ctl, stamp_file = (os.path.join(work, n) for n in ("edit.sh", "ctl", "stamps"))
    a, b = args.toggle.split(",", 1)
    with open(script, "w") as f:
        f.write(EDITOR_SCRIPT % {"a": shlex.quote(a), "b": shlex.quote(b)})
    os.chmod(script, 0o755)

    # The script's own start-up: from posix_spawn of the script (as the app starts the
    # editor: Rust's Command uses posix_spawn) to its first reading of the clock, as many runs
    # as the hand-over.
    with open(ctl, "w") as f:
        f.write("keep\n")
    dummy = os.path.join(work, "dummy.yaml")
    with open(dummy, "w") as f:
        f.write("x: 1\n")
    env = dict(os.environ, APPMESH_MEASURE_CTL=ctl, APPMESH_MEASURE_STAMPS=stamp_file)
    startup = []
    for _ in range(args.runs):
        t0 = time.time()
        pid = os.posix_spawn(script, [script, dummy], env)
        os.waitpid(pid, 0)
        startup.append((stamps(stamp_file)[-1][0] - t0) * 1000)
    os.remove(stamp_file)

    proxy = Proxy(args.upstream)
    cmd = [a.replace("ENDPOINT", f"http://127.0.0.1:{proxy.port}") for a in cmd]
    env.pop("VISUAL", None)
    env["EDITOR"] = script
    p = Pty(cmd, env)
    res = {"editor_startup_ms": summary(startup), "toggle": [a, b]}
    try:
        err = to_meshes(p, args)
        if err:
            return err
        p.send(b"\r")  # Enter: open the mesh
        if not p.wait_screen("DescribeMesh ✓", args.timeout):
            return {"error": f"the mesh was never described:\n{p.text()}"}
        # `:NAME` Enter: jump to the node and describe it, so `E` needs no describe first.
        p.send(b":" + args.node.encode())
        p.drain(0.2)
        p.send(b"\r")
        if not p.wait_screen("DescribeVirtualNode ✓", args.timeout):
            return {"error": f"the node was never described:\n{p.text()}"}
        version = None
        for line in p.text().splitlines():
            if "version " in line and version is None:
                try:
                    version = int(line.split("version ", 1)[1].split()[0].strip(".,"))
                except ValueError:
                    pass
        p.drain(0.5)
        p.screen = p.stream = None  # from here on only bytes: no emulation between reads
        for mode in ("keep", "change"):
            runs, errors = [], []
            for i in range(args.runs):
                with open(ctl, "w") as f:
                    f.write(mode + "\n")
                n_stamps = len(stamps(stamp_file))
                with proxy.lock:
                    n_calls = len(proxy.calls)
                mark = len(p.out)
                off = time.time() - time.perf_counter()
                # The clock before the write: read after it, a preemption of this process
                # between the two would let the editor start "before" the key.
                t_key = time.perf_counter()
                p.send(b"E")
                back = (b"Nothing changed in the spec of" if mode == "keep" else b"Sending UpdateVirtualNode")
                t_back = t_result = None
                deadline = t_key + args.timeout
                while time.perf_counter() < deadline and t_back is None:
                    if not p.pump(deadline - time.perf_counter()):
                        break
                    if back in p.out[mark:]:
                        t_back = p.last
                if t_back is None:
                    errors.append(f"run {i}: never showed {back!r}; last output {bytes(p.out[-300:])!r}")
                    break
                if mode == "change":
                    version = (version or 0) + 1
                    result = f"version {version}.".encode()
                    while time.perf_counter() < deadline and t_result is None:
                        if not p.pump(deadline - time.perf_counter()):
                            break
                        if b"Updated virtual node" in p.out[mark:] and result in p.out[mark:]:
                            t_result = p.last
                    if t_result is None:
                        errors.append(f"run {i}: never showed the update's result ({result!r}); last output {bytes(p.out[-300:])!r}")
                        break
                st = stamps(stamp_file)
                if len(st) != n_stamps + 1:
                    errors.append(f"run {i}: the editor ran {len(st) - n_stamps} times")
                    break
                start, end = st[-1]
                start, end = start - off, end - off  # to perf_counter's clock
                with proxy.lock:
                    calls = proxy.calls[n_calls:]
                run = {
                    "key_to_editor_ms": round((start - t_key) * 1000, 3),
                    "editor_ms": round((end - start) * 1000, 3),
                    "exit_to_app_ms": round((t_back - end) * 1000, 3),
                    "calls_before_editor": [f"{m} {path}" for m, path, tq, _ in calls if tq < start],
                }
                if mode == "change":
                    update = [c for c in calls if c[0] == "PUT"]
                    run["exit_to_result_ms"] = round((t_result - end) * 1000, 3)
                    if update:
                        run["exit_to_request_ms"] = round((update[0][2] - end) * 1000, 3)
                        run["network_ms"] = round((calls[-1][3] - update[0][2]) * 1000, 3)
                        run["answer_to_result_ms"] = round((t_result - calls[-1][3]) * 1000, 3)
                        run["calls"] = [f"{m} {path}" for m, path, _, _ in calls]
                runs.append(run)
                p.drain(args.gap)
            out = {"runs": runs}
            if errors:
                out["errors"] = errors
            for k in ("key_to_editor_ms", "exit_to_app_ms", "exit_to_result_ms", "exit_to_request_ms",
                      "network_ms", "answer_to_result_ms", "editor_ms"):
                xs = [r[k] for r in runs if k in r]
                if xs:
                    out[k] = summary(xs)
            xs = [r["key_to_editor_ms"] + r["exit_to_app_ms"] for r in runs]
            if xs:
                out["handover_ms"] = summary(xs)
            res[mode] = out
        p.drain(0.3)
        p.emulate()  # the screen as it is now, for the record
        res["screen"] = p.text()
        return res
    finally:
        p.kill()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def summary(xs):
    return {"median": round(statistics.median(xs), 2), "worst": round(max(xs), 2),
            "best": round(min(xs), 2), "runs": len(xs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["first-frame", "idle", "memory", "inside", "editor"])
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
    ap.add_argument("--upstream", help="inside, editor: the sandbox's HOST:PORT")
    ap.add_argument("--mesh", help="inside, editor: the mesh to open")
    ap.add_argument("--first", help="inside: the first row of the first list")
    ap.add_argument("--term", type=float, default=0.0, help="inside: SIGTERM at the end and wait this long before SIGKILL")
    ap.add_argument("--node", help="editor: the virtual node to edit")
    ap.add_argument("--toggle", help="editor: A,B: the change swaps A and B in the spec")
    ap.add_argument("--gap", type=float, default=0.3, help="editor: seconds between runs")
    ap.add_argument("--trim", action="store_true", help="inside: at the end, malloc_trim(0) through gdb and read RSS again")
    argv = sys.argv[1:]
    if "--" not in argv:
        ap.error("give the command after --")
    cut = argv.index("--")
    args, cmd = ap.parse_args(argv[:cut]), argv[cut + 1:]
    if not cmd:
        ap.error("no command after --")
    fn = {"first-frame": first_frame, "idle": idle, "memory": memory, "inside": inside, "editor": editor}[args.mode]
    print(json.dumps(fn(args, cmd)))


if __name__ == "__main__":
    main()
