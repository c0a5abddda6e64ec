// The genesys-scim-mock dashboard. Plain script, no build step, no dependencies.
//
// Everything comes from the documented admin endpoints. Data is only ever put on the page as
// text (textContent), never as markup: journal bodies are whatever a client sent. The admin
// token lives in this tab's sessionStorage and travels only in the Authorization header.
"use strict";

const TOKEN_KEY = "gsm-admin-token";
const POLL_MS = 1500;
const PAGE = 50;
const LIST_PAGE = 25;

const $ = (id) => document.getElementById(id);

/** Builds an element: el("td", {class: "x"}, "text", child). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function pretty(v) {
  return v === undefined ? "" : JSON.stringify(v, null, 2);
}

// ---- the admin API ----

class Unauthorized extends Error {}

async function api(path, options) {
  const opts = options || {};
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, {
    method: opts.method || "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    cache: "no-store",
    credentials: "omit",
  });
  if (resp.status === 401) {
    askToken();
    throw new Unauthorized("the admin API wants its token");
  }
  if (opts.allow404 && resp.status === 404) return null;
  const text = await resp.text();
  const body = text ? JSON.parse(text) : null;
  if (!resp.ok) throw new Error((body && body.message) || resp.status + " " + resp.statusText);
  return body;
}

function askToken() {
  const d = $("token-dialog");
  if (!d.open) {
    $("token-input").value = "";
    d.showModal();
    $("token-input").focus();
  }
}

function useToken() {
  const t = $("token-input").value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
  $("token-dialog").close();
  refreshAll();
}

// ---- state ----

const state = {
  tab: "journal",
  org: null,
  journal: { gen: 0, before: null, newer: [], q: "", expanded: new Set(), details: new Map(), focus: null, lastTop: null },
  users: { gen: 0, q: "", offset: 0, deleted: false, selected: null, total: 0 },
  groups: { gen: 0, q: "", offset: 0, selected: null, total: 0 },
  frozen: false,
};

function setLive(text, kind) {
  const l = $("live");
  l.textContent = text;
  l.className = "live" + (kind ? " " + kind : "");
}

// ---- clock ----

async function refreshClock() {
  const c = await api("/__admin/clock");
  $("clock-now").textContent = c.now;
  $("clock-mode").textContent = c.frozen ? "frozen" : "running";
  $("clock-freeze").textContent = c.frozen ? "resume" : "freeze";
  state.frozen = c.frozen;
}

async function clockCommand(body) {
  await api("/__admin/clock", { method: "POST", body });
  await refreshClock();
}

// ---- orgs ----

async function refreshOrgs() {
  const { orgs } = await api("/__admin/orgs");
  const select = $("org");
  if (state.org === null || !orgs.includes(state.org)) state.org = orgs.includes("default") ? "default" : orgs[0] || null;
  select.replaceChildren(...orgs.map((o) => el("option", { value: o, selected: o === state.org }, o)));
  $("orgs").replaceChildren(
    ...orgs.map((o) =>
      el("li", {}, el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); chooseOrg(o); showTab("users"); } }, o)),
    ),
  );
}

function chooseOrg(o) {
  state.org = o;
  $("org").value = o;
  state.users.offset = 0;
  state.users.selected = null;
  state.groups.offset = 0;
  state.groups.selected = null;
  refreshTab();
}

// ---- journal ----

function statusClass(s) {
  return "status s" + String(s).charAt(0);
}

async function refreshJournal() {
  const j = state.journal;
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (j.before !== null) params.set("before", String(j.before));
  if (j.q) params.set("q", j.q);
  const gen = ++j.gen;
  const page = await api("/__admin/timeline?" + params);
  if (gen !== j.gen) return;
  const rows = [];
  for (const r of page.rows) {
    const tr = el(
      "tr",
      { id: "entry-" + r.seq, class: "row" + (j.focus === r.seq ? " focus" : ""), "data-seq": r.seq, onclick: () => toggleEntry(r.seq) },
      el("td", { class: "mono" }, r.seq),
      el("td", { class: "mono" }, (r.timestamp || "").replace("T", " ").replace("Z", "")),
      el("td", { class: "mono" }, r.method),
      el("td", { class: "mono path" }, r.path + (r.query ? "?" + r.query : "")),
      el("td", { class: "mono" }, r.route),
      el("td", { class: statusClass(r.status), title: missingText(r.missingPermissions) }, statusText(r)),
      el("td", { class: "mono" }, Number(r.durationMs).toFixed(1)),
      el("td", { class: "rule" }, r.rule ? (r.scenario ? r.scenario + " / " : "") + r.rule : ""),
    );
    rows.push(tr);
    if (j.expanded.has(r.seq)) rows.push(detailRow(r.seq));
  }
  $("journal-rows").replaceChildren(...rows);
  const stats = page.journal;
  $("journal-info").textContent =
    (page.rows.length ? "#" + page.rows[page.rows.length - 1].seq + "–#" + page.rows[0].seq : "no entries") +
    " · " + stats.held + " held of " + stats.capacity + (stats.dropped ? " · " + stats.dropped + " dropped" : "");
  $("journal-older").disabled = !page.hasOlder;
  $("journal-newer").disabled = j.before === null;
  j.lastTop = page.rows.length ? page.rows[0].seq : null;
  j.lastBottom = page.rows.length ? page.rows[page.rows.length - 1].seq : null;
  if (j.before === null) setLive("live", "");
  else setLive("paused (older page)", "paused");
}

/** The permissions a refused request lacked, as one line ("" when none). */
function missingText(perms) {
  return perms && perms.length ? "missing any of: " + perms.join(", ") : "";
}

