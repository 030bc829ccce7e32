#!/usr/bin/env python3
"""Conformance of the appmesh-tui sandbox with the AWS CLI, a client we did not write.

Runs every scenario of data.json through `aws appmesh COMMAND --cli-input-json '{...}'`, then a
few checks of the `aws` executable itself (flags, file:// specs, exit status and stderr, its
own pagination). Needs the sandboxes' endpoints like boto3_suite.py:

    SANDBOX_ENDPOINTS='{"main": "http://127.0.0.1:4566", ...}' python3 tests/conformance/awscli_suite.py

Each scenario command runs through the CLI's own driver in this process (`awscli.clidriver`,
what the `aws` script runs: argument parsing, --cli-input-json, parameter validation, the
request, output), one driver for all commands, which takes about 10 ms a command instead of
0.8 s for a new Python each time; CLI_MODE=subprocess runs the `aws` executable for every
command instead. The CLI gets fixed credentials and a
config file of ours (ISO 8601 output of dates, so the CLI must parse them; for the steps that
send what the model forbids, `parameter_validation = false`), never a developer's own setup.
"""

import contextlib
import datetime
import io
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runner  # noqa: E402
from runner import Outcome, short  # noqa: E402

ERROR = re.compile(r"An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)", re.S)


def kebab(op):
    return "".join("-" + c.lower() if c.isupper() else c for c in op).lstrip("-")


