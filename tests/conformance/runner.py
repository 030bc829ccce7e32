"""Runs the scenarios of data.json through one client, for boto3_suite.py and awscli_suite.py.

A client is an adapter with `name`, `call(endpoint, region, op, params, raw) -> Outcome` and
`collect(endpoint, region, op, params, page_size) -> (items, problems)` (the client's own
paginator). The runner substitutes variables, calls, and checks each answer against the step's
expectation and against what it has seen so far (the same uid, version and spec as last
answered; the version one higher after an update), and prints one line per check:

    ok    [scenario] check
    FAIL  [scenario] check: what differed
    KNOWN [scenario] check: what differed (a disagreement listed in known_disagreements.json)
    FIXED [scenario] check: listed in known_disagreements.json but passes: remove it there

The format of data.json is described in tests/conformance/README.md; js/suite.mjs runs the same
scenarios the same way.
"""

import copy
import json
import math
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = json.load(open(os.path.join(HERE, "data.json"), encoding="utf-8"))
KNOWN = json.load(open(os.path.join(HERE, "known_disagreements.json"), encoding="utf-8"))

ACCESS_KEY = "AKIAIOSFODNN7SANDBOX"
SECRET_KEY = "sandbox/secret/not-a-real-key"
TIMESTAMP_KEYS = ("createdAt", "lastUpdatedAt")
VERBS = ("Create", "Describe", "Update", "Delete")
MISSING = object()
VAR = re.compile(r"\$\{(\w+)\}")


class Outcome:
    """What a client made of one call. `body` is JSON-like, timestamps as epoch seconds."""

    def __init__(self, ok, body=None, code=None, status=None, message=None, problems=None):
        self.ok = ok
        self.body = body if body is not None else {}
        self.code = code
        self.status = status  # None where the client does not expose it
        self.message = message
        self.problems = problems or []  # what the client noticed: unparsed dates, headers

    def __repr__(self):
        if self.ok:
            return f"success {short(self.body)}"
        return f"{self.code} ({self.status}): {self.message}"


class Stop(Exception):
    """The call's outcome differs (success vs error): later steps would only cascade."""


def short(value, limit=300):
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


def endpoints_from_env():
    raw = os.environ.get("SANDBOX_ENDPOINTS")
    if raw:
        return json.loads(raw)
    single = os.environ.get("SANDBOX_ENDPOINT")
    return {"main": single} if single else {}


# ---------------------------------------------------------------- substitution


def subst(value, env):
    if isinstance(value, str):
        if value.startswith("$spec:"):
            return subst(copy.deepcopy(DATA["specs"][value[6:]]), env)
        if value.startswith("$str:"):
            return "x" * int(value[5:])
        while True:
            m = VAR.fullmatch(value)
            if m:
                found = env_get(env, m.group(1))
                if not isinstance(found, str):
                    return found
                value = found
                continue
            new = VAR.sub(lambda m: str(env_get(env, m.group(1))), value, count=1)
            if new == value:
                return value
            value = new
    if isinstance(value, list):
        return [subst(v, env) for v in value]
    if isinstance(value, dict):
        if "$items" in value:
            return [subst(value["of"], {**env, "j": j}) for j in range(value["$items"])]
        return {k: subst(v, env) for k, v in value.items()}
    return value


def env_get(env, name):
    if name not in env:
        raise KeyError(f"data.json uses ${{{name}}}, which is not set here")
    return env[name]


def get_path(body, path):
    cur = body
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(cur, list) or i >= len(cur):
                return MISSING
            cur = cur[i]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return MISSING
            cur = cur[part]
    return cur


def kind_of(op):
    for verb in VERBS:
        if op.startswith(verb) and op[len(verb):] in DATA["kinds"]:
            return verb, op[len(verb):]
    if op.startswith("List"):
        for kind, k in DATA["kinds"].items():
            if op == "List" + k["list"][0].upper() + k["list"][1:]:
                return "List", kind
    return None, None


def list_key(op):
    verb, kind = kind_of(op)
    if verb == "List":
        k = DATA["kinds"][kind]
        return k["list"], k["name"]
    if op == "ListTagsForResource":
        return "tags", None
    raise KeyError(op)


# ---------------------------------------------------------------- the runner


