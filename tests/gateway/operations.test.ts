// The one operation table (runtime/operations): every gateway operation is reachable over
// the WebSocket with params checked by its schema; the CLI and the gateway give the same
// data for the same operation; a gateway exec.kill is audited like the CLI's; the
// committed protocol schema is generated from the table and fresh.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkText } from "../../runtime/config/index.js";
import { METHOD_NAMES } from "../../runtime/gateway/methods.js";
import { Gateway } from "../../runtime/gateway/index.js";
import { OPERATIONS, operationsFor, ParamsError, validateParams } from "../../runtime/operations/index.js";
import { Runtime } from "../../runtime/runtime.js";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";
import { COMMANDS } from "../../magics/commands/index.js";
import { ROOT, tmp, writeFile } from "../helpers/index.js";
import { startGateway, wsClient } from "./helpers.js";

/** A value of the wrong JSON type for a property schema. */
function wrongValue(prop: Record<string, unknown>): unknown {
  if (prop.type === "string" || prop.enum) return 12345;
  if (prop.type === "integer" || prop.type === "number" || prop.type === "boolean" || prop.type === "array") return { not: "this" };
  return "not an object";
}

test("every gateway operation is a method, and its params are validated by its schema (bad_params names the field)", async (t) => {
  const gwOps = operationsFor("gateway");
  assert.deepEqual(METHOD_NAMES, ["connect", ...gwOps.map((o) => o.name)].sort(), "the methods are exactly the table's gateway operations");
  assert.ok(gwOps.length >= 20, `${gwOps.length} gateway operations`);
  const { port } = await startGateway(t);
  const c = await wsClient(port);
  for (const op of gwOps) {
    const valid = (except?: string) => {
      const base: Record<string, unknown> = {};
      for (const req of op.params.required ?? []) if (req !== except) base[req] = op.params.properties[req]!.type === "boolean" ? true : "x";
      return base;
    };
    // An unknown param: refused before the handler runs, naming it.
    const extra = await c.call(op.name, { ...valid(), bogusParam: 1 });
    assert.equal(extra.ok, false, op.name);
    assert.equal(extra.error.code, "bad_params", `${op.name}: ${JSON.stringify(extra.error)}`);
    assert.match(extra.error.message, /params\.bogusParam is not a parameter/, op.name);
    // A missing required param.
    for (const req of op.params.required ?? []) {
      const r = await c.call(op.name, {});
      assert.equal(r.error?.code, "bad_params", `${op.name} without ${req}`);
      assert.match(r.error.message, new RegExp(`params\\.${op.params.required![0]} is required`), op.name);
    }
    // A wrong type for each param.
    for (const [name, prop] of Object.entries(op.params.properties)) {
      const r = await c.call(op.name, { ...valid(name), [name]: wrongValue(prop) });
      assert.equal(r.error?.code, "bad_params", `${op.name}.${name}: ${JSON.stringify(r)}`);
      assert.match(r.error.message, new RegExp(`^params\\.${name} `), `${op.name}.${name}: ${r.error.message}`);
    }
  }
  // Ranges come from the schema too (audit.tail's n was a hand-written int() check).
  const big = await c.call("audit.tail", { n: 1001 });
  assert.equal(big.error.code, "bad_params");
  assert.match(big.error.message, /params\.n must be <= 1000/);
  c.close();
});

test("every operation's params schema compiles under ajv strict mode (found in review: a oneOf broke %%openclaw skill)", () => {
  for (const op of OPERATIONS) {
    try {
      validateParams(op, {});
    } catch (e) {
      assert.ok(e instanceof ParamsError, `${op.name}: ${(e as Error).message}`);
    }
  }
});

test("every operation is bound to a front door: a gateway method or a command of the grammar", () => {
  const bound = new Set(COMMANDS.map((c) => c.op).filter(Boolean));
  for (const op of OPERATIONS) {
    const reachable = (op.reach.includes("gateway") ? 1 : 0) + (bound.has(op.name) ? 1 : 0);
    assert.ok(reachable > 0, `${op.name} is reachable from nowhere`);
    if (op.reach.includes("cli") || op.reach.includes("kernel")) assert.ok(bound.has(op.name), `${op.name} reaches the CLI/kernel but no command binds it`);
  }
  for (const c of COMMANDS) if (c.op) assert.ok(OPERATIONS.some((o) => o.name === c.op), `${c.path.join(" ")} binds an unknown operation ${c.op}`);
});

