"use strict";
// genesys-scim-mock from JavaScript: start the binary on a free port (startMock), reach a mock
// that is already running (connect: a container, `exec`, the Vitest or Jest setup), make
// isolated orgs on it, and drive its admin API. Node's own fetch and child_process only.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const fsp = require("node:fs/promises");
const os = require("node:os");
const path = require("node:path");
const { randomUUID } = require("node:crypto");
const { BINARY_ENV, findBinary } = require("./lib/binary.js");

/** What `genesys-scim-mock exec` sets for its command; `env()` returns the same names. */
const ENV = {
  url: "GENESYS_MOCK_URL",
  scimUrl: "GENESYS_MOCK_SCIM_URL",
  adminUrl: "GENESYS_MOCK_ADMIN_URL",
  clientId: "GENESYS_MOCK_CLIENT_ID",
  clientSecret: "GENESYS_MOCK_CLIENT_SECRET",
  token: "GENESYS_MOCK_TOKEN",
};

const SEVERITIES = { info: 0, warning: 1, error: 2 };

class MockError extends Error {}

class ExpectationFailed extends Error {
  constructor(message, result) {
    super(message);
    this.result = result;
  }
}

class ReportFailed extends Error {
  constructor(failed, report) {
    super(`the client broke rules:\n${failed.join("\n")}`);
    this.failed = failed;
    this.report = report;
  }
}

function loadJson(value) {
  if (typeof value === "string") return JSON.parse(fs.readFileSync(value, "utf8"));
  return structuredClone(value);
}

function duration(by) {
  if (typeof by === "number") return Number.isInteger(by) ? by : `${Math.round(by * 1000)}ms`;
  return String(by);
}

/** One line per rule of a JSON report broken at or above `failOn`, as `exec` prints them. */
function failingRules(report, failOn) {
  const threshold = SEVERITIES[failOn];
  const lines = [];
  for (const rule of report.rules || []) {
    if (rule.status !== "failed" || (SEVERITIES[rule.severity] ?? -1) < threshold) continue;
    const findings = rule.findings || [];
    const count = findings.length + (rule.moreFindings || 0);
    const first = findings.length ? findings[0].message : "";
    lines.push(`${rule.severity} ${rule.id}: ${count} finding${count === 1 ? "" : "s"}: ${first}`);
  }
  return lines;
}

/**
 * One org on a running mock: where it is, its OAuth client, and the admin calls a test makes
 * about it. `GenesysMock` is the server's first org; `MockOrg` an isolated org (`newOrg()`).
 */
class Endpoint {
  constructor({ url, clientId, clientSecret, orgId = null, adminToken = null }) {
    this.url = url.replace(/\/+$/, "");
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.orgId = orgId;
    this._adminToken = adminToken;
    this._token = null;
    this._firstOrg = null;
  }

  get scimUrl() {
    return `${this.url}/api/v2/scim/v2`;
  }

  get tokenUrl() {
    return `${this.url}/oauth/token`;
  }

  get adminUrl() {
    return `${this.url}/__admin`;
  }

  /** The plain coordinates (what the Vitest setup provides). */
  info() {
    return {
      url: this.url,
      scimUrl: this.scimUrl,
      tokenUrl: this.tokenUrl,
      adminUrl: this.adminUrl,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      orgId: this.orgId,
    };
  }