class Runner:
    def __init__(self, adapter, endpoints, only=None):
        self.adapter = adapter
        self.endpoints = endpoints
        self.only = only
        self.counts = {"passed": 0, "failed": 0, "known": 0, "fixed": 0}
        self.known = {
            k["check"]: k["why"]
            for k in KNOWN
            if adapter.name in k.get("clients", ["boto3", "cli", "js"])
        }

    # -- reporting

    def report(self, scenario, label, problems):
        check_id = f"{scenario} :: {label}"
        known = self.known.get(check_id)
        if problems and known:
            self.counts["known"] += 1
            print(f"KNOWN [{scenario}] {label}: {'; '.join(problems)} (known: {known})")
        elif problems:
            self.counts["failed"] += 1
            print(f"FAIL  [{scenario}] {label}: {'; '.join(problems)}")
        elif known:
            self.counts["fixed"] += 1
            print(f"FIXED [{scenario}] {label}: passes, but known_disagreements.json lists it: remove it there")
        else:
            self.counts["passed"] += 1
            print(f"ok    [{scenario}] {label}")
        sys.stdout.flush()

    # -- scenarios

    def run(self, extra_checks=()):
        """Runs every scenario of data.json, then `extra_checks` (name, server, fn(ctx))."""
        wanted = [s for s in DATA["scenarios"] if not self.only or s["id"] in self.only]
        missing = sorted({s.get("server", "main") for s in wanted} - set(self.endpoints))
        if missing:
            flags = {m: DATA["servers"][m]["flags"] for m in missing}
            print(f"no endpoint for server(s) {missing}: start `appmesh-tui sandbox serve --ephemeral` with {flags} and name them in SANDBOX_ENDPOINTS")
            return 2
        for scenario in wanted:
            self.run_scenario(scenario)
        for name, server, fn in extra_checks:
            if self.only and name not in self.only:
                continue
            ctx = Context(self, {"id": name, "server": server})
            try:
                fn(ctx)
            except Stop:
                pass
            except Exception as e:  # a bug in the check itself: say so, count it
                self.report(name, "(the check itself failed)", [f"{type(e).__name__}: {e}"])
        c = self.counts
        print(f"{self.adapter.name}: {c['passed']} passed, {c['failed'] + c['fixed']} failed")
        if c["known"] or c["fixed"]:
            print(f"{self.adapter.name}: {c['known']} known disagreements still fail, {c['fixed']} listed ones pass now")
        return 0 if c["failed"] == 0 and c["fixed"] == 0 else 1

    def run_scenario(self, scenario):
        ctx = Context(self, scenario)
        try:
            ctx.steps(scenario["steps"], ctx.env)
        except Stop:
            pass
        except Exception as e:
            self.report(scenario["id"], "(the runner failed)", [f"{type(e).__name__}: {e}"])


