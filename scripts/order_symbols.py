#!/usr/bin/env python3
"""Writes the linker's symbol order (assets/link/symbol-order.txt, read by build.rs) from what
the release binary runs in two recorded TUI sessions. Run through scripts/order-symbols.

Why: the kernel maps a binary's code 64 KiB around each page a program touches. The TUI runs
about 2.9 MB of functions spread across 8.5 MiB of code, so 7.3 MiB of it became resident.
Placed together, the functions it runs make 3.1 MiB resident.

How:
  1. The binary (stripped, as released) runs under valgrind's callgrind in a pseudo-terminal,
     driven by keys like a person: session A against `sandbox serve` (what README ›
     Performance measures), session B on the built-in sandbox (what README's run command
     starts), each creating a mesh first. Callgrind records every instruction it ran by its
     link-time address; a perf sample of session A run natively adds code valgrind's CPU never
     runs (what libraries pick by CPU feature).
  2. The linker map of that same build (`-Map`, see build.rs) names the function section
     holding each address.
  3. The file lists the functions session A ran, then those only session B ran, each group in
     the order the linker placed them before (which keeps a crate's code together).

Usage: order_symbols.py --binary B --map M --out F [--keep DIR [--reuse]]
       order_symbols.py --self-test
"""

import argparse
import bisect
import glob
import json
import os
import re
import socket
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure_pty import Pty  # noqa: E402  (the pty driver the measurements use)

F2, F3, F1 = b"\x1bOQ", b"\x1bOR", b"\x1bOP"
ENTER, ESC, TAB, DOWN, PGDN = b"\r", b"\x1b", b"\t", b"\x1b[B", b"\x1b[6~"
CTRL_S, CTRL_C = b"\x13", b"\x03"

# Valgrind runs the program some 50 times slower: every wait is generous.
TIMEOUT = 300


def text_sections(map_path):
    """(start, end, symbol) of every function section in the linker map, by start."""
    pat = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s+\S.*:\(\.text\.(\S+)\)$")
    out = []
    with open(map_path, errors="replace") as f:
        for ln in f:
            m = pat.match(ln)
            if m:
                start, size = int(m.group(1), 16), int(m.group(2), 16)
                name = m.group(3)
                for prefix in ("unlikely.", "hot.", "startup.", "exit.", "split."):
                    name = name.removeprefix(prefix)
                if size:
                    out.append((start, start + size, name))
    out.sort()
    return out


def ran(callgrind_out, binary):
    """Link-time addresses of every instruction callgrind saw run in `binary` (written with
    `--dump-instr=yes --compress-pos=no`). Instructions, not functions: the binary is
    stripped, and a function reached by a jump (a tail call) has no entry of its own."""
    obs, cur, addrs = {}, None, set()
    pat = re.compile(r"^(c?ob)=\((\d+)\)(?: (.*))?$")
    real = os.path.realpath(binary)
    with open(callgrind_out, errors="replace") as f:
        for ln in f:
            if ln.startswith("0x"):
                if cur == real:
                    addrs.add(int(ln.split(None, 1)[0], 16))
                continue
            m = pat.match(ln.rstrip("\n"))
            if m:
                # An object is named once, where it first appears (a `cob=` line too).
                tag, ident, name = m.groups()
                if name:
                    obs[ident] = os.path.realpath(name)
                if tag == "ob":
                    cur = obs.get(ident)
    return addrs


def exec_delta(binary):
    """p_vaddr - p_offset of the binary's executable segment."""
    with open(binary, "rb") as f:
        head = f.read(64)
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr = struct.unpack_from("<IIQQ", table, i * phentsize)
        if p_type == 1 and p_flags & 1:
            return p_vaddr - p_offset
    raise SystemExit(f"{binary}: no executable segment")


def sampled(perf_data, binary):
    """Link-time addresses perf sampled in `binary`: code valgrind never runs, such as what a
    library picks by CPU feature (SHA extensions, AVX2) that valgrind's CPU does not have."""
    out = subprocess.run(["perf", "script", "-i", perf_data, "--show-mmap-events", "-F", "ip,dso"],
                         capture_output=True, text=True, check=True).stdout
    return perf_addresses(out, os.path.realpath(binary), exec_delta(binary))


def perf_addresses(script, real, delta):
    """The samples in `perf script --show-mmap-events -F ip,dso` output that fall in the
    executable mapping of the file `real`, as link-time addresses (`delta`: the segment's
    p_vaddr - p_offset)."""
    maps, addrs = [], set()
    mmap = re.compile(r"\[(0x[0-9a-f]+)\((0x[0-9a-f]+)\) @ (0x[0-9a-f]+) .*\]: r-xp (\S+)")
    for ln in script.splitlines():
        m = mmap.search(ln)
        if m:
            if os.path.realpath(m.group(4)) == real:
                maps.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16)))
            continue
        parts = ln.split()
        if len(parts) >= 2 and real in parts[1]:
            ip = int(parts[0], 16)
            for start, length, pgoff in maps:
                if start <= ip < start + length:
                    addrs.add(ip - start + pgoff + delta)
    return addrs


