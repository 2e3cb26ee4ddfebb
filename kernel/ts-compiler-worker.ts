/**
 * The TypeScript compiler on its own thread: tslab's converter (a TypeScript language
 * service) loads here, so warming it up after kernel_info never blocks the kernel's
 * main thread, and a cell's type-check does not stall magics or the wire. The main
 * thread sends requests (convert, complete, inspect, isComplete) and gets plain data back.
 */
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";

export type CompilerOp = "warm" | "convert" | "complete" | "inspect" | "isComplete";
export interface CompilerRequest {
  id: number;
  op: CompilerOp;
  args: unknown[];
}
export type CompilerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

interface ConverterModule {
  createConverter(): {
    convert(prevDecl: string, src: string): unknown;
    complete(prevDecl: string, src: string, position: number): unknown;
    inspect(prevDecl: string, src: string, position: number): unknown;
  };
  isCompleteCode(src: string): unknown;
}

const port = parentPort!;
const require = createRequire(import.meta.url);
let mod: ConverterModule | undefined;
let conv: ReturnType<ConverterModule["createConverter"]> | undefined;
const converter = () => (conv ??= (mod ??= require("tslab/dist/converter.js") as ConverterModule).createConverter());

function handle(op: CompilerOp, args: unknown[]): unknown {
  switch (op) {
    case "warm":
      // Loads the compiler and type-checks the prelude once, so the first cell pays neither.
      converter().convert(args[0] as string, "0");
      return true;
    case "convert":
      return converter().convert(args[0] as string, args[1] as string);
    case "complete":
      return converter().complete(args[0] as string, args[1] as string, args[2] as number);
    case "inspect":
      return converter().inspect(args[0] as string, args[1] as string, args[2] as number) ?? null;
    case "isComplete":
      return (mod ??= require("tslab/dist/converter.js") as ConverterModule).isCompleteCode(args[0] as string);
  }
}

port.on("message", (m: CompilerRequest) => {
  let reply: CompilerReply;
  try {
    // JSON round trip: the converter's results are plain data, but may carry functions or class instances we never read.
    reply = { id: m.id, ok: true, value: JSON.parse(JSON.stringify(handle(m.op, m.args) ?? null)) };
  } catch (e) {
    reply = { id: m.id, ok: false, message: (e as Error)?.stack ?? String(e) };
  }
  port.postMessage(reply);
});