  /** A bearer token for this org's client (client credentials, HTTP Basic), kept until a reset. */
  async token({ refresh = false } = {}) {
    if (this._token === null || refresh) {
      const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString("base64");
      const resp = await fetch(this.tokenUrl, {
        method: "POST",
        headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      const text = await resp.text();
      if (resp.status !== 200) throw new MockError(`POST ${this.tokenUrl}: ${resp.status} ${text}`);
      this._token = JSON.parse(text).access_token;
    }
    return this._token;
  }

  /** The variables `exec` sets for its command, for this org. */
  async env() {
    return {
      [ENV.url]: this.url,
      [ENV.scimUrl]: this.scimUrl,
      [ENV.adminUrl]: this.adminUrl,
      [ENV.clientId]: this.clientId,
      [ENV.clientSecret]: this.clientSecret,
      [ENV.token]: await this.token(),
    };
  }

  /** Calls `/__admin{path}`; any status outside `expect` throws with the mock's message. */
  async admin(method, p, body, { query = [], expect = [200, 201, 204] } = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of query) if (v !== undefined && v !== null) params.append(k, String(v));
    const qs = params.toString();
    const url = `${this.adminUrl}${p}${qs ? `?${qs}` : ""}`;
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this._adminToken) headers.Authorization = `Bearer ${this._adminToken}`;
    const resp = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await resp.text();
    if (!expect.includes(resp.status)) throw new MockError(`${method} ${url}: ${resp.status} ${text}`);
    return text;
  }

  async _adminJson(method, p, body, opts) {
    const text = await this.admin(method, p, body, opts);
    return text ? JSON.parse(text) : null;
  }

  _scope() {
    return [];
  }

  /** This endpoint's org id; for coordinates from the environment, the org of its client. */
  async _org() {
    if (this.orgId === null) {
      for (const org of (await this._adminJson("GET", "/orgs")).orgs) {
        const id = typeof org === "string" ? org : org.id;
        const exported = await this._adminJson("GET", `/orgs/${encodeURIComponent(id)}/export`);
        if ((exported.oauthClients || []).some((c) => c.id === this.clientId)) {
          this.orgId = id;
          break;
        }
      }
      if (this.orgId === null) throw new MockError(`no org has the client ${this.clientId}`);
    }
    return this.orgId;
  }

  async _firstOrgWithClient() {
    for (const org of (await this._adminJson("GET", "/orgs")).orgs) {
      const id = typeof org === "string" ? org : org.id;
      const exported = await this._adminJson("GET", `/orgs/${encodeURIComponent(id)}/export`);
      if ((exported.oauthClients || []).length) return [id, exported];
    }
    throw new MockError("the mock's fixtures have no OAuth client");
  }

  async _template() {
    if (this._firstOrg === null) {
      const id = await this._org();
      this._firstOrg = await this._adminJson("GET", `/orgs/${encodeURIComponent(id)}/export`);
    }
    const org = structuredClone(this._firstOrg);
    delete org.oauthClients;
    org.name = `copy of ${this._firstOrg.id}`;
    org.id = `org-${randomUUID()}`;
    return org;
  }

  /**
   * An isolated org with its own OAuth client (`POST /__admin/orgs`): without `fixture`, a copy
   * of this org as the server started it; a fixture is one org of the fixture format or a
   * fixture file's path (its first org).
   */
  async newOrg(fixture) {
    let body;
    if (fixture === undefined || fixture === null) body = await this._template();
    else {
      const doc = loadJson(fixture);
      body = doc.orgs ? doc.orgs[0] : doc;
    }
    const created = await this._adminJson("POST", "/orgs", body);
    const [client] = created.clients;
    const org = new MockOrg({
      url: this.url,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      orgId: created.orgId,
      adminToken: this._adminToken,
    });
    org._parent = this;
    return org;
  }

  /** Loads a scenario (a file's path or its JSON) and resolves to its name. */
  async loadScenario(scenario) {
    const doc = loadJson(scenario);
    await this.admin("POST", "/scenarios", doc);
    return doc.name;
  }

  async removeScenario(name) {
    await this.admin("DELETE", `/scenarios/${encodeURIComponent(name)}`, undefined, { expect: [204, 404] });
  }

