// accessgraph serve: the pages. Every value from the snapshot is put in
// the page as text (textContent, attributes), never parsed as HTML.
"use strict";

const main = () => document.getElementById("main");

/** An element: attributes (on* never), then children (strings become text) */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svgEl(tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function link(href, text) {
  return el("a", { href, onclick: (ev) => { if (ev.ctrlKey || ev.metaKey) return; ev.preventDefault(); go(href); } }, text);
}

const enc = encodeURIComponent;

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  let body;
  try { body = await r.json(); } catch (_) { throw new Error(`${r.status} ${r.statusText}`); }
  if (!r.ok) throw new Error(body && body.error ? body.error.message : `${r.status}`);
  return body;
}

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
}

function failure(e) {
  return el("p", { class: "error", role: "alert" }, String(e.message || e));
}

function go(href) {
  history.pushState(null, "", href);
  route();
}

window.addEventListener("popstate", () => route());

// ---------------------------------------------------------------- who-can

const COLUMNS = [
  ["principal", "Principal", "principal"],
  ["via", "Via", null],
  ["permission_set", "Permission set", "permission_set"],
  ["account", "Account", "account"],
  ["decision", "Decision", "decision"],
  ["condition", "Condition (must hold)", null],
  ["actions", "Actions", null],
  ["deciding", "Deciding statement", null],
];

function questionParams(form) {
  const p = new URLSearchParams();
  for (const a of form.actions.value.split(/[\s,]+/).filter(Boolean)) p.append("action", a);
  if (form.resource.value.trim()) p.set("resource", form.resource.value.trim());
  for (const a of form.accounts.value.split(/[\s,]+/).filter(Boolean)) p.append("account", a);
  for (const c of form.context.value.split("\n").map((s) => s.trim()).filter(Boolean)) p.append("context", c);
  if (form.include_disabled.checked) p.set("include_disabled", "true");
  if (form.max_hops.value !== "") p.set("max_hops", form.max_hops.value);
  return p;
}

function whoCanPage(params) {
  const form = el("form", { class: "question", id: "who-can-form" },
    el("label", { for: "f-actions" }, "Actions"),
    el("input", { type: "text", id: "f-actions", name: "actions", placeholder: "s3:GetObject iam:Pass* (wildcards allowed)", value: params.getAll("action").join(" "), required: true }),
    el("label", { for: "f-resource" }, "Resource"),
    el("input", { type: "text", id: "f-resource", name: "resource", placeholder: "arn:aws:s3:::bucket/key (empty: some resource)", value: params.get("resource") || "" }),
    el("label", { for: "f-accounts" }, "Accounts"),
    el("input", { type: "text", id: "f-accounts", name: "accounts", placeholder: "ids, names or OUs (empty: all)", value: params.getAll("account").join(" ") }),
    el("label", { for: "f-context" }, "Context"),
    el("textarea", { id: "f-context", name: "context", rows: 2, placeholder: "aws:SourceIp=10.0.0.1 (one KEY=VALUE per line)" }, params.getAll("context").join("\n")),
    el("label", { for: "f-hops" }, "Role chains"),
    el("div", { class: "row" },
      el("input", { type: "number", id: "f-hops", name: "max_hops", min: 0, max: 10, value: params.get("max_hops") || "", placeholder: "3" }),
      el("label", {}, el("input", { type: "checkbox", name: "include_disabled", checked: params.get("include_disabled") === "true" }), " include disabled users")),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Who can?")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    go(`/who-can?${questionParams(form)}`);
  });
  const out = el("div", { id: "answer" });
  show(el("h1", {}, "Who can do what, where"), form, out);
  if (params.getAll("action").length) answer(out, params);
}

