// A busy configured port: the in-notebook gateway (freePortIfTaken, what gateway.start in a
// kernel passes) listens on a free port and says which; the CLI's start keeps failing with
// port_in_use; and this user's own gateway on the port is never shadowed by a second one.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { test } from "node:test";
import type { Gateway } from "../../runtime/gateway/index.js";
import { makeRuntime } from "../fixtures/runtime.js";
import { cannotMakeUsers, makeUser } from "../helpers/linux-user.js";
import { get, startGateway } from "./helpers.js";

async function holdPort(t: { after(fn: () => void | Promise<void>): void }): Promise<number> {
  const socks = new Set<import("node:net").Socket>();
  const srv: Server = createServer((s) => {
    socks.add(s);
    s.destroy();
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of socks) s.destroy();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  return (srv.address() as { port: number }).port;
}

async function gatewayOn(t: Parameters<typeof makeRuntime>[0], port: number): Promise<Gateway> {
  const { rt } = makeRuntime(t, { host: "kernel", config: { gateway: { bind: `127.0.0.1:${port}` } } });
  const gw = (await rt.gateway()) as Gateway;
  t.after(() => gw.stop());
  return gw;
}

test("port taken by another program: the in-notebook gateway picks a free port and names it; without the option it fails clearly", async (t) => {
  const taken = await holdPort(t);
  const cliLike = await gatewayOn(t, taken);
  await assert.rejects(cliLike.start(), (e: Error & { code?: string }) => e.code === "port_in_use" && e.message.includes(String(taken)));
  const gw = await gatewayOn(t, taken);
  const r = await gw.start({ freePortIfTaken: true });
  assert.notEqual(r.port, taken);
  assert.equal(r.portFallback?.wanted, taken);
  assert.match(r.portFallback!.message, new RegExp(`port ${taken} is taken by another program; this gateway listens on port ${r.port} instead`));
  assert.equal((await get(r.port!, "/health")).status, 200);
});

test("port held by this user's own gateway: no second gateway on another port (use the running one)", async (t) => {
  const { port } = await startGateway(t);
  const gw = await gatewayOn(t, port);
  await assert.rejects(gw.start({ freePortIfTaken: true }), (e: Error & { code?: string; fix?: string }) => e.code === "port_in_use" && /an openclaw-kernel gateway/.test(e.message) && /already running/.test(e.fix ?? ""));
});

test("port held by another Linux user's process: the fallback names that user", { skip: cannotMakeUsers() }, async (t) => {
  // After hooks run in order: stop B's process before B is removed.
  const stop = new AbortController();
  let child: Promise<unknown> = Promise.resolve();
  t.after(async () => {
    stop.abort();
    await child;
  });
  const b = makeUser(t);
  const probe = await holdPort(t); // a port number that was free a moment ago
  child = b.run(["/usr/bin/node", "-e", `require("node:net").createServer((s)=>s.destroy()).listen(${probe + 1}, "127.0.0.1"); setTimeout(() => process.exit(0), 60000)`], { signal: stop.signal });
  // Wait for B's listener to appear (it prints nothing we can read before exit: poll the port).
  const { listenerUid } = await import("../../runtime/gateway/peer.js");
  const deadline = Date.now() + 30_000;
  while (listenerUid("127.0.0.1", probe + 1) !== b.uid) {
    if (Date.now() > deadline) return t.skip(`port ${probe + 1} could not be taken by the test user`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const gw = await gatewayOn(t, probe + 1);
  const r = await gw.start({ freePortIfTaken: true });
  assert.match(r.portFallback!.holder, new RegExp(`another user \\(${b.name}\\)`));
  assert.notEqual(r.port, probe + 1);
});
