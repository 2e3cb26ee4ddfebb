/**
 * The control UI: one self-contained page (inline CSS and JS, no external assets)
 * that talks to /ws with the same auth as any client. Everything the gateway sends is
 * put on the page with textContent, never innerHTML, so a skill description or an
 * audit record cannot inject markup. The CSP allows only this page's own script (by
 * hash) and connections back to this gateway.
 */
import { createHash } from "node:crypto";

const STYLE = `
body{font:13px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
header{background:#24292f;color:#fff;padding:10px 16px;display:flex;gap:12px;align-items:center}
header h1{font-size:15px;margin:0}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px;padding:12px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;overflow:auto;max-height:420px}
section h2{font-size:13px;margin:0 0 6px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:3px 6px;border-bottom:1px solid #d0d7de;vertical-align:top}
pre{white-space:pre-wrap;margin:0;font-size:12px}
.badge{display:inline-block;padding:0 6px;border-radius:10px;border:1px solid currentColor;font-size:11px;font-weight:600}
.ok{color:#1a7f37}.warn{color:#9a6700}.fail{color:#cf222e}.muted{color:#57606a}
#login{display:none;padding:12px 16px;background:#fff8c5;border-bottom:1px solid #d4a72c}
input{font:inherit;padding:3px 6px}button{font:inherit;padding:3px 10px;cursor:pointer}
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
let ws, nextId = 1; const pending = new Map();
function setState(text, cls) { const s = $("conn"); s.textContent = text; s.className = "badge " + cls; }
function table(target, headers, rows) {
  const t = el("table"), h = el("tr");
  headers.forEach((x) => h.appendChild(el("th", x))); t.appendChild(h);
  rows.forEach((r) => { const tr = el("tr"); r.forEach((c) => tr.appendChild(el("td", c == null ? "" : typeof c === "object" ? JSON.stringify(c) : c))); t.appendChild(tr); });
  target.replaceChildren(t);
}
function message(target, text, cls) { target.replaceChildren(el("div", text, cls || "muted")); }
function call(method, params) {
  return new Promise((resolve, reject) => {
    const id = String(nextId++); pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ type: "req", id, method, params: params || {} }));
  });
}
async function health() {
  try {
    const h = await (await fetch("/health", { cache: "no-store" })).json();
    $("health").replaceChildren(el("span", h.status, "badge ok"), el("span", " openclaw-kernel " + h.version + ", up " + Math.round(h.uptimeMs / 1000) + " s"));
  } catch (e) { message($("health"), "unreachable: " + e.message, "fail"); }
}
async function section(id, method, params, render) {
  try { render(await call(method, params)); }
  catch (e) { message($(id), (e.code === "unavailable" ? "not available yet: " : "error: ") + e.message, e.code === "unavailable" ? "warn" : "fail"); }
}
function loadAll() {
  section("status", "status", {}, (s) => table($("status"), ["key", "value"], Object.entries(s)));
  section("config", "config.get", {}, (c) => $("config").replaceChildren(el("pre", JSON.stringify(c.config, null, 2))));
  section("skills", "skills.list", {}, (r) => r.skills.length ? table($("skills"), ["name", "description"], r.skills.map((s) => [s.name, s.description])) : message($("skills"), "no skills registered"));
  section("exec", "exec.list", {}, (r) => { const s = Array.isArray(r.sessions) ? r.sessions : []; s.length ? table($("exec"), ["id", "status", "argv"], s.map((x) => [x.id, x.status, (x.argv || []).join(" ")])) : message($("exec"), "no exec sessions"); });
  section("audit", "audit.tail", { n: 20 }, (r) => r.records.length ? table($("audit"), ["seq", "ts", "action", "skill", "decision", "exit"], r.records.map((x) => [x.seq, x.ts, x.action, x.skill, x.decision, x.exitCode])) : message($("audit"), "no audit records yet"));
}
function runDoctor() {
  message($("doctor"), "running…");
  section("doctor", "doctor", {}, (r) => table($("doctor"), ["status", "check", "message"], r.checks.map((c) => [c.status, c.id, c.message])));
}
function onEvent(f) {
  const li = el("li", f.event + " " + JSON.stringify(f.payload).slice(0, 200)); const ul = $("events");
  ul.prepend(li); while (ul.children.length > 50) ul.lastChild.remove();
  if (f.event === "exec.exit" || f.event === "exec.background") section("exec", "exec.list", {}, (r) => table($("exec"), ["id", "status", "argv"], (r.sessions || []).map((x) => [x.id, x.status, (x.argv || []).join(" ")])));
}
function connect() {
  const creds = {}; const tok = sessionStorage.getItem("oc.token"), ses = sessionStorage.getItem("oc.session"), code = $("code").value.trim();
  if (tok) creds.token = tok; if (ses) creds.session = ses; if (code) creds.pairingCode = code;
  ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  setState("connecting", "warn");
  ws.onopen = () => ws.send(JSON.stringify({ type: "req", id: "connect", method: "connect", params: { ...creds, client: { name: "control-ui" } } }));
  ws.onmessage = (m) => {
    const f = JSON.parse(m.data);
    if (f.type === "event") return onEvent(f);
    if (f.id === "connect") {
      if (!f.ok) { setState("locked", "fail"); $("login").style.display = "block"; $("why").textContent = f.error.message + (f.error.fix ? " (" + f.error.fix + ")" : ""); $("tokrow").style.display = f.error.message.includes("token") ? "" : "none"; $("coderow").style.display = f.error.code === "pairing_required" ? "" : "none"; return; }
      if (f.payload.session) sessionStorage.setItem("oc.session", f.payload.session);
      $("login").style.display = "none"; setState("connected", "ok");
      call("events.subscribe", {}).catch(() => {}); loadAll(); return;
    }
    const p = pending.get(f.id); if (!p) return; pending.delete(f.id);
    if (f.ok) p.resolve(f.payload); else p.reject(Object.assign(new Error(f.error.message), { code: f.error.code }));
  };
  ws.onclose = (e) => { if ($("conn").textContent !== "locked") setState("disconnected (" + e.code + ")", "fail"); for (const p of pending.values()) p.reject(new Error("disconnected")); pending.clear(); };
}
$("go").onclick = () => { const t = $("token").value.trim(); if (t) sessionStorage.setItem("oc.token", t); connect(); };
$("refresh").onclick = () => { health(); loadAll(); };
$("rundoctor").onclick = runDoctor;
health(); connect(); setInterval(health, 10000);
`;

