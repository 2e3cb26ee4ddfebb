import { Runtime } from "../../runtime/runtime.js";
const rt = Runtime.fromConfig({ cwd: "/work/main", env: { ...process.env, OPENCLAW_STATE_DIR: "/tmp/ragx/state" } }, { host: "cli", env: { ...process.env, OPENCLAW_STATE_DIR: "/tmp/ragx/state" } });
const rag = await rt.rag();
const r = await rag.index();
console.log({ ...r, skipped: r.skipped.length });
for (const mode of ["hybrid","dense","lexical"] as const) {
const q = await rag.query("How do we onboard new hires for product training?", { mode, topk: 3 });
console.log(mode, q.tookMs, q.results.map(h => [h.source, h.lines, h.score, h.denseScore, h.lexicalScore]), q.summary);
}
console.log(await rag.status());
