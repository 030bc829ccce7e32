// Conformance of the appmesh-tui sandbox with the AWS SDK for JavaScript v3
// (@aws-sdk/client-app-mesh, pinned in package.json), a client we did not write.
//
// Runs every scenario of ../data.json the way ../runner.py does for boto3 and the AWS CLI (same
// checks, same output: one line per check), then a few checks only this SDK can make.
//
//   npm ci --prefix tests/conformance/js
//   SANDBOX_ENDPOINTS='{"main": "http://127.0.0.1:4566", ...}' node tests/conformance/js/suite.mjs
//
// (SANDBOX_ENDPOINT=URL alone serves "main"; CONFORMANCE_ONLY=id,id runs some scenarios.)

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as AM from "@aws-sdk/client-app-mesh";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = JSON.parse(readFileSync(join(HERE, "..", "data.json"), "utf8"));
const KNOWN = JSON.parse(readFileSync(join(HERE, "..", "known_disagreements.json"), "utf8"));
const ACCESS_KEY = "AKIAIOSFODNN7SANDBOX";
const SECRET_KEY = "sandbox/secret/not-a-real-key";
const TIMESTAMP_KEYS = ["createdAt", "lastUpdatedAt"];
const VERBS = ["Create", "Describe", "Update", "Delete"];
const MISSING = Symbol("missing");
const CLIENT = "js";

class Stop extends Error {}

const short = (v, limit = 300) => {
  const text = JSON.stringify(v, (k, x) => (typeof x === "bigint" ? String(x) : x)) ?? String(v);
  return text.length <= limit ? text : text.slice(0, limit) + "…";
};
const repr = (out) => (out.ok ? `success ${short(out.body)}` : `${out.code} (${out.status}): ${out.message}`);
const isNum = (v) => typeof v === "number" && Number.isFinite(v);

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return deepEqual(ka, kb) && ka.every((k) => deepEqual(a[k], b[k]));
}

// A canonical text for sorting lists of objects (keys sorted), like json.dumps in runner.py.
const canon = (v) =>
  JSON.stringify(v, (k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x,
  );

// ------------------------------------------------------------------ substitution

function subst(value, env) {
  if (typeof value === "string") {
    if (value.startsWith("$spec:")) return subst(structuredClone(DATA.specs[value.slice(6)]), env);
    if (value.startsWith("$str:")) return "x".repeat(Number(value.slice(5)));
    for (;;) {
      const whole = value.match(/^\$\{(\w+)\}$/);
      if (whole) {
        const found = envGet(env, whole[1]);
        if (typeof found !== "string") return found;
        value = found;
        continue;
      }
      const next = value.replace(/\$\{(\w+)\}/, (_, name) => String(envGet(env, name)));
      if (next === value) return value;
      value = next;
    }
  }
  if (Array.isArray(value)) return value.map((v) => subst(v, env));
  if (value && typeof value === "object") {
    if ("$items" in value) return Array.from({ length: value.$items }, (_, j) => subst(value.of, { ...env, j }));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, subst(v, env)]));
  }
  return value;
}

function envGet(env, name) {
  if (!(name in env)) throw new Error(`data.json uses \${${name}}, which is not set here`);
  return env[name];
}

function getPath(body, path) {
  let cur = body;
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g)) {
    if (part.startsWith("[")) {
      const i = Number(part.slice(1, -1));
      if (!Array.isArray(cur) || i >= cur.length) return MISSING;
      cur = cur[i];
    } else {
      if (!cur || typeof cur !== "object" || Array.isArray(cur) || !(part in cur)) return MISSING;
      cur = cur[part];
    }
  }
  return cur;
}

function kindOf(op) {
  for (const verb of VERBS) {
    if (op.startsWith(verb) && op.slice(verb.length) in DATA.kinds) return [verb, op.slice(verb.length)];
  }
  if (op.startsWith("List")) {
    for (const [kind, k] of Object.entries(DATA.kinds)) {
      if (op === "List" + k.list[0].toUpperCase() + k.list.slice(1)) return ["List", kind];
    }
  }
  return [null, null];
}