class Context:
    """One scenario's run: its server, variables and what the sandbox answered so far."""

    def __init__(self, runner, scenario):
        self.runner = runner
        self.adapter = runner.adapter
        self.id = scenario["id"]
        server = scenario.get("server", "main")
        self.endpoint = runner.endpoints.get(server)
        self.account = DATA["servers"][server].get("account", DATA["account"])
        self.env = {"sid": self.id, "account": self.account, "region": DATA["region"]}
        self.state = {}  # ARN -> the resource as last answered
        self.labels = set()

    def label(self, text):
        base, n = text, 2
        while text in self.labels:
            text = f"{base} (#{n})"
            n += 1
        self.labels.add(text)
        return text

    def report(self, label, problems):
        self.runner.report(self.id, label, problems)

    # -- steps

    def steps(self, steps, env):
        for step in steps:
            if "clients" in step and self.adapter.name not in step["clients"]:
                continue
            if "for" in step:
                for value in step["for"]:
                    self.steps(step["steps"], {**env, step["as"]: value})
            elif "repeat" in step:
                self.repeat(step, env)
            elif "paginate" in step:
                self.paginate(step, env)
            elif "collect" in step:
                self.collect(step, env)
            else:
                self.call_step(step, env)

    def repeat(self, step, env):
        label = self.label(subst(step["check"], env))
        for i in range(step["repeat"]):
            problems = []
            try:
                for sub in step["steps"]:
                    problems += self.call_step(sub, {**env, "i": i}, quiet=True)
            except Stop as stop:
                problems.append(str(stop))
            if problems:
                self.report(label, [f"at i={i}: " + "; ".join(problems)])
                raise Stop()
        self.report(label, [])

    def call_step(self, step, env, quiet=False):
        op = step["op"]
        params = subst(step.get("params", {}), env)
        region = subst(step.get("region", DATA["region"]), env)
        label = None if quiet else self.label(subst(step["check"], env) if "check" in step else default_label(op, params))
        out = self.adapter.call(self.endpoint, region, op, params, step.get("raw", False))
        problems = list(out.problems)
        if "error" in step:
            want = step["error"] if isinstance(step["error"], dict) else {"code": step["error"]}
            if out.ok:
                problems.append(f"expected {want['code']}, got success: {short(out.body)}")
                problems += self.undo(op, params, region, out)
            else:
                problems += self.check_error(out, subst(want, env))
        else:
            if not out.ok:
                problems.append(f"expected success, got {out!r}")
                if quiet:
                    raise Stop("; ".join(problems))
                self.report(label, problems + ["(the rest of this scenario is skipped)"])
                raise Stop()
            problems += self.check_success(step, op, params, region, out.body, env)
        if quiet:
            return problems
        self.report(label, problems)
        return problems

    def undo(self, op, params, region, out):
        """An error step that succeeded changed the sandbox: put it back so later steps still say
        something about themselves."""
        verb, kind = kind_of(op)
        if verb == "Create":
            keys = {"meshName", DATA["kinds"][kind]["name"], DATA["kinds"][kind].get("parent")}
            undo = {k: v for k, v in params.items() if k in keys}
            self.adapter.call(self.endpoint, region, "Delete" + kind, undo, True)
            return ["(it was created; deleted it again)"]
        if verb == "Update" and isinstance(out.body.get(DATA["kinds"][kind]["key"]), dict):
            data = out.body[DATA["kinds"][kind]["key"]]
            self.state[data["metadata"]["arn"]] = data
        return []

    def check_error(self, out, want):
        problems = []
        code = want["code"]
        if out.code != code:
            problems.append(f"expected {code}, got {out!r}")
        elif out.status is not None and out.status != DATA["errors"][code]:
            problems.append(f"{code} came with HTTP {out.status}, the model says {DATA['errors'][code]}")
        message = out.message or ""
        if not message.strip():
            problems.append("the error has no message")
        lowered = message.lower()
        missing = [w for w in want.get("message", []) if w.lower() not in lowered]
        if missing:
            problems.append(f"the message {message!r} does not name {missing}")
        if want.get("message_any") and not any(w.lower() in lowered for w in want["message_any"]):
            problems.append(f"the message {message!r} names none of {want['message_any']}")
        return problems

    # -- successful answers

    def check_success(self, step, op, params, region, body, env):
        problems = []
        verb, kind = kind_of(op)
        if verb in VERBS:
            problems += self.check_resource(step, verb, kind, params, region, body)
        elif verb == "List":
            problems += self.check_list(op, params, region, body, step, env, single_page=True)
        elif op in ("TagResource", "UntagResource") and body != {}:
            problems.append(f"{op} answered {short(body)}, the model's output is empty")
        elif op == "ListTagsForResource":
            problems += self.check_list(op, params, region, body, step, env, single_page=True)
        for path, want in subst(step.get("expect", {}), env).items():
            problems += check_value(path, get_path(body, path), want)
        for name, path in step.get("save", {}).items():
            env[name] = get_path(body, path)
            self.env[name] = env[name]
        return problems

    def check_resource(self, step, verb, kind, params, region, body):
        k = DATA["kinds"][kind]
        data = body.get(k["key"])
        if not isinstance(data, dict):
            return [f"no {k['key']} object in the answer: {short(body)}"]
        problems = []
        for member in ("meshName", k["name"], k.get("parent")):
            if member and data.get(member) != params.get(member):
                problems.append(f"{member} is {data.get(member)!r}, asked for {params.get(member)!r}")
        arn = f"arn:aws:appmesh:{region}:{self.account}:" + k["arn"].format(**params)
        meta = data.get("metadata") or {}
        problems += check_metadata(meta, arn, self.account)
        want_status = "DELETED" if verb == "Delete" else "ACTIVE"
        if data.get("status") != {"status": want_status}:
            problems.append(f"status is {data.get('status')!r}, expected {{'status': '{want_status}'}}")
        if "spec" not in data:
            problems.append("no spec in the answer")
        before = self.state.get(arn)
        same = step.get("same_as_before")
        if verb in ("Create", "Update"):
            sent = params.get("spec", {})
            if data.get("spec") != sent:
                problems.append(f"spec is not echoed as sent: sent {short(sent)}, got {short(data.get('spec'))}")
        if same:
            if before is None:
                problems.append("nothing to compare with")
            else:
                for f in ("uid", "version", "createdAt", "lastUpdatedAt"):
                    if meta.get(f) != before["metadata"].get(f):
                        problems.append(f"a retry with the same clientToken changed {f}: {before['metadata'].get(f)!r} → {meta.get(f)!r}")
        elif verb == "Create":
            if meta.get("version") != 1:
                problems.append(f"version is {meta.get('version')!r} on create, expected 1")
            if meta.get("createdAt") != meta.get("lastUpdatedAt"):
                problems.append("createdAt and lastUpdatedAt differ on create")
        elif before is not None:
            bm = before["metadata"]
            if meta.get("uid") != bm.get("uid"):
                problems.append(f"uid changed: {bm.get('uid')!r} → {meta.get('uid')!r}")
            if meta.get("createdAt") != bm.get("createdAt"):
                problems.append(f"createdAt changed: {bm.get('createdAt')!r} → {meta.get('createdAt')!r}")
            if verb == "Update":
                if meta.get("version") != bm.get("version", 0) + 1:
                    problems.append(f"version went {bm.get('version')!r} → {meta.get('version')!r} on update, expected +1")
                if not num(meta.get("lastUpdatedAt")) or meta["lastUpdatedAt"] <= bm["lastUpdatedAt"]:
                    problems.append(f"lastUpdatedAt did not move on update: {bm['lastUpdatedAt']} → {meta.get('lastUpdatedAt')}")
            else:
                if verb == "Describe":
                    for f in ("version", "lastUpdatedAt"):
                        if meta.get(f) != bm.get(f):
                            problems.append(f"{f} is {meta.get(f)!r}, the last answer said {bm.get(f)!r}")
                if data.get("spec") != before.get("spec"):
                    problems.append(f"spec is {short(data.get('spec'))}, the last answer said {short(before.get('spec'))}")
        if verb == "Delete":
            self.state.pop(arn, None)
        else:
            self.state[arn] = data
        return problems

    def check_list(self, op, params, region, body, step, env, single_page):
        key, name_key = list_key(op)
        items = body.get(key)
        if not isinstance(items, list):
            return [f"no {key} list in the answer: {short(body)}"]
        problems = self.check_refs(op, params, items)
        if single_page and (step.get("names") is not None or step.get("items") is not None) and "nextToken" in body:
            problems.append(f"a nextToken on a list that fits one page: {body['nextToken']!r}")
        problems += self.check_items(step, items, name_key, env)
        return problems

    def check_refs(self, op, params, items):
        """Each listed resource this scenario knows must match what it last answered."""
        if op == "ListTagsForResource":
            return [f"not a tag: {short(t)}" for t in items if not (isinstance(t, dict) and set(t) == {"key", "value"})]
        _, kind = kind_of(op)
        k = DATA["kinds"][kind]
        problems = []
        for ref in items:
            for member in ("meshName", "arn", "version", "createdAt", "lastUpdatedAt", "meshOwner", "resourceOwner", k["name"], k.get("parent")):
                if member and member not in ref:
                    problems.append(f"a listed {kind} has no {member}: {short(ref)}")
            if k.get("parent") and ref.get(k["parent"]) != params.get(k["parent"]):
                problems.append(f"a listed {kind} has {k['parent']} {ref.get(k['parent'])!r}")
            if op != "ListMeshes" and ref.get("meshName") != params.get("meshName"):
                problems.append(f"a listed {kind} has meshName {ref.get('meshName')!r}")
            if ref.get("meshOwner") != self.account or ref.get("resourceOwner") != self.account:
                problems.append(f"a listed {kind} has owners {ref.get('meshOwner')!r}/{ref.get('resourceOwner')!r}")
            before = self.state.get(ref.get("arn"))
            if before is not None:
                for f in ("version", "createdAt", "lastUpdatedAt"):
                    if ref.get(f) != before["metadata"].get(f):
                        problems.append(f"{ref.get(k['name'])}: {f} is {ref.get(f)!r} in the list, {before['metadata'].get(f)!r} in the last answer")
        return problems

    def check_items(self, step, items, name_key, env):
        problems = []
        if name_key:
            got = [i.get(name_key) for i in items]
            if len(got) != len(set(got)):
                problems.append(f"listed twice: {sorted({g for g in got if got.count(g) > 1})}")
            if step.get("names") is not None:
                want = subst(step["names"], env)
                if sorted(got) != sorted(want):
                    problems.append(f"listed {sorted(got)}, expected {sorted(want)}")
            for want in subst(step.get("contains", []), env):
                if want not in got:
                    problems.append(f"{want!r} is not listed")
        if step.get("items") is not None:
            want = subst(step["items"], env)
            if sorted(items, key=json.dumps) != sorted(want, key=json.dumps):
                problems.append(f"listed {short(items)}, expected {short(want)}")
        if step.get("count") is not None and len(items) != step["count"]:
            problems.append(f"listed {len(items)}, expected {step['count']}")
        return problems

    def paginate(self, step, env):
        op = step["paginate"]
        params = subst(step.get("params", {}), env)
        region = subst(step.get("region", DATA["region"]), env)
        limit = subst(step["limit"], env)
        label = self.label(subst(step.get("check", f"{op} limit {limit}"), env))
        key, _ = list_key(op)
        problems, collected, pages, token = [], [], 0, None
        while True:
            page_params = {**params, "limit": limit, **({"nextToken": token} if token else {})}
            out = self.adapter.call(self.endpoint, region, op, page_params, False)
            problems += out.problems
            if not out.ok:
                problems.append(f"page {pages + 1}: expected success, got {out!r}")
                break
            pages += 1
            items = out.body.get(key)
            if not isinstance(items, list):
                problems.append(f"page {pages}: no {key} list: {short(out.body)}")
                break
            if len(items) > limit:
                problems.append(f"page {pages} has {len(items)} items, limit was {limit}")
            problems += self.check_refs(op, params, items)
            collected += items
            token = out.body.get("nextToken")
            if token is None:
                break
            if not isinstance(token, str) or not token:
                problems.append(f"page {pages}: nextToken {token!r}")
                break
            if pages > 300:
                problems.append("more than 300 pages: the nextToken never ends")
                break
        if not problems:
            expected_pages = max(1, math.ceil(len(collected) / limit))
            if pages != expected_pages:
                problems.append(f"{len(collected)} items came in {pages} pages of at most {limit}, expected {expected_pages} (a nextToken on the last page?)")
            problems += self.check_items(step, collected, list_key(op)[1], env)
        self.report(label, problems)

    def collect(self, step, env):
        op = step["collect"]
        params = subst(step.get("params", {}), env)
        region = subst(step.get("region", DATA["region"]), env)
        label = self.label(subst(step.get("check", f"{op} through the client's paginator, pages of {step['page_size']}"), env))
        items, problems = self.adapter.collect(self.endpoint, region, op, params, step["page_size"])
        if items is not None:
            problems = problems + self.check_refs(op, params, items) + self.check_items(step, items, list_key(op)[1], env)
        self.report(label, problems)


