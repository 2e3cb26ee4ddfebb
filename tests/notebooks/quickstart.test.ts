import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tmp } from "../helpers/index.js";
import { allText, cell, executeNotebook, mimeTypes } from "./execute.js";

test("01-quickstart executes through the kernel and teaches what it says", (t) => {
  const state = tmp(t, "openclaw-nb-state-");
  // The notebook writes its broken example configs to notebooks/scratch/ (not a fixed /tmp path) and removes it last.
  const scratch = join(ROOT, "notebooks", "scratch");
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const { cells } = executeNotebook(t, "01-quickstart", { OPENCLAW_STATE_DIR: state });
  assert.ok(!existsSync(scratch), "the notebook's last cell removed notebooks/scratch/");
  assert.ok(!cells.some((c) => c.source.includes("/tmp/")), "no cell uses a fixed /tmp path");

  const seed = cell(cells, "%openclaw config validate --config ../openclaw.json");
  assert.deepEqual(mimeTypes(seed), ["application/json", "text/html", "text/markdown", "text/plain"]);
  assert.match(allText(seed), /is valid/);

  const typo = cell(cells, "%openclaw config validate --config scratch/openclaw-typo.json");
  assert.match(allText(typo), /\/tools\/exec\/applyPatch\/allowModels: unknown key; did you mean "allowedModels"\?/);

  const secret = cell(cells, "%openclaw config validate --config scratch/openclaw-secret.json");
  assert.match(allText(secret), /secrets never live in openclaw.json/);
  assert.doesNotMatch(allText(secret), /xxxxxxxxxxxxxxxx/, "the pasted key is never echoed");

  const exposed = cell(cells, "%openclaw config validate --config scratch/openclaw-exposed.json");
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
