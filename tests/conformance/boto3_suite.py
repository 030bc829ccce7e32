#!/usr/bin/env python3
"""Conformance of the appmesh-tui sandbox with boto3, a client we did not write.

Needs SANDBOX_ENDPOINT (e.g. http://127.0.0.1:4566). Plain unittest, no pytest:

    SANDBOX_ENDPOINT=http://127.0.0.1:4566 python3 tests/conformance/boto3_suite.py -v

Every mesh name starts with "b3-" so the suite can share a sandbox with other suites.
"""

import datetime
import os
import sys
import unittest
import uuid

import boto3
import botocore.config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("SANDBOX_ENDPOINT", "")
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ACCOUNT = "111122223333"


def client(retries=3):
    return boto3.client(
        "appmesh",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="AKIAIOSFODNN7SANDBOX",
        aws_secret_access_key="sandbox/secret/not-a-real-key",
        config=botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"}),
    )


def unique(prefix):
    return f"b3-{prefix}-{uuid.uuid4().hex[:8]}"


def arn(name):
    return f"arn:aws:appmesh:{REGION}:{ACCOUNT}:mesh/{name}"


class Boto3Conformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ENDPOINT:
            raise unittest.SkipTest("SANDBOX_ENDPOINT is not set")
        cls.c = client()

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        return cm.exception

    def assertCode(self, e, code, status, text=None):
        err = e.response["Error"]
        self.assertEqual(err["Code"], code, e.response)
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status, e.response)
        self.assertTrue(e.response["ResponseMetadata"].get("RequestId"), e.response)
        if text is not None:
            self.assertIn(text, err["Message"], e.response)

    def test_round_trip_of_every_mesh_operation(self):
        name = unique("rt")
        spec = {
            "egressFilter": {"type": "ALLOW_ALL"},
            "serviceDiscovery": {"ipPreference": "IPv6_PREFERRED"},
        }
        out = self.c.create_mesh(meshName=name, spec=spec, tags=[{"key": "team", "value": "x"}])
        self.assertTrue(out["ResponseMetadata"]["RequestId"])
        self.assertEqual(out["ResponseMetadata"]["HTTPHeaders"]["content-type"], "application/json")
        mesh = out["mesh"]
        self.assertEqual(mesh["meshName"], name)
        self.assertEqual(mesh["spec"], spec)
        self.assertEqual(mesh["status"], {"status": "ACTIVE"})
        meta = mesh["metadata"]
        self.assertEqual(meta["arn"], arn(name))
        self.assertEqual(meta["version"], 1)
        self.assertEqual(meta["meshOwner"], ACCOUNT)
        self.assertEqual(meta["resourceOwner"], ACCOUNT)
        self.assertIsInstance(meta["createdAt"], datetime.datetime)
        self.assertEqual(meta["createdAt"], meta["lastUpdatedAt"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((meta["createdAt"] - now).total_seconds()), 600)
        uuid.UUID(meta["uid"])

        desc = self.c.describe_mesh(meshName=name)["mesh"]
        self.assertEqual(desc, mesh)
        self.assertEqual(self.c.describe_mesh(meshName=name, meshOwner=ACCOUNT)["mesh"], mesh)

        refs = [
            m
            for page in self.c.get_paginator("list_meshes").paginate()
            for m in page["meshes"]
            if m["meshName"] == name
        ]
        self.assertEqual(len(refs), 1)
        self.assertEqual(refs[0]["arn"], arn(name))
        self.assertEqual(refs[0]["version"], 1)
        self.assertEqual(refs[0]["createdAt"], meta["createdAt"])

        upd = self.c.update_mesh(meshName=name)["mesh"]
        self.assertEqual(upd["metadata"]["version"], 2)
        self.assertEqual(upd["metadata"]["createdAt"], meta["createdAt"])
        self.assertGreater(upd["metadata"]["lastUpdatedAt"], meta["lastUpdatedAt"])
        self.assertEqual(upd["spec"], {})

        deleted = self.c.delete_mesh(meshName=name)["mesh"]
        self.assertEqual(deleted["status"], {"status": "DELETED"})
        self.assertEqual(deleted["metadata"]["uid"], meta["uid"])
        e = self.error(self.c.describe_mesh, meshName=name)
        self.assertCode(e, "NotFoundException", 404, name)
        self.assertIsInstance(e, self.c.exceptions.NotFoundException)
        e = self.error(self.c.list_tags_for_resource, resourceArn=arn(name))
        self.assertCode(e, "NotFoundException", 404)

    def test_defaults_when_spec_is_omitted(self):
        name = unique("def")
        mesh = self.c.create_mesh(meshName=name)["mesh"]
        # Echoed as given: the service injects no defaults.
        self.assertEqual(mesh["spec"], {})

    def test_conflicts_and_idempotency(self):
        name = unique("idem")
        first = self.c.create_mesh(meshName=name, clientToken="b3-token-1")["mesh"]
        again = self.c.create_mesh(meshName=name, clientToken="b3-token-1")["mesh"]
        self.assertEqual(again["metadata"]["uid"], first["metadata"]["uid"])
        self.assertEqual(again["metadata"]["version"], 1)
        e = self.error(self.c.create_mesh, meshName=name)
        self.assertCode(e, "ConflictException", 409, "already exists")
        self.assertIsInstance(e, self.c.exceptions.ConflictException)
        self.assertEqual(e.response["ResponseMetadata"]["RetryAttempts"], 0)
        e = self.error(self.c.create_mesh, meshName=unique("other"), clientToken="b3-token-1")
        self.assertCode(e, "ConflictException", 409, "clientToken")
        e = self.error(self.c.create_mesh, meshName=unique("tok"), clientToken="x" * 37)
        self.assertCode(e, "BadRequestException", 400, "clientToken")

        u1 = self.c.update_mesh(meshName=name, clientToken="b3-upd")["mesh"]
        u2 = self.c.update_mesh(meshName=name, clientToken="b3-upd")["mesh"]
        self.assertEqual(u1["metadata"]["version"], 2)
        self.assertEqual(u2, u1)
        e = self.error(
            self.c.update_mesh,
            meshName=name,
            clientToken="b3-upd",
            spec={"egressFilter": {"type": "ALLOW_ALL"}},
        )
        self.assertCode(e, "ConflictException", 409)

    def test_validation(self):
        self.c.create_mesh(meshName="b3-" + "n" * 252)
        e = self.error(self.c.create_mesh, meshName="b3-" + "n" * 253)
        self.assertCode(e, "BadRequestException", 400, "meshName: must be at most 255 characters (has 256)")
        self.assertIsInstance(e, self.c.exceptions.BadRequestException)
        e = self.error(self.c.describe_mesh, meshName="n" * 256)
        self.assertCode(e, "BadRequestException", 400, "meshName")
        e = self.error(
            self.c.create_mesh, meshName=unique("enum"), spec={"egressFilter": {"type": "OPEN"}}
        )
        self.assertCode(e, "BadRequestException", 400, "spec.egressFilter.type")
        e = self.error(
            self.c.create_mesh,
            meshName=unique("ip"),
            spec={"serviceDiscovery": {"ipPreference": "IPv5"}},
        )
        self.assertCode(e, "BadRequestException", 400, "ipPreference")
        e = self.error(self.c.list_meshes, limit=101)
        self.assertCode(e, "BadRequestException", 400, "limit")
        e = self.error(
            self.c.create_mesh, meshName=unique("val"), tags=[{"key": "k", "value": "v" * 257}]
        )
        self.assertCode(e, "BadRequestException", 400, "value")
        e = self.error(self.c.describe_mesh, meshName=unique("x"), meshOwner="999999999999")
        self.assertCode(e, "NotFoundException", 404)

    def test_tag_limits(self):
        name = unique("t50")
        fifty = [{"key": f"k{i:02}", "value": "v"} for i in range(50)]
        self.c.create_mesh(meshName=name, tags=fifty)
        e = self.error(
            self.c.create_mesh, meshName=unique("t51"), tags=fifty + [{"key": "k50", "value": ""}]
        )
        # More tags in one request than the model's TagList allows: a validation error.
        self.assertCode(e, "BadRequestException", 400, "tags: must have at most 50 items")
        e = self.error(
            self.c.tag_resource, resourceArn=arn(name), tags=[{"key": "more", "value": "v"}]
        )
        self.assertCode(e, "TooManyTagsException", 400)
        self.c.tag_resource(resourceArn=arn(name), tags=[{"key": "k00", "value": "new"}])
        tags = self.c.list_tags_for_resource(resourceArn=arn(name))["tags"]
        self.assertEqual(len(tags), 50)
        self.assertIn({"key": "k00", "value": "new"}, tags)

    def test_tagging(self):
        name = unique("tag")
        self.c.create_mesh(meshName=name)
        a = arn(name)
        self.assertEqual(self.c.list_tags_for_resource(resourceArn=a)["tags"], [])
        out = self.c.tag_resource(
            resourceArn=a, tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]
        )
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.c.tag_resource(resourceArn=a, tags=[{"key": "a", "value": "one"}])
        self.assertEqual(
            self.c.list_tags_for_resource(resourceArn=a)["tags"],
            [{"key": "a", "value": "one"}, {"key": "b", "value": "2"}],
        )
        page = self.c.list_tags_for_resource(resourceArn=a, limit=1)
        self.assertEqual(page["tags"], [{"key": "a", "value": "one"}])
        page2 = self.c.list_tags_for_resource(resourceArn=a, limit=1, nextToken=page["nextToken"])
        self.assertEqual(page2["tags"], [{"key": "b", "value": "2"}])
        self.assertNotIn("nextToken", page2)
        self.c.untag_resource(resourceArn=a, tagKeys=["b", "never"])
        self.assertEqual(
            self.c.list_tags_for_resource(resourceArn=a)["tags"], [{"key": "a", "value": "one"}]
        )
        for unknown in [arn(unique("nope")), a + "/virtualNode/x"]:
            e = self.error(self.c.list_tags_for_resource, resourceArn=unknown)
            self.assertCode(e, "NotFoundException", 404)
            e = self.error(self.c.tag_resource, resourceArn=unknown, tags=[{"key": "k", "value": "v"}])
            self.assertCode(e, "NotFoundException", 404)
            e = self.error(self.c.untag_resource, resourceArn=unknown, tagKeys=["k"])
            self.assertCode(e, "NotFoundException", 404)

    def test_pagination(self):
        prefix = unique("page")
        names = sorted(f"{prefix}-{i:03}" for i in range(130))
        for n in names:
            self.c.create_mesh(meshName=n)
        pages = list(self.c.get_paginator("list_meshes").paginate(PaginationConfig={"PageSize": 9}))
        seen = [m["meshName"] for p in pages for m in p["meshes"]]
        self.assertEqual(len(seen), len(set(seen)), "a mesh listed twice")
        self.assertEqual([s for s in seen if s.startswith(prefix)], names)
        self.assertEqual(seen, sorted(seen))
        self.assertTrue(all(len(p["meshes"]) <= 9 for p in pages))
        first = self.c.list_meshes()
        self.assertEqual(len(first["meshes"]), 100)
        self.assertIn("nextToken", first)
        for bad in ["forged", first["nextToken"][:-1] + ("0" if first["nextToken"][-1] != "0" else "1")]:
            e = self.error(self.c.list_meshes, nextToken=bad)
            self.assertCode(e, "BadRequestException", 400, "nextToken")

    def test_missing_children_are_not_found_and_not_retried(self):
        name = unique("uns")
        self.c.create_mesh(meshName=name)
        self.assertEqual(self.c.list_virtual_nodes(meshName=name)["virtualNodes"], [])
        for call, kwargs, words in [
            (self.c.describe_virtual_service, {"meshName": name, "virtualServiceName": "s"}, "VirtualService"),
            (self.c.list_routes, {"meshName": name, "virtualRouterName": "r"}, "VirtualRouter"),
            (self.c.delete_virtual_gateway, {"meshName": name, "virtualGatewayName": "g"}, "VirtualGateway"),
        ]:
            e = self.error(call, **kwargs)
            self.assertCode(e, "NotFoundException", 404, words)
            self.assertEqual(e.response["ResponseMetadata"]["RetryAttempts"], 0)

    def test_body_over_the_limit_is_413(self):
        e = self.error(
            self.c.create_mesh,
            meshName=unique("big"),
            tags=[{"key": f"k{i}", "value": "v" * 256} for i in range(40)] * 120,
        )
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 413, e.response)
        self.assertIn("at most", e.response["Error"]["Message"])
        self.assertEqual(e.response["ResponseMetadata"]["RetryAttempts"], 0)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ok = result.wasSuccessful() and not result.skipped
    sys.exit(0 if ok else 1)
