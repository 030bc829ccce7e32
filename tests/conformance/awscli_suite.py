#!/usr/bin/env python3
"""Conformance of the appmesh-tui sandbox with the AWS CLI, driven through subprocess.

Needs SANDBOX_ENDPOINT (e.g. http://127.0.0.1:4566) and `aws` on PATH:

    SANDBOX_ENDPOINT=http://127.0.0.1:4566 python3 tests/conformance/awscli_suite.py -v

Checks exit codes, the error text the CLI prints, and its JSON output. The CLI runs with fixed
credentials and no config files, so a developer's own AWS setup cannot leak in. Every mesh name
starts with "cli-" so the suite can share a sandbox with other suites.
"""

import json
import os
import subprocess
import sys
import unittest
import uuid

ENDPOINT = os.environ.get("SANDBOX_ENDPOINT", "")
REGION = "us-east-1"
ACCOUNT = "111122223333"


def cli_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7SANDBOX",
        AWS_SECRET_ACCESS_KEY="sandbox/secret/not-a-real-key",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_PAGER="",
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


ENV = cli_env()


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"exit {self.code}\nstdout: {self.out}\nstderr: {self.err}"


def aws(*args):
    proc = subprocess.run(
        ["aws", "--endpoint-url", ENDPOINT, "--output", "json", "appmesh", *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return Result(proc)


def unique(prefix):
    return f"cli-{prefix}-{uuid.uuid4().hex[:8]}"


def arn(name):
    return f"arn:aws:appmesh:{REGION}:{ACCOUNT}:mesh/{name}"


class AwsCliConformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ENDPOINT:
            raise unittest.SkipTest("SANDBOX_ENDPOINT is not set")

    def ok(self, *args):
        r = aws(*args)
        self.assertEqual(r.code, 0, r)
        return r.json() if r.out.strip() else {}

    def fails(self, code, text, *args):
        r = aws(*args)
        self.assertEqual(r.code, 255, r)
        self.assertIn(f"An error occurred ({code})", r.err, r)
        self.assertIn(text, r.err, r)
        self.assertNotIn("<html", r.err.lower(), r)
        return r

    def test_mesh_lifecycle(self):
        name = unique("life")
        spec = {"egressFilter": {"type": "ALLOW_ALL"}, "serviceDiscovery": {"ipPreference": "IPv4_PREFERRED"}}
        mesh = self.ok(
            "create-mesh", "--mesh-name", name, "--spec", json.dumps(spec),
            "--tags", "key=team,value=mesh",
        )["mesh"]
        self.assertEqual(mesh["meshName"], name)
        self.assertEqual(mesh["spec"], spec)
        self.assertEqual(mesh["status"]["status"], "ACTIVE")
        self.assertEqual(mesh["metadata"]["arn"], arn(name))
        self.assertEqual(mesh["metadata"]["version"], 1)
        self.assertIsInstance(mesh["metadata"]["createdAt"], (int, float, str))

        self.assertEqual(self.ok("describe-mesh", "--mesh-name", name)["mesh"], mesh)
        self.fails("ConflictException", "already exists", "create-mesh", "--mesh-name", name)

        upd = self.ok("update-mesh", "--mesh-name", name)["mesh"]
        self.assertEqual(upd["metadata"]["version"], 2)
        self.assertEqual(upd["metadata"]["createdAt"], mesh["metadata"]["createdAt"])
        self.assertEqual(upd["spec"], {})

        tags = self.ok("list-tags-for-resource", "--resource-arn", arn(name))["tags"]
        self.assertEqual(tags, [{"key": "team", "value": "mesh"}])

        deleted = self.ok("delete-mesh", "--mesh-name", name)["mesh"]
        self.assertEqual(deleted["status"]["status"], "DELETED")
        self.fails("NotFoundException", name, "describe-mesh", "--mesh-name", name)

    def test_tagging(self):
        name = unique("tag")
        self.ok("create-mesh", "--mesh-name", name)
        a = arn(name)
        self.ok("tag-resource", "--resource-arn", a, "--tags", "key=a,value=1", "key=b,value=2")
        self.ok("untag-resource", "--resource-arn", a, "--tag-keys", "b", "never-there")
        self.assertEqual(
            self.ok("list-tags-for-resource", "--resource-arn", a)["tags"], [{"key": "a", "value": "1"}]
        )
        self.fails("NotFoundException", "not found", "list-tags-for-resource", "--resource-arn", arn(unique("nope")))
        self.fails("NotFoundException", "not found", "tag-resource", "--resource-arn", arn(unique("nope")), "--tags", "key=k,value=v")
        self.fails("NotFoundException", "not found", "untag-resource", "--resource-arn", arn(unique("nope")), "--tag-keys", "k")
        fifty_one = [f"key=k{i},value=v" for i in range(51)]
        self.fails("BadRequestException", "at most 50", "tag-resource", "--resource-arn", a, "--tags", *fifty_one)
        self.fails("BadRequestException", "at most 50", "create-mesh", "--mesh-name", unique("t51"), "--tags", *fifty_one)

    def test_validation_errors(self):
        self.fails(
            "BadRequestException", "meshName: must be at most 255 characters (has 256)",
            "create-mesh", "--mesh-name", "c" * 256,
        )
        self.fails(
            "BadRequestException", "spec.egressFilter.type",
            "create-mesh", "--mesh-name", unique("enum"), "--spec", '{"egressFilter":{"type":"OPEN"}}',
        )
        self.fails(
            "BadRequestException", "clientToken",
            "create-mesh", "--mesh-name", unique("tok"), "--client-token", "not a token!",
        )
        self.fails("BadRequestException", "limit", "list-meshes", "--limit", "101", "--no-paginate")
        self.fails("NotFoundException", "account", "describe-mesh", "--mesh-name", unique("x"), "--mesh-owner", "999999999999")

    def test_idempotent_retry_with_client_token(self):
        name = unique("idem")
        token = uuid.uuid4().hex[:30]
        first = self.ok("create-mesh", "--mesh-name", name, "--client-token", token)["mesh"]
        again = self.ok("create-mesh", "--mesh-name", name, "--client-token", token)["mesh"]
        self.assertEqual(again["metadata"]["uid"], first["metadata"]["uid"])
        self.assertEqual(again["metadata"]["version"], 1)
        self.fails("ConflictException", "clientToken", "create-mesh", "--mesh-name", unique("other"), "--client-token", token)

    def test_pagination(self):
        prefix = unique("page")
        names = [f"{prefix}-{i}" for i in range(5)]
        for n in names:
            self.ok("create-mesh", "--mesh-name", n)
        # The CLI follows nextToken itself.
        listed = [m["meshName"] for m in self.ok("list-meshes", "--page-size", "2")["meshes"]]
        self.assertEqual(len(listed), len(set(listed)))
        self.assertEqual([n for n in listed if n.startswith(prefix)], names)
        # And hands a token back when asked for fewer items.
        page = self.ok("list-meshes", "--max-items", "2")
        self.assertEqual(len(page["meshes"]), 2)
        self.assertIn("NextToken", page)
        rest = self.ok("list-meshes", "--starting-token", page["NextToken"])
        both = [m["meshName"] for m in page["meshes"] + rest["meshes"]]
        self.assertEqual(len(both), len(set(both)))
        # Other suites may share the sandbox and change it meanwhile: compare only ours.
        self.assertEqual([n for n in both if n.startswith(prefix)], names)
        self.fails("BadRequestException", "nextToken", "list-meshes", "--next-token", "forged-token")

    def test_missing_children_are_not_found(self):
        name = unique("uns")
        self.ok("create-mesh", "--mesh-name", name)
        self.fails("NotFoundException", "VirtualRouter", "describe-virtual-router", "--mesh-name", name, "--virtual-router-name", "r")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ok = result.wasSuccessful() and not result.skipped
    sys.exit(0 if ok else 1)
