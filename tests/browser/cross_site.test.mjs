// A web page on another origin, in a real headless Chromium (Debian's), against the real binary
// started as most people start it: no admin token. The page tries every request a page can
// send to the admin API (docs/security.md), and the mock's state must not change. Then the
// scenario-HTML chain: a scenario answer that says text/html, opened in the browser, must run
// no script. Then DNS rebinding: the mock reached under a foreign name must refuse.
//
// GSM_BIN   the genesys-scim-mock binary (required)
// CHROMIUM  the browser (default /usr/bin/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, request } from "node:http";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS, waitForFile } from "./harness.mjs";

const BIN = process.env.GSM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const T0 = "2026-01-01T00:00:00.000Z";
/** A name of the "attacker's" that Chromium resolves to the mock, as DNS rebinding would. */
const REBOUND = "rebind.attacker.test";

let server;
let mock; // http://127.0.0.1:PORT
let mockPort;
let attacker; // the other origin's server
let attackerUrl;
let scratch;
let browser;

/** An admin call from this test, a client that is not a browser (JSON, no Origin). */
async function admin(method, path, body) {
  const resp = await fetch(mock + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null };
}

/** What the page must not be able to change. */
async function state() {
  const [clock, scenarios, orgs, users] = await Promise.all([
    admin("GET", "/__admin/clock"),
    admin("GET", "/__admin/scenarios"),
    admin("GET", "/__admin/orgs"),
    admin("GET", "/__admin/orgs/default/users?limit=100"),
  ]);
  return {
    now: clock.body.now,
    scenarios: scenarios.body.scenarios.map((s) => s.name),
    orgs: orgs.body.orgs,
    users: JSON.stringify(users.body),
  };
}

/** The attacker's page: every request a page can send without the server's consent. */
function attackPage() {
  const scenario = JSON.stringify({
    name: "planted",
    rules: [{ name: "html", when: { path: "/planted" }, then: { respond: { status: 200, body: "<b>x</b>", headers: { "content-type": "text/html" } } } }],
  });
  const clock = JSON.stringify({ advance: "3650d" });
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="${mock}/__admin/clock" enctype="text/plain" target="sink">
  <input name='{"advance": "3650d", "x": "' value='"}'>
</form>
<script>
const MOCK = ${JSON.stringify(mock)};
const results = {};
async function attempt(name, fn) {
  try { results[name] = await fn(); } catch (e) { results[name] = "blocked: " + e.name; }
}
(async () => {
  await attempt("text scenario", () => fetch(MOCK + "/__admin/scenarios", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(scenario)} }).then((r) => r.type));
  await attempt("untyped clock", () => fetch(MOCK + "/__admin/clock", { method: "POST", mode: "no-cors", body: new Blob([${JSON.stringify(clock)}]) }).then((r) => r.type));
  await attempt("form clock", () => fetch(MOCK + "/__admin/clock", { method: "POST", mode: "no-cors", headers: { "content-type": "application/x-www-form-urlencoded" }, body: ${JSON.stringify(clock)} + "=" }).then((r) => r.type));
  await attempt("reset", () => fetch(MOCK + "/__admin/reset", { method: "POST", mode: "no-cors" }).then((r) => r.type));
  await attempt("delete journal", () => fetch(MOCK + "/__admin/requests", { method: "DELETE", mode: "no-cors" }).then((r) => r.type));
  await attempt("json clock", () => fetch(MOCK + "/__admin/clock", { method: "POST", headers: { "content-type": "application/json" }, body: ${JSON.stringify(clock)} }).then((r) => "sent: " + r.status));
  await attempt("read export", () => fetch(MOCK + "/__admin/orgs/default/export").then((r) => r.text()));
  await attempt("token", () => fetch(MOCK + "/oauth/token", { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "mock-client-id", client_secret: "mock-client-secret" }) }).then((r) => r.text()));
  document.getElementById("form").submit();
  await new Promise((ok) => document.querySelector("iframe").addEventListener("load", ok, { once: true }));
  window.done = results;
})();
</script></body></html>`;
}

before(async () => {
  assert.ok(BIN, "GSM_BIN must name the genesys-scim-mock binary");
  assert.ok(existsSync(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium");
  scratch = mkdtempSync(join(tmpdir(), "gsm-cross-site-"));
  const portFile = join(scratch, "port");
  server = spawn(BIN, ["serve", "--bind", "127.0.0.1:0", "--port-file", portFile, "--seed", "7", "--clock", "frozen:" + T0], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const addr = (await waitForFile(portFile, 10_000)).trim();
  mock = "http://" + addr;
  mockPort = Number(addr.split(":").pop());
  // The other origin: another port on the same loopback address (same site, other origin).
  attacker = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(attackPage());
  });
  await new Promise((ok) => attacker.listen(0, "127.0.0.1", ok));
  attackerUrl = "http://127.0.0.1:" + attacker.address().port + "/";
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`],
  });
});

