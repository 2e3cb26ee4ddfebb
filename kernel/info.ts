/** kernel_info_reply content: answered from constants, before any heavy module loads. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PROTOCOL_VERSION } from "./session.js";

let tsVersion: string | undefined;
/** The TypeScript version cells compile with, read from package.json (not by loading the compiler). */
function typescriptVersion(): string {
  if (tsVersion) return tsVersion;
  try {
    const req = createRequire(createRequire(import.meta.url).resolve("tslab/package.json"));
    tsVersion = JSON.parse(readFileSync(req.resolve("@tslab/typescript-for-tslab/package.json"), "utf8")).version as string;
  } catch {
    tsVersion = "5";
  }
  return tsVersion;
}

export function kernelInfo(version: string): Record<string, unknown> {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "openclaw-kernel",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: typescriptVersion(),
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: { name: "javascript", typescript: true },
    },
    banner: `openclaw-kernel ${version}: TypeScript cells and %openclaw magics (try %openclaw help)`,
    help_links: [
      { text: "%openclaw help", url: "https://github.com/openclaw/openclaw-kernel#readme" },
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Jupyter messaging", url: "https://jupyter-client.readthedocs.io/en/stable/messaging.html" },
    ],
    debugger: false,
  };
}