class Cli:
    name = "cli"

    def __init__(self, mode):
        self.mode = mode
        self.dir = tempfile.mkdtemp(prefix="awscli-suite-")
        self.configs = {}
        for raw in (False, True):
            path = os.path.join(self.dir, "raw.cfg" if raw else "config.cfg")
            with open(path, "w") as f:
                f.write("[default]\ncli_timestamp_format = iso8601\n")
                if raw:
                    f.write("parameter_validation = false\n")
            self.configs[raw] = path
        self.drivers = {}  # in-process: one CLI driver for each config, made on first use
        import awscli  # noqa: F401  (sets AWS_DATA_PATH to the CLI's data, which env() keeps)

    def env(self, config):
        # AWS_DATA_PATH is the CLI's own (awscli/__init__.py sets it to its data folder).
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_DATA_PATH"}
        env.update(
            AWS_ACCESS_KEY_ID=runner.ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=runner.SECRET_KEY,
            AWS_DEFAULT_REGION=runner.DATA["region"],
            AWS_CONFIG_FILE=config or os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_PAGER="",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_RETRY_MODE="standard",
            AWS_MAX_ATTEMPTS="1",
        )
        return env

    def aws(self, args, raw=False, mode=None, config=True):
        """Runs `aws ARGS`; returns (exit status, stdout, stderr)."""
        env = self.env(self.configs[raw] if config else None)
        if (mode or self.mode) == "subprocess":
            p = subprocess.run(["aws", *args], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
            return p.returncode, p.stdout, p.stderr
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        out, err = io.StringIO(), io.StringIO()
        try:
            if raw not in self.drivers:
                from awscli.clidriver import create_clidriver

                self.drivers[raw] = create_clidriver()  # reads AWS_CONFIG_FILE now
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = self.drivers[raw].main(args)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return rc, out.getvalue(), err.getvalue()

    def call(self, endpoint, region, op, params, raw):
        args = ["--endpoint-url", endpoint, "--region", region, "--output", "json", "appmesh", kebab(op), "--cli-input-json", json.dumps(params)]
        if op.startswith("List"):
            args.append("--no-paginate")  # one request, one page, as the sandbox answered it
        return self.outcome(*self.aws(args, raw))

    def outcome(self, rc, out, err):
        if rc == 0:
            problems = []
            try:
                body = json.loads(out) if out.strip() else {}
            except ValueError:
                return Outcome(False, code="(the CLI printed no JSON)", message=out[:300])
            return Outcome(True, body=normalize(body, problems), problems=problems)
        m = ERROR.search(err)
        if not m:
            return Outcome(False, code=f"(the CLI failed with exit status {rc})", message=err.strip()[-500:])
        problems = [] if rc == 255 else [f"exit status {rc} for a service error, the CLI's is 255"]
        return Outcome(False, code=m.group(1), message=m.group(3).strip(), problems=problems)

    def collect(self, endpoint, region, op, params, page_size):
        args = ["--endpoint-url", endpoint, "--region", region, "--output", "json", "appmesh", kebab(op), "--cli-input-json", json.dumps(params), "--page-size", str(page_size)]
        rc, out, err = self.aws(args)
        if rc != 0:
            return None, [f"exit status {rc}: {err.strip()[-300:]}"]
        body = json.loads(out)
        problems = []
        key, _ = runner.list_key(op)
        if "nextToken" in body or "NextToken" in body:
            problems.append(f"the CLI's pagination left a token: {short(body)}")
        return normalize(body.get(key), problems), problems


def normalize(value, problems, key=None):
    """Dates come out as ISO 8601 (our config): the CLI parsed them. Back to epoch seconds."""
    if key in runner.TIMESTAMP_KEYS:
        try:
            return datetime.datetime.fromisoformat(value).timestamp()
        except (TypeError, ValueError):
            problems.append(f"{key} is {value!r}, which the CLI did not print as an ISO 8601 date")
            return value
    if isinstance(value, dict):
        return {k: normalize(v, problems, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v, problems) for v in value]
    return value


# ---------------------------------------------------------------- the `aws` executable itself


def check_executable(ctx):
    cli = ctx.adapter
    ep = ["--endpoint-url", ctx.endpoint, "--output", "json", "appmesh"]

    def aws(*args, config=True):
        return cli.aws([*ep, *args], mode="subprocess", config=config)

    rc, out, err = aws("create-mesh", "--mesh-name", "cli-exe", "--spec", '{"egressFilter":{"type":"ALLOW_ALL"}}', "--tags", "key=team,value=cli")
    problems = [] if rc == 0 else [f"exit status {rc}: {err}"]
    if rc == 0 and json.loads(out)["mesh"]["spec"] != {"egressFilter": {"type": "ALLOW_ALL"}}:
        problems.append(f"spec {out}")
    ctx.report("aws appmesh create-mesh with --mesh-name, --spec and --tags", problems)

    rc, out, err = aws("describe-mesh", "--mesh-name", "cli-exe", config=False)
    problems = [] if rc == 0 else [f"exit status {rc}: {err}"]
    if rc == 0:
        meta = json.loads(out)["mesh"]["metadata"]
        for f in runner.TIMESTAMP_KEYS:
            if not runner.num(meta.get(f)):
                problems.append(f"{f} is {meta.get(f)!r} on the wire (the CLI's default prints it as sent)")
    ctx.report("timestamps are epoch seconds on the wire (the CLI's default output)", problems)

    spec_file = os.path.join(cli.dir, "node.json")
    spec = runner.subst("$spec:node-dns", {"sid": "cli-exe"})
    with open(spec_file, "w") as f:
        json.dump(spec, f)
    rc, out, err = aws("create-virtual-node", "--mesh-name", "cli-exe", "--virtual-node-name", "web", "--spec", f"file://{spec_file}")
    problems = [] if rc == 0 else [f"exit status {rc}: {err}"]
    if rc == 0 and json.loads(out)["virtualNode"]["spec"] != spec:
        problems.append(f"spec not echoed: {short(json.loads(out)['virtualNode']['spec'])}")
    ctx.report("aws appmesh create-virtual-node --spec file://node.json", problems)

    rc, out, err = aws("describe-virtual-node", "--mesh-name", "cli-exe", "--virtual-node-name", "nope")
    problems = []
    if rc != 255:
        problems.append(f"exit status {rc}, expected 255")
    if "An error occurred (NotFoundException) when calling the DescribeVirtualNode operation" not in err:
        problems.append(f"stderr {err!r}")
    if "nope" not in err:
        problems.append("the message does not name the node")
    ctx.report("a missing node: exit status 255, (NotFoundException) and the name on stderr", problems)

    for name in ("a", "b", "c"):
        aws("create-virtual-router", "--mesh-name", "cli-exe", "--virtual-router-name", name, "--spec", "{}")
    rc, out, err = aws("list-virtual-routers", "--mesh-name", "cli-exe", "--max-items", "2", "--page-size", "1")
    problems = [] if rc == 0 else [f"exit status {rc}: {err}"]
    if rc == 0:
        first = json.loads(out)
        names = [r["virtualRouterName"] for r in first["virtualRouters"]]
        if "NextToken" not in first:
            problems.append(f"no NextToken after --max-items 2: {short(first)}")
        else:
            rc, out, err = aws("list-virtual-routers", "--mesh-name", "cli-exe", "--starting-token", first["NextToken"])
            if rc != 0:
                problems.append(f"--starting-token: exit status {rc}: {err}")
            else:
                rest = json.loads(out)
                names += [r["virtualRouterName"] for r in rest["virtualRouters"]]
                if "NextToken" in rest:
                    problems.append("a NextToken after the last page")
        if sorted(names) != ["a", "b", "c"]:
            problems.append(f"listed {names}")
    ctx.report("list-virtual-routers with --max-items 2 then --starting-token lists each router once", problems)


EXTRA = [("cli-executable", "main", check_executable)]


if __name__ == "__main__":
    only = [s for s in os.environ.get("CONFORMANCE_ONLY", "").split(",") if s]
    cli = Cli(os.environ.get("CLI_MODE", "inprocess"))
    sys.exit(runner.Runner(cli, runner.endpoints_from_env(), only).run(EXTRA))
