#!/usr/bin/env node
// `npm run gen:types`: the TypeScript types of every JSON Schema in schemas/, written to
// runtime/generated/<name>.ts with json-schema-to-typescript. The schemas are the one
// source: the runtime's config, skill, audit, rag, protocol and event types alias these.
// `npm run gen:types -- --check` writes nothing and exits 1 naming each stale file
// (tests/types/generated.test.ts does the same check in `npm test`).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Type names: the root type of each schema, and definitions whose default name is poor or clashes (Error). */
const NAMES = {
  "openclaw.schema.json": { "": "OpenClawJson" },
  "skill.schema.json": { "": "SkillFrontmatter" },
  "audit-record.schema.json": { "": "AuditRecord" },
  "rag-result.schema.json": { "": "RagResultJson" },
  "gateway-protocol.schema.json": { "": "GatewayFrame", id: "FrameId", req: "ReqFrame", res: "ResFrame", resOk: "ResOkFrame", resError: "ResErrorFrame", error: "ErrorBody", event: "AnyEventFrame" },
  "gateway-event.schema.json": { "": "EventFrame", runtimeEvent: "RuntimeEvent", ts: "EventTime", turnId: "TurnId", usage: "EventUsage" },
};

const pascal = (s) => s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c) => c.toUpperCase());

function header(file) {
  return [
    "/* eslint-disable */",
    `// GENERATED from schemas/${file} by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:`,
    "// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.",
  ].join("\n");
}

/** Generated text per schema file: { "openclaw.schema.json": { out: "openclaw.ts", text } }. */
export async function generateAll(root = ROOT) {
  const dir = join(root, "schemas");
  const files = readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
  const out = {};
  for (const file of files) {
    const schema = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const names = NAMES[file] ?? {};
    const isEvents = file === "gateway-event.schema.json";
    const text = await compile(schema, names[""] ?? pascal(file.replace(/\.schema\.json$/, "")), {
      cwd: dir,
      bannerComment: header(file),
      additionalProperties: true,
      unknownAny: true,
      strictIndexSignatures: false,
      style: { printWidth: 160, singleQuote: false, trailingComma: "all" },
      // The normalizer gives each dereferenced definition an $id: its key in PascalCase
      // ("resOk" -> "ResOk"); the root keeps the file's $id.
      customName: (s, key) => {
        const id = key ?? s?.$id;
        if (id === undefined) return undefined;
        if (id === schema.$id) return names[""];
        const named = Object.keys(names).find((k) => k && pascal(k) === pascal(id));
        if (named) return names[named];
        // Each event of the union is <Name>Event (turnStart -> TurnStartEvent; the normalizer turns const into a one-value enum).
        if (isEvents && (s.properties?.type?.const ?? s.properties?.type?.enum?.length === 1)) return `${pascal(id)}Event`;
        return undefined;
      },
    });
    out[file] = { out: file.replace(/\.schema\.json$/, ".ts"), text };
  }
  return out;
}

/** Files under runtime/generated/ that differ from what the schemas generate (or are missing / orphaned). */
export async function staleFiles(root = ROOT) {
  const gen = join(root, "runtime", "generated");
  const all = await generateAll(root);
  const stale = [];
  const expected = new Set();
  for (const { out, text } of Object.values(all)) {
    expected.add(out);
    const p = join(gen, out);
    if (!existsSync(p) || readFileSync(p, "utf8") !== text) stale.push(`runtime/generated/${out}`);
  }
  if (existsSync(gen)) for (const f of readdirSync(gen)) if (f.endsWith(".ts") && f !== "index.ts" && !expected.has(f)) stale.push(`runtime/generated/${f} (no schema)`);
  return stale;
}

async function main() {
  if (process.argv.includes("--check")) {
    const stale = await staleFiles();
    if (stale.length) {
      process.stderr.write(`generated types are stale: ${stale.join(", ")}\nfix: npm run gen:types\n`);
      process.exit(1);
    }
    process.stdout.write("generated types are up to date\n");
    return;
  }
  const gen = join(ROOT, "runtime", "generated");
  mkdirSync(gen, { recursive: true });
  const all = await generateAll();
  const keep = new Set(["index.ts", ...Object.values(all).map((g) => g.out)]);
  for (const f of readdirSync(gen)) if (f.endsWith(".ts") && !keep.has(f)) rmSync(join(gen, f));
  for (const { out, text } of Object.values(all)) writeFileSync(join(gen, out), text);
  process.stdout.write(`wrote ${Object.keys(all).length} files to runtime/generated/\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
