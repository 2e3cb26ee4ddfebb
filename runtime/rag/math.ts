/** Vector helpers with no dependencies, so importing an embedder never loads usearch's native addon. */

/** L2-normalizes in place (cosine == dot product afterwards); a zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}