const BODY = `<header><h1>openclaw-kernel gateway</h1><span id="conn" class="badge warn">starting</span><span style="flex:1"></span><button id="refresh">refresh</button></header>
<div id="login"><div id="why"></div>
<div id="tokrow">token <input id="token" type="password" autocomplete="off" size="48"></div>
<div id="coderow" style="display:none">pairing code <input id="code" autocomplete="off" size="12" placeholder="ABCD-EFGH"></div>
<button id="go">connect</button></div>
<main>
<section><h2>health</h2><div id="health" class="muted">…</div></section>
<section><h2>status</h2><div id="status" class="muted">…</div></section>
<section><h2>skills</h2><div id="skills" class="muted">…</div></section>
<section><h2>exec sessions</h2><div id="exec" class="muted">…</div></section>
<section><h2>recent audit records</h2><div id="audit" class="muted">…</div></section>
<section><h2>doctor <button id="rundoctor">run</button></h2><div id="doctor" class="muted">not run yet</div></section>
<section><h2>config (redacted)</h2><div id="config" class="muted">…</div></section>
<section><h2>events</h2><ul id="events" style="margin:0;padding-left:16px;font-size:12px"></ul></section>
</main>`;

const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
const SCRIPT_HASH = sha(SCRIPT);

export const UI_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>openclaw-kernel gateway</title><style>${STYLE}</style></head><body>${BODY}<script>${SCRIPT}</script></body></html>`;

/**
 * Only this page's script (by hash) and inline styles (CSS cannot run code), fetches and the WebSocket back to the same host only, no framing.
 */
export function uiHeaders(host: string, tls: boolean): Record<string, string> {
  const ws = `${tls ? "wss" : "ws"}://${host}`;
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": `default-src 'none'; script-src ${SCRIPT_HASH}; style-src 'unsafe-inline'; connect-src 'self' ${ws}; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };
}
