#!/usr/bin/env node
// Regenerates README.md's config and command references from the schema and the
// command table (build first), so the docs cannot drift from the code.
//   node scripts/gen-docs.mjs          rewrite README.md
//   node scripts/gen-docs.mjs --check  exit 1 if README.md is stale (used by the tests)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const schema = JSON.parse(readFileSync(join(root, "schemas/openclaw.schema.json"), "utf8"));
const deref = (s) => (s && s.$ref ? { ...s.$ref.slice(2).split("/").reduce((a, k) => a[k], schema), ...s, $ref: undefined } : s);

export function configRows() {
  const rows = [];
  const walk = (node, path) => {
    for (const [k, raw] of Object.entries(node.properties ?? {})) {
      if (k === "$schema") continue;
      const v = deref(raw);
      const p = path ? `${path}.${k}` : k;
      if (v.type === "object" && v.properties) {
        walk(v, p);
        continue;
      }
      const type = v.enum ? v.enum.map((e) => JSON.stringify(e)).join(" \\| ") : v.oneOf ? "string \\| object" : v.type === "array" ? `array of ${deref(v.items)?.type ?? "any"}` : v.type ?? "any";
      const def = v.default === undefined ? "" : `\`${JSON.stringify(v.default)}\``;
      rows.push(`| \`${p}\` | ${type} | ${def} | ${(v.description ?? "").replace(/\|/g, "\\|")} |`);
    }
  };
  walk(schema, "");
  return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

export async function commandRows() {
  const { COMMANDS } = await import(pathToFileURL(join(root, "dist/magics/commands/index.js")).href);
  const { usageLine } = await import(pathToFileURL(join(root, "dist/magics/parse.js")).href);
  const rows = COMMANDS.map((c) => `| \`${usageLine(c).replace(/\|/g, "\\|")}\` | ${c.only === "cli" ? "CLI only. " : c.only === "kernel" ? "Notebook only. " : ""}${c.summary.replace(/\|/g, "\\|")} | ${(c.examples ?? [])[0] ? `\`${c.only === "cli" ? "openclaw-kernel" : "%openclaw"} ${c.examples[0].replace(/\|/g, "\\|")}\`` : ""} |`);
  return ["| command | what it does | example |", "|---|---|---|", ...rows].join("\n");
}

function replaceBlock(text, name, body) {
  const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(text)) throw new Error(`README.md lacks the ${name} markers`);
  return text.replace(re, (_m, a, b) => `${a}${body}\n${b}`);
}

const readmePath = join(root, "README.md");
const before = readFileSync(readmePath, "utf8");
let after = replaceBlock(before, "config-reference", configRows());
after = replaceBlock(after, "command-reference", await commandRows());
if (process.argv.includes("--check")) {
  if (after !== before) {
    console.error("README.md is stale: run `node scripts/gen-docs.mjs`");
    process.exit(1);
  }
  console.log("README.md references are current");
} else {
  writeFileSync(readmePath, after);
  console.log("README.md references regenerated");
}
