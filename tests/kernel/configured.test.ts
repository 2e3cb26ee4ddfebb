/**
 * A kernel whose notebook folder holds an openclaw.json.
 * - `%openclaw secret NAME` end to end: the value typed into the masked prompt reaches the
 *   provider that reads it (the OpenAI provider, pointed at a loopback stub that records
 *   the Authorization header) and appears in no message and no file.
 * - A run that goes to the background (tools.exec.backgroundMs 200) tells the notebook
 *   when it exits, after its cell has finished.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeFile } from "../helpers/index.js";
import { filesContaining, kernelEnv, runDriver, type KernelEnv } from "./helpers.js";

const SECRET = "sk-provider-" + Math.random().toString(36).slice(2) + "Q7x";

describe("kernel with an openclaw.json: secret -> provider, background exit notices", { timeout: 120_000 }, () => {
  let k: KernelEnv;
  let server: Server;
  const auth: string[] = [];
  let d: Record<string, any>;

  before(async () => {
    server = createServer((req, res) => {
      auth.push(String(req.headers.authorization ?? ""));
      req.resume();
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "stub: key recorded, request refused", type: "invalid_request_error", code: "invalid_api_key" } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    k = kernelEnv();
    writeFile(join(k.cwd, "openclaw.json"), {
      tools: { exec: { backgroundMs: 200 } },
      models: { providers: { openai: { baseURL: `http://127.0.0.1:${port}/v1`, apiKeyEnv: "OC_PROVIDER_KEY", maxRetries: 0 }, scripted: { scriptsDir: join(k.cwd, "scripts") } } },
    });
    writeFile(join(k.cwd, "scripts", "kernel-test.json"), { description: "kernel test: one answer, no tools", turns: [{ content: "Hello from the scripted model." }] });
    d = await runDriver(k, ["provider", "background", "agent"], { OC_SECRET: SECRET });
    for (const s of ["provider", "background", "agent"]) if (d[s]?.exception) throw new Error(`${s}: ${d[s].exception}`);
  });

  after(async () => {
    await new Promise((r) => server?.close(r));
    if (k) rmSync(k.dir, { recursive: true, force: true });
  });

  it("stores the secret through a password input_request", () => {
    assert.equal(d.provider.secret, "ok");
    assert.deepEqual(d.provider.asked, [{ prompt: "OC_PROVIDER_KEY: ", password: true }]);
  });

  it("the provider sends exactly that key", () => {
    assert.ok(auth.length >= 1, "the stub was called");
    assert.ok(auth.every((a) => a === `Bearer ${SECRET}`), JSON.stringify(auth.map((a) => a.slice(0, 12))));
  });

  it("the refused turn does not echo the key; no message and nothing on disk holds it", () => {
    assert.ok(!JSON.stringify(d.provider.turn_traceback).includes(SECRET));
    assert.equal(d.secret_in_messages, 0, `secret seen in ${JSON.stringify(d.secret_hits)}`);
    assert.deepEqual(filesContaining(k.dir, SECRET), []);
  });

  it("shows a background run's exit notice after its cell finished, tied to that cell", () => {
    const b = d.background;
    assert.equal(b.register, "ok");
    assert.equal(b.started, "ok");
    const notice = b.later.find((m: any) => /exited/.test(m.text));
    assert.ok(notice, `no exit notice among ${JSON.stringify(b.later)}`);
    assert.equal(notice.parent_code, "execute_request");
    assert.match(notice.text, /exited with code 0\n\s+bg-done/);
    // A notice, not red stderr: its own display, naming the session, with an ok badge for a clean exit.
    assert.equal(notice.type, "display_data");
    assert.match(notice.html, /oc-notice/);
    assert.match(notice.html, /oc-badge oc-ok/);
    assert.match(notice.metadata.openclaw.session, /\S/);
    assert.ok(notice.html.includes(notice.metadata.openclaw.session), "the session id is shown");
    assert.ok(!b.later.some((m: any) => m.type === "stream" && m.name === "stderr" && /exited/.test(m.text)), "no stderr line");
    assert.ok(b.later.filter((m: any) => /exited/.test(m.text)).length === 1, "one notice per exit");
  });

  it("renders an agent turn as one live display: display_data, then update_display_data with the same display_id", () => {
    const a = d.agent;
    assert.equal(a.status, "ok");
    const shown = a.msgs.filter((m: any) => m.type === "display_data" || m.type === "update_display_data");
    assert.ok(shown.length >= 2, JSON.stringify(a.msgs));
    assert.equal(shown[0].type, "display_data");
    assert.ok(shown[0].display_id);
    assert.ok(shown.slice(1).every((m: any) => m.type === "update_display_data" && m.display_id === shown[0].display_id), "one display, updated in place");
    const last = shown.at(-1);
    assert.ok(last.mime.includes("text/html") && last.mime.includes("text/plain"));
    assert.match(last.plain, /Hello from the scripted model\./);
  });
});