async function answer(out, params) {
  const view = { offset: Number(params.get("offset") || 0), limit: Number(params.get("limit") || 50), sort: params.get("sort") || "", order: params.get("order") || "asc", filter: params.get("filter") || "" };
  const question = new URLSearchParams();
  for (const k of ["action", "resource", "account", "context", "include_disabled", "max_hops"]) for (const v of params.getAll(k)) question.append(k, v);
  const load = async () => {
    const q = new URLSearchParams(question);
    q.set("offset", view.offset); q.set("limit", view.limit);
    if (view.sort) { q.set("sort", view.sort); q.set("order", view.order); }
    if (view.filter) q.set("filter", view.filter);
    history.replaceState(null, "", `/who-can?${q}`);
    out.replaceChildren(el("p", { class: "muted" }, "Evaluating…"));
    let page;
    try { page = await api(`/api/who-can?${q}`); } catch (e) { out.replaceChildren(failure(e)); return; }
    render(page);
  };
  const filter = el("input", { type: "search", id: "filter", placeholder: "Filter rows (user, account, set, group)", value: view.filter });
  filter.addEventListener("change", () => { view.filter = filter.value; view.offset = 0; load(); });
  const render = (page) => {
    const notes = (page.notes || []).map((n) => el("p", { class: "note" }, `note: ${n}`));
    const head = el("tr", {}, COLUMNS.map(([key, title, sort]) => {
      const mark = view.sort === sort && sort ? (view.order === "desc" ? " ▾" : " ▴") : "";
      return el("th", sort ? { class: "sortable", "data-sort": sort, onclick: () => { if (view.sort === sort) view.order = view.order === "asc" ? "desc" : "asc"; else { view.sort = sort; view.order = "asc"; } view.offset = 0; load(); } } : {}, title + mark);
    }));
    const body = el("tbody");
    let last = null;
    for (const r of page.rows) {
      if (r.principal !== last) {
        last = r.principal;
        const who = r.principal_type === "identity-center-user" ? link(`/users/${enc(r.principal)}`, r.principal) : r.principal;
        body.append(el("tr", { class: "group" }, el("td", { colspan: COLUMNS.length }, who, " ", el("span", { class: "muted" }, r.principal_type + (r.disabled ? " (disabled)" : "")))));
      }
      const ps = r.permission_set ? link(`/permission-sets/${enc(r.permission_set)}`, r.permission_set) : "-";
      body.append(el("tr", { "data-principal": r.principal },
        el("td", {}, ""),
        el("td", {}, r.via),
        el("td", {}, ps),
        el("td", {}, `${r.account_name} (${r.account_id})`),
        el("td", { class: `decision-${r.decision}` }, r.decision),
        el("td", { class: "cond" }, r.condition || ""),
        el("td", {}, r.actions.length > 3 ? `${r.actions.length} actions (${r.actions.slice(0, 2).join(", ")}, …)` : r.actions.join(", ")),
        el("td", { class: "deciding" }, r.deciding.join("; "))));
    }
    const from = page.total ? page.offset + 1 : 0;
    const to = Math.min(page.offset + page.limit, page.total);
    const csv = new URLSearchParams(question);
    const pager = el("div", { class: "toolbar" },
      el("span", { id: "count" }, `${page.total.toLocaleString()} row(s)` + ` for ${page.principals.toLocaleString()} principal(s)` + (page.filter ? ` matching “${page.filter}” of ${page.answer_total.toLocaleString()}` : "")),
      el("span", { class: "muted" }, page.total ? `showing ${from}–${to}` : ""),
      el("button", { class: "secondary", disabled: page.offset === 0, onclick: () => { view.offset = Math.max(0, view.offset - view.limit); load(); } }, "‹ Previous"),
      el("button", { class: "secondary", disabled: to >= page.total, onclick: () => { view.offset += view.limit; load(); } }, "Next ›"),
      filter,
      el("a", { href: `/api/who-can.csv?${csv}`, download: "who-can.csv" }, "Download CSV (whole answer)"));
    out.replaceChildren(...notes, pager, page.total ? el("table", { id: "rows" }, el("thead", {}, head), body) : el("p", { class: "empty", id: "nobody" }, "Nobody can."));
  };
  load();
}

// ---------------------------------------------------------------- portal

