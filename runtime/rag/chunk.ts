/**
 * Splits a document along headings and paragraphs into chunks of at most `chunkChars`,
 * consecutive chunks of one section sharing up to `overlapChars` of trailing text so
 * an answer that straddles a boundary is still retrievable. Every chunk keeps the
 * 1-based line range it came from, for citations.
 */
export interface Chunk {
  text: string;
  lines: [number, number];
  /** Heading path, e.g. "Onboarding > First 30 days". */
  heading?: string;
}

interface Unit {
  start: number; // 0-based line
  end: number; // 0-based inclusive
  text: string;
}

interface Section {
  heading?: string;
  units: Unit[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Paragraph blocks grouped under headings; fenced code blocks stay one block. */
function sections(text: string, markdown: boolean): Section[] {
  const lines = text.split("\n");
  const out: Section[] = [{ units: [] }];
  const stack: string[] = [];
  let para: { start: number; lines: string[] } | undefined;
  let fence = false;
  const flush = (endLine: number) => {
    if (para && para.lines.some((l) => l.trim())) out[out.length - 1]!.units.push({ start: para.start, end: endLine, text: para.lines.join("\n").trim() });
    para = undefined;
  };
  lines.forEach((line, i) => {
    if (markdown && /^\s*(```|~~~)/.test(line)) fence = !fence;
    const h = markdown && !fence ? HEADING.exec(line) : null;
    if (h) {
      flush(i - 1);
      const level = h[1]!.length;
      stack.length = level - 1;
      stack[level - 1] = h[2]!;
      out.push({ heading: stack.filter(Boolean).join(" > "), units: [{ start: i, end: i, text: line.trim() }] });
      return;
    }
    if (!fence && !line.trim()) {
      flush(i - 1);
      return;
    }
    if (!para) para = { start: i, lines: [] };
    para.lines.push(line);
  });
  flush(lines.length - 1);
  // A section that is little more than its heading (a title, then a subsection at once)
  // would be a chunk with nothing to retrieve: it joins the section after it instead.
  const merged: Section[] = [];
  let pending: Unit[] = [];
  for (const s of out.filter((x) => x.units.length)) {
    const units = [...pending, ...s.units];
    pending = [];
    if (units.reduce((n, u) => n + u.text.length, 0) < TINY_SECTION) pending = units;
    else merged.push({ ...(s.heading ? { heading: s.heading } : {}), units });
  }
  if (pending.length) merged.push({ units: pending, ...(out.at(-1)?.heading ? { heading: out.at(-1)!.heading } : {}) });
  return merged;
}

/** Sections shorter than this (in characters) are merged into the next one. */
const TINY_SECTION = 80;

/** A unit longer than the limit is cut at line boundaries, and a single huge line by characters. */
function splitUnit(u: Unit, max: number): Unit[] {
  if (u.text.length <= max) return [u];
  const out: Unit[] = [];
  const lines = u.text.split("\n");
  let cur: Unit | undefined;
  lines.forEach((l, k) => {
    const ln = u.start + k;
    if (l.length > max) {
      if (cur) out.push(cur), (cur = undefined);
      for (let o = 0; o < l.length; o += max) out.push({ start: ln, end: ln, text: l.slice(o, o + max) });
      return;
    }
    if (cur && cur.text.length + 1 + l.length > max) out.push(cur), (cur = undefined);
    cur = cur ? { start: cur.start, end: ln, text: cur.text + "\n" + l } : { start: ln, end: ln, text: l };
  });
  if (cur) out.push(cur);
  return out.filter((x) => x.text.trim());
}

export function chunkText(text: string, opts: { chunkChars: number; overlapChars: number; markdown: boolean }): Chunk[] {
  const max = Math.max(50, opts.chunkChars);
  const overlap = Math.max(0, Math.min(opts.overlapChars, Math.floor(max / 2)));
  const chunks: Chunk[] = [];
  for (const sec of sections(text, opts.markdown)) {
    const units = sec.units.flatMap((u) => splitUnit(u, max));
    let cur: Unit[] = [];
    let len = 0;
    let fresh = 0; // units in `cur` not carried over from the previous chunk
    const emit = () => {
      if (!fresh) return;
      chunks.push({ text: cur.map((u) => u.text).join("\n\n"), lines: [cur[0]!.start + 1, cur[cur.length - 1]!.end + 1], ...(sec.heading ? { heading: sec.heading } : {}) });
      // carry the trailing units that fit in the overlap into the next chunk
      const carry: Unit[] = [];
      let c = 0;
      for (let k = cur.length - 1; k >= 0 && c + cur[k]!.text.length <= overlap; k--) {
        carry.unshift(cur[k]!);
        c += cur[k]!.text.length + 2;
      }
      cur = carry;
      len = c;
      fresh = 0;
    };
    for (const u of units) {
      if (cur.length && len + u.text.length > max) {
        emit();
        // an overlap that leaves no room for the next unit is dropped
        while (cur.length && len + u.text.length > max) len -= cur.shift()!.text.length + 2;
      }
      cur.push(u);
      len += u.text.length + 2;
      fresh++;
    }
    emit();
  }
  return chunks;
}
