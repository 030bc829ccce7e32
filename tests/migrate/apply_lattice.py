"""Applies a VPC Lattice plan (appmesh-tui migrate --to lattice --format yaml) through boto3
against an endpoint (moto's VPC Lattice in the tests), then reads back what the service holds
and prints it as JSON with every id replaced by the plan's ref of the step that created it.

usage: python3 apply_lattice.py ENDPOINT PLAN.yaml VPC_ID

Read back: GetServiceNetwork and ListServiceNetworks, GetService / ListServices,
ListServiceNetworkServiceAssociations, GetListener / ListListeners, GetTargetGroup /
ListTargetGroups, ListTagsForResource. moto 5.2 has no GetRule or ListRules, so rules are read
from moto's own state dump (/moto-api/data.json), which is what the server holds.
"""
import json
import sys
import urllib.request

import boto3
import yaml

endpoint, plan_path, vpc = sys.argv[1], sys.argv[2], sys.argv[3]
client = boto3.client(
    "vpc-lattice",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
plan = yaml.safe_load(open(plan_path))
ids = {}  # ref -> id
arns = {}  # ref -> arn


def resolve(v):
    if isinstance(v, dict):
        if set(v) == {"ref"}:
            return ids[v["ref"]]
        if set(v) == {"param"}:
            assert v["param"] == "VpcId", v
            return vpc
        return {k: resolve(x) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x) for x in v]
    return v


def snake(op):
    return "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")


for step in plan["steps"]:
    out = getattr(client, snake(step["op"]))(**resolve(step["input"]))
    ids[step["ref"]] = out["id"]
    arns[step["ref"]] = out.get("arn")

back = {v: k for k, v in ids.items()}


def named(v):
    """Ids in a read-back value replaced by the plan's refs."""
    if isinstance(v, dict):
        return {k: named(x) for k, x in v.items()}
    if isinstance(v, list):
        return [named(x) for x in v]
    if isinstance(v, str) and v in back:
        return "ref:" + back[v]
    return v


result = {"serviceNetworks": [], "services": [], "associations": [], "listeners": [],
          "targetGroups": [], "rules": [], "tags": {}}
for sn in client.list_service_networks()["items"]:
    got = client.get_service_network(serviceNetworkIdentifier=sn["id"])
    result["serviceNetworks"].append({"ref": back.get(sn["id"]), "name": got["name"]})
for s in client.list_services()["items"]:
    got = client.get_service(serviceIdentifier=s["id"])
    result["services"].append({"ref": back.get(s["id"]), "name": got["name"], "authType": got["authType"]})
    for l in client.list_listeners(serviceIdentifier=s["id"])["items"]:
        gl = client.get_listener(serviceIdentifier=s["id"], listenerIdentifier=l["id"])
        result["listeners"].append(named({"ref": back.get(l["id"]), "service": s["id"], "name": gl["name"],
            "protocol": gl["protocol"], "port": gl["port"], "defaultAction": gl["defaultAction"]}))
for a in client.list_service_network_service_associations()["items"]:
    result["associations"].append(named({"serviceNetwork": a["serviceNetworkId"], "service": a["serviceId"]}))
for t in client.list_target_groups()["items"]:
    got = client.get_target_group(targetGroupIdentifier=t["id"])
    result["targetGroups"].append(named({"ref": back.get(t["id"]), "name": got["name"], "type": got["type"], "config": got["config"]}))
for ref, arn in arns.items():
    if arn:
        tags = client.list_tags_for_resource(resourceArn=arn).get("tags", {})
        if tags:
            result["tags"][ref] = tags
with urllib.request.urlopen(endpoint + "/moto-api/data.json") as r:
    state = json.load(r)
for rule in state.get("vpclattice", {}).get("VPCLatticeRule", []):
    result["rules"].append(named({"ref": back.get(rule["id"]), "service": rule["service_identifier"],
        "listener": rule["listener_identifier"], "name": rule["name"], "priority": rule["priority"],
        "match": rule["match"], "action": rule["action"]}))
print(json.dumps(result, sort_keys=True))
