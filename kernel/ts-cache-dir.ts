/** The cache folder rules live in runtime/cache-dir.ts (the RAG model cache uses them too). */
export { codeCacheDir, safeCacheDir } from "../runtime/cache-dir.js";