  /** The journal's entries for this org, oldest first, every page (`GET /__admin/requests` filters). */
  async journal(filters = {}) {
    const out = [];
    let after = null;
    for (;;) {
      const query = [...this._scope(), ...Object.entries(filters), ["after", after]];
      const page = await this._adminJson("GET", "/requests", undefined, { query });
      out.push(...page.requests);
      after = page.next ?? null;
      if (after === null) return out;
    }
  }

  /**
   * The client report over this org's requests: an object for `json`, text for `junit`,
   * `markdown` or `sarif`. With `failOn`, rejects with ReportFailed naming the broken rules.
   */
  async report({ failOn, format = "json", ...query } = {}) {
    const pairs = [...this._scope(), ...Object.entries(query)];
    if (failOn !== undefined) {
      if (!(failOn in SEVERITIES)) throw new TypeError(`failOn: expected one of ${Object.keys(SEVERITIES).join(", ")}`);
      pairs.push(["fail-on", failOn]);
    }
    const json = await this._adminJson("GET", "/report", undefined, { query: [...pairs, ["format", "json"]] });
    if (failOn !== undefined) {
      const failed = failingRules(json, failOn);
      if (failed.length) throw new ReportFailed(failed, json);
    }
    if (format === "json") return json;
    return this.admin("GET", "/report", undefined, { query: [...pairs, ["format", format]] });
  }

  /**
   * Compares this org with an expectation (`POST /__admin/expect`, docs/expect.md); rejects with
   * ExpectationFailed when unmet unless `check` is false. Without `orgs`, it is about this org.
   */
  async expect(expectation, { check = true } = {}) {
    let doc = loadJson(expectation);
    if (!doc.orgs) doc = { version: 1, orgs: [{ ...doc, id: await this._org() }] };
    const result = await this._adminJson("POST", "/expect", doc);
    if (check && !result.ok) {
      throw new ExpectationFailed(`the org is not in the expected state:\n${JSON.stringify(result, null, 2)}`, result);
    }
    return result;
  }

  /** Moves the server's clock forward: seconds, or text such as "61s" or "500ms". */
  async advanceClock(by) {
    await this.admin("POST", "/clock", { advance: duration(by) });
  }
}

/** An isolated org: its journal, report, expectations, scenarios and reset are its own. */
class MockOrg extends Endpoint {
  _scope() {
    return [["org", this.orgId]];
  }

  async _template() {
    return this._parent ? this._parent._template() : super._template();
  }

  /** Loads a scenario whose rules match only this org's requests, as `NAME@ORG`. */
  async loadScenario(scenario) {
    const doc = loadJson(scenario);
    doc.name = `${doc.name}@${this.orgId}`;
    for (const rule of doc.rules || []) {
      rule.when = rule.when || {};
      if (rule.when.org === undefined) rule.when.org = this.orgId;
    }
    await this.admin("POST", "/scenarios", doc);
    return doc.name;
  }

  /** This org back to the fixture it was created from. */
  async reset() {
    await this.admin("POST", "/reset", undefined, { query: this._scope() });
  }

  /** Removes the org, its client and its tokens. */
  async delete() {
    await this.admin("DELETE", `/orgs/${encodeURIComponent(this.orgId)}`, undefined, { expect: [204, 404] });
  }
}

/** The binary, started by `startMock()`; `stop()` ends it. */
class GenesysMock extends Endpoint {
  constructor(fields, child, dir) {
    super(fields);
    this._child = child;
    this._dir = dir;
  }

  /** Everything back to the configured fixtures; orgs made by newOrg() go, tokens are revoked. */
  async reset() {
    await this.admin("POST", "/reset");
    this._token = null;
  }