async function userPage(key) {
  let portal, user;
  try { [portal, user] = await Promise.all([api(`/api/users/${enc(key)}/portal`), api(`/api/users/${enc(key)}`)]); } catch (e) { show(failure(e)); return; }
  const title = user.display_name ? `${user.display_name} (${portal.user_name})` : portal.user_name;
  const accounts = new Map();
  for (const e of portal.entries) {
    if (!accounts.has(e.account_id)) accounts.set(e.account_id, { name: e.account_name, roles: [] });
    accounts.get(e.account_id).roles.push(e);
  }
  const accountsTab = el("div", { id: "tab-accounts" });
  if (!accounts.size) accountsTab.append(el("p", { class: "empty" }, "You do not have any AWS accounts assigned"));
  for (const [id, a] of accounts) {
    const whatCan = el("div", { class: "what-can" });
    const roles = el("div", { class: "roles" }, a.roles.map((r) => el("div", { class: "role" },
      link(`/permission-sets/${enc(r.role_name)}`, r.role_name),
      el("span", { class: "muted" }, `via ${r.via.join(", ")}`))),
      el("button", { class: "secondary", onclick: (ev) => { ev.target.disabled = true; whatCanOf(whatCan, portal.user_name, id); } }, "What can I do here?"), whatCan);
    accountsTab.append(el("details", { class: "account", "data-account": id }, el("summary", {}, el("strong", {}, a.name), el("span", { class: "id" }, `${id} · ${a.roles.length} role(s)`)), roles));
  }
  const appsTab = el("div", { id: "tab-applications", hidden: true },
    portal.applications.length
      ? el("ul", {}, portal.applications.map((x) => el("li", {}, x.name + " (" + (x.kind === "aws-managed" ? "AWS managed" : "custom") + "; " + x.via.join(", ") + ")")))
      : portal.applications_recorded
        ? el("p", { class: "empty" }, portal.applications_message)
        : el("p", { class: "muted" }, "This snapshot does not record Identity Center applications (format 1), so none are shown."));
  const tab = (id, label, panel, otherPanel) => el("button", { role: "tab", id, "aria-selected": id === "t-accounts" ? "true" : "false", onclick: (ev) => {
    panel.hidden = false; otherPanel.hidden = true;
    for (const b of ev.target.parentNode.children) b.setAttribute("aria-selected", b === ev.target ? "true" : "false");
  } }, label);
  const tabs = el("div", { class: "tabs", role: "tablist" }, tab("t-accounts", `AWS accounts (${accounts.size})`, accountsTab, appsTab), tab("t-apps", "Applications", appsTab, accountsTab));
  const status = portal.enabled ? "" : " — disabled: cannot sign in";
  show(el("div", { class: "portal" },
    el("h1", {}, title),
    el("p", { class: "muted" }, `Access portal: `, el("span", {}, portal.portal_url), status),
    el("p", {}, `Groups: ${user.groups.length ? user.groups.join(", ") : "none"}`,
      Object.keys(user.principal_tags).length ? ` · Principal tags: ${Object.entries(user.principal_tags).map(([k, v]) => `${k}=${v}`).join(", ")}` : ""),
    el("p", {}, link(`/users/${enc(portal.user_name)}/graph`, "Access graph"), " · ", el("a", { href: "#", onclick: async (ev) => { ev.preventDefault(); const p = await api(`/api/users/${enc(portal.user_name)}/profiles`); ev.target.replaceWith(el("pre", { id: "profiles" }, p.config)); } }, "~/.aws/config profiles")),
    tabs, accountsTab, appsTab));
}

async function whatCanOf(out, user, account) {
  out.replaceChildren(el("p", { class: "muted" }, "Evaluating the action catalog…"));
  let r;
  try { r = await api(`/api/what-can?who=${enc(user)}&account=${enc(account)}`); } catch (e) { out.replaceChildren(failure(e)); return; }
  if (!r.rows.length) { out.replaceChildren(el("p", { class: "muted" }, "Nothing allowed here.")); return; }
  out.replaceChildren(el("table", { class: "what-can-table" },
    el("thead", {}, el("tr", {}, ["Permission set", "Service", "Access level", "Allowed", "Conditional", "Of", "Conditions"].map((h) => el("th", {}, h)))),
    el("tbody", {}, r.rows.map((x) => el("tr", {},
      el("td", {}, x.permission_set + (x.admin_equivalent ? " (admin-equivalent)" : "")), el("td", {}, x.service), el("td", {}, x.access_level),
      el("td", {}, x.allowed), el("td", {}, x.conditional), el("td", {}, x.total), el("td", { class: "cond" }, x.conditions.join("; ")))))));
}

// ---------------------------------------------------------------- graph

const KINDS = [["user", "#0972d3"], ["group", "#7d3cbd"], ["permission-set", "#037f0c"], ["role", "#c05621"], ["account", "#5f6b7a"]];

