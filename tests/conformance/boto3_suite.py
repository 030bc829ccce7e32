#!/usr/bin/env python3
"""Conformance of the appmesh-tui sandbox with boto3, a client we did not write.

Runs every scenario of data.json (all 38 operations, the rules between resources, validation,
quotas, tags, regions, pagination) through boto3, then a few checks only boto3 can make. Needs
the endpoints of the sandboxes data.json's "servers" describe, as JSON:

    SANDBOX_ENDPOINTS='{"main": "http://127.0.0.1:4566", ...}' python3 tests/conformance/boto3_suite.py

(SANDBOX_ENDPOINT=URL alone serves "main"; CONFORMANCE_ONLY=id,id runs some scenarios.)
tests/conformance.rs starts the sandboxes and runs this. Prints one line per check.
"""

import datetime
import json
import os
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError, ParamValidationError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runner  # noqa: E402
from runner import Outcome, short  # noqa: E402


def snake(op):
    return "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")


class Boto3:
    name = "boto3"

    def __init__(self):
        self.clients = {}
        self.last = None  # the raw response of the last call: status, headers, body

    def client(self, endpoint, region, raw=False, retries=1):
        key = (endpoint, region, raw, retries)
        if key not in self.clients:
            c = boto3.client(
                "appmesh",
                endpoint_url=endpoint,
                region_name=region,
                aws_access_key_id=runner.ACCESS_KEY,
                aws_secret_access_key=runner.SECRET_KEY,
                config=botocore.config.Config(
                    retries={"max_attempts": retries, "mode": "standard"},
                    parameter_validation=not raw,
                ),
            )
            c.meta.events.register("before-parse.app-mesh", self.capture)
            self.clients[key] = c
        return self.clients[key]

    def capture(self, response_dict, **_):
        self.last = response_dict

    def call(self, endpoint, region, op, params, raw):
        c = self.client(endpoint, region, raw)
        self.last = None
        try:
            out = getattr(c, snake(op))(**params)
        except ParamValidationError as e:
            return Outcome(False, code="(boto3 refused to send it)", message=str(e))
        except ClientError as e:
            err = e.response.get("Error", {})
            code = err.get("Code")
            problems = self.error_problems(c, e, code)
            return Outcome(
                False,
                code=code,
                status=e.response["ResponseMetadata"].get("HTTPStatusCode"),
                message=err.get("Message"),
                problems=problems,
            )
        out.pop("ResponseMetadata", None)
        problems = []
        return Outcome(True, body=normalize(out, problems), problems=problems)

    def error_problems(self, c, e, code):
        """The wire form of an error: x-amzn-ErrorType, a JSON body with a message; and the
        modeled exception class."""
        problems = []
        modeled = getattr(c.exceptions, code, None) if code else None
        if modeled is None or not isinstance(e, modeled):
            problems.append(f"boto3 raised {type(e).__name__}, not the modeled {code}")
        raw = self.last or {}
        headers = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
        error_type = headers.get("x-amzn-errortype", "")
        if error_type.split(":")[0] != code:
            problems.append(f"x-amzn-ErrorType header is {error_type!r}")
        try:
            body = json.loads(raw.get("body") or b"")
            if not isinstance(body.get("message"), str):
                problems.append(f"the error body has no message string: {short(body)}")
        except ValueError:
            problems.append(f"the error body is not JSON: {raw.get('body', b'')[:200]!r}")
        return problems

    def collect(self, endpoint, region, op, params, page_size):
        c = self.client(endpoint, region)
        key, _ = runner.list_key(op)
        items = []
        try:
            pages = c.get_paginator(snake(op)).paginate(**params, PaginationConfig={"PageSize": page_size})
            for page in pages:
                items += page[key]
        except ClientError as e:
            return None, [f"the paginator failed: {e}"]
        problems = []
        return normalize(items, problems), problems


def normalize(value, problems, key=None):
    """JSON-like, timestamps as epoch seconds; a timestamp boto3 did not parse is a problem."""
    if key in runner.TIMESTAMP_KEYS:
        if isinstance(value, datetime.datetime):
            return value.timestamp()
        problems.append(f"{key} is {value!r}, which boto3 did not parse as a date")
        return value
    if isinstance(value, dict):
        return {k: normalize(v, problems, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v, problems) for v in value]
    return value


# ---------------------------------------------------------------- boto3's own checks


def check_boto3_details(ctx):
    """What only boto3 shows: request IDs, content type, typed dates, no retry of a 4xx."""
    b = ctx.adapter
    c = b.client(ctx.endpoint, "us-east-1")
    name = "b3-details"
    out = c.create_mesh(meshName=name, spec={"egressFilter": {"type": "ALLOW_ALL"}})
    meta = out["ResponseMetadata"]
    problems = []
    if not meta.get("RequestId"):
        problems.append("no request ID on a success")
    if meta["HTTPHeaders"].get("content-type") != "application/json":
        problems.append(f"content-type is {meta['HTTPHeaders'].get('content-type')!r}")
    created = out["mesh"]["metadata"]["createdAt"]
    if not (isinstance(created, datetime.datetime) and created.tzinfo is not None):
        problems.append(f"createdAt is {created!r}, not an aware datetime")
    ctx.report("CreateMesh: request ID, content-type application/json, createdAt an aware datetime", problems)

    retrying = b.client(ctx.endpoint, "us-east-1", retries=4)
    try:
        retrying.create_mesh(meshName=name)
        ctx.report("a ConflictException is not retried", ["CreateMesh of a taken name succeeded"])
    except ClientError as e:
        problems = []
        if e.response["ResponseMetadata"].get("RetryAttempts") != 0:
            problems.append(f"RetryAttempts {e.response['ResponseMetadata'].get('RetryAttempts')}")
        if not e.response["ResponseMetadata"].get("RequestId"):
            problems.append("no request ID on an error")
        if not isinstance(e, retrying.exceptions.ConflictException):
            problems.append(f"raised {type(e).__name__}")
        ctx.report("a ConflictException is not retried, and has a request ID", problems)

    try:
        retrying.create_mesh(
            meshName="b3-big", tags=[{"key": f"k{i}", "value": "v" * 256} for i in range(40)] * 120
        )
        ctx.report("a body over the sandbox's limit is 413, not retried", ["it succeeded"])
    except ClientError as e:
        problems = []
        if e.response["ResponseMetadata"]["HTTPStatusCode"] != 413:
            problems.append(f"HTTP {e.response['ResponseMetadata']['HTTPStatusCode']}")
        if "at most" not in e.response["Error"].get("Message", ""):
            problems.append(f"message {e.response['Error'].get('Message')!r}")
        if e.response["ResponseMetadata"].get("RetryAttempts") != 0:
            problems.append(f"RetryAttempts {e.response['ResponseMetadata'].get('RetryAttempts')}")
        ctx.report("a body over the sandbox's limit is 413 with a message, not retried", problems)


EXTRA = [("boto3-details", "main", check_boto3_details)]


if __name__ == "__main__":
    only = [s for s in os.environ.get("CONFORMANCE_ONLY", "").split(",") if s]
    sys.exit(runner.Runner(Boto3(), runner.endpoints_from_env(), only).run(EXTRA))
