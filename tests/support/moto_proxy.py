#!/usr/bin/env python3
"""Translating proxy in front of `moto_server` (moto 5.2.1) for App Mesh.

Standard library only. Started by tests/support/moto.rs:

    python3 moto_proxy.py --upstream 127.0.0.1:MOTO_PORT [--port 0]

It binds 127.0.0.1 (port 0 = any free port) and prints `LISTENING <port>` on
stdout once it accepts connections. `GET /__proxy/health` answers 200 when the
upstream moto answers too.

Every request is forwarded to moto unchanged (method, path, query, headers,
body). Responses are translated so that a Smithy SDK (aws-sdk-appmesh) can
parse them and sees what the real service would send. What moto 5.2.1 does
differently, found by running it against curl, boto3 and the SDK (the
premise is checked in tests/infra_selfcheck.rs), and what this proxy does
about it:

 1. Timestamps. moto writes `createdAt` / `lastUpdatedAt` as strings in the
    form "27/11/2026, 11:12:16" (strftime "%d/%m/%Y, %H:%M:%S", naive local
    time of the moto process; moto.rs starts moto with TZ=UTC). The service
    model says `Timestamp` and rest-json sends epoch seconds as a JSON number;
    aws-sdk-appmesh fails to deserialize a string there. FIX: every string
    value of a key ending in "At" that parses in that form (or as ISO 8601) is
    replaced by the epoch seconds as a JSON integer.
 2. Error shapes. moto answers every App Mesh error with HTTP 400 and its own
    codes (`X-Amzn-ErrorType: MeshNotFound`, `ResourceNotFound`,
    `MissingRequiredField`, `...NameAlreadyTaken`, ...). The SDK reads the code
    from that header and would report an unmodeled error instead of
    `NotFoundException` etc. FIX: map the code to the modeled exception and its
    status (table ERROR_MAP below; unknown codes become 400
    BadRequestException), rewrite the header and `__type` in the body, and keep
    moto's original code in `x-moto-error-type`.
 3. Nulls. moto writes `"nextToken": null` and, for a mesh created without a
    spec, `"spec": {"egressFilter": {"type": null}, "serviceDiscovery":
    {"ipPreference": null}}`. `EgressFilter.type` is required, so the SDK has
    to invent a value. FIX: members whose value is null are removed (and
    objects emptied only by that removal too); a MeshData without an
    egress filter gets `{"type": "DROP_ALL"}`, the service's documented
    default.
 4. Content-Type. moto sends `text/html; charset=utf-8` on JSON successes.
    FIX: `application/json` on every JSON body.
 5. UntagResource is not implemented by moto 5.2.1 (no route for
    `PUT /v20190125/untag`: 404 with an HTML page). FIX (emulated here):
    the proxy checks the resource exists (ListTagsForResource on moto), then
    remembers the removed keys per ARN and hides them from later
    ListTagsForResource answers; a later TagResource of that key shows it
    again. Moto itself still holds the tags: the raw moto endpoint keeps
    listing untagged keys. Pagination (`limit`) of ListTagsForResource is done
    by moto before this filtering, so pages can come back shorter.
 6. TagResource of an existing key appends a second entry in moto; the real
    service replaces the value. FIX: ListTagsForResource answers are
    de-duplicated by key, the last value wins.
 7. CreateMesh with a name that exists silently replaces the mesh in moto
    (its spec and tags are lost, version goes back to 1). The real service
    answers 409 ConflictException. FIX: before forwarding CreateMesh the
    proxy asks moto for that mesh; if it exists, the same clientToken as the
    create that made it gets the existing mesh back (idempotent retry),
    anything else gets 409 ConflictException.

Not fixed (the SDK parses them; tests must not rely on them):
 - mesh ARNs lack the resource type: `arn:aws:appmesh:us-east-1:123456789012:m1`
   instead of `...:mesh/m1` (rewriting would need rewriting every ARN that
   clients send back);
 - `meshOwner` / `resourceOwner` are moto's access key id
   (`AKIAIOSFODNN7EXAMPLE`), not a 12-digit account id;
 - `createdAt`, the initial `lastUpdatedAt` and `uid` are dataclass defaults
   evaluated once, when moto first loads its App Mesh module (the first App
   Mesh request): every mesh of one moto process has the same createdAt and
   the same uid; `lastUpdatedAt` does move on UpdateMesh;
 - a request body without `Content-Type: application/json` reaches moto
   empty (500 with an HTML page); the SDK always sends the header;
 - UpdateMesh merges the given spec into the old one instead of replacing it;
 - TagResource with an empty tag list on an unknown ARN succeeds;
 - operations moto does not implement (virtual services, gateways, ...)
   still answer 404 with an HTML page.
"""

import argparse
import calendar
import datetime
import http.client
import http.server
import json
import sys
import threading
import urllib.parse

MOTO_TS_FORMAT = "%d/%m/%Y, %H:%M:%S"

