#!/usr/bin/env node
// `npm start`, the main job: build if needed, install the kernelspec for this user,
// execute the quickstart notebook headless through the real kernel with a real
// Jupyter client (nbconvert/nbclient), write the executed notebook and an HTML export
// to .out/, and print what ran.
//   npm start                      the quickstart
//   npm start -- notebooks/03-local-rag.ipynb [more.ipynb]   other notebooks
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
const out = join(root, ".out");
const PY = "/usr/bin/python3";
const notebooks = process.argv.slice(2).length ? process.argv.slice(2).map((p) => resolve(p)) : [join(root, "notebooks", "01-quickstart.ipynb")];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: opts.capture ? "pipe" : "inherit", encoding: "utf8", cwd: root, ...opts });
  return r;
}
function step(msg) {
  console.log(`\n▶ ${msg}`);
}

step("Jupyter (jupyter_client, nbclient, nbconvert)");
const probe = () => run(PY, ["-c", "import jupyter_client, nbclient, nbconvert; print(nbconvert.__version__)"], { capture: true });
if (probe().status !== 0) {
  const root_ = process.getuid?.() === 0;
  if (root_ && existsSync("/usr/bin/apt-get")) {
    console.log("Jupyter is missing: installing Debian's packages (scripts/system-deps.sh)");
    if (run("bash", [join(root, "scripts/system-deps.sh")]).status !== 0) process.exit(1);
  } else {
    console.error(`Jupyter is missing for ${PY}. Install it, then run npm start again:
  Debian/Ubuntu:  sudo bash scripts/system-deps.sh   (apt-get install jupyter-client python3-nbclient jupyter-nbconvert …)
  elsewhere:      python3 -m pip install jupyter_client nbclient nbconvert`);
    process.exit(1);
  }
}
console.log(`nbconvert ${probe().stdout.trim()}`);

step("build");
if (!existsSync(join(root, "dist", "bin", "openclaw-kernel.js"))) {
  if (run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")]).status !== 0) process.exit(1);
  if (run(process.execPath, [join(root, "scripts/gen-validators.mjs")]).status !== 0) process.exit(1);
}
console.log("dist/ is built");

step("install the kernelspec for this user (and build the TypeScript compiler snapshot once)");
const inst = run(process.execPath, [join(root, "bin/openclaw-kernel"), "install", "--user", "--warm", "--json"], { capture: true });
if (inst.status !== 0) {
  console.error(inst.stderr || inst.stdout);
  process.exit(inst.status ?? 1);
}
const spec = JSON.parse(inst.stdout);
console.log(`kernelspec "${spec.name ?? "openclaw"}" at ${spec.path ?? spec.dir ?? "(see --json)"}`);
if (spec.snapshot) console.log(`TypeScript compiler snapshot: ${spec.snapshot.state}${spec.snapshot.path ? ` (${spec.snapshot.path})` : ""}`);

mkdirSync(out, { recursive: true });
let failed = 0;
for (const nb of notebooks) {
  const name = basename(nb, ".ipynb");
  step(`execute ${name} headless through the OpenClaw kernel`);
  const t0 = Date.now();
  const exec = run(PY, ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=openclaw", "--ExecutePreprocessor.timeout=600", "--output-dir", out, "--output", `${name}.ipynb`, nb], { cwd: join(nb, "..") });
  if (exec.status !== 0) {
    console.error(`✗ ${name} failed to execute (see the error above)`);
    failed++;
    continue;
  }
  const executed = join(out, `${name}.ipynb`);
  run(PY, ["-m", "nbconvert", "--to", "html", "--output-dir", out, executed], { capture: true });
  const doc = JSON.parse(readFileSync(executed, "utf8"));
  const cells = doc.cells.filter((c) => c.cell_type === "code");
  const mimes = new Map();
  let errors = 0;
  for (const c of cells) {
    for (const o of c.outputs ?? []) {
      if (o.output_type === "error") errors++;
      for (const k of Object.keys(o.data ?? {})) mimes.set(k, (mimes.get(k) ?? 0) + 1);
    }
  }
  console.log(`✓ ${name}: ${cells.length} code cells in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${errors} expected error outputs; outputs by type: ${[...mimes].map(([k, v]) => `${k}×${v}`).join(", ")}`);
  for (const c of cells) {
    const first = (Array.isArray(c.source) ? c.source.join("") : c.source).split("\n")[0];
    const kinds = [...new Set((c.outputs ?? []).map((o) => (o.output_type === "error" ? `error ${o.ename}` : o.output_type)))].join(", ");
    console.log(`   [${String(c.execution_count ?? " ").padStart(2)}] ${first.slice(0, 70).padEnd(70)} ${kinds}`);
  }
  console.log(`   executed notebook: ${executed}\n   HTML export:       ${join(out, `${name}.html`)}`);
}
process.exit(failed ? 1 : 0);