function realRuntime(t: { after(fn: () => void | Promise<void>): void }) {
  const dir = tmp(t, "oc-ops-");
  mkdirSync(join(dir, "workspace"), { recursive: true });
  const cfg = { gateway: { bind: "127.0.0.1:0" }, stateDir: "./state" };
  const path = writeFile(join(dir, "openclaw.json"), cfg);
  const checked = checkText(JSON.stringify(cfg), { path, via: "--config", baseDir: dir }, {});
  assert.ok(checked.config, JSON.stringify(checked.issues));
  const rt = new Runtime({ config: checked.config!, source: checked.source, raw: checked.raw }, { host: "kernel", env: {} });
  t.after(() => rt.close());
  return { rt, dir, path };
}

test("the CLI and the gateway give the same data for the same operation", async (t) => {
  const { rt, dir, path } = realRuntime(t);
  const gw = (await rt.gateway()) as Gateway;
  const started = await gw.start();
  t.after(() => gw.stop());
  const c = await wsClient(started.port!);
  t.after(() => c.close());
  const cli = makeContext({ host: "cli", cwd: dir, env: {} });
  t.after(() => cli.closeAll());
  const pairs: Array<[string, string, Record<string, unknown>?]> = [
    ["skills list", "skills.list"],
    ["config show", "config.get"],
    ["exec list", "exec.list"],
    ["audit verify", "audit.verify"],
    ["audit tail -n 5", "audit.tail", { n: 5 }],
    ["skills show local-rag", "skills.show", { name: "local-rag" }],
  ];
  for (const [line, method, params] of pairs) {
    const viaCli = (await dispatch(`${line} --json --config ${path}`, cli)).result;
    const viaGw = await c.call(method, params);
    assert.equal(viaGw.ok, true, `${method}: ${JSON.stringify(viaGw.error)}`);
    assert.deepEqual(viaGw.payload, JSON.parse(JSON.stringify(viaCli.data)), `${line} vs ${method}`);
  }
  // The same refusal shape too: an unknown skill name.
  await assert.rejects(dispatch(`skills show nope --config ${path}`, cli), (e: any) => e.code === "not_found");
  assert.equal((await c.call("skills.show", { name: "nope" })).error.code, "not_found");
});

// The allowed kill over the WebSocket is in ws.test.ts; here the refused one.
test("a gateway exec.kill of an unknown session is refused and audited as an error with the gateway actor", async (t) => {
  const { rt } = realRuntime(t);
  const gw = (await rt.gateway()) as Gateway;
  const started = await gw.start();
  t.after(() => gw.stop());
  const c = await wsClient(started.port!);
  t.after(() => c.close());
  const missing = await c.call("exec.kill", { id: "x0nope" });
  assert.equal(missing.ok, false);
  const [rec] = await rt.door().auditTail(1);
  assert.equal(rec!.action, "exec.kill");
  assert.equal(rec!.decision, "error");
  assert.equal(rec!.actor.host, "gateway");
  assert.equal(rec!.actor.clientId, c.frames[0].payload.clientId, "the record names the client");
  assert.equal((await rt.door().auditVerify()).ok, true);
});

test("the methods part of schemas/gateway-protocol.schema.json is generated from the table and fresh", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/gen-protocol.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const schema = JSON.parse(readFileSync(join(ROOT, "schemas/gateway-protocol.schema.json"), "utf8"));
  const names: string[] = schema.definitions.methodName.enum;
  assert.deepEqual(names, METHOD_NAMES, "every method is in the schema");
  const execKill = schema.definitions.methods.oneOf.find((m: any) => m.properties.method.const === "exec.kill");
  assert.deepEqual(execKill.properties.params.required, ["id"]);
});