# moto code -> (HTTP status, modeled App Mesh exception)
ERROR_MAP = {
    "MeshNotFound": (404, "NotFoundException"),
    "ResourceNotFound": (404, "NotFoundException"),
    "VirtualRouterNotFound": (404, "NotFoundException"),
    "RouteNotFound": (404, "NotFoundException"),
    "VirtualNodeNotFound": (404, "NotFoundException"),
    # A meshOwner that does not own the mesh: for that owner the mesh does
    # not exist.
    "MeshOwnerDoesNotMatch": (404, "NotFoundException"),
    "VirtualRouterNameAlreadyTaken": (409, "ConflictException"),
    "RouteNameAlreadyTaken": (409, "ConflictException"),
    "VirtualNodeNameAlreadyTaken": (409, "ConflictException"),
    "MissingRequiredField": (400, "BadRequestException"),
}
MODELED = {
    "BadRequestException": 400,
    "ConflictException": 409,
    "ForbiddenException": 403,
    "InternalServerErrorException": 500,
    "LimitExceededException": 400,
    "NotFoundException": 404,
    "ResourceInUseException": 409,
    "ServiceUnavailableException": 503,
    "TooManyRequestsException": 429,
    "TooManyTagsException": 400,
}

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
}

MESHES = "/v20190125/meshes"


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.hidden_tags = {}  # arn -> set of keys removed by UntagResource
        self.create_tokens = {}  # mesh arn -> clientToken of the create that made it

    def reset(self):
        with self.lock:
            self.hidden_tags.clear()
            self.create_tokens.clear()


STATE = State()
UPSTREAM = ("127.0.0.1", 0)


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- translation


def to_epoch(value):
    try:
        dt = datetime.datetime.strptime(value, MOTO_TS_FORMAT)
        return calendar.timegm(dt.timetuple())
    except ValueError:
        pass
    try:
        dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    seconds = dt.timestamp()
    return int(seconds) if seconds == int(seconds) else seconds


