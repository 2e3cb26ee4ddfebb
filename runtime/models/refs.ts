import { isFloatingRef } from "../config/index.js";
import { SafetyError, UsageError } from "../errors.js";
import type { Provider } from "./types.js";

export const PROVIDERS: readonly Provider[] = ["openai", "llamacpp", "scripted"];

export interface ParsedRef {
  ref: string;
  /** The protocol: a named provider (models.providers.<name>) speaks "openai". */
  provider: Provider;
  /** The provider as written in the ref: openai, llamacpp, scripted or a named one (ollama). */
  name: string;
  /** Everything after the first "/": an OpenAI model id, a .gguf file, a script file. */
  model: string;
}

/** Splits provider/model and checks the provider is one we speak. */
export function parseRef(ref: string, named: readonly string[] = []): ParsedRef {
  const i = ref.indexOf("/");
  if (i <= 0 || i === ref.length - 1 || /\s/.test(ref)) {
    throw new UsageError(`model ref "${ref}" is not provider/model`, { fix: "use e.g. openai/gpt-4o-mini, llamacpp/tiny.gguf or scripted/demo.json" });
  }
  const provider = ref.slice(0, i);
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    if (named.includes(provider)) return { ref, provider: "openai", name: provider, model: ref.slice(i + 1) };
    throw new UsageError(`unknown model provider "${provider}" in "${ref}"`, { fix: `use one of: ${[...PROVIDERS, ...named].join(", ")}, or name an OpenAI-compatible endpoint in models.providers.${provider} ({"type": "openai", "baseURL": "…"})` });
  }
  return { ref, provider: provider as Provider, name: provider, model: ref.slice(i + 1) };
}

/**
 * Pinning: a floating alias (latest, auto, *-latest) changes behaviour under a
 * notebook without anyone editing it, so it is refused rather than resolved.
 */
export function assertPinned(ref: string): void {
  if (isFloatingRef(ref)) {
    throw new SafetyError(`model ref "${ref}" is a floating alias and is refused`, {
      code: "model_not_pinned",
      fix: "name an exact model, e.g. openai/gpt-4o-mini or a dated snapshot such as openai/gpt-4o-mini-2024-07-18",
    });
  }
}