async function graphPage(key) {
  let g;
  try { g = await api(`/api/users/${enc(key)}/graph`); } catch (e) { show(failure(e)); return; }
  // Columns: user, groups, permission sets, their roles, then roles reached
  // by chains (one column per hop), accounts last.
  const col = new Map();
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const base = { user: 0, group: 1, "permission-set": 2, role: 3 };
  for (const n of g.nodes) if (n.kind in base) col.set(n.id, base[n.kind]);
  for (const n of g.nodes) if (n.kind === "group") col.set(n.id, 1);
  // Chained roles: one column further than the role they are assumed from.
  for (let pass = 0; pass < 12; pass++) {
    for (const e of g.edges) if (e.style === "dashed" && col.has(e.from)) col.set(e.to, Math.max(col.get(e.to) || 0, col.get(e.from) + 1));
  }
  const last = Math.max(3, ...col.values()) + 1;
  for (const n of g.nodes) if (n.kind === "account") col.set(n.id, last);
  const columns = [];
  for (const n of g.nodes) { const c = col.get(n.id) || 0; (columns[c] = columns[c] || []).push(n); }
  const W = 240, H = 52, pad = 20, NW = 200, NH = 40;
  const pos = new Map();
  let height = 0;
  columns.forEach((list, c) => (list || []).forEach((n, i) => { pos.set(n.id, [pad + c * W, pad + i * H]); height = Math.max(height, pad + (i + 1) * H); }));
  const svg = svgEl("svg", { class: "graph", width: pad * 2 + (last + 1) * W - (W - NW), height: height + pad, role: "img", "aria-label": `Access graph of ${g.user_name}` });
  const color = Object.fromEntries(KINDS);
  const cut = (t, n) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);
  const named = (n) => (n.kind === "role" || n.kind === "permission-set" ? `${n.label} in ${n.detail}` : n.label);
  for (const e of g.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const [x1, y1] = [a[0] + NW, a[1] + NH / 2], [x2, y2] = [b[0], b[1] + NH / 2];
    const path = svgEl("path", { class: `edge ${e.style}`, d: `M${x1},${y1} C${x1 + 25},${y1} ${x2 - 25},${y2} ${x2},${y2}` }, svgEl("title", {}, `${named(byId.get(e.from))} → ${named(byId.get(e.to))}: ${e.label}`));
    svg.append(path);
  }
  for (const n of g.nodes) {
    const [x, y] = pos.get(n.id);
    const two = Boolean(n.detail) && n.kind !== "user";
    svg.append(svgEl("g", { "data-kind": n.kind, class: "node" },
      svgEl("title", {}, `${n.kind}: ${n.label}${n.detail ? `\n${n.detail}` : ""}`),
      svgEl("rect", { x, y, width: NW, height: NH, rx: n.kind === "user" ? 20 : 4, fill: "#fff", stroke: color[n.kind] || "#333", "stroke-width": 1.6 }),
      svgEl("text", { x: x + 8, y: y + (two ? 17 : 25), fill: "#16191f" }, cut(n.label, 26)),
      two ? svgEl("text", { x: x + 8, y: y + 32, fill: "#5f6b7a", "font-size": 11 }, cut(n.detail, 29)) : ""));
  }
  const legend = el("div", { class: "legend" }, KINDS.map(([k, c]) => { const s = el("span", {}, k); s.style.setProperty("--c", c); return s; }), el("span", { class: "muted" }, "dashed: sts:AssumeRole allowed by a trust policy"));
  show(el("h1", {}, `Access graph of `, link(`/users/${enc(g.user_name)}`, g.user_name)),
    el("p", { class: "muted" }, `${g.nodes.length} nodes, ${g.edges.length} edges: groups → assignments → permission sets → roles → role chains → accounts`),
    legend, el("div", { class: "graph-wrap" }, svg));
}

// ---------------------------------------------------------------- permission set

async function permissionSetPage(key) {
  let r;
  try { r = await api(`/api/permission-sets/${enc(key)}`); } catch (e) { show(failure(e)); return; }
  const ps = r.permission_set, s = r.summary || {};
  const docs = [];
  if (ps.aws_managed_policies.length) docs.push(el("h2", {}, "AWS managed policies"), el("ul", {}, ps.aws_managed_policies.map((a) => el("li", {}, a))));
  if (ps.customer_managed_policies.length) docs.push(el("h2", {}, "Customer managed policies"), el("ul", {}, ps.customer_managed_policies.map((c) => el("li", {}, `${c.path || "/"}${c.name}`))));
  if (ps.inline_policy) docs.push(el("h2", {}, "Inline policy"), el("pre", { id: "inline-policy" }, JSON.stringify(ps.inline_policy, null, 2)));
  docs.push(el("h2", {}, "Permissions boundary"), el("p", {}, ps.permissions_boundary ? JSON.stringify(ps.permissions_boundary) : "none"));
  show(el("h1", {}, ps.name),
    el("p", { class: "muted" }, ps.description || "", ps.description ? " · " : "", `session ${ps.session_duration}`, ps.relay_state ? ` · relay state ${ps.relay_state}` : ""),
    el("p", {}, `Privilege: ${s.privilege_level || "?"}${s.privilege_detail ? ` (${s.privilege_detail})` : ""}`, s.admin_equivalent ? el("span", { class: "badge high" }, " admin-equivalent") : ""),
    s.access_summary ? el("p", { class: "muted" }, s.access_summary) : "",
    ...docs,
    el("h2", {}, `Accounts assigned (${r.accounts.length})`), el("p", {}, r.accounts.map((a) => `${a.name} (${a.id})`).join(", ") || "none"),
    el("h2", {}, `Users reached (${r.users_reached.length})`), el("p", {}, r.users_reached.flatMap((u, i) => [i ? ", " : "", link(`/users/${enc(u.user_name)}`, u.user_name)])),
    el("h2", {}, `Lint findings (${r.lint.length})`), findingsTable(r.lint));
}

