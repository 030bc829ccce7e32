"""Parses Terraform files with python-hcl2 (a parser we did not write) and prints, as JSON, each
file's resources and variables with quoted HCL strings turned back into plain values, so the
Rust test can check resource types and key attributes.

usage: python3 check_hcl.py FILE... ; prints {"FILE": {"resource": [[type, name, body], ...],
"variable": [...]}} or exits 1 naming the file that does not parse.
"""
import json
import sys

import hcl2


def unquote(s):
    """An HCL string literal as python-hcl2 8 returns it ("\"text\"") back to its value."""
    if isinstance(s, str) and len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        v = json.loads(s)
        return v.replace("$${", "${").replace("%%{", "%{")
    return s


def norm(v):
    if isinstance(v, dict):
        return {unquote(k): norm(x) for k, x in v.items() if k != "__is_block__"}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return unquote(v)


out = {}
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            doc = hcl2.load(f)
    except Exception as e:  # any parse failure fails the test, naming the file
        print(f"{path}: python-hcl2 cannot parse it: {e}", file=sys.stderr)
        sys.exit(1)
    res = []
    for block in doc.get("resource", []):
        for rtype, named in block.items():
            for name, body in named.items():
                res.append([unquote(rtype), unquote(name), norm(body)])
    var = [unquote(k) for block in doc.get("variable", []) for k in block]
    out[path] = {"resource": res, "variable": var}
print(json.dumps(out))
