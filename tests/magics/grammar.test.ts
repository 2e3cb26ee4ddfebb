import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tokenize, quoteWord } from "../../magics/tokenize.js";
import { parse } from "../../magics/parse.js";
import { COMMANDS } from "../../magics/commands/index.js";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";
import { UsageError } from "../../runtime/errors.js";
import type { CommandSpec } from "../../magics/types.js";

test("shell-like quoting without any expansion", () => {
  assert.deepEqual(tokenize(`rag query "How do we onboard?" --topk 5`), ["rag", "query", "How do we onboard?", "--topk", "5"]);
  assert.deepEqual(tokenize(`a 'single $(x) "q"' "dbl \\"x\\" \\$HOME" b\\ c`), ["a", `single $(x) "q"`, `dbl "x" $HOME`, "b c"]);
  assert.deepEqual(tokenize(`x "; rm -rf ~ #" '$(touch pwned)' \`id\``), ["x", "; rm -rf ~ #", "$(touch pwned)", "`id`"]);
  assert.deepEqual(tokenize(`x "" ''`), ["x", "", ""]);
  assert.deepEqual(tokenize("  \t "), []);
  assert.throws(() => tokenize(`rag query "unterminated`), (e: unknown) => e instanceof UsageError && /unterminated " quote/.test(e.message));
  assert.throws(() => tokenize(`x 'open`), /unterminated ' quote/);
});

test("property: quoteWord round-trips through tokenize for any words", () => {
  fc.assert(
    fc.property(fc.array(fc.string(), { maxLength: 6 }), (words) => {
      assert.deepEqual(tokenize(words.map(quoteWord).join(" ")), words);
    }),
    { numRuns: 500 },
  );
});

const spec: CommandSpec = {
  path: ["rag", "query"],
  summary: "q",
  positionals: [{ name: "query", help: "the question", required: true }],
  flags: [
    { name: "topk", type: "number", help: "n", default: 5 },
    { name: "mode", type: "string", help: "m", choices: ["dense", "lexical", "hybrid"] },
    { name: "follow", short: "f", type: "boolean", help: "f" },
  ],
  async run() {
    throw new Error("not run");
  },
};
const table = [spec, { ...spec, path: ["rag", "index"], positionals: [] }];

test("flags: --x v, --x=v, -f, --no-x, defaults, --json and --config anywhere", () => {
  const p = parse(table, tokenize(`rag query "hi there" --topk=3 --mode dense -f --json --config /c.json`));
  assert.equal(p.args.positionals.query, "hi there");
  assert.deepEqual(p.args.flags, { topk: 3, mode: "dense", follow: true });
  assert.equal(p.args.json, true);
  assert.equal(p.configPath, "/c.json");
  assert.equal(parse(table, ["rag", "query", "x"]).args.flags.topk, 5);
  assert.equal(parse(table, ["rag", "query", "x", "--no-follow"]).args.flags.follow, false);
  assert.equal(parse(table, ["rag", "query", "--", "--not-a-flag"]).args.positionals.query, "--not-a-flag");
});

test("unknown subcommands and flags say what was meant", () => {
  assert.throws(() => parse(table, ["rag", "qurey"]), /unknown subcommand "rag qurey"; did you mean "rag query"\?/);
  assert.throws(() => parse(table, ["rga", "query"]), /unknown command "rga"; did you mean "rag"\?/);
  assert.throws(() => parse(table, ["rag", "query", "x", "--topc", "3"]), /unknown flag "--topc" for `rag query`; did you mean "--topk"\?/);
  assert.throws(() => parse(table, ["rag", "query", "x", "--topk", "many"]), /--topk takes a number, got "many"/);
  assert.throws(() => parse(table, ["rag", "query", "x", "--mode", "dence"]), /did you mean "dense"/);
  assert.throws(() => parse(table, ["rag", "query"]), /`rag query` needs QUERY/);
  assert.throws(() => parse(table, ["rag", "query", "a", "b"]), /unexpected argument "b"/);
  assert.throws(() => parse(table, ["rag"]), /"rag" needs a subcommand: query, index/);
});

test("the real command table: help, group help, did-you-mean, one grammar for both front doors", async () => {
  const ctx = makeContext({ host: "cli", cwd: process.cwd(), env: {} });
  const help = await dispatch("help", ctx);
  assert.match(help.result.text!, /config validate/);
  assert.match(help.result.text!, /doctor/);
  const h2 = await dispatch(["config", "--help"], ctx);
  assert.match(h2.result.text!, /Commands of config/);
  const h3 = await dispatch("config validate --help", ctx);
  assert.match(h3.result.text!, /usage: openclaw-kernel config validate/);
  const k = makeContext({ host: "kernel", cwd: process.cwd(), env: {} });
  assert.match((await dispatch("config validate -h", k)).result.text!, /usage: %openclaw config validate/);
  await assert.rejects(dispatch("docter", ctx), /did you mean "doctor"/);
  // Every command in the table has a summary and resolves to itself.
  for (const c of COMMANDS) {
    assert.ok(c.summary.length > 5, c.path.join(" "));
    assert.equal(parse(COMMANDS, [...c.path, "--help"]).spec, c);
  }
});