def clean(value):
    """Fix 1 and 3: timestamps to epoch seconds, drop null members."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            if isinstance(item, str) and key.endswith("At"):
                epoch = to_epoch(item)
                if epoch is not None:
                    out[key] = epoch
                    continue
            had_nulls = isinstance(item, dict) and any(v is None for v in item.values())
            item = clean(item)
            if had_nulls and item == {}:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def default_mesh_spec(mesh):
    """Fix 3: the service reports the default egress filter."""
    if isinstance(mesh, dict) and "meshName" in mesh and "metadata" in mesh:
        spec = mesh.setdefault("spec", {})
        if isinstance(spec, dict) and "egressFilter" not in spec:
            spec["egressFilter"] = {"type": "DROP_ALL"}
    return mesh


def map_error(status, headers, body):
    """Fix 2: moto error codes to modeled App Mesh exceptions."""
    code = None
    for k, v in headers:
        if k.lower() == "x-amzn-errortype":
            code = v.split(":")[0]
    message = None
    try:
        doc = json.loads(body)
        if isinstance(doc, dict):
            code = code or doc.get("__type") or doc.get("code")
            message = doc.get("message") or doc.get("Message")
    except ValueError:
        doc = None
    if code is None:
        return None  # not a moto JSON error (e.g. HTML 404): pass through
    original = code
    if code in MODELED:
        new_status = MODELED[code]
    elif code in ERROR_MAP:
        new_status, code = ERROR_MAP[code]
    elif 400 <= status < 500:
        new_status, code = 400, "BadRequestException"
    else:
        new_status, code = 500, "InternalServerErrorException"
    return new_status, code, message or original, original


def json_body(obj):
    return json.dumps(obj).encode("utf-8")


# ---------------------------------------------------------------- forwarding


def forward(method, target, headers, body):
    conn = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1], timeout=120)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            if k.lower() in HOP_BY_HOP:
                continue
            conn.putheader(k, v)
        if body or method in ("PUT", "POST", "PATCH"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheaders(), data
    finally:
        conn.close()


def upstream_get(target, headers):
    keep = [(k, v) for k, v in headers if k.lower() in ("authorization", "host", "x-amz-date")]
    return forward("GET", target, keep, b"")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "moto-appmesh-proxy"

    def log_message(self, fmt, *args):
        log("proxy: " + (fmt % args))

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            if k.lower() in HOP_BY_HOP or k.lower() in ("server", "date"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_json(self, status, code, message, request_id="proxy", original=None):
        headers = [
            ("Content-Type", "application/json"),
            ("X-Amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ]
        if original:
            headers.append(("x-moto-error-type", original))
        self.send(status, headers, json_body({"__type": code, "message": message}))

    def do_GET(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def do_PATCH(self):
        self.handle_any()

    def handle_any(self):
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        headers = list(self.headers.items())
        try:
            if path == "/__proxy/health":
                status, _, _ = forward("GET", "/moto-api/", [("Host", "%s:%d" % UPSTREAM)], b"")
                self.send(200 if status == 200 else 502, [("Content-Type", "text/plain")], b"ok")
                return
            if path == "/moto-api/reset":
                STATE.reset()
            if self.command == "PUT" and path == "/v20190125/untag":
                self.untag(query, headers, body)
                return
            if self.command == "PUT" and path == MESHES:
                if self.create_conflict(headers, body):
                    return
            status, rheaders, rbody = forward(self.command, self.path, headers, body)
            self.respond(status, rheaders, rbody, path, query, body)
        except Exception as exc:  # keep serving; tell the client what broke
            log("proxy error: %r" % (exc,))
            self.send_error_json(500, "InternalServerErrorException", "proxy: %r" % (exc,))

    def respond(self, status, rheaders, rbody, path, query, request_body):
        if status >= 400:
            mapped = map_error(status, rheaders, rbody)
            if mapped is not None:
                new_status, code, message, original = mapped
                rid = next((v for k, v in rheaders if k.lower() == "x-amzn-requestid"), "moto")
                self.send_error_json(new_status, code, message, rid, original)
                return
            self.send(status, rheaders, rbody)
            return
        try:
            doc = json.loads(rbody) if rbody else None
        except ValueError:
            doc = None
        if doc is None:
            self.send(status, rheaders, rbody)
            return
        doc = clean(doc)
        doc = self.after_success(path, query, request_body, doc)
        rheaders = [(k, v) for k, v in rheaders if k.lower() != "content-type"]
        rheaders.append(("Content-Type", "application/json"))
        self.send(status, rheaders, json_body(doc))

    def after_success(self, path, query, request_body, doc):
        method = self.command
        if path == MESHES or path.startswith(MESHES + "/") and path.count("/") == 3:
            default_mesh_spec(doc)
            arn = (doc.get("metadata") or {}).get("arn") if isinstance(doc, dict) else None
            if arn and method == "PUT" and path == MESHES:
                try:
                    token = json.loads(request_body or b"{}").get("clientToken")
                except ValueError:
                    token = None
                with STATE.lock:
                    STATE.hidden_tags.pop(arn, None)
                    STATE.create_tokens[arn] = token
            if arn and method == "DELETE":
                with STATE.lock:
                    STATE.hidden_tags.pop(arn, None)
                    STATE.create_tokens.pop(arn, None)
        elif path == "/v20190125/tags" and isinstance(doc, dict):
            arn = query.get("resourceArn")
            with STATE.lock:
                hidden = set(STATE.hidden_tags.get(arn, ()))
            merged = {}
            for tag in doc.get("tags") or []:
                merged[tag.get("key")] = tag  # fix 6: last value wins, first position kept
            doc["tags"] = [t for k, t in merged.items() if k not in hidden]
        elif path == "/v20190125/tag" and method == "PUT":
            arn = query.get("resourceArn")
            try:
                keys = [t.get("key") for t in json.loads(request_body or b"{}").get("tags") or []]
            except (ValueError, AttributeError):
                keys = []
            with STATE.lock:
                STATE.hidden_tags.get(arn, set()).difference_update(keys)
        return doc

    def untag(self, query, headers, body):
        """Fix 5: emulate UntagResource, which moto lacks."""
        arn = query.get("resourceArn")
        try:
            keys = json.loads(body or b"{}").get("tagKeys")
        except (ValueError, AttributeError):
            keys = None
        if not arn or not isinstance(keys, list):
            self.send_error_json(400, "BadRequestException", "resourceArn and tagKeys are required")
            return
        target = "/v20190125/tags?" + urllib.parse.urlencode({"resourceArn": arn})
        status, rheaders, rbody = upstream_get(target, headers)
        if status >= 400:
            self.respond(status, rheaders, rbody, "/v20190125/tags", query, b"")
            return
        with STATE.lock:
            STATE.hidden_tags.setdefault(arn, set()).update(keys)
        self.send(200, [("Content-Type", "application/json"), ("x-amzn-RequestId", "proxy-untag")], b"{}")

    def create_conflict(self, headers, body):
        """Fix 7: CreateMesh of an existing name. True when answered here."""
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return False
        name = req.get("meshName") if isinstance(req, dict) else None
        if not isinstance(name, str) or not name:
            return False
        target = MESHES + "/" + urllib.parse.quote(name, safe="")
        status, rheaders, rbody = upstream_get(target, headers)
        if status != 200:
            return False
        try:
            existing = json.loads(rbody)
            arn = existing["metadata"]["arn"]
        except (ValueError, KeyError, TypeError):
            return False
        token = req.get("clientToken")
        with STATE.lock:
            same = token is not None and STATE.create_tokens.get(arn) == token
        if same:
            doc = default_mesh_spec(clean(existing))
            self.send(200, [("Content-Type", "application/json"), ("x-amzn-RequestId", "proxy-replay")], json_body(doc))
        else:
            self.send_error_json(409, "ConflictException", "Mesh with name %s already exists" % name)
        return True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global UPSTREAM
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="HOST:PORT of moto_server")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    UPSTREAM = (host or "127.0.0.1", int(port))
    server = Server(("127.0.0.1", args.port), Handler)
    print("LISTENING %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
