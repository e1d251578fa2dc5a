// `accessgraph serve` in a real browser: Debian's Chromium driven by
// playwright-core. scripts/test-browser.sh starts one server per snapshot
// and passes their URLs: COOKBOOK_URL, ACME_URL, XSS_URL (the cookbook with
// a user whose display name is an HTML payload). SCREENSHOTS=DIR saves a
// picture of each page there (the README's).
//
// The expected answers are worked out from the fixtures, not from the
// tool: each `why` says how.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const { COOKBOOK_URL, ACME_URL, XSS_URL, TOKEN_URL, SCREENSHOTS } = process.env;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
let browser;

before(async () => {
  browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
});
after(async () => { await browser?.close(); });

/** A page that fails the test on any script error, dialog or CSP violation */
async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  return { page, problems };
}

async function shot(page, name) {
  if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

test("who-can on the cookbook: awsseccbadmin1 via awsseccbadmins with AdministratorAccess", async () => {
  // why: the cookbook's only assignment is GROUP awsseccbadmins ->
  // AdministratorAccess on aws-sec-cookbook-1, and awsseccbadmin1 is its
  // only member; AdministratorAccess allows "*" and no SCP applies. The
  // IAM data adds the two OrganizationAccountAccessRole roles (each with
  // the AdministratorAccess managed policy): 3 rows, 3 principals.
  const { page, problems } = await open(`${COOKBOOK_URL}/`);
  await page.fill("#f-actions", "s3:ListBucket");
  await page.click("#who-can-form button[type=submit]");
  const row = page.locator("#rows tbody tr[data-principal=awsseccbadmin1]");
  await row.first().waitFor();
  const cells = await row.first().locator("td").allTextContents();
  assert.equal(cells[1], "group:awsseccbadmins");
  assert.equal(cells[2], "AdministratorAccess");
  assert.match(cells[3], /^aws-sec-cookbook-1 \(\d{12}\)$/);
  assert.equal(cells[4], "allow");
  assert.match(await page.textContent("#count"), /^3 row\(s\) for 3 principal\(s\)/);
  assert.equal(await page.locator("#rows tbody tr[data-principal*=OrganizationAccountAccessRole]").count(), 2);
  // The question is in the URL: reloading shows the same answer.
  assert.match(page.url(), /action=s3%3AListBucket/);
  await page.reload();
  await page.locator("#rows tbody tr[data-principal=awsseccbadmin1]").first().waitFor();
  // The CSV link downloads the whole answer.
  const csvHref = await page.getAttribute("a[download]", "href");
  const csv = await (await page.request.get(new URL(csvHref, COOKBOOK_URL).href)).text();
  assert.equal(csv.trim().split("\n").length, 4, csv);
  assert.match(csv, /^principal,type,via,permission_set,account_id,account_name,decision,condition,actions,deciding\n/);
  await shot(page, "search");
  assert.deepEqual(problems, []);
});

test("the portal page of awsseccbadmin1: aws-sec-cookbook-1 / AdministratorAccess, no applications", async () => {
  // why: the portal lists every account/permission set the user is
  // assigned (here through awsseccbadmins), and the cookbook has no
  // applications, so the applications tab says so in the portal's words.
  const { page, problems } = await open(`${COOKBOOK_URL}/users/awsseccbadmin1`);
  const account = page.locator("details.account");
  await account.first().waitFor();
  assert.equal(await account.count(), 1);
  assert.match(await account.first().locator("summary").textContent(), /^aws-sec-cookbook-1/);
  await account.first().locator("summary").click();
  assert.equal(await account.first().locator(".role a").first().textContent(), "AdministratorAccess");
  assert.match(await account.first().locator(".role .muted").first().textContent(), /via group:awsseccbadmins/);
  await shot(page, "portal");
  await page.click("#t-apps");
  assert.equal(await page.locator("#tab-applications .empty").textContent(), "You do not have any applications");
  // The graph page draws user -> group -> permission set -> role -> account.
  await page.goto(`${COOKBOOK_URL}/users/awsseccbadmin1/graph`);
  await page.locator("svg.graph g.node").first().waitFor();
  const kinds = await page.locator("svg.graph g.node").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-kind")).sort());
  assert.deepEqual(kinds, ["account", "group", "permission-set", "role", "user"]);
  assert.deepEqual(problems, []);
});

test("an acme user with an ABAC-conditional grant shows the condition", async () => {
  // why: carlos.mendes is assigned DataEngineer on acme-data-prod; its
  // inline statement TeamTaggedResources allows kms:Decrypt where
  // aws:ResourceTag/team equals ${aws:PrincipalTag/team}, and his session
  // tag team comes from enterprise.department = "data" (ABAC mapping), so
  // kms write is conditional on aws:ResourceTag/team = "data".
  const { page, problems } = await open(`${ACME_URL}/users/carlos.mendes%40acme.example`);
  const account = page.locator("details.account[data-account='210000000102']");
  await account.waitFor();
  await account.locator("summary").click();
  await account.locator("button").click();
  const kms = account.locator(".what-can-table tbody tr", { hasText: "kms" }).filter({ hasText: "write" });
  await kms.first().waitFor();
  assert.match(await kms.first().locator("td.cond").textContent(), /aws:ResourceTag\/team = "data"/);
  await shot(page, "portal-abac");
  // The same grant in who-can, with the deciding statement.
  await page.goto(`${ACME_URL}/who-can?action=kms:Decrypt&account=acme-data-prod&filter=carlos`);
  const row = page.locator("#rows tbody tr[data-principal='carlos.mendes@acme.example']");
  await row.first().waitFor();
  const cells = await row.first().locator("td").allTextContents();
  assert.equal(cells[4], "conditional");
  assert.match(cells[5], /aws:ResourceTag\/team = "data"/);
  assert.match(cells[7], /TeamTaggedResources/);
  // A permission set's page and the lint page render.
  await page.goto(`${ACME_URL}/permission-sets/DataEngineer`);
  await page.locator("#inline-policy").waitFor();
  assert.match(await page.textContent("#inline-policy"), /TeamTaggedResources/);
  await shot(page, "permission-set");
  // why: liam.oconnor has BreakGlass in acme-management (acme-break-glass),
  // and acme-data-prod's OrganizationAccountAccessRole trusts the
  // management account: his graph has a dashed sts:AssumeRole edge to it.
  await page.goto(`${ACME_URL}/users/liam.oconnor%40acme.example/graph`);
  await page.locator("svg.graph g.node").first().waitFor();
  const chained = await page.locator("svg.graph path.edge.dashed title").allTextContents();
  assert.ok(chained.some((t) => /→ OrganizationAccountAccessRole in acme-data-prod: sts:AssumeRole$/.test(t)), chained.join("\n"));
  await shot(page, "graph");
  await page.goto(`${ACME_URL}/lint`);
  await page.locator("#findings tbody tr").first().waitFor();
  await shot(page, "lint");
  assert.deepEqual(problems, []);
});

test("a display name that is HTML is shown as that text and runs nothing", async () => {
  const payload = "<img src=x onerror=alert(1)>";
  const { page, problems } = await open(`${XSS_URL}/users/awsseccbadmin1`);
  await page.locator("h1").waitFor();
  assert.equal(await page.textContent("h1"), `${payload} (awsseccbadmin1)`);
  assert.equal(await page.locator("main img").count(), 0);
  // The search box's dropdown shows it as text too.
  await page.fill("#user-q", "awssec");
  await page.locator("#user-results a").first().waitFor();
  assert.equal(await page.textContent("#user-results a"), `awsseccbadmin1 — ${payload}`);
  assert.equal(await page.locator("#user-results img").count(), 0);
  // The group name is a script tag: shown, not run.
  await page.goto(`${XSS_URL}/who-can?action=s3:ListBucket`);
  await page.locator("#rows tbody tr").first().waitFor();
  assert.equal(await page.locator("#rows tbody tr[data-principal] td").nth(1).textContent(), "group:<script>alert(2)</script>");
  assert.equal(await page.locator("main script").count(), 0);
  await page.waitForTimeout(300);
  assert.deepEqual(problems, []);
});

test("an unknown user's page says so, and the server keeps serving", async () => {
  const { page, problems } = await open(`${COOKBOOK_URL}/users/nobody-here`);
  await page.locator(".error").waitFor();
  assert.match(await page.textContent(".error"), /no user `nobody-here` in the snapshot/);
  const r = await page.request.get(`${COOKBOOK_URL}/api/info`);
  assert.equal(r.status(), 200);
  // The failed API call is logged by the browser as a 404; nothing else.
  assert.deepEqual(problems.filter((p) => !p.includes("404")), []);
});

test("a server with a token: the printed URL opens the pages, then the token leaves the address bar", async () => {
  // TOKEN_URL is `http://127.0.0.1:PORT?token=...` as the server printed it.
  const base = TOKEN_URL.split("?")[0];
  const bare = await browser.newPage();
  const refused = await bare.request.get(`${base}/api/info`);
  assert.equal(refused.status(), 401);
  assert.equal((await refused.json()).error.code, "unauthorized");
  await bare.close();
  const { page, problems } = await open(TOKEN_URL.replace("?", "/?"));
  await page.locator("#who-can-form").waitFor();
  // The cookie the first answer set carries the API calls.
  await page.waitForFunction(() => document.getElementById("info").textContent.includes("1 user "));
  assert.doesNotMatch(page.url(), /token=/);
  await page.fill("#f-actions", "s3:ListBucket");
  await page.click("#who-can-form button[type=submit]");
  await page.locator("#rows tbody tr[data-principal=awsseccbadmin1]").first().waitFor();
  assert.deepEqual(problems, []);
});
