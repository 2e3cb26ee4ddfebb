#!/usr/bin/env node
// Writes notebooks/*.ipynb from the lessons below, so their prose and cells are
// reviewed as code. Run: node scripts/make-notebooks.mjs  (CI executes the results).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const here = new URL("../notebooks/", import.meta.url).pathname;
const md = (s) => ({ cell_type: "markdown", metadata: {}, source: s.trim() });
const code = (s, tags) => ({ cell_type: "code", execution_count: null, metadata: tags ? { tags } : {}, outputs: [], source: s.trim() });
const expectError = (s) => code(s, ["raises-exception"]);

function notebook(cells) {
  return {
    cells: cells.map((c) => ({ ...c, source: c.source.split(/(?<=\n)/) })),
    metadata: {
      kernelspec: { name: "openclaw", display_name: "OpenClaw (TypeScript)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const lessons = {
  "01-quickstart": [
    md(`# 01 · Quickstart: a secure, local-first agent runtime in a notebook

This notebook runs on the **OpenClaw (TypeScript)** kernel. Lines that start with \`%openclaw\` are *magics*:
they drive the same runtime as the \`openclaw-kernel\` command line, and every result renders as rich output
(HTML here, plain text and JSON underneath).

We follow the checklist of a local-first runtime:

1. validate the config (schema-checked, fail fast),
2. bind the gateway to loopback,
3. check everything with \`doctor\`.

The tutorial config is \`notebooks/openclaw.json\`: the article's example with the workspace pointed at the
sample documents in \`../workspace\` and shorter exec windows so the demos finish quickly.`),
    md(`## 1. Validate the config

Configuration is validated against a JSON Schema before anything starts. The article's example, copied
verbatim to \`../openclaw.json\`, validates unchanged:`),
    code(`%openclaw config validate --config ../openclaw.json`),
    code(`%openclaw config validate`),
    md(`Now a config with a typo. Unknown keys stop start-up, and the error names the file, the line, the JSON
path and the key that was probably meant. We write the broken file from a TypeScript cell:`),
    code(`import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bad = join(tmpdir(), "openclaw-typo.json");
writeFileSync(bad, JSON.stringify({ tools: { exec: { applyPatch: { enabled: false, allowModels: [] } } } }, null, 2));
bad`),
    expectError(`%openclaw config validate --config /tmp/openclaw-typo.json`),
    md(`Secrets never live in the config. A key pasted into it is refused and the message names the environment
variable to use instead (the value itself is never echoed):`),
    code(`writeFileSync(join(tmpdir(), "openclaw-secret.json"), JSON.stringify({ models: { providers: { openai: { apiKey: "sk-" + "x".repeat(40) } } } }));`),
    expectError(`%openclaw config validate --config /tmp/openclaw-secret.json`),
    md(`## 2. Start the gateway on loopback

The gateway is the control plane (HTTP + WebSocket). It binds \`127.0.0.1:18789\` and checks every request's
\`Host\` and \`Origin\`, so a web page cannot reach it through DNS rebinding.`),
    code(`%openclaw gateway start`),
    code(`%openclaw gateway status`),
    md(`A request that claims another host name is refused before any handler runs:`),
    code(`import * as http from "node:http";

function get(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port: 18789, path, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on("error", reject);
  });
}
({ ok: await get("/health"), rebinding: await get("/health", { Host: "evil.example" }), foreignOrigin: await get("/health", { Origin: "https://evil.example" }) })`),
    md(`A non-loopback bind without authentication is refused for safety (exit code 78), and nothing listens:`),
    code(`writeFileSync(join(tmpdir(), "openclaw-exposed.json"), JSON.stringify({ gateway: { bind: "0.0.0.0:18789", auth: "none" } }));`),
    expectError(`%openclaw config validate --config /tmp/openclaw-exposed.json`),
    md(`## 3. Doctor

\`doctor\` runs every health check: Node, config, exposure, exec governance, model pinning, the provider key
(never printed), the workspace, the audit chain and Jupyter itself.`),
    code(`%openclaw doctor`),
    code(`%openclaw gateway stop`),
    md(`Next: **02 · Skills and exec governance**.`),
  ],
};

for (const [name, cells] of Object.entries(lessons)) {
  writeFileSync(join(here, `${name}.ipynb`), JSON.stringify(notebook(cells), null, 1) + "\n");
  console.log(`wrote notebooks/${name}.ipynb (${cells.length} cells)`);
}
