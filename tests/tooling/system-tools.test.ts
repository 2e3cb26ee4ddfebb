/** Under CI=true a missing system tool fails the run (naming the package); elsewhere it skips with the same advice. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { needsSystemTool, requirePythonModules } from "../helpers/index.js";

function withCI<T>(value: string | undefined, fn: () => T): T {
  const before = process.env.CI;
  if (value === undefined) delete process.env.CI;
  else process.env.CI = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.CI;
    else process.env.CI = before;
  }
}

test("a missing tool skips with the package to install, except under CI=true where it throws", () => {
  assert.equal(
    withCI(undefined, () => needsSystemTool(true, "bubblewrap missing", "bubblewrap")),
    false,
  );
  const reason = withCI(undefined, () => needsSystemTool(false, "Chromium not found at /usr/bin/chromium", "chromium"));
  assert.equal(typeof reason, "string");
  assert.match(String(reason), /apt-get install chromium/);
  assert.throws(
    () => withCI("true", () => needsSystemTool(false, "openssl is not installed", "openssl")),
    /CI=true and a required system tool is missing: openssl is not installed: install the Debian package openssl/,
  );
  assert.equal(
    withCI("true", () => needsSystemTool(true, "openssl", "openssl")),
    false,
  );
});

test("a Python module Jupyter tests need is checked up front, and its absence names the Debian package", () => {
  assert.throws(() => requirePythonModules(["openclaw_no_such_module"], ["python3-openclaw-nothing"]), /install the Debian packages python3-openclaw-nothing/);
});