function listKey(op) {
  const [verb, kind] = kindOf(op);
  if (verb === "List") return [DATA.kinds[kind].list, DATA.kinds[kind].name];
  if (op === "ListTagsForResource") return ["tags", null];
  throw new Error(`not a list: ${op}`);
}

// ------------------------------------------------------------------ the client

// What the SDK made of a call: body JSON-like with dates as epoch seconds; problems it showed
// (a date not parsed as a Date, a wrong error class, the error's wire form).
function normalize(value, problems, key) {
  if (TIMESTAMP_KEYS.includes(key)) {
    if (value instanceof Date) return value.getTime() / 1000;
    problems.push(`${key} is ${short(value)}, which the SDK did not parse as a Date`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, problems));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalize(v, problems, k);
    return out;
  }
  return value;
}

class JsClient {
  name = CLIENT;
  clients = new Map();
  last = null; // the raw response of the last call

  client(endpoint, region) {
    const key = `${endpoint} ${region}`;
    if (!this.clients.has(key)) {
      const c = new AM.AppMeshClient({
        endpoint,
        region,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        maxAttempts: 1,
      });
      // Keep the raw answer (status, headers, body) before the SDK parses it.
      c.middlewareStack.addRelativeTo(
        (next) => async (args) => {
          const result = await next(args);
          const res = result.response;
          const chunks = [];
          for await (const chunk of res.body) chunks.push(Buffer.from(chunk));
          const body = Buffer.concat(chunks);
          res.body = new Uint8Array(body);
          this.last = { status: res.statusCode, headers: res.headers, body: body.toString("utf8") };
          return result;
        },
        { relation: "after", toMiddleware: "deserializerMiddleware", name: "conformanceCapture" },
      );
      this.clients.set(key, c);
    }
    return this.clients.get(key);
  }

  async call(endpoint, region, op, params) {
    const c = this.client(endpoint, region);
    this.last = null;
    try {
      const out = await c.send(new AM[`${op}Command`](structuredClone(params)));
      const { $metadata, ...rest } = out;
      const problems = [];
      return { ok: true, body: normalize(rest, problems), problems };
    } catch (err) {
      if (!(err instanceof AM.AppMeshServiceException)) {
        return { ok: false, code: `(the SDK failed: ${err.name})`, status: null, message: err.message, problems: [] };
      }
      return {
        ok: false,
        code: err.name,
        status: err.$metadata.httpStatusCode ?? null,
        message: err.message,
        problems: this.errorProblems(err),
      };
    }
  }

  errorProblems(err) {
    const problems = [];
    const modeled = AM[err.name];
    if (typeof modeled !== "function" || !(err instanceof modeled)) {
      problems.push(`the SDK threw ${err.constructor?.name}, not the modeled ${err.name}`);
    }
    const raw = this.last ?? { headers: {}, body: "" };
    const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const type = (headers["x-amzn-errortype"] ?? "").split(":")[0];
    if (type !== err.name) problems.push(`x-amzn-ErrorType header is ${short(headers["x-amzn-errortype"])}`);
    try {
      const body = JSON.parse(raw.body);
      if (typeof body.message !== "string") problems.push(`the error body has no message string: ${short(body)}`);
    } catch {
      problems.push(`the error body is not JSON: ${short(raw.body)}`);
    }
    return problems;
  }

  async collect(endpoint, region, op, params, pageSize) {
    const c = this.client(endpoint, region);
    const [key] = listKey(op);
    const items = [];
    try {
      for await (const page of AM[`paginate${op}`]({ client: c, pageSize }, structuredClone(params))) items.push(...page[key]);
    } catch (err) {
      return [null, [`the paginator failed: ${err.name}: ${err.message}`]];
    }
    const problems = [];
    return [normalize(items, problems), problems];
  }
}

// ------------------------------------------------------------------ the runner (as runner.py)

class Runner {
  constructor(adapter, endpoints, only) {
    this.adapter = adapter;
    this.endpoints = endpoints;
    this.only = only;
    this.counts = { passed: 0, failed: 0, known: 0, fixed: 0 };
    this.known = new Map(KNOWN.filter((k) => (k.clients ?? ["boto3", "cli", "js"]).includes(adapter.name)).map((k) => [k.check, k.why]));
  }

