import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allText, cell, executeNotebook, mimeTypes } from "./execute.js";

test("01-quickstart executes through the kernel and teaches what it says", () => {
  const state = mkdtempSync(join(tmpdir(), "openclaw-nb-state-"));
  const { cells } = executeNotebook("01-quickstart", { OPENCLAW_STATE_DIR: state });

  const seed = cell(cells, "%openclaw config validate --config ../openclaw.json");
  assert.deepEqual(mimeTypes(seed), ["application/json", "text/html", "text/markdown", "text/plain"]);
  assert.match(allText(seed), /is valid/);

  const typo = cell(cells, "%openclaw config validate --config /tmp/openclaw-typo.json");
  assert.match(allText(typo), /\/tools\/exec\/applyPatch\/allowModels: unknown key; did you mean "allowedModels"\?/);

  const secret = cell(cells, "%openclaw config validate --config /tmp/openclaw-secret.json");
  assert.match(allText(secret), /secrets never live in openclaw.json/);
  assert.doesNotMatch(allText(secret), /xxxxxxxxxxxxxxxx/, "the pasted key is never echoed");

  const exposed = cell(cells, "%openclaw config validate --config /tmp/openclaw-exposed.json");
  assert.match(allText(exposed), /not a loopback address/);

  const status = cell(cells, "%openclaw gateway status");
  assert.match(allText(status), /127\.0\.0\.1:18789/);

  const probe = cell(cells, "import * as http");
  const probeText = allText(probe);
  assert.match(probeText, /ok:\s*200/);
  assert.match(probeText, /rebinding:\s*403/);
  assert.match(probeText, /foreignOrigin:\s*403/);

  const doctor = cell(cells, "%openclaw doctor");
  assert.ok(mimeTypes(doctor).includes("text/html"));
  assert.match(allText(doctor), /oc-doctor/);
  assert.match(allText(doctor), /gateway\.bind/);
});