def symbols_at(sections, addrs):
    starts = [s for s, _, _ in sections]
    found = set()
    for a in addrs:
        i = bisect.bisect_right(starts, a) - 1
        if i >= 0 and a < sections[i][1]:
            found.add(i)
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step(p, keys, settle=1.0, wait=None):
    """Sends `keys`, then waits for `wait` on screen (when given) and lets the app settle."""
    p.send(keys)
    if wait and not p.wait_screen(wait, TIMEOUT):
        raise SystemExit(f"never showed {wait!r} after {keys!r}:\n{p.text()}")
    p.drain(settle)


def jump(p, target):
    """`:` and `target` in the jump prompt (`meshes`, `vs`, …)."""
    for keys in (b":", target.encode(), ENTER):
        step(p, keys)


def walk_mesh(p, mesh, select, gateways):
    """From anywhere: the Meshes view, `select` (keys that put `mesh` under the cursor), then
    what a person does inside a mesh. Every group of keys ends back on the mesh's virtual
    services, checked on screen, so a key that did nothing cannot walk out of the mesh."""
    step(p, F3)
    jump(p, "meshes")
    if not p.wait_screen("Meshes (", TIMEOUT):
        raise SystemExit(f"never reached the Meshes view:\n{p.text()}")
    for keys in select:
        step(p, keys)
    step(p, ENTER, wait=f"{mesh} ›")
    deadline = time.perf_counter() + TIMEOUT
    while "described " in p.text() and time.perf_counter() < deadline:
        p.drain(1.0)
    groups = [
        [b"j", b"j", ENTER, PGDN, b"k", b"s", b"s", b"/", b"1", ENTER, ESC],
        [b":", b"vn", ENTER, DOWN, ENTER, TAB, TAB, DOWN, ENTER],
        [b":", b"vr", ENTER, ENTER, ENTER, b"+", ESC],
        [b"g", ESC], [b"M", ESC], [b"x", ESC], [b"t", ESC], [b"y"], [b"d", ESC],
        [F1, PGDN, ESC], [b"c", ESC], [b"e", ESC], [b"r"],
    ]
    if gateways:
        groups.append([b":", b"vg", ENTER, ENTER, ENTER])
    for group in groups:
        for keys in group:
            step(p, keys)
        jump(p, "vs")
        if f"{mesh} ›" not in p.text():
            raise SystemExit(f"left {mesh} after {group!r}:\n{p.text()}")


def session(binary, args, env, wrap):
    cmd = wrap + [binary] + args
    p = Pty(cmd, env)
    if p.wait_bytes(b"appmesh-tui", TIMEOUT) is None:
        raise SystemExit(f"no first frame from {' '.join(cmd)}: {bytes(p.out[-400:])!r}")
    p.emulate()
    return p


def end(p):
    p.send(CTRL_C)
    p.drain(2.0)
    p.kill(term=TIMEOUT)


def self_test():
    """Reads small samples of the three inputs (written the way the tools write them) and checks
    what comes out; run by tests/code_layout.rs."""
    with tempfile.TemporaryDirectory(prefix="order-symbols-test-") as work:
        check_samples(work)
    print("order_symbols self-test: ok")


