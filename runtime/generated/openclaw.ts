/* eslint-disable */
// GENERATED from schemas/openclaw.schema.json by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:
// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.

/**
 * provider/model, e.g. openai/gpt-4o-mini or llamacpp/tiny.gguf.
 */
export type ModelRef = string;
export type EnvName = string;

/**
 * Configuration of openclaw-kernel. Every default is the safe value; the seed example validates unchanged. Secrets never live here: providers read them from environment variables at run time.
 */
export interface OpenClawJson {
  /**
   * Optional pointer to this schema for editors.
   */
  $schema?: string;
  /**
   * The loopback control plane (HTTP + WebSocket).
   */
  gateway?: {
    /**
     * Only 'local' is supported: the gateway runs inside this host.
     */
    mode?: "local";
    /**
     * host:port to listen on ([::1]:18789 for IPv6). Non-loopback needs auth token or mtls.
     */
    bind?: string;
    /**
     * none (loopback only), token, mtls, or an object naming the details.
     */
    auth?:
      | ("none" | "token" | "mtls")
      | {
          mode: "token";
          /**
           * Environment variable holding the token (default OPENCLAW_GATEWAY_TOKEN). Without it a token is generated into the state dir (0600).
           */
          tokenEnv?: string;
        }
      | {
          mode: "mtls";
          /**
           * Server certificate (PEM) path.
           */
          cert: string;
          /**
           * Server private key (PEM) path.
           */
          key: string;
          /**
           * CA (PEM) that client certificates must chain to.
           */
          ca: string;
        };
    control?: {
      /**
       * Serve the control UI at GET /.
       */
      ui?: boolean;
      /**
       * Require a one-time pairing code before the UI gets a session.
       */
      deviceAuth?: boolean;
    };
    /**
     * Largest WebSocket frame or HTTP body accepted.
     */
    maxFrameBytes?: number;
    /**
     * Failed auth attempts per client address per minute answered at once; each later failure is answered slower (doubling from 250 ms up to 8 s), and 429 comes only while that address's slowed failures are still pending. No lockout: once they are answered, the right token gets in.
     */
    authFailuresPerMinute?: number;
    /**
     * Open sockets (HTTP and WebSocket) the gateway holds at once; more are dropped. Never more than a quarter of the process's open-file limit (ulimit -n), so a flood cannot starve the kernel of descriptors.
     */
    maxConnections?: number;
  };
  agentDefaults?: {
    /**
     * Folder the agent and exec work in (relative to the config file).
     */
    workspace?: string;
    /**
     * Pinned model ref provider/model.
     */
    model?: string;
    /**
     * Model calls per agent turn at most.
     */
    maxSteps?: number;
    /**
     * Wall-clock bound of one agent turn.
     */
    turnTimeoutSec?: number;
    /**
     * Replaces the built-in system prompt.
     */
    systemPrompt?: string;
    /**
     * Estimated tokens (4 characters each) of earlier exchanges a thread sends with each turn; older ones are dropped first, with a note in the transcript. 0 sends no history.
     */
    historyTokens?: number;
    /**
     * Save every turn's transcript under stateDir/agent/turns (for `agent export ID --scripted FILE`).
     */
    recordTurns?: boolean;
  };
  tools?: {
    /**
     * Governance of the one place where a model's wish becomes a process.
     */
    exec?: {
      /**
       * A run longer than this continues as a background session.
       */
      backgroundMs?: number;
      /**
       * Hard limit per run; the whole process group is killed.
       */
      timeoutSec?: number;
      /**
       * Finished sessions and their output are kept this long.
       */
      cleanupMs?: number;
      /**
       * Tell the starter once when a background run ends.
       */
      notifyOnExit?: boolean;
      /**
       * Also notify for a successful run with no output.
       */
      notifyOnExitEmptySuccess?: boolean;
      applyPatch?: {
        /**
         * Offer the apply_patch tool at all.
         */
        enabled?: boolean;
        /**
         * Exact model refs allowed to patch files.
         */
        allowedModels?: ModelRef[];
      };
      /**
       * auto: bubblewrap when present; required: refuse without it; off: no sandbox.
       */
      sandbox?: "auto" | "required" | "off";
      /**
       * Output kept in memory per stream (the tail); the log on disk is bounded by maxLogBytes.
       */
      maxOutputBytes?: number;
      /**
       * Bytes of each stream's log (stdout, stderr) kept on disk in the state dir for a background or overflowing run: the newest output, in two files of half this size each (stdout.log and stdout.log.1); older output is dropped, and the run is marked truncated. Default 32 MiB.
       */
      maxLogBytes?: number;
      /**
       * Extra environment variable names passed to every child (secret-like names are still refused).
       */
      env?: EnvName[];
    };
  };
  models?: {
    /**
     * Extra pinned refs listed by `models list`.
     */
    refs?: ModelRef[];
    /**
     * Model providers. openai, llamacpp and scripted are built in; any other key names an OpenAI-compatible endpoint (Ollama, vLLM, LM Studio, another OpenAI account), used as <name>/<model>, e.g. ollama/llama3.2:3b, with the same pinning rules.
     */
    providers?: {
      openai?: {
        /**
         * OpenAI-compatible endpoint; default the SDK's (or $OPENAI_BASE_URL).
         */
        baseURL?: string;
        /**
         * Environment variable the key is read from at run time.
         */
        apiKeyEnv?: string;
        timeoutMs?: number;
        maxRetries?: number;
      };
      llamacpp?: {
        /**
         * Where llamacpp/<file>.gguf refs are resolved.
         */
        modelsDir?: string;
        /**
         * CPU threads; default the cores present less one (min 1): oversubscribed llama.cpp collapses.
         */
        threads?: number;
        contextSize?: number;
        /**
         * Pins: file name -> expected sha256.
         */
        sha256?: {
          [k: string]: string;
        };
        /**
         * GPU for llama.cpp: false (CPU only), auto (a prebuilt GPU backend when installed, else CPU), cuda or vulkan (that backend, or an error naming the package to install). See README: Local models.
         */
        gpu?: "auto" | "cuda" | "vulkan" | false;
      };
      scripted?: {
        /**
         * Where scripted/<file> refs (JSON replay scripts) are resolved.
         */
        scriptsDir?: string;
      };
      /**
       * A named OpenAI-compatible provider.
       */
      [k: string]:
        | {
            /**
             * The protocol it speaks: openai (chat completions).
             */
            type: "openai";
            /**
             * Its endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama.
             */
            baseURL: string;
            /**
             * Environment variable its key is read from at run time; default <NAME>_API_KEY. A loopback endpoint needs none.
             */
            apiKeyEnv?: string;
            timeoutMs?: number;
            maxRetries?: number;
          }
        | {
            /**
             * OpenAI-compatible endpoint; default the SDK's (or $OPENAI_BASE_URL).
             */
            baseURL?: string;
            /**
             * Environment variable the key is read from at run time.
             */
            apiKeyEnv?: string;
            timeoutMs?: number;
            maxRetries?: number;
          }
        | {
            /**
             * Where llamacpp/<file>.gguf refs are resolved.
             */
            modelsDir?: string;
            /**
             * CPU threads; default the cores present less one (min 1): oversubscribed llama.cpp collapses.
             */
            threads?: number;
            contextSize?: number;
            /**
             * Pins: file name -> expected sha256.
             */
            sha256?: {
              [k: string]: string;
            };
            /**
             * GPU for llama.cpp: false (CPU only), auto (a prebuilt GPU backend when installed, else CPU), cuda or vulkan (that backend, or an error naming the package to install). See README: Local models.
             */
            gpu?: "auto" | "cuda" | "vulkan" | false;
          }
        | {
            /**
             * Where scripted/<file> refs (JSON replay scripts) are resolved.
             */
            scriptsDir?: string;
          }
        | undefined;
    };
    /**
     * Price table for cost estimates, by model ref (never fetched): {"openai/gpt-4o-mini": {"input": 0.15, "output": 0.6, "currency": "USD"}} per million tokens.
     */
    prices?: {
      [k: string]: {
        /**
         * Price per million prompt tokens.
         */
        input: number;
        /**
         * Price per million completion tokens.
         */
        output: number;
        currency?: string;
      };
    };
  };
  skills?: {
    /**
     * Extra folders holding skill folders.
     */
    dirs?: string[];
    /**
     * Load the skills shipped with openclaw-kernel.
     */
    bundled?: boolean;
  };
  rag?: {
    embedding?: {
      /**
       * use-lite: Universal Sentence Encoder lite shipped in npm (offline). transformers: an ONNX sentence model from modelDir.
       */
      provider?: "use-lite" | "transformers";
      /**
       * Model id for the transformers provider, e.g. Xenova/all-MiniLM-L6-v2.
       */
      model?: string;
      /**
       * Local folder holding transformers models as <modelDir>/<model id>/ (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx); default <stateDir>/models. Remote loading is off: only `rag pull` downloads.
       */
      modelDir?: string;
    };
    mode?: "hybrid" | "dense" | "lexical";
    topk?: number;
    chunkChars?: number;
    overlapChars?: number;
  };
  audit?: {
    /**
     * Audit log file; default <stateDir>/audit/audit.jsonl. Must be outside agentDefaults.workspace (skills write there). Its HMAC key is <stateDir>/audit/audit.key.
     */
    path?: string;
    /**
     * fsync each record before a result is returned.
     */
    fsync?: boolean;
    /**
     * Start a new audit file (the old one becomes audit.jsonl.000001, .000002, …) once the current one would pass this many bytes; the chain continues across files and verifies from the first. 0 never rotates. Default 64 MiB.
     */
    rotateBytes?: number;
  };
  /**
   * Where sessions, logs, indexes and the audit log live; default $OPENCLAW_STATE_DIR or ~/.openclaw-kernel.
   */
  stateDir?: string;
}
