/** `openclaw-kernel install --ipython`: where the extension lands, what it records, and clear errors. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cli, ROOT, tmp } from "../helpers/index.js";
import { PYTHON } from "./helpers.js";

describe("install --ipython", { timeout: 120_000 }, () => {
  it("--prefix P copies the package into P's site-packages and records the host command", (t) => {
    const p = tmp(t, "openclaw-ipy-prefix-");
    const r = cli(["install", "--ipython", "--prefix", p, "--python", PYTHON, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const res = r.json();
    assert.ok(res.dir.startsWith(p) && res.dir.endsWith("/openclaw_kernel_ext"), res.dir);
    assert.ok(existsSync(join(res.dir, "__init__.py")));
    const host = JSON.parse(readFileSync(join(res.dir, "_host.json"), "utf8"));
    assert.equal(host.cli, join(ROOT, "bin", "openclaw-kernel"));
    assert.ok(existsSync(host.node));
    // The copy is what Python imports, from that folder.
    const imp = spawnSync(PYTHON, ["-c", "import openclaw_kernel_ext as m; print(m.__file__); print(m._host_argv())"], { env: { ...process.env, PYTHONPATH: join(res.dir, "..") }, encoding: "utf8" });
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, new RegExp(`^${res.dir}/__init__\\.py`));
    assert.match(imp.stdout, /bin\/openclaw-kernel', 'host'\]/);
  });

  it("text output says where it went and how to load it", (t) => {
    const home = tmp(t, "openclaw-ipy-home-");
    const r = cli(["install", "--ipython", "--python", PYTHON], { env: { HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /installed the IPython extension openclaw_kernel_ext for \/usr\/bin\/python3 \(Python 3\.\d+\.\d+\) in .*\.local\/lib\/python3\.\d+\/site-packages\/openclaw_kernel_ext/);
    assert.match(r.stdout, /%load_ext openclaw_kernel_ext/);
  });

  it("a Python that cannot run, two targets, or an unknown flag: exit 2 with the fix", () => {
    const bad = cli(["install", "--ipython", "--python", "/nonexistent/python3"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /could not run \/nonexistent\/python3[\s\S]*fix: name the Python your notebooks use with --python PATH/);
    const two = cli(["install", "--ipython", "--user", "--sys-prefix"]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /choose one of --user, --sys-prefix/);
    const unknown = cli(["install", "--ipython", "--name", "x"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /does not take "--name"[\s\S]*fix: install --ipython \[--user\|--sys-prefix\|--prefix P\]/);
  });
});
