// review5: codeCacheDir turns a relative OPENCLAW_TS_CODE_CACHE off ("a different place in every
// process's cwd", e.g. a notebook folder inside the workspace, which the agent can write), but a
// relative XDG_CACHE_HOME is joined as it is: the package cache (the V8 code cache of
// typescript.js, whose name is predictable: typescript-<sha256(source, node version, arch)>.v8cache,
// the compiler snapshots, the model and its optimized graph) is then read from
// <cwd>/<XDG_CACHE_HOME>/openclaw-kernel, which the workspace check does not see. The XDG base
// directory spec says a relative path in these variables is invalid and must be ignored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isAbsolute } from "node:path";
import { codeCacheDir } from "../../runtime/cache-dir.js";

test("a relative XDG_CACHE_HOME never names a cache folder relative to the process's cwd", () => {
  for (const v of ["rel/cache", ".", ".cache", "./x"]) {
    const d = codeCacheDir({ XDG_CACHE_HOME: v, HOME: "/home/someone" });
    assert.ok(d === undefined || isAbsolute(d), `XDG_CACHE_HOME=${JSON.stringify(v)} gives ${JSON.stringify(d)}`);
  }
  // an absolute one still names the folder
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/abs/xdg" }), "/abs/xdg/openclaw-kernel");
});
