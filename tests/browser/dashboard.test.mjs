// The dashboard in a real headless Chromium (Debian's), against the real binary with an admin
// token, a scenario and a frozen clock, after a scripted client's traffic.
//
// GSM_BIN       the genesys-scim-mock binary (required)
// CHROMIUM      the browser (default /usr/bin/chromium)
// ARTIFACTS     where screenshots go (default ../../target/ci/artifacts)
// DOCS_SHOT     also write the README's picture here (e.g. ../../docs/images/dashboard.png)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS, waitForFile } from "./harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.GSM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = resolve(process.env.ARTIFACTS || join(HERE, "../../target/ci/artifacts"));
const ADMIN_TOKEN = "dash-admin-token-7f3c";
/** Small enough that the last test fills it quickly, large enough for the scripted traffic. */
const JOURNAL_SIZE = 400;
const FLAGS = CHROMIUM_FLAGS;

let server;
let base;
let scratch;
let context;
let page;
const urls = [];
const unauthorised = [];

async function call(method, path, { token, body, type, basic } = {}) {
  const headers = {};
  if (token) headers.authorization = "Bearer " + token;
  if (basic) headers.authorization = "Basic " + Buffer.from(basic).toString("base64");
  if (body !== undefined) headers["content-type"] = type || "application/scim+json";
  const resp = await fetch(base + path, { method, headers, body: typeof body === "string" ? body : body && JSON.stringify(body) });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null };
}

/** What a provisioning client does: token, create, a patch the scenario fails once, retry, list. */
async function scriptedClient() {
  const tok = await call("POST", "/oauth/token", { basic: "mock-client-id:mock-client-secret", body: "grant_type=client_credentials", type: "application/x-www-form-urlencoded" });
  assert.equal(tok.status, 200);
  const t = tok.body.access_token;
  const ada = await call("POST", "/api/v2/scim/v2/Users", {
    token: t,
    body: {
      userName: "ada@example.com",
      displayName: "Ada Lovelace",
      emails: [{ type: "work", value: "ada@work.example.com" }],
      password: "hunter2-never-shown",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { division: "Sales", department: "Analytical Engines" },
    },
  });
  assert.equal(ada.status, 201);
  const patch = { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "title", value: "Countess" }] };
  assert.equal((await call("PATCH", "/api/v2/scim/v2/Users/" + ada.body.id, { token: t, body: patch })).status, 503);
  assert.equal((await call("PATCH", "/api/v2/scim/v2/Users/" + ada.body.id, { token: t, body: patch })).status, 200);
  assert.equal((await call("GET", "/api/v2/scim/v2/Users?filter=" + encodeURIComponent('userName eq "ada@example.com"'), { token: t })).status, 200);
  assert.equal((await call("GET", "/api/v2/scim/v2/Users?filter=" + encodeURIComponent('title co "Count"'), { token: t })).status, 400);
  // Over Genesys' documented page size: the client report's page-size rule finds it.
  assert.equal((await call("GET", "/api/v2/scim/v2/Users?count=100", { token: t })).status, 200);
  return ada.body.id;
}

before(async () => {
  assert.ok(BIN, "GSM_BIN must name the genesys-scim-mock binary");
  assert.ok(existsSync(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium");
  mkdirSync(ARTIFACTS, { recursive: true });
  scratch = mkdtempSync(join(tmpdir(), "gsm-browser-"));
  const scenario = join(scratch, "scenario.json");
  writeFileSync(scenario, JSON.stringify({
    name: "flaky-patch",
    rules: [{ name: "fail-first-patch", when: { route: "users.patch" }, trigger: { firstN: { n: 1 } }, then: { respond: { status: 503 } } }],
  }));
  const portFile = join(scratch, "port");
  server = spawn(BIN, [
    "serve", "--bind", "127.0.0.1:0", "--port-file", portFile, "--seed", "7",
    "--admin-token", ADMIN_TOKEN, "--scenario", scenario, "--clock", "frozen:2026-12-01T09:00:00Z",
    "--journal-size", String(JOURNAL_SIZE),
  ], { stdio: ["ignore", "ignore", "inherit"] });
  base = "http://" + (await waitForFile(portFile, 10_000)).trim();
  await scriptedClient();
  context = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 860 },
  });
  page = context.pages()[0] || (await context.newPage());
  page.on("request", (r) => {
    urls.push(r.url());
    if (new URL(r.url()).pathname.startsWith("/__admin/") && !new URL(r.url()).pathname.startsWith("/__admin/ui") && r.headers()["authorization"] !== "Bearer " + ADMIN_TOKEN) {
      unauthorised.push(r.url());
    }
  });
});