  /** What the server has logged so far. */
  get log() {
    try {
      return fs.readFileSync(path.join(this._dir, "server.log"), "utf8");
    } catch {
      return "";
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its temporary files. */
  async stop() {
    const child = this._child;
    this._child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
    await fsp.rm(this._dir, { recursive: true, force: true });
  }
}

// Servers still running when Node exits (a suite that never called stop()) are killed with it.
const live = new Set();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

function serveArgs(o) {
  const args = [];
  if (o.fixtures !== undefined) args.push("--fixtures", o.fixtures);
  for (const [flag, value] of [
    ["--seed", o.seed],
    ["--clock", o.clock],
    ["--profile", o.profile],
    ["--rate-limit", o.rateLimit],
    ["--admin-token", o.adminToken],
  ]) {
    if (value !== undefined && value !== null) args.push(flag, String(value));
  }
  for (const [name, value] of Object.entries(o.compat || {})) args.push("--compat", `${name}=${value}`);
  return args;
}

/**
 * Starts the binary on a free loopback port and resolves once it answers its health check.
 * Options: fixtures, scenarios (paths or objects), seed, clock, profile, compat (an object of
 * switches), rateLimit, adminToken, args (other serve flags), binary, host, startupTimeoutMs.
 */
async function startMock(options = {}) {
  const binary = options.binary ?? findBinary();
  const host = options.host ?? "127.0.0.1";
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "genesys-scim-mock-"));
  const portFile = path.join(dir, "port");
  const args = ["serve", "--bind", `${host}:0`, "--port-file", portFile, ...serveArgs(options)];
  (options.scenarios || []).forEach((s, i) => {
    let file = s;
    if (typeof s !== "string") {
      file = path.join(dir, `scenario-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(s));
    }
    args.push("--scenario", file);
  });
  args.push(...(options.args || []));
  const log = fs.openSync(path.join(dir, "server.log"), "w");
  const child = spawn(binary, args, { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  live.add(child);
  const mock = new GenesysMock({ url: "http://unstarted", clientId: "", clientSecret: "", adminToken: options.adminToken }, child, dir);
  let spawnError = null;
  child.once("error", (e) => {
    spawnError = e;
  });
  const deadline = Date.now() + (options.startupTimeoutMs ?? 10000);
  const fail = async (what) => {
    const text = mock.log;
    await mock.stop();
    throw new MockError(`genesys-scim-mock ${what}; its log:\n${text.slice(-4000)}`);
  };
  for (;;) {
    if (spawnError) await fail(`could not be started (${binary}): ${spawnError.message}`);
    if (child.exitCode !== null) await fail(`exited with code ${child.exitCode}`);
    let address = "";
    try {
      address = fs.readFileSync(portFile, "utf8").trim();
    } catch {}
    if (address) {
      mock.url = `http://${address}`;
      try {
        if ((await fetch(`${mock.adminUrl}/health`)).status === 200) break;
      } catch {}
    }
    if (Date.now() > deadline) await fail(`did not answer its health check within ${options.startupTimeoutMs ?? 10000} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    const [orgId, exported] = await mock._firstOrgWithClient();
    mock.orgId = orgId;
    mock._firstOrg = exported;
    mock.clientId = exported.oauthClients[0].id;
    mock.clientSecret = exported.oauthClients[0].secret;
  } catch (e) {
    await mock.stop();
    throw e;
  }
  return mock;
}

/**
 * A mock that is already running: from `info()`-shaped coordinates (what the Vitest setup
 * provides), or, with no argument, from the variables `exec` and the Jest setup set.
 */
function connect(info) {
  if (info === undefined) {
    const missing = [ENV.url, ENV.clientId, ENV.clientSecret].filter((n) => !process.env[n]);
    if (missing.length) throw new MockError(`not set: ${missing.join(", ")}`);
    return new Endpoint({
      url: process.env[ENV.url],
      clientId: process.env[ENV.clientId],
      clientSecret: process.env[ENV.clientSecret],
    });
  }
  return new Endpoint(info);
}

module.exports = {
  BINARY_ENV,
  ENV,
  Endpoint,
  ExpectationFailed,
  GenesysMock,
  MockError,
  MockOrg,
  ReportFailed,
  connect,
  failingRules,
  findBinary,
  startMock,
};
