/** The CLI-only commands: `install` writes a kernelspec without Python; `kernel` refuses what it must. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cli, tmp, writeFile } from "../helpers/index.js";
import { requireBuilt } from "./helpers.js";

describe("openclaw-kernel install / kernel", () => {
  requireBuilt();
  it("install --prefix writes kernel.json (node, entry, {connection_file}, message interrupts) and logos", (t) => {
    const dir = tmp(t);
    const r = cli(["install", "--prefix", dir, "--name", "OpenClaw", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const spec = JSON.parse(readFileSync(join(dir, "share/jupyter/kernels/openclaw/kernel.json"), "utf8"));
    assert.equal(spec.argv[0], process.execPath);
    assert.match(spec.argv[1], /\/(dist\/bin\/openclaw-kernel\.js|bin\/openclaw-kernel)$/);
    assert.ok(existsSync(spec.argv[1]));
    assert.deepEqual(spec.argv.slice(2), ["kernel", "--connection-file", "{connection_file}"]);
    assert.equal(spec.interrupt_mode, "message");
    assert.equal(spec.display_name, "OpenClaw (TypeScript)");
    assert.equal(spec.language, "typescript");
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      const png = readFileSync(join(dir, "share/jupyter/kernels/openclaw", logo));
      assert.equal(png.subarray(1, 4).toString(), "PNG");
    }
    assert.equal(r.json().name, "openclaw");
  });

  it("install --warm builds the TypeScript compiler snapshot once (then 'present'); off with OPENCLAW_TS_SNAPSHOT=0", { timeout: 300_000 }, (t) => {
    const dir = tmp(t);
    const cache = join(dir, "cache");
    const env = { OPENCLAW_TS_CODE_CACHE: cache };
    const first = cli(["install", "--prefix", dir, "--warm", "--json"], { env, timeout: 240_000 });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /building the TypeScript compiler snapshot/);
    const snap = first.json().snapshot as { state: string; path: string };
    assert.equal(snap.state, "built");
    assert.ok(snap.path.startsWith(cache + "/") && existsSync(snap.path), snap.path);
    const again = cli(["install", "--prefix", dir, "--warm", "--json"], { env });
    assert.deepEqual(again.json().snapshot, { state: "present", path: snap.path });
    assert.equal(again.stderr, "", "nothing built the second time");
    assert.deepEqual(cli(["install", "--prefix", dir, "--warm", "--json"], { env: { ...env, OPENCLAW_TS_SNAPSHOT: "0" } }).json().snapshot, { state: "off" });
    assert.equal(cli(["install", "--prefix", dir, "--json"], { env }).json().snapshot, undefined, "no --warm, no snapshot step");
  });

  it("install --user honours JUPYTER_DATA_DIR; two targets at once is a usage error", (t) => {
    const dir = tmp(t);
    const r = cli(["install", "--user"], { env: { JUPYTER_DATA_DIR: join(dir, "data") } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, "data/kernels/openclaw/kernel.json")));
    assert.equal(cli(["install", "--user", "--prefix", dir]).code, 2);
    assert.equal(cli(["install", "--prefix", dir, "--name", "../evil"]).code, 2);
  });

  it("kernel refuses a connection file with an empty key (78) unless --insecure, and a missing file (2)", (t) => {
    const dir = tmp(t);
    const conn = writeFile(join(dir, "c.json"), { transport: "tcp", ip: "127.0.0.1", shell_port: 0, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0, key: "", signature_scheme: "hmac-sha256" });
    const r = cli(["kernel", "--connection-file", conn], { timeout: 20_000 });
    assert.equal(r.code, 78);
    assert.match(r.stderr, /empty key/);
    assert.match(r.stderr, /--insecure/);
    assert.equal(cli(["kernel", "--connection-file", join(dir, "nope.json")]).code, 2);
    assert.equal(cli(["kernel"]).code, 2);
  });

  it("keeps CLI-only commands out of the notebook grammar and the kernel-only ones out of the CLI", () => {
    const r = cli(["skill"]);
    assert.equal(r.code, 2);
  });
});