after(async () => {
  if (context) await context.close();
  if (server) server.kill();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function shot(name) {
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}

test("the page asks for the admin token and sends it only as a header", async () => {
  await page.goto(base + "/__admin/ui");
  const dialog = page.locator("#token-dialog");
  await dialog.waitFor({ state: "visible", timeout: 10_000 });
  await page.fill("#token-input", ADMIN_TOKEN);
  await page.click("#token-ok");
  await page.locator("#journal-rows tr.row").first().waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("#live").textContent(), "live");
  // Before the token was given the page's first call went without it (and got 401): from
  // here on, every admin call must carry it.
  unauthorised.length = 0;
});

test("the journal shows the client's requests with status, latency and the rule that fired", async () => {
  const rows = page.locator("#journal-rows tr.row");
  // token, create, two patches, two lists (the page's own admin calls are not journalled).
  assert.ok((await rows.count()) >= 6, "rows: " + (await rows.count()));
  const failed = page.locator("#journal-rows tr.row", { hasText: "fail-first-patch" });
  assert.equal(await failed.count(), 1);
  assert.match(await failed.textContent(), /PATCH.*users\.patch.*503/s);
  assert.match(await page.locator("#journal-rows tr.row", { hasText: "users.create" }).textContent(), /201/);
  assert.match(await page.locator("#journal-rows tr.row", { hasText: "oauth.token" }).textContent(), /200\d*\.\d/);
  // Expanded: the redacted request and the response.
  await page.locator("#journal-rows tr.row", { hasText: "users.create" }).click();
  const detail = page.locator("tr.detail pre.request");
  await detail.waitFor();
  const request = await detail.textContent();
  assert.match(request, /ada@example\.com/);
  assert.match(request, /authorization: <redacted>/i);
  assert.match(request, /"password": "<redacted>"/);
  assert.doesNotMatch(request, /hunter2/, "the journal redacts the SCIM password");
  assert.match(await page.locator("tr.detail pre.response").textContent(), /HTTP 201/);
  await shot("dashboard-journal.png");
});

test("a user's SCIM view and Genesys form are side by side", async () => {
  await page.click("#tabs button[data-tab=users]");
  await page.fill("#users-q", "ada");
  // The search narrows the list to her (the default org has five others).
  await page.waitForFunction(() => document.querySelectorAll("#users-rows tr.row").length === 1, null, { timeout: 5_000 });
  const row = page.locator("#users-rows tr.row", { hasText: "ada@example.com" });
  await row.click();
  await page.locator("#user-detail").waitFor({ state: "visible" });
  const scim = await page.locator("#user-scim").textContent();
  const genesys = await page.locator("#user-genesys").textContent();
  assert.match(scim, /"userName": "ada@example.com"/);
  assert.match(scim, /"title": "Countess"/);
  assert.match(scim, /"division": "Sales"/);
  assert.match(genesys, /"email": "ada@example.com"/);
  assert.match(genesys, /"divisionName": "Sales"/);
  assert.match(genesys, /"department": "Analytical Engines"/);
  assert.doesNotMatch(scim + genesys, /hunter2/, "the password is never shown");
  await shot("dashboard-user.png");
});

test("a group's SCIM view and Genesys form are side by side", async () => {
  await page.click("#tabs button[data-tab=groups]");
  await page.fill("#groups-q", "support");
  await page.waitForFunction(() => document.querySelectorAll("#groups-rows tr.row").length === 1, null, { timeout: 5_000 });
  await page.locator("#groups-rows tr.row", { hasText: "Support Team" }).click();
  await page.locator("#group-detail").waitFor({ state: "visible" });
  assert.match(await page.locator("#group-scim").textContent(), /"displayName": "Support Team"/);
  const genesys = await page.locator("#group-genesys").textContent();
  assert.match(genesys, /"visibility": "public"/);
  assert.match(genesys, /"members": \[\s*"a1b2c3d4-0003-4000-8000-000000000003"/);
  await shot("dashboard-group.png");
});

test("the report's findings link to their journal entries", async () => {
  await page.click("#tabs button[data-tab=report]");
  const finding = page.locator("#findings li[data-rule=page-size]");
  await finding.waitFor({ timeout: 5_000 });
  assert.match(await finding.textContent(), /count/i);
  await shot("dashboard-findings.png");
  const link = finding.locator("a.entry-link").first();
  const seq = Number(await link.getAttribute("data-seq"));
  assert.ok(seq > 0);
  await link.click();
  // The journal opens on that entry, expanded.
  await page.locator("#tab-journal").waitFor({ state: "visible" });
  const row = page.locator("#entry-" + seq);
  await row.waitFor();
  assert.match(await row.textContent(), /count=100/);
  assert.match(await page.locator("#detail-" + seq + " pre.request").textContent(), /count=100/);
  await shot("dashboard-report.png");
});

test("the clock advances from the page", async () => {
  assert.match(await page.locator("#clock-now").textContent(), /^2026-12-01T09:00:00/);
  await page.click("button[data-advance='1h']");
  await page.waitForFunction(() => document.getElementById("clock-now").textContent.startsWith("2026-12-01T10:00:00"), null, { timeout: 5_000 });
  const clock = await call("GET", "/__admin/clock", { token: ADMIN_TOKEN });
  assert.match(clock.body.now, /^2026-12-01T10:00:00/);
  assert.equal(clock.body.frozen, true);
});

test("scenarios show their counters and state", async () => {
  await page.click("#tabs button[data-tab=scenarios]");
  const s = page.locator(".scenario", { hasText: "flaky-patch" });
  await s.waitFor();
  assert.match(await s.textContent(), /fail-first-patch\s*2\s*1/);
});

test("new requests appear without a reload, and the token never reached a URL", async () => {
  await page.click("#tabs button[data-tab=journal]");
  // Back to the newest page (the report link opened the page that starts at its entry).
  if (await page.locator("#journal-newer").isEnabled()) await page.click("#journal-newer");
  await page.waitForFunction(() => document.getElementById("live").textContent === "live");
  const before = await page.locator("#journal-rows tr.row").count();
  const tok = await call("POST", "/oauth/token", { basic: "mock-client-id:mock-client-secret", body: "grant_type=client_credentials", type: "application/x-www-form-urlencoded" });
  assert.equal(tok.status, 200);
  await page.waitForFunction((n) => document.querySelectorAll("#journal-rows tr.row").length > n, before, { timeout: 5_000 });
  // The picture: only the scripted 503 opened (its body has no secrets to show).
  for (const id of await page.locator("tr.detail").evaluateAll((rows) => rows.map((r) => r.id))) {
    await page.click("#entry-" + id.slice("detail-".length));
  }
  await page.waitForFunction(() => document.querySelectorAll("tr.detail").length === 0);
  await page.locator("#journal-rows tr.row", { hasText: "fail-first-patch" }).click();
  await page.locator("tr.detail pre.response", { hasText: "HTTP 503" }).waitFor();
  assert.equal(await page.locator("tr.detail").count(), 1);
  await shot("dashboard.png");
  if (process.env.DOCS_SHOT) copyFileSync(join(ARTIFACTS, "dashboard.png"), resolve(process.env.DOCS_SHOT));
  assert.ok(urls.length > 5);
  assert.deepEqual(urls.filter((u) => u.includes(ADMIN_TOKEN)), []);
  assert.deepEqual(unauthorised, [], "every admin call carried the token");
  assert.deepEqual(urls.filter((u) => !u.startsWith(base)), [], "no external asset");
});

test("a full journal stays a page of rows, with older pages behind it", async () => {
  const tok = await call("POST", "/oauth/token", { basic: "mock-client-id:mock-client-secret", body: "grant_type=client_credentials", type: "application/x-www-form-urlencoded" });
  // 250 requests on this token (under the 300-per-minute limit) and as many token requests:
  // the journal overflows and starts dropping.
  const jobs = [];
  for (let i = 0; i < 250; i++) {
    jobs.push(call("GET", "/api/v2/scim/v2/Users?count=1&startIndex=" + (i + 1), { token: tok.body.access_token }));
    jobs.push(call("POST", "/oauth/token", { basic: "mock-client-id:mock-client-secret", body: "grant_type=client_credentials", type: "application/x-www-form-urlencoded" }));
  }
  for (const r of await Promise.all(jobs)) assert.ok(r.status === 200, "status " + r.status);
  await page.waitForFunction(() => /dropped/.test(document.getElementById("journal-info").textContent), null, { timeout: 5_000 });
  assert.match(await page.locator("#journal-info").textContent(), new RegExp(JOURNAL_SIZE + " held of " + JOURNAL_SIZE));
  assert.equal(await page.locator("#journal-rows tr").count(), 50, "one page of rows, not the journal");
  const top = Number(await page.locator("#journal-rows tr.row").first().getAttribute("data-seq"));
  await page.click("#journal-older");
  await page.waitForFunction((t) => Number(document.querySelector("#journal-rows tr.row").dataset.seq) === t - 50, top, { timeout: 5_000 });
  assert.equal(await page.locator("#live").textContent(), "paused (older page)");
  assert.equal(await page.locator("#journal-rows tr").count(), 50);
  await page.click("#journal-newer");
  await page.waitForFunction(() => document.getElementById("live").textContent === "live");
});