  report(scenario, label, problems) {
    const id = `${scenario} :: ${label}`;
    const known = this.known.get(id);
    if (problems.length && known) {
      this.counts.known++;
      console.log(`KNOWN [${scenario}] ${label}: ${problems.join("; ")} (known: ${known})`);
    } else if (problems.length) {
      this.counts.failed++;
      console.log(`FAIL  [${scenario}] ${label}: ${problems.join("; ")}`);
    } else if (known) {
      this.counts.fixed++;
      console.log(`FIXED [${scenario}] ${label}: passes, but known_disagreements.json lists it: remove it there`);
    } else {
      this.counts.passed++;
      console.log(`ok    [${scenario}] ${label}`);
    }
  }

  async run(extra) {
    const wanted = DATA.scenarios.filter((s) => !this.only.length || this.only.includes(s.id));
    const missing = [...new Set(wanted.map((s) => s.server ?? "main"))].filter((s) => !(s in this.endpoints)).sort();
    if (missing.length) {
      const flags = Object.fromEntries(missing.map((m) => [m, DATA.servers[m].flags]));
      console.log(`no endpoint for server(s) ${missing}: start \`appmesh-tui sandbox serve --ephemeral\` with ${short(flags)} and name them in SANDBOX_ENDPOINTS`);
      return 2;
    }
    for (const scenario of wanted) {
      const ctx = new Context(this, scenario);
      try {
        await ctx.steps(scenario.steps, ctx.env);
      } catch (e) {
        if (!(e instanceof Stop)) this.report(scenario.id, "(the runner failed)", [`${e.name}: ${e.message}`]);
      }
    }
    for (const [name, server, fn] of extra) {
      if (this.only.length && !this.only.includes(name)) continue;
      const ctx = new Context(this, { id: name, server });
      try {
        await fn(ctx);
      } catch (e) {
        if (!(e instanceof Stop)) this.report(name, "(the check itself failed)", [`${e.name}: ${e.message}`]);
      }
    }
    const c = this.counts;
    console.log(`${this.adapter.name}: ${c.passed} passed, ${c.failed + c.fixed} failed`);
    if (c.known || c.fixed) console.log(`${this.adapter.name}: ${c.known} known disagreements still fail, ${c.fixed} listed ones pass now`);
    return c.failed === 0 && c.fixed === 0 ? 0 : 1;
  }
}

class Context {
  constructor(runner, scenario) {
    this.runner = runner;
    this.adapter = runner.adapter;
    this.id = scenario.id;
    const server = scenario.server ?? "main";
    this.endpoint = runner.endpoints[server];
    this.account = DATA.servers[server].account ?? DATA.account;
    this.env = { sid: this.id, account: this.account, region: DATA.region };
    this.state = new Map();
    this.labels = new Set();
  }

  label(text) {
    let out = text;
    for (let n = 2; this.labels.has(out); n++) out = `${text} (#${n})`;
    this.labels.add(out);
    return out;
  }

  report(label, problems) {
    this.runner.report(this.id, label, problems);
  }

  async steps(steps, env) {
    for (const step of steps) {
      if (step.clients && !step.clients.includes(this.adapter.name)) continue;
      if ("for" in step) {
        for (const value of step.for) await this.steps(step.steps, { ...env, [step.as]: value });
      } else if ("repeat" in step) await this.repeat(step, env);
      else if ("paginate" in step) await this.paginate(step, env);
      else if ("collect" in step) await this.collect(step, env);
      else await this.callStep(step, env);
    }
  }

  async repeat(step, env) {
    const label = this.label(subst(step.check, env));
    for (let i = 0; i < step.repeat; i++) {
      let problems = [];
      try {
        for (const sub of step.steps) problems.push(...(await this.callStep(sub, { ...env, i }, true)));
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
        problems.push(e.message);
      }
      if (problems.length) {
        this.report(label, [`at i=${i}: ${problems.join("; ")}`]);
        throw new Stop();
      }
    }
    this.report(label, []);
  }

