// Doctor checks of "models": pinning, keys, endpoints, local model files.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isFloatingRef, isLoopbackHost } from "../../config/index.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

export const checks: CheckProvider = async (ctx) => {
  const c = ctx.checked.config;
  if (!c) return [];
  const out: Check[] = [];
  const env = ctx.runtime?.env ?? ctx.env;
  const secret = (n: string) => ctx.runtime?.secret(n) ?? env[n];
  const used = [...new Set([c.agentDefaults.model, ...c.models.refs, ...c.tools.exec.applyPatch.allowedModels])];

  const floating = used.filter(isFloatingRef);
  out.push(
    floating.length
      ? fail("models.pinned", `floating model refs are refused: ${floating.join(", ")}`, "name exact models (e.g. openai/gpt-4o-mini or a dated snapshot): a floating alias changes behaviour without anyone editing the notebook")
      : ok("models.pinned", `${used.length} configured model ref(s), all pinned (default ${c.agentDefaults.model})`),
  );
  if (c.agentDefaults.model.startsWith("scripted/")) out.push(warn("models.default", `agentDefaults.model is ${c.agentDefaults.model}: a scripted replay, not a live model`, "fine for tutorials; set a real model ref for real work"));

  const oa = c.models.providers.openai;
  const baseURL = oa.baseURL ?? env.OPENAI_BASE_URL;
  let loopback = false;
  if (baseURL) {
    try {
      const u = new URL(baseURL);
      loopback = isLoopbackHost(u.hostname.replace(/^\[|\]$/g, ""));
      if (u.protocol === "http:" && !loopback) out.push(fail("models.openai.endpoint", `OpenAI endpoint ${baseURL} is plain http on a non-loopback host: the key would travel in clear`, "use https, or a loopback URL for a local server"));
      else out.push(ok("models.openai.endpoint", `OpenAI-compatible endpoint ${baseURL}${oa.baseURL ? "" : " (from $OPENAI_BASE_URL)"}`));
    } catch {
      out.push(fail("models.openai.endpoint", `OPENAI_BASE_URL "${baseURL}" is not a URL`, "set it to e.g. http://127.0.0.1:8080/v1"));
    }
  }
  if (used.some((r) => r.startsWith("openai/"))) {
    out.push(
      secret(oa.apiKeyEnv)
        ? ok("models.openai.key", `$${oa.apiKeyEnv} is set (not shown)`)
        : loopback
          ? ok("models.openai.key", `no $${oa.apiKeyEnv}; not needed for the loopback endpoint`)
          : warn("models.openai.key", `$${oa.apiKeyEnv} is not set: openai/ refs will fail`, `export ${oa.apiKeyEnv}=... before starting, or %openclaw secret ${oa.apiKeyEnv} in a notebook (never in openclaw.json)`),
    );
  }

  const ll = c.models.providers.llamacpp;
  const cores = availableParallelism();
  if (ll.threads && ll.threads > cores) out.push(warn("models.llamacpp.threads", `llamacpp threads ${ll.threads} > ${cores} cores: oversubscribed llama.cpp runs orders of magnitude slower`, `set models.providers.llamacpp.threads to ${cores} or less, or leave it unset`));
  for (const r of used.filter((x) => x.startsWith("llamacpp/"))) {
    const file = r.slice("llamacpp/".length);
    const path = `${ll.modelsDir}/${file}`;
    if (!existsSync(path)) {
      out.push(fail(`models.llamacpp.file`, `${r}: ${path} not found`, `copy the GGUF into ${ll.modelsDir} (nothing is downloaded at run time)`));
      continue;
    }
    const pin = ll.sha256[file];
    if (!pin) {
      out.push(warn("models.llamacpp.sha256", `${r} is not pinned by sha256`, `add models.providers.llamacpp.sha256["${file}"] (sha256sum ${path})`));
      continue;
    }
    const { sha256File } = await import("../../models/llamacpp.js");
    const got = await sha256File(path);
    out.push(got === pin ? ok("models.llamacpp.sha256", `${r} matches its sha256 pin`) : fail("models.llamacpp.sha256", `${r}: sha256 ${got.slice(0, 12)}… does not match the pin ${pin.slice(0, 12)}…`, "restore the pinned file or update the pin"));
  }
  return out;
};
