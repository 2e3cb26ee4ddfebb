/**
 * The GPU opt-in of the llama.cpp provider (models.providers.llamacpp.gpu): false (the
 * default: CPU only), "auto" (whatever prebuilt GPU backend is installed, else CPU),
 * "cuda" or "vulkan" (that backend or a clear error). node-llama-cpp ships its GPU
 * backends as optional packages (@node-llama-cpp/<platform>-<arch>-cuda, -vulkan); this
 * package replaces them with an empty stand-in by default (package.json "overrides"), so
 * asking for one needs it installed first: `npm install @node-llama-cpp/linux-x64-cuda`
 * after removing its override. Nothing is built or downloaded at load time.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ModelError } from "./errors.js";

export type GpuSetting = false | "auto" | "cuda" | "vulkan";

/** The getLlama / loadModel options for a setting. */
export function gpuOptions(gpu: GpuSetting): { gpu: false | "auto" | "cuda" | "vulkan"; gpuLayers: 0 | "auto" } {
  return gpu === false ? { gpu: false, gpuLayers: 0 } : { gpu, gpuLayers: "auto" };
}

/** The npm package holding a backend's prebuilt binary on this platform. */
export function backendPackage(backend: "cuda" | "vulkan", platform: string = process.platform, arch: string = process.arch): string {
  return `@node-llama-cpp/${platform === "win32" ? "win" : platform}-${arch}-${backend}`;
}

/** Whether the backend's package is really installed (not the empty stand-in); where it was looked for. */
export function backendInstalled(pkg: string, resolveFrom: string = import.meta.url): boolean {
  // Read the manifest from node_modules directly: a package's "exports" may hide package.json from require.
  for (const dir of createRequire(resolveFrom).resolve.paths(pkg) ?? []) {
    const manifest = join(dir, pkg, "package.json");
    if (!existsSync(manifest)) continue;
    try {
      return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === pkg;
    } catch {
      return false;
    }
  }
  return false;
}

/** Throws a ModelError naming the package and the install step when an explicit backend is missing. */
export function assertGpuBackend(gpu: GpuSetting, installed: (pkg: string) => boolean = (p) => backendInstalled(p)): void {
  if (gpu !== "cuda" && gpu !== "vulkan") return;
  const pkg = backendPackage(gpu);
  if (installed(pkg)) return;
  throw new ModelError(`models.providers.llamacpp.gpu is "${gpu}" but the ${gpu} backend (${pkg}) is not installed`, {
    code: "gpu_backend_missing",
    fix: `remove "${pkg}" from "overrides" in package.json and run \`npm install ${pkg}@<node-llama-cpp's version>\` (README: Local models), or set gpu to "auto" (GPU when available, else CPU) or false`,
  });
}
