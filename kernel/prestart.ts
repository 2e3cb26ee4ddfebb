/**
 * Imported by the CLI entry first thing for `openclaw-kernel kernel`: starts the TypeScript
 * compiler's process from its snapshot (when a current one exists) while the CLI and the
 * kernel's modules are still loading, ~50-100 ms before kernel/main.ts would. runKernel's own
 * call then finds it started (prestartCompiler runs once).
 */
import { prestartCompiler } from "./ts-compiler.js";
import { PRELUDE } from "./typescript.js";

prestartCompiler(process.cwd(), PRELUDE);