/** A row's status cell: the status, the fault below it, or the permission it lacked. */
function statusText(r) {
  if (r.fault) return r.status + " " + r.fault;
  if (r.missingPermissions && r.missingPermissions.length) return r.status + " needs " + r.missingPermissions.join(" | ");
  return r.status;
}

/** A body as sent, or pretty-printed when it is JSON. */
function bodyText(text) {
  if (!text) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function detailRow(seq) {
  const d = state.journal.details.get(seq);
  const td = el("td", { colspan: 8 });
  if (!d) td.append("loading…");
  else if (d.missing) td.append("This entry is no longer in the journal.");
  else {
    const head = d.headers.map(([k, v]) => k + ": " + v).join("\n");
    const request = d.method + " " + d.path + (d.query ? "?" + d.query : "") + "\n" + head + "\n\n" + bodyText(d.body) + (d.bodyTruncated ? "\n… (truncated)" : "");
    const response = "HTTP " + d.status + (d.retryAfter ? "\nRetry-After: " + d.retryAfter : "") + (d.fault ? "\nfault: " + d.fault : "") + (d.missingPermissions ? "\n" + missingText(d.missingPermissions) : "") + "\n\n" + (d.responseBody === null || d.responseBody === undefined ? "(no buffered body)" : bodyText(d.responseBody));
    td.append(
      el("div", { class: "exchange" },
        el("div", {}, el("h4", {}, "request (redacted)"), el("pre", { class: "request" }, request)),
        el("div", {}, el("h4", {}, "response · " + (d.correlationId || "")), el("pre", { class: "response" }, response)),
      ),
    );
  }
  return el("tr", { class: "detail", id: "detail-" + seq }, td);
}

async function toggleEntry(seq) {
  const j = state.journal;
  if (j.expanded.has(seq)) {
    j.expanded.delete(seq);
  } else {
    j.expanded.add(seq);
    if (!j.details.has(seq)) {
      const found = await api("/__admin/requests?seq=" + seq);
      j.details.set(seq, found.requests[0] || { missing: true });
    }
  }
  await refreshJournal();
}

/** Shows one entry: the page that starts with it, expanded and highlighted. */
async function gotoEntry(seq) {
  const j = state.journal;
  j.newer = [];
  j.before = seq + 1;
  j.q = "";
  $("journal-q").value = "";
  j.focus = seq;
  showTab("journal");
  if (!j.expanded.has(seq)) await toggleEntry(seq);
  else await refreshJournal();
  const row = $("entry-" + seq);
  if (row) row.scrollIntoView({ block: "center" });
}

// ---- users and groups ----

/** The users and groups tabs: one searchable, paged list and the chosen record's two forms. */
const lists = {
  users: {
    path: "users",
    cells: (r) => [el("td", { class: "mono" }, r.userName), el("td", {}, r.displayName), el("td", {}, r.state)],
    params: (p) => { if (state.users.deleted) p.set("deleted", "true"); },
    forms: (r) => [r.scim ? pretty(r.scim) : "(deleted: SCIM answers 404)", pretty(r.genesys)],
  },
  groups: {
    path: "groups",
    cells: (r) => [el("td", {}, r.name), el("td", {}, r.visibility), el("td", { class: "mono" }, r.memberCount)],
    params: () => {},
    forms: (r) => {
      const more = r.memberCount > r.membersShown ? "\n(first " + r.membersShown + " of " + r.memberCount + " members)" : "";
      return [r.scim ? pretty(r.scim) + more : "(not visible to SCIM: visibility " + r.visibility + ")", pretty(r.genesys) + more];
    },
  },
};

async function refreshList(kind) {
  const view = lists[kind];
  const s = state[kind];
  if (!state.org) return;
  const params = new URLSearchParams({ offset: String(s.offset), limit: String(LIST_PAGE) });
  if (s.q) params.set("q", s.q);
  view.params(params);
  const gen = ++s.gen;
  const page = await api("/__admin/orgs/" + encodeURIComponent(state.org) + "/" + view.path + "?" + params);
  // A poll that left before the search changed may answer after it: show only the newest.
  if (gen !== s.gen) return;
  const records = page[kind];
  s.total = page.total;
  const shown = records.find((r) => r.id === s.selected);
  $(kind + "-rows").replaceChildren(
    ...records.map((r) =>
      el("tr", { class: "row" + (r.id === s.selected ? " selected" : ""), "data-id": r.id, onclick: () => { s.selected = r.id; refreshList(kind); } }, ...view.cells(r)),
    ),
  );
  $(kind + "-info").textContent = listInfo(page.offset, records.length, page.total);
  $(kind + "-prev").disabled = s.offset === 0;
  $(kind + "-next").disabled = s.offset + LIST_PAGE >= page.total;
  const one = kind === "users" ? "user" : "group";
  $(one + "-detail").hidden = !shown;
  if (shown) {
    const [scim, genesys] = view.forms(shown);
    $(one + "-scim").textContent = scim;
    $(one + "-genesys").textContent = genesys;
  }
}

function listInfo(offset, n, total) {
  return n ? offset + 1 + "–" + (offset + n) + " of " + total : "none of " + total;
}

// ---- report ----

async function refreshReport() {
  const params = new URLSearchParams();
  if (state.org) params.set("org", state.org);
  const report = await api("/__admin/report?" + params, { allow404: true });
  if (report === null) {
    $("report-info").textContent = "This server has no report endpoint.";
    $("findings").replaceChildren();
    return;
  }
  const sum = report.summary || {};
  const scope = report.scope || {};
  $("report-info").textContent =
    (sum.findings || 0) + " finding" + (sum.findings === 1 ? "" : "s") +
    " · rules: " + (sum.passed || 0) + " passed, " + (sum.failed || 0) + " failed" +
    (sum.notApplicable ? ", " + sum.notApplicable + " not applicable" : "") +
    " · " + (scope.examined || 0) + " requests examined" + (scope.dropped ? ", " + scope.dropped + " dropped from the journal" : "");
  const items = [];
  for (const rule of report.rules || []) {
    for (const f of rule.findings || []) {
      const links = (f.entries || []).map((e) =>
        el("a", { href: "#entry-" + e.seq, class: "entry-link", "data-seq": e.seq, title: e.method + " " + e.target + " → " + e.status, onclick: (ev) => { ev.preventDefault(); gotoEntry(e.seq); } }, "#" + e.seq),
      );
      if (f.moreEntries) links.push(el("span", { class: "muted" }, " +" + f.moreEntries + " more"));
      items.push(
        el("li", { class: String(rule.severity || "info").toLowerCase(), "data-rule": rule.id },
          el("span", { class: "level" }, rule.severity),
          el("strong", {}, rule.id),
          " ",
          el("span", {}, f.message),
          ...links,
          rule.hint ? el("div", { class: "muted hint" }, rule.hint) : null,
        ),
      );
    }
  }
  if (!items.length) items.push(el("li", { class: "info" }, "No findings: every rule that could run passed."));
  $("findings").replaceChildren(...items);
}

// ---- scenarios ----

async function refreshScenarios() {
  const { scenarios } = await api("/__admin/scenarios");
  if (!scenarios.length) {
    $("scenarios").replaceChildren(el("p", { class: "muted" }, "No scenarios loaded (--scenario or POST /__admin/scenarios)."));
    return;
  }
  $("scenarios").replaceChildren(
    ...scenarios.map((s) =>
      el("div", { class: "scenario" },
        el("h3", {}, s.name, " ", el("span", { class: "badge" }, "state: " + s.state)),
        el("table", { class: "rows" },
          el("thead", {}, el("tr", {}, el("th", {}, "rule"), el("th", {}, "matched"), el("th", {}, "fired"))),
          el("tbody", {}, ...s.rules.map((r) => el("tr", {}, el("td", { class: "rule" }, r.name), el("td", { class: "mono" }, r.matched), el("td", { class: "mono" }, r.hits)))),
        ),
      ),
    ),
  );
}

// ---- tabs and polling ----

function showTab(name) {
  state.tab = name;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + name;
  refreshTab();
}

const views = {
  journal: refreshJournal,
  users: () => refreshList("users"),
  groups: () => refreshList("groups"),
  report: refreshReport,
  scenarios: refreshScenarios,
  orgs: refreshOrgs,
};

async function guarded(f) {
  try {
    await f();
  } catch (e) {
    if (e instanceof Unauthorized) setLive("needs token", "off");
    else setLive("error: " + e.message, "off");
  }
}

function refreshTab() {
  return guarded(views[state.tab]);
}

function refreshAll() {
  return guarded(async () => {
    await refreshOrgs();
    await refreshClock();
    await views[state.tab]();
  });
}

let polling = false;
async function poll() {
  if (polling || document.hidden || $("token-dialog").open) return;
  polling = true;
  try {
    await guarded(async () => {
      await refreshClock();
      // Older journal pages hold still; the report is computed on demand.
      if (state.tab === "journal" && state.journal.before !== null) return;
      if (state.tab !== "report") await views[state.tab]();
    });
  } finally {
    polling = false;
  }
}

function debounce(f, ms) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => f(...a), ms); };
}