def check_samples(work):
    """The checks of `self_test`, on sample files written in `work`."""
    bin_path = os.path.join(work, "appmesh-tui")
    open(bin_path, "w").close()
    map_path = os.path.join(work, "link.map")
    with open(map_path, "w") as f:
        f.write(
            "             VMA              LMA     Size Align Out     In      Symbol\n"
            "          304940           304940   87b671    64 .text\n"
            "          304940           304940       40    16         x.o:(.text._ZN1a4main17h0000000000000001E)\n"
            "          304940           304940        0     1                 _ZN1a4main17h0000000000000001E\n"
            "          304980           304980       20    16         x.o:(.text.unlikely._ZN1a4cold17h0000000000000002E)\n"
            "          3049a0           3049a0        0     1         x.o:(.text._ZN1a5empty17h0000000000000003E)\n"
            "          3049c0           3049c0       30    16         x.o:(.text._RNvCs1_1a4tail)\n"
            "          149ed0           149ed0        c     4         x.o:(.gcc_except_table._ZN1a4main17h0000000000000001E)\n")
    sections = text_sections(map_path)
    names = [n for _, _, n in sections]
    assert names == ["_ZN1a4main17h0000000000000001E", "_ZN1a4cold17h0000000000000002E",
                     "_RNvCs1_1a4tail"], names
    grind = os.path.join(work, "a.callgrind")
    with open(grind, "w") as f:
        f.write(
            "positions: instr line\nevents: Ir\n"
            "ob=(1) /usr/lib/libc.so.6\nfn=(1) 0x0000000000304940\n0x304940 0 1\n"
            f"cob=(2) {bin_path}\ncfn=(2) 0x0000000000304980\ncalls=1 0x304980 0\n0x304950 0 3\n"
            "ob=(2)\nfn=(3) 0x00000000003049c4'2\n0x3049c4 0 1\n0x304985 0 2\n")
    ran_addrs = ran(grind, bin_path)
    assert ran_addrs == {0x3049c4, 0x304985}, sorted(map(hex, ran_addrs))
    assert symbols_at(sections, ran_addrs) == {1, 2}
    script = (f"app 1/1: [0x5000(0x87d000) @ 0x303000 fe:00 1 2]: r-xp {bin_path}\n"
              f"    5100 {bin_path}\n    6000 /usr/lib/libc.so.6\n")
    got = perf_addresses(script, os.path.realpath(bin_path), 0x1000)
    assert got == {0x100 + 0x303000 + 0x1000}, sorted(map(hex, got))


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--keep", help="keep the sessions' files in this directory")
    ap.add_argument("--reuse", action="store_true",
                    help="read the sessions already recorded in --keep instead of running them")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="order-symbols-")
    os.makedirs(work, exist_ok=True)
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    state = os.path.join(work, "sandbox.json")
    env = {"PATH": os.environ["PATH"], "HOME": home, "TERM": "xterm-256color", "LANG": "C.UTF-8",
           "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "EDITOR": "true"}

    def fresh_state():
        for f in glob.glob(state + "*"):  # the state, its lock and its journal
            os.remove(f)
        seed = [a.binary, "sandbox", "seed", "--state", state]
        subprocess.run(seed + ["--shape", "realistic"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(seed + ["--prefix", "perf", "--nodes", "200", "--services", "100",
                               "--routers", "20", "--routes", "10"],
                       check=True, stdout=subprocess.DEVNULL)

    def session_a(wrap):
        """Against an endpoint, as README › Performance measures."""
        fresh_state()
        port = free_port()
        server = subprocess.Popen([a.binary, "sandbox", "serve", "--port", str(port), "--state",
                                   state, "--no-quotas"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit("sandbox serve did not start")
                    time.sleep(0.1)
            p = session(a.binary, ["--endpoint-url", f"http://127.0.0.1:{port}"], env, wrap)
            # The create form is the first screen (README › Performance: memory after a create).
            step(p, b"orders")
            step(p, CTRL_S, wait="CreateMesh ✓")
            walk_mesh(p, "perf-00001", [b"g", b"j"], gateways=False)
            walk_mesh(p, "seed-00001", [b"G"], gateways=True)
            end(p)
        finally:
            server.terminate()
            server.wait()

    def session_b(wrap):
        """The built-in sandbox, as README's run command starts it."""
        fresh_state()
        p = session(a.binary, ["--sandbox", "--state", state], env, wrap)
        step(p, F2)
        step(p, b"orders")
        step(p, CTRL_S, wait="CreateMesh ✓")
        walk_mesh(p, "seed-00001", [b"G"], gateways=True)
        end(p)

    grind = ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--compress-pos=no"]
    out_a, out_b = os.path.join(work, "a.callgrind"), os.path.join(work, "b.callgrind")
    perf_a = os.path.join(work, "a.perf")
    if not a.reuse:
        session_a(grind + [f"--callgrind-out-file={out_a}"])
        session_b(grind + [f"--callgrind-out-file={out_b}"])
    seen_a = ran(out_a, a.binary)
    if shutil.which("perf"):
        if not a.reuse:
            session_a(["perf", "record", "-q", "-F", "20000", "-o", perf_a, "--"])
        seen_a |= sampled(perf_a, a.binary)
    else:
        print("perf not found: code picked by CPU feature is left out", file=sys.stderr)

    sections = text_sections(a.map)
    if not sections:
        raise SystemExit(f"no function sections in {a.map}")
    first = symbols_at(sections, seen_a)
    second = symbols_at(sections, ran(out_b, a.binary)) - first
    names = [sections[i][2] for i in sorted(first)] + [sections[i][2] for i in sorted(second)]
    size = lambda ix: sum(sections[i][1] - sections[i][0] for i in ix)  # noqa: E731
    with open(a.out, "w") as f:
        f.write("\n".join(names) + "\n")
    print(json.dumps({
        "functions": len(names), "session_a": len(first), "only_session_b": len(second),
        "bytes_a": size(first), "bytes_b": size(second),
        "text_bytes": size(range(len(sections))), "out": a.out}))


if __name__ == "__main__":
    main()