// ---------------------------------------------------------------- lint

function findingsTable(findings, docs) {
  if (!findings.length) return el("p", { class: "muted" }, "none");
  const byCode = new Map((docs || []).map((d) => [d.code, d]));
  return el("table", { id: "findings" }, el("thead", {}, el("tr", {}, ["Severity", "Code", "Subject", "Finding", "Fix"].map((h) => el("th", {}, h)))),
    el("tbody", {}, findings.map((f) => el("tr", {},
      el("td", {}, el("span", { class: `badge ${f.severity}` }, f.severity)),
      el("td", {}, byCode.has(f.code) ? el("details", {}, el("summary", {}, f.code), el("p", {}, `What: ${byCode.get(f.code).what}`), el("p", {}, `Why: ${byCode.get(f.code).why}`)) : f.code),
      el("td", {}, f.subject), el("td", {}, f.message), el("td", {}, f.fix)))));
}

async function lintPage() {
  let r;
  try { r = await api("/api/lint"); } catch (e) { show(failure(e)); return; }
  show(el("h1", {}, `Lint findings (${r.total})`), findingsTable(r.findings, r.codes));
}

// ---------------------------------------------------------------- search box and routing

function userSearch() {
  const input = document.getElementById("user-q");
  const box = document.getElementById("user-results");
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) { box.hidden = true; return; }
      try {
        const r = await api(`/api/users?q=${enc(q)}&limit=20`);
        box.replaceChildren(...r.users.map((u) => link(`/users/${enc(u.user_name)}`, `${u.user_name}${u.display_name ? ` — ${u.display_name}` : ""}${u.enabled ? "" : " (disabled)"}`)),
          r.total > r.users.length ? el("p", { class: "muted" }, `${r.total - r.users.length} more…`) : "",
          r.total ? "" : el("p", { class: "muted" }, "no user"));
        box.hidden = false;
      } catch (e) { box.replaceChildren(failure(e)); box.hidden = false; }
    }, 150);
  });
  document.getElementById("user-search").addEventListener("submit", (ev) => { ev.preventDefault(); const a = box.querySelector("a"); if (a) a.click(); });
  document.addEventListener("click", (ev) => { if (!box.contains(ev.target) && ev.target !== input) box.hidden = true; });
}

function route() {
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  params.delete("token");
  const seg = path.split("/").filter(Boolean).map(decodeURIComponent);
  document.getElementById("user-results").hidden = true;
  if (!seg.length || seg[0] === "who-can") whoCanPage(params);
  else if (seg[0] === "users" && seg.length === 2) userPage(seg[1]);
  else if (seg[0] === "users" && seg[2] === "graph") graphPage(seg[1]);
  else if (seg[0] === "permission-sets" && seg.length === 2) permissionSetPage(seg[1]);
  else if (seg[0] === "lint") lintPage();
  else show(failure(new Error(`no page ${path}`)));
}

const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

document.addEventListener("DOMContentLoaded", async () => {
  // Opened with ?token=: the server has set its cookie; keep the token out
  // of the address bar and the history.
  const url = new URL(location.href);
  if (url.searchParams.has("token")) {
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  userSearch();
  route();
  try {
    const i = await api("/api/info");
    document.getElementById("info").textContent = `${i.snapshot} · ${plural(i.users, "user", "users")} · ${plural(i.accounts, "account", "accounts")} · ${plural(i.permission_sets, "permission set", "permission sets")}`;
  } catch (_) { /* shown by the page */ }
});