  async callStep(step, env, quiet = false) {
    const op = step.op;
    const params = subst(step.params ?? {}, env);
    const region = subst(step.region ?? DATA.region, env);
    const label = quiet ? null : this.label("check" in step ? subst(step.check, env) : defaultLabel(op, params));
    const out = await this.adapter.call(this.endpoint, region, op, params, step.raw ?? false);
    const problems = [...out.problems];
    if ("error" in step) {
      const want = typeof step.error === "string" ? { code: step.error } : step.error;
      if (out.ok) {
        problems.push(`expected ${want.code}, got success: ${short(out.body)}`);
        problems.push(...(await this.undo(op, params, region, out)));
      } else problems.push(...checkError(out, subst(want, env)));
    } else {
      if (!out.ok) {
        problems.push(`expected success, got ${repr(out)}`);
        if (quiet) throw new Stop(problems.join("; "));
        this.report(label, [...problems, "(the rest of this scenario is skipped)"]);
        throw new Stop();
      }
      problems.push(...this.checkSuccess(step, op, params, region, out.body, env));
    }
    if (quiet) return problems;
    this.report(label, problems);
    return problems;
  }

  async undo(op, params, region, out) {
    const [verb, kind] = kindOf(op);
    const k = DATA.kinds[kind];
    if (verb === "Create") {
      const keys = ["meshName", k.name, k.parent].filter(Boolean);
      const undo = Object.fromEntries(Object.entries(params).filter(([key]) => keys.includes(key)));
      await this.adapter.call(this.endpoint, region, `Delete${kind}`, undo, true);
      return ["(it was created; deleted it again)"];
    }
    if (verb === "Update" && out.body[k.key]?.metadata) this.state.set(out.body[k.key].metadata.arn, out.body[k.key]);
    return [];
  }

  checkSuccess(step, op, params, region, body, env) {
    const problems = [];
    const [verb, kind] = kindOf(op);
    if (VERBS.includes(verb)) problems.push(...this.checkResource(step, verb, kind, params, region, body));
    else if (verb === "List" || op === "ListTagsForResource") problems.push(...this.checkList(op, params, body, step, env));
    else if ((op === "TagResource" || op === "UntagResource") && !deepEqual(body, {}))
      problems.push(`${op} answered ${short(body)}, the model's output is empty`);
    for (const [path, want] of Object.entries(subst(step.expect ?? {}, env))) problems.push(...checkValue(path, getPath(body, path), want));
    for (const [name, path] of Object.entries(step.save ?? {})) {
      env[name] = getPath(body, path);
      this.env[name] = env[name];
    }
    return problems;
  }

  checkResource(step, verb, kind, params, region, body) {
    const k = DATA.kinds[kind];
    const data = body[k.key];
    if (!data || typeof data !== "object") return [`no ${k.key} object in the answer: ${short(body)}`];
    const problems = [];
    for (const member of ["meshName", k.name, k.parent].filter(Boolean)) {
      if (data[member] !== params[member]) problems.push(`${member} is ${short(data[member])}, asked for ${short(params[member])}`);
    }
    const arn = `arn:aws:appmesh:${region}:${this.account}:` + k.arn.replace(/\{(\w+)\}/g, (_, n) => params[n]);
    const meta = data.metadata ?? {};
    problems.push(...checkMetadata(meta, arn, this.account));
    const wantStatus = verb === "Delete" ? "DELETED" : "ACTIVE";
    if (!deepEqual(data.status, { status: wantStatus })) problems.push(`status is ${short(data.status)}, expected {"status":"${wantStatus}"}`);
    if (!("spec" in data)) problems.push("no spec in the answer");
    const before = this.state.get(arn);
    if (verb === "Create" || verb === "Update") {
      const sent = params.spec ?? {};
      if (!deepEqual(data.spec, sent)) problems.push(`spec is not echoed as sent: sent ${short(sent)}, got ${short(data.spec)}`);
    }
    if (step.same_as_before) {
      if (!before) problems.push("nothing to compare with");
      else
        for (const f of ["uid", "version", "createdAt", "lastUpdatedAt"]) {
          if (meta[f] !== before.metadata[f]) problems.push(`a retry with the same clientToken changed ${f}: ${short(before.metadata[f])} → ${short(meta[f])}`);
        }
    } else if (verb === "Create") {
      if (meta.version !== 1) problems.push(`version is ${short(meta.version)} on create, expected 1`);
      if (meta.createdAt !== meta.lastUpdatedAt) problems.push("createdAt and lastUpdatedAt differ on create");
    } else if (before) {
      const bm = before.metadata;
      if (meta.uid !== bm.uid) problems.push(`uid changed: ${bm.uid} → ${meta.uid}`);
      if (meta.createdAt !== bm.createdAt) problems.push(`createdAt changed: ${bm.createdAt} → ${meta.createdAt}`);
      if (verb === "Update") {
        if (meta.version !== bm.version + 1) problems.push(`version went ${bm.version} → ${meta.version} on update, expected +1`);
        if (!isNum(meta.lastUpdatedAt) || meta.lastUpdatedAt <= bm.lastUpdatedAt)
          problems.push(`lastUpdatedAt did not move on update: ${bm.lastUpdatedAt} → ${meta.lastUpdatedAt}`);
      } else {
        if (verb === "Describe") {
          for (const f of ["version", "lastUpdatedAt"]) {
            if (meta[f] !== bm[f]) problems.push(`${f} is ${short(meta[f])}, the last answer said ${short(bm[f])}`);
          }
        }
        if (!deepEqual(data.spec, before.spec)) problems.push(`spec is ${short(data.spec)}, the last answer said ${short(before.spec)}`);
      }
    }
    if (verb === "Delete") this.state.delete(arn);
    else this.state.set(arn, data);
    return problems;
  }