after(async () => {
  await browser?.close();
  attacker?.close();
  server?.kill("SIGTERM");
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("a page on another origin cannot change the mock's state", async () => {
  const before = await state();
  assert.equal(before.now, T0);
  const page = await browser.newPage();
  await page.goto(attackerUrl);
  await page.waitForFunction(() => window.done, null, { timeout: 30_000 });
  const results = await page.evaluate(() => window.done);
  await page.close();
  assert.match(results["json clock"], /^blocked/, "a JSON write needs a preflight, which is refused");
  assert.match(results["read export"], /^blocked/, "no answer is shared with another origin");
  assert.match(results["token"], /^blocked/, "nor the token endpoint's");
  assert.deepEqual(await state(), before, JSON.stringify(results));
  // The mock saw the writes and refused them (the control plane is not journaled, so ask the
  // server's own answer to the same requests a browser sends).
  const refused = await fetch(mock + "/__admin/clock", {
    method: "POST",
    headers: { "content-type": "text/plain", origin: attackerUrl.slice(0, -1), "sec-fetch-site": "same-site" },
    body: '{"advance": "3650d"}',
  });
  assert.equal(refused.status, 403);
});

test("a scenario answer that says text/html runs no script in the browser", async () => {
  const before = await state();
  const planted = await admin("POST", "/__admin/scenarios", {
    name: "html-page",
    rules: [{
      name: "page",
      when: { path: "/page" },
      then: {
        respond: {
          status: 200,
          headers: { "content-type": "text/html" },
          body: "<title>untouched</title><script>document.title = 'ran'; fetch('/__admin/clock', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({advance: '3650d'})});</script>",
        },
      },
    }],
  });
  assert.equal(planted.status, 201, JSON.stringify(planted.body));
  const page = await browser.newPage();
  const resp = await page.goto(mock + "/page");
  assert.equal(resp.headers()["content-security-policy"], "sandbox");
  // An inline script runs while the page is parsed, before `goto` returns on its load.
  assert.notEqual(await page.title(), "ran", "the page's script ran");
  await page.close();
  const after = await state();
  assert.equal(after.now, before.now, "the clock did not move");
  assert.equal((await admin("DELETE", "/__admin/scenarios/html-page")).status, 204);
});

test("the mock reached under a foreign name (DNS rebinding) refuses", async () => {
  const page = await browser.newPage();
  const resp = await page.goto(`http://${REBOUND}:${mockPort}/__admin/orgs/default/export`);
  assert.equal(resp.status(), 421);
  const body = await resp.text();
  assert.ok(!body.includes("mock-client-secret"), body);
  assert.equal((await page.goto(`http://${REBOUND}:${mockPort}/__admin/ui`)).status(), 421);
  await page.close();
  // The same, without a browser: a request with a foreign Host.
  const status = await new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port: mockPort, path: "/__admin/health", headers: { host: "evil.example" } }, (res) => {
      res.resume();
      ok(res.statusCode);
    });
    req.on("error", fail);
    req.end();
  });
  assert.equal(status, 421);
  // Under its own address it still answers.
  assert.equal((await fetch(mock + "/__admin/health")).status, 200);
});
