#!/usr/bin/env python3
"""Checks data.json itself against the service model (assets/model), so that a suite failing
on it is the sandbox's doing, not the data's:

- each step expected to succeed, and each error step not marked raw, sends what the model
  allows (else a client's own validation, or a right refusal, would be what fails);
- each raw step sends what the model forbids, at the path its error message must name;
- every union branch, every member of every spec structure and every enum value of the specs
  is sent by some step expected to succeed;
- every one of the operations is called by steps all three clients run, at least once
  expecting success and once expecting an error.

This validator is written apart from the sandbox's (src/shape) on purpose. Prints one line per
check and `data: N passed, M failed`.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import runner  # noqa: E402

MODEL = json.load(open(os.path.join(HERE, "..", "..", "assets", "model", "appmesh-2019-01-25.service-2.json")))
SHAPES = MODEL["shapes"]
SPECS = ["MeshSpec", "VirtualNodeSpec", "VirtualServiceSpec", "VirtualRouterSpec", "RouteSpec", "VirtualGatewaySpec", "GatewayRouteSpec"]
# Structures the service treats as unions though the model does not say so.
ONE_OF = {
    "RouteSpec": ["httpRoute", "http2Route", "grpcRoute", "tcpRoute"],
    "GatewayRouteSpec": ["httpRoute", "http2Route", "grpcRoute"],
}
CLIENTS = ["boto3", "cli", "js"]


def problems(shape, value, path, out, seen=None):
    """The model's rules `value` breaks, as (path, rule); records what it sends in `seen`."""
    s = SHAPES[shape]
    t = s["type"]
    if t == "structure":
        if not isinstance(value, dict):
            out.append((path, "not an object"))
            return
        for r in s.get("required", []):
            if r not in value:
                out.append((join(path, r), "required"))
        union = list(s["members"]) if s.get("union") else ONE_OF.get(shape)
        if union is not None and len([m for m in union if m in value]) != 1:
            out.append((path, "exactly one of " + ", ".join(union)))
        for k, v in value.items():
            if k not in s["members"]:
                out.append((join(path, k), "not a member"))
                continue
            if seen is not None:
                seen.add((shape, k))
            problems(s["members"][k]["shape"], v, join(path, k), out, seen)
    elif t == "list":
        if not isinstance(value, list):
            out.append((path, "not a list"))
            return
        if len(value) < s.get("min", 0) or len(value) > s.get("max", 1 << 60):
            out.append((path, "list length"))
        for i, v in enumerate(value):
            problems(s["member"]["shape"], v, f"{path}[{i}]", out, seen)
    elif t == "string":
        if not isinstance(value, str):
            out.append((path, "not a string"))
            return
        if "enum" in s:
            if value not in s["enum"]:
                out.append((path, "enum"))
            elif seen is not None:
                seen.add((shape, value))
        if len(value) < s.get("min", 0) or len(value) > s.get("max", 1 << 60):
            out.append((path, "length"))
        if "pattern" in s and not re.search(s["pattern"], value):
            out.append((path, "pattern"))
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            out.append((path, "not a number"))
        elif value < s.get("min", -(1 << 63)) or value > s.get("max", 1 << 63):
            out.append((path, "range"))
    elif t == "boolean" and not isinstance(value, bool):
        out.append((path, "not a boolean"))


def join(path, member):
    return f"{path}.{member}" if path else member


def request_problems(op, params, seen=None):
    out = []
    problems(MODEL["operations"][op]["input"]["shape"], params, "", out, seen)
    return out


def main():
    results = {"passed": 0, "failed": 0}

    def report(label, bad):
        if bad:
            results["failed"] += 1
            print(f"FAIL  [data] {label}: {'; '.join(bad)}")
        else:
            results["passed"] += 1
            print(f"ok    [data] {label}")

    seen = set()
    ok_ops, error_ops = set(), set()
    step_problems = []

    def walk(steps, env, clients, sid):
        for step in steps:
            these = [c for c in clients if c in step.get("clients", CLIENTS)]
            if "for" in step:
                for v in step["for"]:
                    walk(step["steps"], {**env, step["as"]: v}, these, sid)
                continue
            if "repeat" in step:
                walk(step["steps"], {**env, "i": 0}, these, sid)
                continue
            op = step.get("op") or step.get("paginate") or step.get("collect")
            params = runner.subst(step.get("params", {}), env)
            if "paginate" in step or "collect" in step:
                params = {**params, "limit": 1}
            label = f"{sid}: {step.get('check', op)}"
            found = request_problems(op, params, None if "error" in step else seen)
            if step.get("raw"):
                want = step.get("error", {}).get("message", [None])[0] if isinstance(step.get("error"), dict) else None
                if not found:
                    step_problems.append(f"{label}: marked raw but the model allows it")
                elif want and not any(want == p or want in p for p, _ in found):
                    step_problems.append(f"{label}: the model objects to {found}, not to {want}")
            elif found:
                step_problems.append(f"{label}: the model forbids it ({found}); mark it raw or fix it")
            if these == CLIENTS:
                (error_ops if "error" in step else ok_ops).add(op)

    for scenario in runner.DATA["scenarios"]:
        env = {"sid": scenario["id"], "account": runner.DATA["account"], "region": runner.DATA["region"]}
        for name in re.findall(r'"save": \{([^}]*)\}', json.dumps(scenario)):
            for var in re.findall(r'"(\w+)": "', name):
                env[var] = f"arn:aws:appmesh:us-east-1:{env['account']}:mesh/{scenario['id']}"
        walk(scenario["steps"], env, CLIENTS, scenario["id"])
    report("every request is what the model allows, except those marked raw, which break it where their error names", step_problems)

    in_specs = set()

    def spec_shapes(shape):
        if shape in in_specs:
            return
        in_specs.add(shape)
        s = SHAPES[shape]
        for m in s.get("members", {}).values():
            spec_shapes(m["shape"])
        if s["type"] == "list":
            spec_shapes(s["member"]["shape"])

    for spec in SPECS:
        spec_shapes(spec)
    unsent = [f"{n}.{m}" for n in sorted(in_specs) if SHAPES[n]["type"] == "structure" for m in SHAPES[n]["members"] if (n, m) not in seen]
    report("every union branch and every member of every spec is sent by a step expected to succeed", unsent)
    unsent = [f"{n}={e}" for n in sorted(in_specs) if "enum" in SHAPES[n] for e in SHAPES[n]["enum"] if (n, e) not in seen]
    report("every enum value of the specs is sent by a step expected to succeed", unsent)
    ops = set(MODEL["operations"])
    report(f"all {len(ops)} operations succeed through every client", sorted(ops - ok_ops))
    report(f"all {len(ops)} operations answer an error through every client", sorted(ops - error_ops))

    print(f"data: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