function wire() {
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  for (const b of document.querySelectorAll("[data-advance]")) b.addEventListener("click", () => guarded(() => clockCommand({ advance: b.dataset.advance })));
  $("clock-freeze").addEventListener("click", () => guarded(() => clockCommand(state.frozen ? { resume: true } : { freeze: true })));
  $("org").addEventListener("change", (e) => chooseOrg(e.target.value));
  $("token-button").addEventListener("click", askToken);
  $("token-ok").addEventListener("click", useToken);
  $("token-cancel").addEventListener("click", () => $("token-dialog").close());
  $("token-input").addEventListener("keydown", (e) => { if (e.key === "Enter") useToken(); });

  const j = state.journal;
  $("journal-q").addEventListener("input", debounce((e) => { j.q = e.target.value.trim(); j.before = null; j.newer = []; guarded(refreshJournal); }, 250));
  $("journal-older").addEventListener("click", () => {
    if (j.lastBottom === null) return;
    j.newer.push(j.before);
    j.before = j.lastBottom;
    guarded(refreshJournal);
  });
  $("journal-newer").addEventListener("click", () => {
    j.before = j.newer.length ? j.newer.pop() : null;
    j.focus = null;
    guarded(refreshJournal);
  });

  for (const kind of ["users", "groups"]) {
    const s = state[kind];
    const again = () => guarded(() => refreshList(kind));
    $(kind + "-q").addEventListener("input", debounce((e) => { s.q = e.target.value.trim(); s.offset = 0; again(); }, 250));
    $(kind + "-prev").addEventListener("click", () => { s.offset = Math.max(0, s.offset - LIST_PAGE); again(); });
    $(kind + "-next").addEventListener("click", () => { s.offset += LIST_PAGE; again(); });
  }
  $("users-deleted").addEventListener("change", (e) => { state.users.deleted = e.target.checked; state.users.offset = 0; guarded(() => refreshList("users")); });

  $("report-refresh").addEventListener("click", () => guarded(refreshReport));
  document.addEventListener("visibilitychange", poll);
}

wire();
refreshAll();
setInterval(poll, POLL_MS);