def default_label(op, params):
    verb, kind = kind_of(op)
    if kind:
        k = DATA["kinds"][kind]
        names = []
        for n in ("meshName", k.get("parent"), k["name"] if verb != "List" else None):
            if n and params.get(n) and params[n] not in names:
                names.append(params[n])
        extra = " with meshOwner" if "meshOwner" in params else ""
        return f"{op} {'/'.join(map(str, names))}{extra}".strip()
    return op


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_metadata(meta, arn, account):
    problems = []
    if meta.get("arn") != arn:
        problems.append(f"arn is {meta.get('arn')!r}, expected {arn!r}")
    for f in ("meshOwner", "resourceOwner"):
        if meta.get(f) != account:
            problems.append(f"{f} is {meta.get(f)!r}, expected {account!r}")
    if not isinstance(meta.get("uid"), str) or not meta.get("uid"):
        problems.append(f"uid is {meta.get('uid')!r}")
    if not isinstance(meta.get("version"), int) or meta["version"] < 1:
        problems.append(f"version is {meta.get('version')!r}")
    now = time.time()
    for f in TIMESTAMP_KEYS:
        if not num(meta.get(f)):
            problems.append(f"{f} is {meta.get(f)!r}")
        elif abs(meta[f] - now) > 600:
            problems.append(f"{f} is {meta[f]}, {meta[f] - now:+.0f} s from now")
    if num(meta.get("createdAt")) and num(meta.get("lastUpdatedAt")) and meta["lastUpdatedAt"] < meta["createdAt"]:
        problems.append("lastUpdatedAt is before createdAt")
    return problems


def check_value(path, got, want):
    if isinstance(want, dict) and len(want) == 1 and next(iter(want)).startswith("$"):
        (matcher, arg), = want.items()
        if matcher == "$absent":
            return [] if got is MISSING else [f"{path} should be absent, got {short(got)}"]
        if got is MISSING:
            return [f"{path} is missing"]
        if matcher == "$ne":
            return [] if got != arg else [f"{path} should not be {short(arg)}"]
        raise KeyError(f"unknown matcher {matcher}")
    if got is MISSING:
        return [f"{path} is missing, expected {short(want)}"]
    return [] if got == want else [f"{path} is {short(got)}, expected {short(want)}"]
