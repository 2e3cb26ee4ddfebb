import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmp, writeFile } from "../helpers/index.js";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";

test("models pull downloads a GGUF from a URL through node-llama-cpp's downloader; offline it fails cleanly; a bad source is refused", { timeout: 120_000 }, async (t) => {
  const body = Buffer.from("GGUF" + "x".repeat(4096));
  const srv = createServer((req, res) => {
    if (!req.url?.startsWith("/tiny.gguf")) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length, "accept-ranges": "bytes" });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as AddressInfo).port;

  const dir = tmp(t);
  const cfg = writeFile(join(dir, "openclaw.json"), { models: { providers: { llamacpp: { modelsDir: "./models" } } }, stateDir: "./state", skills: { bundled: false, dirs: [] } });
  const ctx = makeContext({ host: "kernel", cwd: dir, env: { PATH: process.env.PATH }, configPath: cfg });
  t.after(() => ctx.closeAll());

  const { result } = await dispatch(`models pull http://127.0.0.1:${port}/tiny.gguf`, ctx);
  const d = result.data as any;
  assert.equal(d.ref, "llamacpp/tiny.gguf");
  assert.deepEqual(readFileSync(join(dir, "models", "tiny.gguf")), body);
  assert.equal(d.sha256, createHash("sha256").update(body).digest("hex"));
  assert.equal(d.next, "models pin llamacpp/tiny.gguf");
  const listed = ((await dispatch("models list --json", ctx)).result.data as any).models.find((m: any) => m.ref === "llamacpp/tiny.gguf");
  assert.equal(listed.available, true);

  // Offline: a port nobody listens on.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(dispatch(`models pull http://127.0.0.1:${deadPort}/gone.gguf`, ctx), (e: any) => e.code === "download_failed" && /could not download/.test(e.message) && /network/.test(e.fix));
  assert.ok(!existsSync(join(dir, "models", "gone.gguf")));
  assert.deepEqual(readdirSync(join(dir, "models")).sort(), ["tiny.gguf"], "no partial file left behind");
  await assert.rejects(dispatch("models pull ftp://example.com/x.gguf", ctx), /not a GGUF source/);
});
