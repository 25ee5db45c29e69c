// Browser tests of the meeting room: a real `plenary serve --demo`, Debian's Chromium driven
// by Playwright, axe-core on every page. Run by tests/browser.rs (cargo test), which passes the
// binary and the database; screenshots go to $PLENARY_SCREENSHOTS (default: target/screenshots).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const BIN = process.env.PLENARY_BIN;
const DB = process.env.PLENARY_BROWSER_DB;
const SHOTS = process.env.PLENARY_SCREENSHOTS || "target/screenshots";
const LABEL = process.env.PLENARY_BROWSER_LABEL || "sqlite";
const MEETING = "poa-pm-1";
if (!BIN || !DB) throw new Error("PLENARY_BIN and PLENARY_BROWSER_DB must be set");
mkdirSync(SHOTS, { recursive: true });

let failures = 0;
function check(cond, what) {
  if (cond) { console.log(`ok   ${what}`); } else { failures++; console.log(`FAIL ${what}`); }
}

// How long a check waits for a live update (server-sent events) to reach a page: what is
// checked is that it arrives, not how fast (plenary-bench measures that).
const LIVE = 30000;

// ---- the server ------------------------------------------------------------------------
// The page after a command waits for the read models up to --read-wait-ms; on a loaded CI
// machine 3 s (the default) was once too little for the projector, and the test then read a
// page from before the command.
const server = spawn(BIN, ["--database", DB, "serve", "--demo", "--bind", "127.0.0.1:0", "--read-wait-ms", "20000"], {
  env: { ...process.env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
server.stdout.on("data", (d) => { out += d; });
const stop = () => { try { server.kill("SIGTERM"); } catch (e) {} };
process.on("exit", stop);
const deadline = Date.now() + 240000;
while (!/auditor\s+http:\/\/\S+/.test(out)) {
  if (Date.now() > deadline || server.exitCode !== null) throw new Error("the demo did not start:\n" + out);
  await new Promise((r) => setTimeout(r, 200));
}
const link = (who) => out.match(new RegExp(`^  ${who}\\s+(http://\\S+)`, "m"))[1];
const token = (role, scope) => {
  const re = scope ? new RegExp(`^  ${role}\\s+(pln_\\w+)\\s+\\(${scope}\\)`, "m") : new RegExp(`^  ${role}\\s+(pln_\\w+)`, "m");
  return out.match(re)[1];
};
const base = link("secretariat").match(/^http:\/\/[^/]+/)[0];
const T = {
  sec: token("secretariat"), chair: token("chair", MEETING),
  NOR: token("delegate", "NOR"), BRA: token("delegate", "BRA"), EGY: token("delegate", "EGY"),
};

async function api(method, path, tok, body) {
  const r = await fetch(base + path, {
    method, headers: { Authorization: `Bearer ${tok}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} ${r.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}
const meetingCmd = (tok, cmd) => api("POST", `/api/v1/meetings/${MEETING}/commands`, tok, cmd);

// ---- the meeting, set up through the API -----------------------------------------------
const XSS1 = `<script>window.__xss=1</script>`;
const XSS2 = `"><img src=x onerror="window.__xss=2">`;
const info = await api("GET", `/api/v1/meetings/${MEETING}`, T.sec);
const members = info.state.members;
const inRoom = ["NOR", "BRA", "EGY", ...members.filter((s) => !["NOR", "BRA", "EGY"].includes(s)).slice(0, 37)];
for (const s of inRoom) {
  await meetingCmd(T.sec, { RegisterDelegation: { state: s, members: [{ name: s === "BRA" ? `Joana ${XSS2}` : `Head of ${s}`, gender: null, head_of_delegation: true }] } });
}
for (const s of inRoom) await meetingCmd(T.chair, { MarkPresent: { state: s } });
await meetingCmd(T.chair, { IssueProvisionalAgenda: { items: [
  { number: 1, title: "Opening of the meeting", nature: "Procedural", documents: [] },
  { number: 2, title: "Amendments to the Political Declaration", nature: "Substantive", documents: [] } ] } });
await meetingCmd(T.chair, { Open: {} });
await meetingCmd(T.chair, { AdoptAgenda: {} });
await meetingCmd(T.chair, { TakeUpItem: { item: 2 } });
const fw = await api("GET", "/api/v1/frameworks/poa", T.sec);
const para = fw.paragraphs.find((p) => p.id === "OP-1");
const NEW_TEXT = "The meeting room is in the browser.";
await api("POST", "/api/v1/amendments/am-browser-nor/commands", T.NOR, { Propose: {
  framework_id: "poa", proposer: "NOR", co_sponsors: [], title: `Browser amendment ${XSS1}`, base_version: fw.version,
  operations: [{ op: "replace_paragraph", paragraph: "OP-1", text: NEW_TEXT }] } });
await api("POST", "/api/v1/amendments/am-browser-nor/commands", T.NOR, { Table: { meeting_id: MEETING, agenda_item: 2 } });
// Drafted against the same version: stale once the first is adopted.
await api("POST", "/api/v1/amendments/am-browser-egy/commands", T.EGY, { Propose: {
  framework_id: "poa", proposer: "EGY", co_sponsors: [], title: "A later amendment", base_version: fw.version,
  operations: [{ op: "replace_words", paragraph: "OP-1", at_word: 1, old: para.text.split(/\s+/)[0], new: "Also" }] } });

// ---- the browsers ----------------------------------------------------------------------
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const xssHits = [];
async function signedIn(who) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  page.on("dialog", (d) => { xssHits.push(who); d.dismiss(); });
  page.on("pageerror", (e) => { console.log(`page error (${who}): ${e.message}`); });
  await page.goto(link(who));
  return page;
}
async function axe(page, name) {
  const r = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  for (const v of r.violations) console.log(`  axe ${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  check(r.violations.length === 0, `axe: no violations on ${name}`);
}
// Runs `act` (a click or a key press that submits a form) and waits for the answer to be
// in the page: the script posts in the background and swaps the live part in.
async function post(page, act) {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    act(),
  ]);
  await page.waitForTimeout(250);
}
async function shot(page, name) { await page.screenshot({ path: `${SHOTS}/${LABEL}-${name}.png`, fullPage: true }); }
async function noXss(page, name) {
  const v = await page.evaluate(() => window.__xss);
  check(v === undefined, `no injected script ran on ${name}`);
}

// Sign-in page itself.
{
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(base + "/sign-in");
  await axe(p, "sign-in");
  await shot(p, "sign-in");
  await p.fill("#token", "pln_wrong");
  await p.press("#token", "Enter");
  check(await p.locator("#token-error").isVisible(), "a wrong token is refused on the sign-in page");
  await p.fill("#token", T.sec);
  await p.press("#token", "Enter");
  await p.waitForURL(base + "/");
  check(await p.locator("h1").textContent() === "Meetings", "a token signs in to the home page");
  await axe(p, "home");
  await shot(p, "home");
  await ctx.close();
}

const chair = await signedIn(`chair of ${MEETING}`);
check(chair.url().endsWith(`/meetings/${MEETING}/console`), "the chair's link lands on the console");
const bra = await signedIn("delegate of BRA");
const nor = await signedIn("delegate of NOR");
const room = await signedIn("room screen \\(observer\\)");
const cookies = await chair.context().cookies();
const sc = cookies.find((c) => c.name === "plenary_session");
check(sc && sc.httpOnly && sc.sameSite === "Strict", "the session cookie is HttpOnly and SameSite=Strict");
check(!chair.url().includes("pll_"), "no secret is left in the URL after sign-in");

await axe(chair, "chair's console");
// The browser meeting is convened for July 2027 and opened today: the console says so.
check(await chair.locator("#outside-dates").isVisible(), "the console shows that the meeting sits outside its convened dates");
await axe(bra, "delegate's desk");
await axe(room, "room screen");
await shot(chair, "console-before");
await shot(bra, "desk-before");

// CSRF: a post without the token is refused and changes nothing.
{
  const before = (await api("GET", `/api/v1/meetings/${MEETING}`, T.sec)).version;
  const r = await chair.request.post(`${base}/meetings/${MEETING}/console`, { form: { _form: "f-lifecycle", _command: "meeting:Suspend" } });
  const after = (await api("GET", `/api/v1/meetings/${MEETING}`, T.sec)).version;
  check(r.status() === 403 && before === after, "a form without its CSRF token is refused (403) and changes nothing");
}

// The countdown: a speaker with a time limit.
await chair.fill("#time-seconds", "90");
await post(chair, () => chair.click("#f-time button"));
await chair.selectOption("#inscribe-state", "EGY");
await post(chair, () => chair.click("#f-inscribe button"));
await chair.waitForSelector("ol.speakers li:has-text('EGY')");
await post(chair, () => chair.click("#b-next"));
await chair.waitForSelector(".clock[data-since]:not([data-since=''])");
const t1 = await chair.locator(".clock").textContent();
await chair.waitForTimeout(2200);
const t2 = await chair.locator(".clock").textContent();
check(/^\d+:\d\d$/.test(t1) && t1 !== t2, `the speaking-time countdown runs (${t1} → ${t2})`);
await room.waitForSelector("#floor:has-text('EGY')", { timeout: LIVE });
check(true, "the room screen shows who has the floor, live");
// Who took the floor for Egypt, from its delegation, by keyboard.
check(await chair.locator("#identify-delegate option").count() === 1, "the console offers the delegates of the State on the floor");
await chair.locator("#b-identify").focus();
await post(chair, () => chair.keyboard.press("Enter"));
check(await chair.locator("#f-identify + .refusal").count() === 0 && await chair.locator("#f-identify").count() === 0, "the chair records who spoke, once: the form is gone");
check(await room.locator("#identify-delegate").count() === 0, "the room screen offers no delegate's name");

// The central scenario. The chair calls for consensus by keyboard.
await chair.focus("#b-call-am-browser-nor");
await post(chair, () => chair.keyboard.press("Enter"));
await chair.waitForSelector("#objections");
// Brazil objects from its desk, by keyboard alone.
await bra.waitForSelector("#b-object", { timeout: LIVE });
await bra.focus("#objection-reason");
await bra.keyboard.type("Brazil needs time to consult its capital.");
await bra.keyboard.press("Tab");
await post(bra, () => bra.keyboard.press("Enter"));
await bra.waitForSelector("#b-withdraw-objection");
check(true, "the delegate objects by keyboard");
// The room screen shows the standing objection, live.
await room.waitForSelector("#objections li:has-text('BRA')", { timeout: LIVE });
check(true, "the room screen shows Brazil's standing objection");
check((await room.locator("#h-call + p").textContent()).includes("Browser amendment"), "the room screen names the amendment by its title");
await shot(room, "room-objection");
await axe(room, "room screen with an objection");
// The chair cannot declare adoption while it stands: the domain's refusal, next to the control.
await chair.waitForSelector("#objections li:has-text('BRA')", { timeout: LIVE });
await post(chair, () => chair.click("#b-adopted"));
await chair.waitForSelector("#f-outcome + .refusal");
const refusal = await chair.locator("#f-outcome + .refusal").textContent();
check(/object/i.test(refusal), `the chair reads the refusal next to the control: "${refusal.trim()}"`);
await shot(chair, "console-refusal");
await axe(chair, "console with a refusal");
// A delegate of Brazil cannot act for Norway, even by forging the form.
{
  const csrf = await bra.locator("input[name=_csrf]").first().inputValue();
  const r = await bra.request.post(`${base}/meetings/${MEETING}/desk`, { form: { _csrf: csrf, _form: "f-objection", _command: "meeting:RaiseObjection", "f.state": "NOR" } });
  check(r.status() === 403, `a forged objection for another State is refused (${r.status()})`);
  check((await bra.locator("input[name='f.state'][value='NOR']").count()) === 0, "the desk offers no control for another State");
}
// Brazil withdraws; the chair declares the proposal adopted.
await bra.focus("#b-withdraw-objection");
await post(bra, () => bra.keyboard.press("Enter"));
await bra.waitForSelector("#b-object");
await room.waitForSelector("#objections .ok", { timeout: LIVE });
check(true, "the room screen shows that no objection stands");
await chair.waitForSelector("#objections .ok", { timeout: LIVE });
await chair.focus("#b-adopted");
await post(chair, () => chair.keyboard.press("Enter"));
await chair.waitForSelector(".decision", { timeout: LIVE });
check(true, "the chair declares the amendment adopted");
await shot(chair, "console-adopted");
// Norway's desk shows the new wording with its provenance.
await nor.waitForFunction((text) => {
  const li = document.querySelector("#para-OP-1");
  return li && li.textContent.includes(text) && /decision \d+ of poa-pm-1/.test(li.textContent);
}, "The meeting room is in the browser.", { timeout: LIVE });
check(true, "the desk shows the Declaration's new wording and the decision that gave it");
await noXss(nor, "desk");
await noXss(chair, "console");
await noXss(room, "room screen");
await shot(nor, "desk-after");
await shot(room, "room-after");

// The editor: a preview with the word diff, and the stale-text warning.
const egy = await signedIn("delegate of EGY");
await egy.waitForSelector("#am-am-browser-egy .warn");
check(true, "an amendment drafted against an outdated text is flagged on its desk");
await egy.fill("#draft-title", `Biennial review ${XSS2}`);
await egy.selectOption("#draft-paragraph", "OP-2");
await egy.check("input[name='op.kind'][value=replace_paragraph]");
await egy.fill("#draft-text", "Decides to review national implementation every two years;");
// The room moves on while the delegate drafts: the live update keeps what was typed.
await chair.selectOption("#inscribe-state", "NOR");
await post(chair, () => chair.click("#f-inscribe button"));
await egy.waitForFunction(() => /Next speakers:.*NOR/.test(document.body.textContent), null, { timeout: LIVE });
check((await egy.locator("#draft-text").inputValue()).startsWith("Decides to review"), "a live update keeps the draft being typed");
check((await egy.locator("#draft-paragraph").inputValue()) === "OP-2", "a live update keeps the paragraph chosen");
await post(egy, () => egy.click("#b-preview"));
await egy.waitForSelector("#preview ins");
check((await egy.locator("#preview del").count()) > 0, "the preview shows the words inserted and deleted");
await axe(egy, "desk with a preview");
await shot(egy, "desk-preview");
const ownBefore = await egy.locator("li[id^=am-]").count();
await Promise.all([
  egy.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/desk")),
  egy.click("#b-submit-amendment"),
]);
await egy.waitForTimeout(300);
const draftRefusal = await egy.locator("#f-draft + .refusal").allTextContents();
if (draftRefusal.length) console.log("  refusal: " + draftRefusal.join(" "));
check(draftRefusal.length === 0, "the drafted amendment is submitted");
await egy.waitForFunction((n) => document.querySelectorAll("li[id^=am-]").length > n, ownBefore, { timeout: LIVE });
check(true, "the new amendment is on the desk");
await noXss(egy, "desk with the new amendment");
await shot(egy, "desk-submitted");

// Revising: the stale amendment opens in the editor on its current revision, by keyboard.
await egy.focus("#b-revise-am-browser-egy");
await Promise.all([egy.waitForURL(/revise=am-browser-egy/), egy.keyboard.press("Enter")]);
check((await egy.locator("#h-draft").textContent()).includes("am-browser-egy"), "the editor opens on the amendment to revise");
check((await egy.locator("#draft-paragraph").inputValue()) === "OP-1", "the editor keeps the revised amendment's paragraph");
await egy.fill("#draft-text", "Also, the meeting room is in the browser, in six languages.");
await axe(egy, "desk revising an amendment");
await shot(egy, "desk-revising");
await post(egy, () => egy.click("#b-submit-amendment"));
check((await egy.locator("#f-draft + .refusal").count()) === 0, "the revision is submitted");
await egy.waitForFunction(() => {
  const li = document.querySelector("#am-am-browser-egy");
  return li && /revision 2/.test(li.textContent) && !li.querySelector(".warn");
}, null, { timeout: LIVE });
check(true, "the revised amendment stands on the current text: no stale warning");

// A point of order, the chair's ruling, an appeal and the vote on it.
await egy.click("details summary");
await egy.fill("#point-text", "The list of speakers was closed without notice.");
await post(egy, () => egy.click("#f-point button"));
await chair.waitForSelector("#ruling-1", { timeout: LIVE });
await chair.fill("#ruling-1", "The list stays closed.");
await post(chair, () => chair.click("#f-rule-1 button"));
await egy.waitForSelector("#b-appeal-1", { timeout: LIVE });
await egy.focus("#b-appeal-1");
await post(egy, () => egy.keyboard.press("Enter"));
check((await egy.locator("#f-appeal-1 + .refusal").count()) === 0, "the delegate appeals the ruling by keyboard");
await chair.waitForSelector("#b-appeal-vote-1", { timeout: LIVE });
await post(chair, () => chair.click("#b-appeal-vote-1"));
await egy.waitForSelector("#f-vote", { timeout: LIVE });
check((await egy.locator("#f-vote").locator("xpath=preceding-sibling::h3[1]").textContent()).includes("Appeal"), "the appeal is put to the vote");
await post(egy, () => egy.click("#f-vote button[value=Yes]"));
check((await egy.locator("#f-vote + .refusal").count()) === 0, "the delegate votes on the appeal");
await shot(chair, "console-appeal-vote");
await axe(chair, "console with an appeal put to the vote");
await post(chair, () => chair.click("#f-close-voting button"));
check((await chair.locator("#f-close-voting + .refusal").count()) === 0, "the chair closes the voting on the appeal");

// Deferring an item that was never taken up.
await chair.waitForSelector("#b-defer-1");
await chair.selectOption("#defer-to-1", "");
await post(chair, () => chair.click("#b-defer-1"));
check((await chair.locator("#f-defer-1 + .refusal").count()) === 0, "the chair defers item 1");
await chair.waitForSelector("ol.agenda li:first-child .tag:has-text('deferred')", { timeout: LIVE });
check(true, "the agenda shows item 1 deferred");
await shot(chair, "console-deferred");

// The decisions register: every decision with how it was taken, its objections and the
// explanations of position, paged, reachable from the navigation by keyboard.
{
  const aud = await signedIn("auditor");
  await aud.focus("a[href='/decisions']");
  await Promise.all([aud.waitForURL(/\/decisions/), aud.keyboard.press("Enter")]);
  check((await aud.locator("h1").textContent()) === "Decisions register", "the register opens from the navigation");
  await aud.selectOption("#register-meeting", MEETING);
  await Promise.all([aud.waitForURL(/meeting=/), aud.click("#f-register button")]);
  const entry = aud.locator("li.entry", { hasText: "am-browser-nor" });
  check(await entry.count() === 1, "the adoption of Norway's amendment is on the register");
  check(/without a vote/.test(await entry.textContent()), "the entry says how the decision was taken");
  check(/BRA/.test(await entry.locator("ul").first().textContent()) && /withdrawn/.test(await entry.textContent()), "Brazil's objection is on the entry, withdrawn");
  await noXss(aud, "register");
  await axe(aud, "decisions register");
  await shot(aud, "register");
  // The Declaration: each paragraph's wording linked to the decision that gave it, as of
  // a log position, and the changes between two versions.
  await aud.click("a[href='/frameworks']");
  await aud.waitForURL(/\/frameworks\/poa/);
  const op1 = aud.locator("#para-OP-1");
  check(/The meeting room is in the browser/.test(await op1.textContent()), "the Declaration shows the wording agreed in the browser");
  const prov = op1.locator("a[href*='/decisions?meeting=poa-pm-1']");
  check(await prov.count() === 1, "its provenance links to the decision on the register");
  await aud.fill("#compare-from", "1");
  await Promise.all([aud.waitForURL(/from=1/), aud.click("#f-compare button")]);
  check(await aud.locator("#diff ins").count() > 0 && await aud.locator("#diff del").count() > 0, "the changes since version 1 are shown word by word");
  await axe(aud, "the Declaration with a comparison");
  await shot(aud, "framework");
  await aud.fill("#as-of", "p:1");
  await Promise.all([aud.waitForURL(/at=p%3A1/), aud.click("#f-as-of button")]);
  check(/did not exist|Version/.test(await aud.locator("main").textContent()), "the Declaration as of the log's first position is answered");
  await aud.goto(`${base}/frameworks/poa`);
  await Promise.all([aud.waitForURL(/\/decisions/), prov.click()]);
  check(await aud.locator("li.entry:target, li.entry").count() > 0, "the provenance link opens the register");
  // The amendments board: every amendment with its status and word diff, filtered.
  await aud.click("a[href='/amendments']");
  await aud.waitForURL(/\/amendments/);
  check(await aud.locator("#am-am-browser-nor ins").count() > 0, "the board shows an amendment's words inserted");
  check(/adopted/.test(await aud.locator("#am-am-browser-nor .tag").first().textContent()), "the board shows the amendment's status");
  await aud.selectOption("#board-status", "no_consensus");
  await Promise.all([aud.waitForURL(/status=no_consensus/), aud.click("#f-board button")]);
  check(await aud.locator("li.entry .tag").count() > 0 && (await aud.locator("li.entry .tag").allTextContents()).every((t) => t === "no consensus"), "the board filters by status");
  await aud.goto(`${base}/amendments`);
  await noXss(aud, "amendments board");
  await axe(aud, "amendments board");
  await shot(aud, "board");
  // The audit history: filtered by State, each event with who acted, for whom and its hash.
  await aud.click("a[href='/audit']");
  await aud.waitForURL(/\/audit/);
  await aud.fill("#audit-state", "BRA");
  await Promise.all([aud.waitForURL(/state=BRA/), aud.click("#f-audit button")]);
  const rows = aud.locator("table.audit tbody tr");
  check(await rows.count() > 0, "the audit history lists Brazil's acts");
  check((await rows.locator("td:nth-child(6)").allTextContents()).every((t) => t.trim() === "BRA"), "every row is an act for Brazil");
  check(/ObjectionRaised/.test(await aud.locator("table.audit").textContent()), "Brazil's objection is in its history");
  await axe(aud, "audit history");
  await shot(aud, "audit");
  {
    const r = await aud.request.get(`${base}/audit`);
    check(r.status() === 200, "the auditor reads the audit history");
  }
  await aud.goto(`${base}/decisions?meeting=${MEETING}&limit=1`);
  const first = await aud.locator("li.entry h2").first().textContent();
  await Promise.all([aud.waitForURL(/after=/), aud.click("#next-page")]);
  check((await aud.locator("li.entry h2").first().textContent()) !== first, "the register pages on");
  await aud.context().close();
}

// Credentials: the admin issues one (its token shown once), and revokes it.
{
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const adm = await ctx.newPage();
  adm.on("dialog", (d) => { xssHits.push("admin"); d.dismiss(); });
  await adm.goto(base + "/sign-in");
  await adm.fill("#token", token("admin"));
  await adm.press("#token", "Enter");
  await adm.waitForURL(base + "/");
  await adm.click("a[href='/credentials']");
  await adm.waitForURL(/\/credentials/);
  await adm.selectOption("#issue-role", "delegate");
  await adm.fill("#issue-scope", "KEN");
  await adm.fill("#issue-label", `Kenya ${XSS1}`);
  await post(adm, () => adm.click("#b-issue"));
  await adm.waitForSelector("#issued-token");
  const issued = await adm.locator("#issued-token").inputValue();
  check(/^pln_/.test(issued), "the new credential's token is shown once");
  check(!adm.url().includes(issued), "the token is not in the address");
  const use = async () => (await fetch(`${base}/api/v1/meetings`, { headers: { Authorization: `Bearer ${issued}` } })).status;
  check(await use() === 200, "the issued token works");
  await noXss(adm, "credentials");
  await axe(adm, "credentials");
  await shot(adm, "credentials");
  const row = adm.locator("tr", { hasText: "Kenya" });
  await post(adm, () => row.locator("button").click());
  await adm.waitForSelector("tr:has-text('Kenya') td:has-text('revoked')");
  check(await use() === 401, "a revoked token no longer works");
  await adm.reload();
  check(await adm.locator("#issued-token").count() === 0, "the token is never shown again");
  await ctx.close();
}

// A fresh browser signed in with a token, in a language the browser asks for.
async function withToken(tok, locale) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: locale || "en-US" });
  const page = await ctx.newPage();
  page.on("dialog", (d) => { xssHits.push("token"); d.dismiss(); });
  page.on("pageerror", (e) => { console.log(`page error: ${e.message}`); });
  await page.goto(base + "/sign-in");
  await page.fill("#token", tok);
  await page.press("#token", "Enter");
  await page.waitForURL(base + "/");
  return { ctx, page };
}

// The secretariat's desk: a body established, a meeting convened, delegations registered from
// a pasted list, and attendance taken for a whole list of States by keyboard alone.
{
  const { ctx, page: sec } = await withToken(T.sec);
  await sec.click("a[href='/secretariat']");
  await sec.waitForURL(/\/secretariat$/);
  await axe(sec, "secretariat desk");
  await sec.fill("#eb-id", "oewg-browser");
  await sec.fill("#eb-name", "Browser working group");
  await sec.fill("#eb-members", "NOR BRA EGY KEN FRA");
  await post(sec, () => sec.click("#f-establish button"));
  check(await sec.locator("#h-body-oewg-browser").count() === 1, "a body is established from the desk");
  await sec.selectOption("#cv-body", "oewg-browser");
  await sec.fill("#cv-id", "oewg-browser-1");
  await sec.selectOption("#cv-kind", "IntersessionalMeeting");
  await sec.fill("#cv-symbol", "A/AC.299/2027/1");
  await sec.fill("#cv-title", `First session ${XSS1}`);
  await sec.fill("#cv-starts", "2027-03-01");
  await sec.fill("#cv-ends", "2027-03-03");
  await sec.fill("#cv-venue", "Geneva");
  await sec.fill("#cv-chair", "Ambassador Ana Silva");
  await post(sec, () => sec.click("#f-convene button"));
  check(await sec.locator("a[href='/secretariat/meetings/oewg-browser-1']").count() === 1, "a meeting is convened from the desk");
  // Refusals from the domain, next to the form: convening twice.
  await sec.fill("#cv-id", "oewg-browser-1");
  await sec.fill("#cv-symbol", "A/AC.299/2027/1");
  await sec.fill("#cv-title", "Again");
  await sec.fill("#cv-starts", "2027-03-01");
  await sec.fill("#cv-ends", "2027-03-03");
  await sec.fill("#cv-venue", "Geneva");
  await sec.fill("#cv-chair", "Ambassador Ana Silva");
  await post(sec, () => sec.click("#f-convene button"));
  check(await sec.locator("#f-convene + .refusal").isVisible(), "convening the same meeting twice is refused next to the form");
  // A stakeholder and its accreditation.
  await sec.fill("#sh-id-oewg-browser", "cyber-ngo");
  await sec.fill("#sh-name-oewg-browser", "Cyber NGO");
  await post(sec, () => sec.click("#f-stakeholder-oewg-browser button"));
  await sec.fill("#acc-notice-oewg-browser", "2027-01-15");
  await post(sec, () => sec.click("#f-accredit-oewg-browser button[value='body:ProposeAccreditation']"));
  check(await sec.locator("#body-oewg-browser td", { hasText: "2027-01-15" }).count() === 1, "the non-objection procedure runs until its last day");
  // What the body makes public, by keyboard (Space unticks a box, Enter saves).
  await sec.focus("#f-public-oewg-browser input[value='Submissions']");
  await sec.keyboard.press("Space");
  await sec.focus("#f-public-oewg-browser button");
  await post(sec, () => sec.keyboard.press("Enter"));
  check(!(await sec.isChecked("#f-public-oewg-browser input[value='Submissions']")) && await sec.isChecked("#f-public-oewg-browser input[value='Framework']"), "the body keeps its submissions from the public, and only them");
  // A regional group; a State already in another group is refused next to the form.
  await sec.fill("#rg-name-oewg-browser", "African States");
  await sec.fill("#rg-states-oewg-browser", "EGY, KEN");
  await post(sec, () => sec.click("#f-region-oewg-browser button"));
  check(await sec.locator("#f-region-oewg-browser dd", { hasText: "EGY KEN" }).count() === 1, "a regional group is set from the desk");
  await sec.fill("#rg-name-oewg-browser", `Other ${XSS1}`);
  await sec.fill("#rg-states-oewg-browser", "KEN");
  await post(sec, () => sec.click("#f-region-oewg-browser button"));
  check(await sec.locator("#body-oewg-browser p.refusal", { hasText: "African States" }).count() === 1, "a State in two regional groups is refused next to the form");
  await noXss(sec, "secretariat desk");
  await shot(sec, "secretariat-desk");
  // The desk follows the whole record live: a body established elsewhere appears.
  await api("POST", "/api/v1/bodies/live-body/commands", T.sec, { EstablishBody: { body_id: "live-body", name: "Established through the API", parent_body: null, founding_document: null, members: ["NOR"], rules: null } });
  check(await sec.waitForSelector("#h-body-live-body", { timeout: LIVE }).then(() => true, () => false), "the secretariat desk shows a body established elsewhere, live");

  await sec.goto(`${base}/secretariat/meetings/oewg-browser-1`);
  await axe(sec, "participation desk");
  await sec.fill("#delegations", `NOR: Head of Norway; Second ${XSS2}\nBRA: Chefe do Brasil\nXXX: Nobody`);
  await post(sec, () => sec.click("#b-register"));
  await shot(sec, "participation-refusal");
  check(/line 3 \(XXX\)/.test(await sec.locator("#f-delegations + .refusal").textContent()), "a delegation of a non-member is refused, naming its line");
  check(await sec.locator("#delegation-list tr", { hasText: "Head of Norway" }).count() === 1, "the lines before it are registered");
  await sec.fill("#delegations", "EGY: Head of Egypt\nKEN: Head of Kenya");
  await post(sec, () => sec.click("#b-register"));
  check(await sec.locator("#delegation-list tr", { hasText: "Head of Kenya" }).count() === 1, "a pasted list registers every delegation");
  // Attendance by keyboard alone: focus the first State, tick four, submit with Enter.
  await sec.focus("#f-attendance input[type=checkbox]");
  for (let i = 0; i < 4; i++) { await sec.keyboard.press("Space"); await sec.keyboard.press("Tab"); }
  await sec.focus("#b-present");
  await post(sec, () => sec.keyboard.press("Enter"));
  check((await sec.locator("#quorum").textContent()).startsWith("4 "), "four States marked present in one action, by keyboard");
  await noXss(sec, "participation desk");
  await axe(sec, "participation desk after attendance");
  await shot(sec, "participation-desk");
  // A decision taken on paper, recorded afterwards; then a corrigendum.
  await sec.fill("#rd-date", "2027-04-01");
  await sec.fill("#rd-text", "Decides to hold a second session.");
  await sec.fill("#rd-who", "the Chair, by letter");
  await post(sec, () => sec.click("#b-record"));
  check(/2027-03-01 to 2027-03-03/.test(await sec.locator("#f-record + .refusal").textContent()), "a decision dated outside the meeting's dates is refused, saying which dates");
  await sec.fill("#rd-date", "2027-03-02");
  await post(sec, () => sec.click("#b-record"));
  check(await sec.locator("#f-record + .refusal").count() === 0, "the secretariat records a decision taken outside the system");
  await sec.fill("#cg-decision", "1");
  await sec.fill("#cg-text", "Decides to hold a second and a third session.");
  await sec.fill("#cg-reason", "The number of sessions");
  await post(sec, () => sec.click("#b-corrigendum"));
  await sec.goto(`${base}/decisions?meeting=oewg-browser-1`);
  const entry = sec.locator("li.entry").first();
  check(/entered afterwards by the secretariat, on the instruction of the Chair, by letter/.test(await entry.textContent()), "the register says who entered it, on whose instruction");
  check(/A\/AC\.299\/2027\/1\/DEC\/1\/Corr\.1/.test(await entry.textContent()) && /Decides to hold a second session\./.test(await entry.textContent()), "the register shows the original and its corrigendum");
  await axe(sec, "register with a corrigendum");
  await shot(sec, "register-corrigendum");
  // The decision in French, from the participation desk; a summary record before the
  // meeting has opened is refused, saying why.
  await sec.goto(`${base}/secretariat/meetings/oewg-browser-1`);
  await sec.selectOption("#tt-target", "decision");
  await sec.fill("#tt-decision", "1");
  await sec.selectOption("#tt-lang", "fr");
  await sec.fill("#tt-text", `Décide de tenir une deuxième session. ${XSS2}`);
  await post(sec, () => sec.click("#b-translate-text"));
  check(await sec.locator("#f-translate-text + .refusal").count() === 0, "a decision's text is translated from the participation desk");
  await sec.fill("#sr-date", "2027-03-02");
  await sec.fill("#sr-text", "The meeting heard general statements.");
  await post(sec, () => sec.click("#b-summary"));
  check(/not yet open/.test(await sec.locator("#f-summary + .refusal").textContent()), "a summary record before the meeting opened is refused, saying why");
  await axe(sec, "participation desk with a refused summary record");
  await noXss(sec, "participation desk");
  // A French translation of a paragraph, then the Declaration read in French.
  await sec.goto(`${base}/secretariat`);
  await sec.selectOption("#tr-para", "OP-2");
  await sec.selectOption("#tr-lang", "fr");
  await sec.fill("#tr-text", "Texte traduit du paragraphe OP-2.");
  await post(sec, () => sec.click("#f-translation button"));
  check(await sec.locator("#f-translation + .refusal").count() === 0, "a translation is added from the desk");
  await sec.click("nav.languages a[lang='fr']");
  await sec.waitForLoadState();
  check(await sec.locator("html").getAttribute("lang") === "fr", "the switch turns the interface to French");
  await sec.goto(`${base}/frameworks/poa`);
  check(await sec.locator("#para-OP-2 span[lang='fr']", { hasText: "Texte traduit" }).count() === 1, "a paragraph is shown in the reader's language where a translation exists");
  await sec.locator("#para-OP-2 details.original summary").focus();
  await sec.keyboard.press("Enter");
  check(await sec.locator("#para-OP-2 details.original").getAttribute("open") !== null, "the original is one key press away");
  await sec.reload();
  check(await sec.locator("html").getAttribute("lang") === "fr", "the choice of language is remembered");
  await axe(sec, "the Declaration in French");
  await shot(sec, "framework-fr");
  // Brazil's amendment in French, from the board, by keyboard; it then reads in French there,
  // and the document issued for it is linked.
  await sec.goto(`${base}/amendments`);
  const bra = "poa-am-bra-1";
  await sec.locator(`#am-${bra} details summary`).focus();
  await sec.keyboard.press("Enter");
  check(await sec.locator(`#tr-${bra}-lang`).inputValue() === "fr", "the translation form starts in the reader's language");
  await sec.fill(`#tr-${bra}-title`, `Un fonds dédié au renforcement des capacités ${XSS2}`);
  await sec.fill(`#tr-${bra}-w1`, "Décide de créer un fonds d'affectation spéciale pour le renforcement des capacités;");
  await post(sec, () => sec.click(`#b-translate-${bra}`));
  check(await sec.locator(`#f-translate-${bra} ~ .refusal`).count() === 0, "the secretariat translates an amendment from the board");
  check(/Un fonds dédié/.test(await sec.locator(`#am-${bra}-translation`).textContent()), "the board shows the amendment in the reader's language");
  check(await sec.locator(`#am-${bra} a[href='#doc-PoA-RC-1-2026-CRP-2'], #am-${bra} a[href='/documents#doc-PoA-RC-1-2026-CRP-2']`).count() === 1, "the board links the document issued for the amendment");
  await noXss(sec, "amendments board");
  await axe(sec, "the amendments board in French");
  await shot(sec, "board-fr");
  await ctx.close();
}

// A delegate may not use the secretariat's desk: refused, and a forged post changes nothing.
{
  const { ctx, page: nor } = await withToken(T.NOR);
  check(await nor.locator("a[href='/secretariat']").count() === 0, "a delegate is offered no secretariat desk");
  check((await nor.request.get(`${base}/secretariat`)).status() === 403, "a delegate asking for the secretariat desk is refused");
  await nor.goto(`${base}/contacts`);
  const csrf = await nor.locator("input[name=_csrf]").first().inputValue();
  const r = await nor.request.post(`${base}/secretariat`, { form: { _csrf: csrf, _form: "f-establish", _command: "body:EstablishBody",
    _target: "@f.body_id", "f.body_id": "forged-body", "f.name": "Forged", "f.members:list": "NOR" } });
  check(r.status() === 403, `a delegate's forged post to the desk is refused (${r.status()})`);
  const b = await fetch(`${base}/api/v1/bodies/forged-body`, { headers: { Authorization: `Bearer ${T.sec}` } });
  check(b.status === 404, `and nothing was established (${b.status})`);
  await ctx.close();
}

// National points of contact: Norway's delegate nominates one, the secretariat pings every
// State, Norway records the answer; an observer is offered nothing and refused.
{
  const { ctx, page: nor } = await withToken(T.NOR);
  await nor.click("a[href='/contacts']");
  await nor.waitForURL(/\/contacts$/);
  await nor.fill("#nc-id", "norcert-2");
  await nor.selectOption("#nc-role", "Technical");
  await nor.fill("#nc-name", `NorCERT duty officer ${XSS1}`);
  await nor.fill("#ch1-value", "not-an-address");
  await post(nor, () => nor.click("#b-nominate"));
  check(/@/.test(await nor.locator("#f-nominate + .refusal").textContent()), "an e-mail channel without @ is refused next to the form");
  await nor.fill("#ch1-value", "cert@example.no");
  await post(nor, () => nor.click("#b-nominate"));
  check(await nor.locator("#contact-NOR-norcert-2").count() === 1, "a delegate nominates their State's point of contact");
  const { ctx: sctx, page: sec } = await withToken(T.sec);
  await sec.goto(`${base}/contacts`);
  await sec.fill("#ping-by", "2099-12-31");
  await post(sec, () => sec.click("#b-ping"));
  check(await sec.locator("#f-ping + .refusal").count() === 0, "the secretariat pings every State's contacts in one action");
  await axe(sec, "points of contact (secretariat)");
  await shot(sec, "contacts");
  await sctx.close();
  await nor.reload();
  const confirm = nor.locator("#contact-NOR-norcert-2 button", { hasText: "Record the confirmation" });
  check(await confirm.count() === 1, "the delegate sees the ping awaiting an answer");
  await confirm.focus();
  await post(nor, () => nor.keyboard.press("Enter"));
  check(await nor.locator("#contact-NOR-norcert-2 button", { hasText: "Record the confirmation" }).count() === 0, "the answer is recorded, by keyboard");
  await noXss(nor, "points of contact");
  await axe(nor, "points of contact (delegate)");
  await ctx.close();
  const { ctx: octx, page: obs } = await withToken(token("observer"));
  check(await obs.locator("a[href='/contacts']").count() === 0, "an observer is offered no points of contact");
  await axe(obs, "home (observer)");
  const r = await obs.request.get(`${base}/contacts`);
  check(r.status() === 403 && !(await r.text()).includes("example.no"), `an observer asking for the points of contact is refused (${r.status()})`);
  await octx.close();
}

// Submissions: Norway files a national position, revises and submits it; the secretariat
// publishes it; Brazil reads it, and compares positions side by side. The demo's Norway views
// are on the public record.
{
  const { ctx, page: nor } = await withToken(T.NOR);
  await nor.click("a[href='/submissions']");
  await nor.waitForURL(/\/submissions$/);
  check(await nor.locator("#submission-list a", { hasText: "resolution 71/28" }).count() === 1, "the demo's Norway views are listed");
  await axe(nor, "submissions");
  await nor.fill("#sd-id", "nor-position");
  await nor.selectOption("#sd-kind", "NationalPosition");
  await nor.fill("#sd-title", `Norway's position ${XSS1}`);
  await nor.fill("#sd-text", "International law, including the UN Charter, applies in cyberspace.\nDue diligence is a legal obligation.");
  await nor.check("input[name='f.sections:items'][value='international_law']");
  await nor.fill("#sd-topics", "sovereignty, due diligence");
  await Promise.all([nor.waitForURL(/\/submissions\/nor-position$/), nor.click("#b-file")]);
  check((await nor.locator("#status").textContent()).trim() === "draft", "a delegate files a draft");
  await nor.fill("#rv-text", "International law, including the UN Charter, applies in cyberspace. Due diligence is a legal obligation of States.");
  await post(nor, () => nor.click("#f-revise button"));
  check(/revision 2\/2/.test(await nor.locator("main").textContent()), "a revision is kept as revision 2");
  // A file attached from the page; downloaded as sent; taken off by keyboard, attached again.
  const pdf = Buffer.from("%PDF-1.7\n% Norway's position, annex\n" + "x".repeat(5000));
  await nor.setInputFiles("#at-file", { name: "position <img src=x onerror=window.__xss=3>.pdf", mimeType: "application/pdf", buffer: pdf });
  await post(nor, () => nor.click("#b-attach"));
  const file = nor.locator("#attachments ul.files li a");
  check(await file.count() === 1 && /application\/pdf, 4\.9 KiB/.test(await nor.locator("#attachments li").textContent()), "the file is attached, with its type and size");
  const got = await nor.request.get(new URL(await file.getAttribute("href"), base).href);
  check(got.status() === 200 && Buffer.compare(await got.body(), pdf) === 0 && /attachment/.test(got.headers()["content-disposition"]), "the download gives back the bytes sent, as an attachment");
  await noXss(nor, "a submission with a file");
  await axe(nor, "a submission with a file (filer)");
  await shot(nor, "submission-attachments");
  await nor.locator("#attachments li button").focus();
  await post(nor, () => nor.keyboard.press("Enter"));
  check(await nor.locator("#attachments ul.files li").count() === 0, "the file is taken off, by keyboard");
  check(await nor.locator("#at-file:invalid").count() === 1, "no file chosen: the form asks for one before sending");
  await nor.setInputFiles("#at-file", { name: "position-annex.pdf", mimeType: "application/pdf", buffer: pdf });
  await post(nor, () => nor.click("#b-attach"));
  check(await nor.locator("#attachments ul.files li").count() === 1, "attached again");
  await nor.locator("#b-submit").focus();
  await post(nor, () => nor.keyboard.press("Enter"));
  check((await nor.locator("#status").textContent()).trim() === "submitted", "the draft is submitted, by keyboard");
  await axe(nor, "a submission (filer)");
  await noXss(nor, "a submission");
  await ctx.close();
  const { ctx: b, page: bra } = await withToken(T.BRA);
  check((await bra.request.get(`${base}/submissions/nor-position`)).status() === 404, "another State cannot read a submission before it is published");
  const { ctx: sc, page: sec } = await withToken(T.sec);
  await sec.goto(`${base}/submissions/nor-position`);
  await sec.fill("#pb-symbol", "A/AC.292/2027/WP.1");
  await post(sec, () => sec.click("#b-publish"));
  check((await sec.locator("#status").textContent()).trim() === "published", "the secretariat publishes under a symbol");
  await shot(sec, "submission");
  await sc.close();
  await bra.goto(`${base}/positions?states=NOR,BRA&topic=due%20diligence`);
  check(await bra.locator("#h-pos-NOR").count() === 1 && await bra.locator("#positions article", { hasText: "legal obligation of States" }).count() === 1, "positions are compared side by side, by topic");
  await axe(bra, "national positions compared");
  await shot(bra, "positions");
  check((await bra.request.get(`${base}/positions?states=NOR,BRA,FRA,EGY`)).status() === 400, "at most three States are compared");
  // Search, from the navigation by keyboard: a word finds its other forms.
  await bra.locator("a[href='/search']").focus();
  await Promise.all([bra.waitForURL(/\/search$/), bra.keyboard.press("Enter")]);
  await bra.fill("#sr-q", "obligations of states");
  await Promise.all([bra.waitForURL(/\/search\?q=/), bra.keyboard.press("Enter")]);
  const hit = bra.locator("#results li", { hasText: "Norway's position" });
  check(await hit.count() === 1 && await hit.locator("mark", { hasText: "obligation" }).count() === 1, "the published position is found, the words marked");
  await axe(bra, "search");
  await noXss(bra, "search");
  await shot(bra, "search");
  await bra.selectOption("#sr-language", "fr");
  await Promise.all([bra.waitForURL(/language=fr/), bra.click("#b-search")]);
  check(await bra.locator("#results li").count() === 0, "no French version: nothing found in French");
  await b.close();
}

// Capacity building: Indonesia proposes the suggested pair by keyboard, the offering
// organisation and Indonesia accept, the organisation records progress to completion.
{
  const { ctx, page: idn } = await withToken(token("delegate", "IDN"));
  await idn.click("a[href='/capacity']");
  await idn.waitForURL(/\/capacity$/);
  const row = idn.locator("#suggestions tr", { hasText: "idn-diplomats" });
  check(await row.count() >= 1 && /area: international_law/.test(await row.first().textContent()), "the board suggests a pair for Indonesia's request, with why");
  check(await idn.locator("#req-ken-cert .stage").textContent() === "agreed by both sides", "the demo's Kenya request is matched with Norway's offer");
  await axe(idn, "capacity building");
  await row.first().locator("button").focus();
  await post(idn, () => idn.keyboard.press("Enter"));
  check(/awaiting acceptance/.test(await idn.locator("#req-idn-diplomats").textContent()), "Indonesia proposes the match, by keyboard");
  const { ctx: oc, page: cpi } = await withToken(token("observer"));
  await cpi.goto(`${base}/capacity`);
  await post(cpi, () => cpi.click("#req-idn-diplomats button[value='request:AcceptMatch']"));
  await cpi.waitForTimeout(300);
  await idn.reload();
  check(await idn.locator("#req-idn-diplomats .stage").textContent() !== "agreed by both sides", "one side's acceptance is not enough");
  await post(idn, () => idn.click("#req-idn-diplomats button[value='request:AcceptMatch']"));
  check(await idn.locator("#req-idn-diplomats .stage").textContent() === "agreed by both sides", "the match takes effect when both sides accept");
  await cpi.reload();
  await cpi.fill("#pg-idn-diplomats", "First course held in Jakarta");
  await cpi.check("#f-progress-idn-diplomats input[type=checkbox]");
  await post(cpi, () => cpi.click("#f-progress-idn-diplomats button"));
  check(/completed/.test(await cpi.locator("#req-idn-diplomats h3").textContent()), "progress is recorded to completion");
  await axe(cpi, "capacity building (offerer)");
  await cpi.click("a[href='/participation']");
  await cpi.waitForURL(/\/participation$/);
  check(await cpi.locator("#by-year tbody tr").count() > 0 && await cpi.locator("#by-state").count() === 0, "participation over time: totals for an observer, no State's figures");
  check(/African States/.test(await cpi.locator("#by-region").textContent()), "the sponsorship programme's reach, by regional group");
  await axe(cpi, "participation over time");
  await shot(cpi, "participation");
  await oc.close();
  await ctx.close();
}

// The report of the review conference, reached by keyboard from the meeting list; as of the
// end of its second day (the demo is loaded on its own dates); downloaded in French.
{
  const { ctx, page: obs } = await withToken(token("observer"));
  await obs.goto(`${base}/`);
  await obs.locator("a[href='/meetings/poa-rc-1/report']").focus();
  await obs.keyboard.press("Enter");
  await obs.waitForURL(/\/meetings\/poa-rc-1\/report$/);
  const body = await obs.locator("article.report").textContent();
  check(/PoA\/RC\.1\/2026/.test(body) && /Kari Nordmann/.test(body) && /OP-2/.test(body), "the report names the conference, its participants and Egypt's dissociation");
  check(await obs.locator("article.report .entry.outcome").count() >= 1, "the outcome without consensus is in the report");
  await axe(obs, "meeting report");
  await shot(obs, "report");
  await obs.fill("#report-at", "2026-11-24");
  await obs.locator("#report-at").press("Enter");
  await obs.waitForURL(/at=2026-11-24/);
  const early = await obs.locator("article.report").textContent();
  check(/open/.test(await obs.locator(".report-head").textContent()) && !/am-bra/.test(early), "as of the end of 24 November: still sitting, Brazil's amendment not yet decided");
  await axe(obs, "meeting report as of a date");
  const href = await obs.locator("#dl-report-html").getAttribute("href");
  const r = await obs.request.get(base + href.replace("lang=en", "lang=fr"));
  const html = await r.text();
  check(r.status() === 200 && /attachment/.test(r.headers()["content-disposition"]) && /<html lang="fr"/.test(html) && /Encourage les États/.test(html), "the report downloads as an HTML document in French");
  await obs.goto(`${base}/frameworks/poa`);
  const decl = await obs.request.get(base + await obs.locator("#dl-declaration-html").getAttribute("href"));
  check(decl.status() === 200 && /<strong>OP1<\/strong>/.test(await decl.text()), "the Declaration downloads as an HTML document");
  await obs.goBack();
  const csv = await obs.request.get(base + await obs.locator("#dl-report-csv").getAttribute("href"));
  check(csv.status() === 200 && (await csv.text()).startsWith("symbol,meeting_id"), "the meeting's decisions download as CSV");
  // The printed report and Declaration: a PDF (its magic number) and a Word file (a zip).
  await obs.goto(`${base}/meetings/poa-rc-1/report`);
  const pdf = await obs.request.get(base + await obs.locator("#dl-report-pdf").getAttribute("href"));
  const pdfBody = await pdf.body();
  check(pdf.status() === 200 && pdf.headers()["content-type"] === "application/pdf" && pdfBody.subarray(0, 5).toString() === "%PDF-", "the report downloads as PDF");
  const docx = await obs.request.get(base + await obs.locator("#dl-report-docx").getAttribute("href"));
  check(docx.status() === 200 && (await docx.body()).subarray(0, 2).toString() === "PK", "the report downloads as a Word document");
  check(/Adopted by the meeting: decision PoA\/RC\.1\/2026\/DEC\/\d+/.test(await obs.locator("#report-adopted").textContent()), "the report names the decision that adopted it");
  check(await obs.locator("article.report .summary-record").count() === 4, "the report holds the four summary records");
  await obs.goto(`${base}/frameworks/poa`);
  const declPdf = await obs.request.get(base + await obs.locator("#dl-declaration-pdf").getAttribute("href"));
  check(declPdf.status() === 200 && (await declPdf.body()).subarray(0, 5).toString() === "%PDF-", "the Declaration downloads as PDF");
  await ctx.close();
}

// The document registry: the secretariat issues a draft for decision and revises it, by
// keyboard; an observer sees it, never a restricted document.
{
  const { ctx, page: sp } = await withToken(T.sec);
  await sp.goto(`${base}/documents`);
  check(await sp.locator("#doc-PoA-RC-1-2026-1").count() === 1 && await sp.locator("#doc-A-RES-77-37").count() === 1, "the demo's documents are in the registry");
  await axe(sp, "document registry");
  await sp.locator("#is-prefix").focus();
  await sp.keyboard.type("PoA/RC.1/2026");
  await sp.selectOption("#is-series", "L");
  await sp.fill("#is-title", "Draft final report <script>alert(1)</script>");
  await sp.fill("#is-meeting", "poa-rc-1");
  await sp.fill("#is-item", "5");
  await post(sp, () => sp.locator("#is-item").press("Enter"));
  check(await sp.locator("#doc-PoA-RC-1-2026-L-1").count() === 1, "the next symbol in the L series is issued: PoA/RC.1/2026/L.1");
  await sp.fill("#rel-to", "PoA/RC.1/2026/L.1");
  await post(sp, () => sp.click("#b-related"));
  check(/PoA\/RC\.1\/2026\/L\.1\/Rev\.1/.test(await sp.locator("#doc-PoA-RC-1-2026-L-1").textContent()), "its revision replaces it");
  await sp.fill("#is-prefix", "PoA/RC.1/2026");
  await sp.selectOption("#is-series", "Crp");
  await sp.fill("#is-title", "Note for delegations only");
  await sp.selectOption("#is-dist", "Restricted");
  await post(sp, () => sp.click("#b-issue"));
  await sp.fill("#rel-to", "A/RES/77/37");
  await post(sp, () => sp.click("#b-related"));
  check(/another process/.test(await sp.locator("#f-related + .refusal").textContent()), "a document of another process is not revised here: the refusal is next to its form");
  await noXss(sp, "document registry");
  await axe(sp, "document registry after issuing");
  await shot(sp, "documents");
  const { ctx: oc, page: op } = await withToken(token("observer"));
  await op.goto(`${base}/documents`);
  check(await op.locator("#doc-PoA-RC-1-2026-L-1-Rev-1").count() === 1 && await op.locator("#doc-PoA-RC-1-2026-CRP-3").count() === 0 && await op.locator("#doc-PoA-RC-1-2026-CRP-1").count() === 1 && await op.locator("#f-issue").count() === 0, "an observer sees the registry without restricted documents or forms");
  await oc.close();
  await ctx.close();
}

// The annex of regional initiatives: reached from the Declaration by keyboard; the
// secretariat drafts an entry and proposes a removal, both awaiting the next adoption; an
// observer sees the annex as adopted, each entry with its decision, and no drafts or forms.
{
  const { ctx, page: sec } = await withToken(T.sec);
  await sec.goto(`${base}/frameworks/poa`);
  await sec.locator("#annex-link").focus();
  await Promise.all([sec.waitForURL(/\/annexes\/poa$/), sec.keyboard.press("Enter")]);
  check(await sec.locator("#ann-osce-cbms").count() === 1 && /DEC\//.test(await sec.locator("#ann-osce-cbms .how").textContent()), "the annex shows each entry with the decision that adopted it");
  check(await sec.locator("#pending-oas-cicte").count() === 1, "the secretariat sees the draft awaiting adoption");
  await sec.locator("#dr-id").focus();
  await sec.keyboard.type("arf-cbms");
  await sec.fill("#dr-org", "ASEAN Regional Forum");
  await sec.fill("#dr-title", `ARF work plan on ICT security ${XSS2}`);
  await sec.fill("#dr-desc", "Confidence-building measures among ARF participants.");
  await sec.fill("#dr-links", "https://aseanregionalforum.asean.org/\nnot a link");
  await post(sec, () => sec.click("#b-draft"));
  check(/link 1/.test(await sec.locator("#f-draft + .refusal").textContent()), "a link that is not an http(s) address is refused, saying which");
  await sec.fill("#dr-id", "arf-cbms");
  await sec.fill("#dr-org", "ASEAN Regional Forum");
  await sec.fill("#dr-title", `ARF work plan on ICT security ${XSS2}`);
  await sec.fill("#dr-desc", "Confidence-building measures among ARF participants.");
  await sec.fill("#dr-links", "https://aseanregionalforum.asean.org/");
  await post(sec, () => sec.click("#b-draft"));
  check(await sec.locator("#pending-arf-cbms").count() === 1, "the drafted entry awaits adoption");
  await post(sec, () => sec.locator("#f-remove-nordic-cooperation button").press("Enter"));
  check(/removal|retrait/.test(await sec.locator("#pending-nordic-cooperation").textContent()), "a proposed removal awaits adoption, and the entry stays in force");
  check(await sec.locator("#ann-nordic-cooperation").count() === 1, "until then the entry stands");
  await noXss(sec, "annex");
  await axe(sec, "annex of regional initiatives (secretariat)");
  await shot(sec, "annex");
  const { ctx: oc, page: obs } = await withToken(token("observer"));
  await obs.goto(`${base}/annexes/poa`);
  check(await obs.locator("#ann-budapest-convention").count() === 1 && await obs.locator("#pending-arf-cbms").count() === 0 && await obs.locator("#f-draft").count() === 0, "an observer sees the annex as adopted, without drafts or forms");
  await obs.fill("#as-of", "2026-11-24");
  await obs.locator("#as-of").press("Enter");
  await obs.waitForLoadState();
  check(await obs.locator("li.entry").count() === 0, "as of the second day, nothing had been adopted");
  await axe(obs, "annex as of a date");
  await oc.close();
  await ctx.close();
}

// Reporting cycles: reached from the Declaration by keyboard; who reported in each cycle;
// the secretariat's schedule form refuses a cohort line it cannot read, saying which.
{
  const { ctx, page: sec } = await withToken(T.sec);
  await sec.goto(`${base}/frameworks/poa`);
  await sec.locator("#reporting-link").focus();
  await Promise.all([sec.waitForURL(/\/reporting\/poa$/), sec.keyboard.press("Enter")]);
  check(/KEN/.test(await sec.locator("#cycle-2 td.submitted").textContent()), "Kenya's report counts in the 2026 cycle");
  check(await sec.locator("#cycle-1 td.overdue .tag").count() === 8, "the 2025 cohort, which did not report, is overdue");
  await sec.fill("#sc-cohorts", "Everyone NOR SWE");
  await post(sec, () => sec.click("#b-schedule"));
  check(/line 1/.test(await sec.locator("#f-schedule + .refusal").textContent()), "a cohort line without a colon is refused, naming the line");
  await axe(sec, "reporting cycles (secretariat, refused form)");
  await shot(sec, "reporting");
  await sec.goto(`${base}/submissions/ken-report-2026`);
  check(await sec.locator("#answers dd").count() === 3, "a national report shows its answers to the survey template");
  await axe(sec, "a national report with its survey answers");
  // The trust fund's ledger, from the capacity-building page by keyboard; a disbursement
  // larger than the balance is refused, saying the balance.
  await sec.goto(`${base}/capacity`);
  await sec.locator("#fund-link").focus();
  await Promise.all([sec.waitForURL(/\/funds\/poa-trust-fund$/), sec.keyboard.press("Enter")]);
  check(/180000/.test(await sec.locator("#balance").textContent()), "the fund's balance is received minus disbursed");
  await sec.fill("#en-id", "too-much");
  await sec.selectOption("#en-kind", "disbursement");
  await sec.fill("#en-recipient", `A project ${XSS2}`);
  await sec.fill("#en-amount", "999999");
  await sec.fill("#en-purpose", "capacity building");
  await sec.fill("#en-date", "2026-11-30");
  await post(sec, () => sec.click("#b-entry"));
  check(/below zero/.test(await sec.locator("#f-entry + .refusal").textContent()), "an overdrawing disbursement is refused next to the form");
  await sec.goto(`${base}/funds/poa-trust-fund?on=2026-11-28`);
  check(/300000/.test(await sec.locator("#balance").textContent()), "the balance as of an earlier day");
  await noXss(sec, "fund ledger");
  await axe(sec, "fund ledger");
  await shot(sec, "fund");
  await ctx.close();
}

// The working group on capacity building, reached from the home page: its programme of work;
// the secretariat adds a task and records its progress by keyboard.
{
  const { ctx, page: sec } = await withToken(T.sec);
  await sec.goto(`${base}/bodies/poa`);
  await sec.locator("a[href='/bodies/poa-cbwg']").focus();
  await Promise.all([sec.waitForURL(/\/bodies\/poa-cbwg$/), sec.keyboard.press("Enter")]);
  check(/in progress/.test(await sec.locator("#item-needs-mapping").textContent()), "the programme of work says where each task stands");
  check(await sec.locator("#meetings a[href='/meetings/poa-cbwg-1/room']").count() === 1, "the working group's own meeting is listed");
  await axe(sec, "working group");
  await sec.locator("#wi-id").focus();
  await sec.keyboard.type("browser-task");
  await sec.keyboard.press("Tab");
  await sec.keyboard.type(`Browser task ${XSS1}`);
  await sec.fill("#wi-due", "2030-01-31");
  await sec.locator("#f-add-item button").focus();
  await post(sec, () => sec.keyboard.press("Enter"));
  check(await sec.locator("#item-browser-task").count() === 1, "a task is added to the programme of work");
  await sec.selectOption("#wp-item", "browser-task");
  await sec.selectOption("#wp-status", "Completed");
  await sec.fill("#wp-output", "PoA/CBWG/2030/9");
  await post(sec, () => sec.click("#f-progress button"));
  check(/PoA\/CBWG\/2030\/9/.test(await sec.locator("#item-browser-task").textContent()), "its output is recorded");
  await sec.selectOption("#wp-item", "browser-task");
  await sec.selectOption("#wp-status", "InProgress");
  await sec.fill("#wp-note", "again");
  await post(sec, () => sec.click("#f-progress button"));
  check(/closed/.test(await sec.locator("#f-progress + .refusal").textContent()), "a closed task is refused more progress, next to the form");
  await noXss(sec, "working group");
  await axe(sec, "working group after progress");
  await shot(sec, "working-group");
  await ctx.close();
}

// Arabic, chosen by the browser's Accept-Language: every page of every role, right to left,
// with no axe violation.
{
  const pages = [
    [T.sec, ["/", "/secretariat", `/secretariat/meetings/${MEETING}`, "/frameworks/poa", "/decisions", "/amendments", "/audit", "/contacts", "/submissions", "/submissions/nor-views-71-28", "/search?q=digitalized", "/capacity", "/participation", "/documents", "/annexes/poa", "/reporting/poa", "/funds/poa-trust-fund", "/bodies/poa-cbwg"]],
    [T.chair, [`/meetings/${MEETING}/console`, `/meetings/${MEETING}/room`]],
    [T.NOR, [`/meetings/${MEETING}/desk`, "/contacts", "/participation"]],
    [token("observer"), ["/", `/meetings/${MEETING}/room`, "/decisions", "/submissions/nor-views-71-28", "/positions?states=NOR", "/meetings/poa-rc-1/report", "/bodies/poa"]],
    [token("auditor"), ["/audit"]],
    [token("admin"), ["/credentials"]],
  ];
  for (const [tok, paths] of pages) {
    const { ctx, page } = await withToken(tok, "ar-EG");
    for (const path of paths) {
      await page.goto(base + path);
      const dir = await page.locator("html").getAttribute("dir");
      const lang = await page.locator("html").getAttribute("lang");
      check(dir === "rtl" && lang === "ar", `${path} is in Arabic, right to left`);
      await axe(page, `${path} in Arabic`);
      await shot(page, `ar${path.replace(/\//g, "-")}`);
    }
    await ctx.close();
  }
  const ctx = await browser.newContext({ locale: "ar" });
  const p = await ctx.newPage();
  await p.goto(base + "/sign-in");
  check(await p.locator("html").getAttribute("dir") === "rtl", "the sign-in page is in Arabic for an Arabic browser");
  await axe(p, "sign-in in Arabic");
  // The switch, by keyboard: English again.
  await p.locator("nav.languages a[lang='en']").focus();
  await p.keyboard.press("Enter");
  await p.waitForLoadState();
  check(await p.locator("html").getAttribute("dir") === "ltr", "the switch brings English back");
  await ctx.close();
}

// The API explorer (/docs): every route with its parameters, sent by keyboard with a token;
// under the pages' strict policy (no inline script or style).
{
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const p = await ctx.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  const r = await p.goto(`${base}/docs`);
  check(/script-src 'self'/.test(r.headers()["content-security-policy"] || ""), "the explorer has the strict policy");
  await p.waitForSelector("#routes details");
  check(errors.length === 0, `the explorer lists the routes without a script error (${errors.join("; ")})`);
  await axe(p, "the API explorer");
  const d = p.locator("details", { has: p.locator("code", { hasText: /^\/api\/v1\/decisions$/ }) });
  await d.locator("summary").focus();
  await p.keyboard.press("Enter");
  check(await d.locator("ul.params li", { hasText: "Page size, 1 to 1000" }).count() === 1, "a route's parameters are described");
  await p.fill("#tok", T.sec);
  await d.locator("input[name=path]").fill("/api/v1/decisions?limit=1");
  await d.locator("input[name=path]").press("Enter");
  await d.locator("pre", { hasText: /^200 OK/ }).waitFor();
  check(/"decisions"/.test(await d.locator("pre").textContent()), "the explorer sends a read with the token and shows the answer");
  const a = p.locator("details", { has: p.locator("code", { hasText: /attachments$/ }) });
  await a.locator("summary").click();
  check(await a.locator("input[type=file]").count() === 1, "a file upload is offered a file, not a JSON body");
  await shot(p, "api-explorer");
  await ctx.close();
}

// A delegate has no audit history: no link, and the page refuses.
check(await bra.locator("a[href='/audit']").count() === 0, "a delegate is offered no audit history");
{
  const r = await bra.request.get(`${base}/audit`);
  check(r.status() === 403, `a delegate asking for the audit history is refused (${r.status()})`);
}

// Sign-out ends the session.
await bra.click("button:has-text('Sign out')");
await bra.waitForURL(/\/sign-in/);
await bra.goto(`${base}/meetings/${MEETING}/desk`);
check(/\/sign-in/.test(bra.url()), "after sign-out the desk asks to sign in again");
check(xssHits.length === 0, "no injected dialog opened");

await browser.close();
stop();
console.log(failures ? `${failures} browser check(s) failed` : "all browser checks passed");
process.exit(failures ? 1 : 0);