  checkList(op, params, body, step, env) {
    const [key, nameKey] = listKey(op);
    const items = body[key];
    if (!Array.isArray(items)) return [`no ${key} list in the answer: ${short(body)}`];
    const problems = this.checkRefs(op, params, items);
    if ((step.names != null || step.items != null) && "nextToken" in body) problems.push(`a nextToken on a list that fits one page: ${short(body.nextToken)}`);
    problems.push(...this.checkItems(step, items, nameKey, env));
    return problems;
  }

  checkRefs(op, params, items) {
    if (op === "ListTagsForResource") {
      return items.filter((t) => !(t && typeof t === "object" && deepEqual(Object.keys(t).sort(), ["key", "value"]))).map((t) => `not a tag: ${short(t)}`);
    }
    const [, kind] = kindOf(op);
    const k = DATA.kinds[kind];
    const problems = [];
    for (const ref of items) {
      for (const member of ["meshName", "arn", "version", "createdAt", "lastUpdatedAt", "meshOwner", "resourceOwner", k.name, k.parent].filter(Boolean)) {
        if (!(member in ref)) problems.push(`a listed ${kind} has no ${member}: ${short(ref)}`);
      }
      if (k.parent && ref[k.parent] !== params[k.parent]) problems.push(`a listed ${kind} has ${k.parent} ${short(ref[k.parent])}`);
      if (op !== "ListMeshes" && ref.meshName !== params.meshName) problems.push(`a listed ${kind} has meshName ${short(ref.meshName)}`);
      if (ref.meshOwner !== this.account || ref.resourceOwner !== this.account)
        problems.push(`a listed ${kind} has owners ${short(ref.meshOwner)}/${short(ref.resourceOwner)}`);
      const before = this.state.get(ref.arn);
      if (before) {
        for (const f of ["version", "createdAt", "lastUpdatedAt"]) {
          if (ref[f] !== before.metadata[f]) problems.push(`${ref[k.name]}: ${f} is ${short(ref[f])} in the list, ${short(before.metadata[f])} in the last answer`);
        }
      }
    }
    return problems;
  }

  checkItems(step, items, nameKey, env) {
    const problems = [];
    if (nameKey) {
      const got = items.map((i) => i[nameKey]);
      const twice = [...new Set(got.filter((g, i) => got.indexOf(g) !== i))];
      if (twice.length) problems.push(`listed twice: ${short(twice.sort())}`);
      if (step.names != null) {
        const want = subst(step.names, env);
        if (!deepEqual([...got].sort(), [...want].sort())) problems.push(`listed ${short([...got].sort())}, expected ${short([...want].sort())}`);
      }
      for (const want of subst(step.contains ?? [], env)) if (!got.includes(want)) problems.push(`${short(want)} is not listed`);
    }
    if (step.items != null) {
      const want = subst(step.items, env);
      const sort = (list) => [...list].sort((a, b) => (canon(a) < canon(b) ? -1 : canon(a) > canon(b) ? 1 : 0));
      if (!deepEqual(sort(items), sort(want))) problems.push(`listed ${short(items)}, expected ${short(want)}`);
    }
    if (step.count != null && items.length !== step.count) problems.push(`listed ${items.length}, expected ${step.count}`);
    return problems;
  }

  async paginate(step, env) {
    const op = step.paginate;
    const params = subst(step.params ?? {}, env);
    const region = subst(step.region ?? DATA.region, env);
    const limit = subst(step.limit, env);
    const label = this.label(subst(step.check ?? `${op} limit ${limit}`, env));
    const [key, nameKey] = listKey(op);
    const problems = [];
    const collected = [];
    let pages = 0;
    let token = null;
    for (;;) {
      const pageParams = { ...params, limit, ...(token ? { nextToken: token } : {}) };
      const out = await this.adapter.call(this.endpoint, region, op, pageParams, false);
      problems.push(...out.problems);
      if (!out.ok) {
        problems.push(`page ${pages + 1}: expected success, got ${repr(out)}`);
        break;
      }
      pages++;
      const items = out.body[key];
      if (!Array.isArray(items)) {
        problems.push(`page ${pages}: no ${key} list: ${short(out.body)}`);
        break;
      }
      if (items.length > limit) problems.push(`page ${pages} has ${items.length} items, limit was ${limit}`);
      problems.push(...this.checkRefs(op, params, items));
      collected.push(...items);
      token = out.body.nextToken ?? null;
      if (token === null) break;
      if (typeof token !== "string" || !token) {
        problems.push(`page ${pages}: nextToken ${short(token)}`);
        break;
      }
      if (pages > 300) {
        problems.push("more than 300 pages: the nextToken never ends");
        break;
      }
    }
    if (!problems.length) {
      const expectedPages = Math.max(1, Math.ceil(collected.length / limit));
      if (pages !== expectedPages)
        problems.push(`${collected.length} items came in ${pages} pages of at most ${limit}, expected ${expectedPages} (a nextToken on the last page?)`);
      problems.push(...this.checkItems(step, collected, nameKey, env));
    }
    this.report(label, problems);
  }

  async collect(step, env) {
    const op = step.collect;
    const params = subst(step.params ?? {}, env);
    const region = subst(step.region ?? DATA.region, env);
    const label = this.label(subst(step.check ?? `${op} through the client's paginator, pages of ${step.page_size}`, env));
    let [items, problems] = await this.adapter.collect(this.endpoint, region, op, params, step.page_size);
    if (items !== null) problems = [...problems, ...this.checkRefs(op, params, items), ...this.checkItems(step, items, listKey(op)[1], env)];
    this.report(label, problems);
  }
}

function defaultLabel(op, params) {
  const [verb, kind] = kindOf(op);
  if (!kind) return op;
  const k = DATA.kinds[kind];
  const names = [];
  for (const n of ["meshName", k.parent, verb !== "List" ? k.name : null]) {
    if (n && params[n] && !names.includes(params[n])) names.push(params[n]);
  }
  return `${op} ${names.join("/")}${"meshOwner" in params ? " with meshOwner" : ""}`.trim();
}

function checkError(out, want) {
  const problems = [];
  const code = want.code;
  if (out.code !== code) problems.push(`expected ${code}, got ${repr(out)}`);
  else if (out.status !== null && out.status !== DATA.errors[code]) problems.push(`${code} came with HTTP ${out.status}, the model says ${DATA.errors[code]}`);
  const message = out.message ?? "";
  if (!message.trim()) problems.push("the error has no message");
  const lowered = message.toLowerCase();
  const missing = (want.message ?? []).filter((w) => !lowered.includes(w.toLowerCase()));
  if (missing.length) problems.push(`the message ${short(message)} does not name ${short(missing)}`);
  if (want.message_any && !want.message_any.some((w) => lowered.includes(w.toLowerCase())))
    problems.push(`the message ${short(message)} names none of ${short(want.message_any)}`);
  return problems;
}

function checkMetadata(meta, arn, account) {
  const problems = [];
  if (meta.arn !== arn) problems.push(`arn is ${short(meta.arn)}, expected ${short(arn)}`);
  for (const f of ["meshOwner", "resourceOwner"]) if (meta[f] !== account) problems.push(`${f} is ${short(meta[f])}, expected ${short(account)}`);
  if (typeof meta.uid !== "string" || !meta.uid) problems.push(`uid is ${short(meta.uid)}`);
  if (!Number.isInteger(meta.version) || meta.version < 1) problems.push(`version is ${short(meta.version)}`);
  const now = Date.now() / 1000;
  for (const f of TIMESTAMP_KEYS) {
    if (!isNum(meta[f])) problems.push(`${f} is ${short(meta[f])}`);
    else if (Math.abs(meta[f] - now) > 600) problems.push(`${f} is ${meta[f]}, ${(meta[f] - now).toFixed(0)} s from now`);
  }
  if (isNum(meta.createdAt) && isNum(meta.lastUpdatedAt) && meta.lastUpdatedAt < meta.createdAt) problems.push("lastUpdatedAt is before createdAt");
  return problems;
}

function checkValue(path, got, want) {
  if (want && typeof want === "object" && !Array.isArray(want) && Object.keys(want).length === 1 && Object.keys(want)[0].startsWith("$")) {
    const [[matcher, arg]] = Object.entries(want);
    if (matcher === "$absent") return got === MISSING ? [] : [`${path} should be absent, got ${short(got)}`];
    if (got === MISSING) return [`${path} is missing`];
    if (matcher === "$ne") return deepEqual(got, arg) ? [`${path} should not be ${short(arg)}`] : [];
    throw new Error(`unknown matcher ${matcher}`);
  }
  if (got === MISSING) return [`${path} is missing, expected ${short(want)}`];
  return deepEqual(got, want) ? [] : [`${path} is ${short(got)}, expected ${short(want)}`];
}

// ------------------------------------------------------------------ this SDK's own checks

async function checkSdkDetails(ctx) {
  const c = ctx.adapter.client(ctx.endpoint, "us-east-1");
  const created = await c.send(new AM.CreateMeshCommand({ meshName: "js-details" }));
  const problems = [];
  if (!created.$metadata.requestId) problems.push("no request ID on a success");
  if (created.$metadata.httpStatusCode !== 200) problems.push(`HTTP ${created.$metadata.httpStatusCode}`);
  if (!(created.mesh.metadata.createdAt instanceof Date)) problems.push(`createdAt is ${short(created.mesh.metadata.createdAt)}`);
  ctx.report("CreateMesh: request ID, HTTP 200, createdAt a Date", problems);
  try {
    await c.send(new AM.CreateMeshCommand({ meshName: "js-details" }));
    ctx.report("a ConflictException is an instance of the SDK's ConflictException, a client fault", ["the second CreateMesh succeeded"]);
  } catch (err) {
    const p = [];
    if (!(err instanceof AM.ConflictException)) p.push(`threw ${err.constructor?.name}`);
    if (!(err instanceof AM.AppMeshServiceException)) p.push("not an AppMeshServiceException");
    if (err.$fault !== "client") p.push(`$fault ${err.$fault}`);
    if (!err.$metadata?.requestId) p.push("no request ID on an error");
    ctx.report("a ConflictException is an instance of the SDK's ConflictException, a client fault", p);
  }
}

const EXTRA = [["js-details", "main", checkSdkDetails]];

const endpoints = process.env.SANDBOX_ENDPOINTS
  ? JSON.parse(process.env.SANDBOX_ENDPOINTS)
  : process.env.SANDBOX_ENDPOINT
    ? { main: process.env.SANDBOX_ENDPOINT }
    : {};
const only = (process.env.CONFORMANCE_ONLY ?? "").split(",").filter(Boolean);
process.exitCode = await new Runner(new JsClient(), endpoints, only).run(EXTRA);
