/**
 * Splits a document along headings and paragraphs into chunks of at most `chunkChars`,
 * consecutive chunks of one section sharing up to `overlapChars` of trailing text so
 * an answer that straddles a boundary is still retrievable. Every chunk keeps the
 * 1-based line range it came from, for citations.
 */
export interface Chunk {
  text: string;
  lines: [number, number];
  /** Heading path, e.g. "Onboarding > First 30 days"; it starts with the document's title. */
  heading?: string;
  /**
   * Text that gives the chunk its meaning but lies outside its lines (a table's header row
   * above a later slice of the table). Embedded and matched, never shown as the passage,
   * so the passage text stays inside the lines it cites.
   */
  context?: string;
}

interface Unit {
  start: number; // 0-based line
  end: number; // 0-based inclusive
  text: string;
  context?: string;
}

interface Section {
  heading?: string;
  units: Unit[];
}

const HEADING = /^ {0,3}(#{1,6})\s+(.+?)\s*#*\s*$/;
/** A setext underline: the line above is a level 1 (===) or level 2 (---) heading. */
const SETEXT = /^ {0,3}(=+|-+)\s*$/;
const FRONT_MATTER_TITLE = /^title:\s*["']?(.+?)["']?\s*$/;

/** Heading text without inline markup: `**Usage**` and `[API](#api)` read as Usage and API. */
export function headingText(h: string): string {
  return h
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, "")
    .replace(/[*_`]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Markup only: badges, images, bare links and HTML with next to no words of its own. */
export function isNoise(text: string): boolean {
  if (/^\s*(```|~~~)/.test(text)) return false;
  const links = /\]\(|<[a-z]|https?:\/\//i.test(text);
  const linkOnlyLines = text.split("\n").every((l) => !l.trim() || /^\s*([-*+]|\d+[.)])?\s*\[[^\]]*\]\([^)]*\)[\s.,;]*$/.test(l));
  if (links && linkOnlyLines) return true;
  const prose = text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/[^\p{L}\s]/gu, " ")
    .trim();
  return links && (prose.match(/\p{L}{2,}/gu) ?? []).length < 3;
}

/** The document's title: front-matter `title:`, else its first heading when that is a level 1 heading or comes first; undefined when neither. */
export function documentTitle(text: string, markdown: boolean): string | undefined {
  if (!markdown) return undefined;
  const lines = text.split("\n");
  if (lines[0]?.trim() === "---") {
    for (let i = 1; i < Math.min(lines.length, 60) && lines[i]!.trim() !== "---"; i++) {
      const m = FRONT_MATTER_TITLE.exec(lines[i]!.trim());
      if (m) return headingText(m[1]!);
    }
  }
  return undefined;
}

/** Paragraph blocks grouped under headings; fenced code blocks stay one block. */
function sections(text: string, markdown: boolean, title?: string): Section[] {
  const lines = text.split("\n");
  const out: Section[] = [{ units: [], ...(title ? { heading: title } : {}) }];
  const stack: string[] = [];
  let para: { start: number; lines: string[] } | undefined;
  let fence = false;
  const seenUnits = new Set<string>();
  const path = () => {
    const parts = stack.filter(Boolean);
    return (title && parts[0] !== title ? [title, ...parts] : parts).join(" > ");
  };
  const flush = (endLine: number) => {
    if (para && para.lines.some((l) => l.trim())) {
      const t = para.lines.join("\n").trim();
      // noise is dropped, and so is a block this document already had (a repeated notice or example)
      const key = t.replace(/\s+/g, " ").toLowerCase();
      if (!(markdown && isNoise(t)) && !(key.length > 40 && seenUnits.has(key))) out[out.length - 1]!.units.push({ start: para.start, end: endLine, text: t });
      seenUnits.add(key);
    }
    para = undefined;
  };
  const heading = (level: number, name: string, start: number, end: number) => {
    stack.length = level - 1;
    stack[level - 1] = headingText(name) || name;
    out.push({ heading: path(), units: [{ start, end, text: lines.slice(start, end + 1).join("\n").trim() }] });
  };
  // YAML front matter is metadata, not prose (its title heads every chunk instead)
  let from = 0;
  if (markdown && lines[0]?.trim() === "---") {
    const close = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (close > 0) from = close + 1;
  }
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (markdown && /^\s*(```|~~~)/.test(line)) fence = !fence;
    const h = markdown && !fence ? HEADING.exec(line) : null;
    if (h) {
      flush(i - 1);
      heading(h[1]!.length, h[2]!, i, i);
      continue;
    }
    // setext: a one-line paragraph directly above === or --- (not a list item, table or quote)
    const st = markdown && !fence && para && para.lines.length === 1 ? SETEXT.exec(line) : null;
    if (st && !/^\s*([-*+>|]|\d+[.)])\s/.test(para!.lines[0]!) && para!.lines[0]!.trim()) {
      const name = para!.lines[0]!.trim();
      const start = para!.start;
      para = undefined;
      heading(st[1]![0] === "=" ? 1 : 2, name, start, i);
      continue;
    }
    if (!fence && !line.trim()) {
      flush(i - 1);
      continue;
    }
    if (!para) para = { start: i, lines: [] };
    para.lines.push(line);
  }
  flush(lines.length - 1);
  // A section that is little more than its heading (a title, then a subsection at once)
  // would be a chunk with nothing to retrieve: it joins the section after it instead.
  const merged: Section[] = [];
  let pending: Unit[] = [];
  let pendingHeading: string | undefined;
  // sections merged under the heading path they share (title > a small section > its sibling: title)
  const common = (a: string | undefined, b: string | undefined) => {
    if (a === undefined || b === undefined) return a ?? b;
    const x = a.split(" > ");
    const y = b.split(" > ");
    let n = 0;
    while (n < x.length && n < y.length && x[n] === y[n]) n++;
    return n ? x.slice(0, n).join(" > ") : undefined;
  };
  for (const s of out.filter((x) => x.units.length)) {
    const units = [...pending, ...s.units];
    const heading = pending.length ? common(pendingHeading, s.heading) : s.heading;
    pending = [];
    if (units.reduce((n, u) => n + u.text.length, 0) < TINY_SECTION) (pending = units), (pendingHeading = heading);
    else merged.push({ ...(heading ? { heading } : {}), units });
  }
  // a small last section joins the one before it
  const last = merged.at(-1);
  if (pending.length && last) {
    last.units.push(...pending);
    const h = common(last.heading, pendingHeading);
    if (h) last.heading = h;
    else delete last.heading;
  } else if (pending.length) merged.push({ units: pending, ...(pendingHeading ? { heading: pendingHeading } : {}) });
  return merged;
}

/** Sections shorter than this (in characters) are merged into the next one. */
const TINY_SECTION = 200;

const TABLE_ROW = /^\s*\|.*\|\s*$/;

/** A unit longer than the limit is cut at line boundaries, and a single huge line by characters. */
function splitUnit(u: Unit, max: number): Unit[] {
  if (u.text.length <= max) return [u];
  const out: Unit[] = [];
  const lines = u.text.split("\n");
  // a table: slices of whole rows, each later slice carrying the header row as context
  if (lines.length > 3 && lines.every((l) => TABLE_ROW.test(l)) && /^[\s|:-]+$/.test(lines[1]!)) {
    const header = lines.slice(0, 2).join("\n");
    let cur: Unit | undefined;
    lines.forEach((l, k) => {
      const ln = u.start + k;
      if (cur && cur.text.length + 1 + l.length > max) out.push(cur), (cur = undefined);
      cur = cur ? { ...cur, end: ln, text: cur.text + "\n" + l } : { start: ln, end: ln, text: l, ...(k > 1 ? { context: header } : {}) };
    });
    if (cur) out.push(cur);
    return out.flatMap((x) => (x.text.length > max ? splitUnit({ start: x.start, end: x.end, text: x.text }, max).map((y) => ({ ...y, ...(x.context ? { context: x.context } : {}) })) : [x]));
  }
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

/**
 * `title` names the document when it has no front-matter title (the file's path, say): it
 * heads the heading path of every chunk, so a passage deep in a command's doc still names
 * the command. A first level-1 heading takes the place of `title`.
 */
export function chunkText(text: string, opts: { chunkChars: number; overlapChars: number; markdown: boolean; title?: string }): Chunk[] {
  const max = Math.max(50, opts.chunkChars);
  const overlap = Math.max(0, Math.min(opts.overlapChars, Math.floor(max / 2)));
  const chunks: Chunk[] = [];
  const fm = documentTitle(text, opts.markdown);
  const h1 = opts.markdown && !fm ? firstH1(text) : undefined;
  const title = fm ?? h1 ?? opts.title;
  const seen = new Set<string>();
  for (const sec of sections(text, opts.markdown, title)) {
    const units = sec.units.flatMap((u) => splitUnit(u, max));
    let cur: Unit[] = [];
    let len = 0;
    let fresh = 0; // units in `cur` not carried over from the previous chunk
    const emit = () => {
      if (!fresh) return;
      const text = cur.map((u) => u.text).join("\n\n");
      const key = text.replace(/\s+/g, " ").toLowerCase();
      const context = cur.find((u) => u.context)?.context;
      // the same passage twice in one document (a repeated notice, a copied example) is kept once
      if (!seen.has(key)) chunks.push({ text, lines: [cur[0]!.start + 1, cur[cur.length - 1]!.end + 1], ...(sec.heading ? { heading: sec.heading } : {}), ...(context ? { context } : {}) });
      seen.add(key);
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

/** The text of the document's first heading when it is a level 1 heading (ATX or setext) outside code. */
function firstH1(text: string): string | undefined {
  const lines = text.split("\n");
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*(```|~~~)/.test(l)) fence = !fence;
    if (fence) continue;
    const h = HEADING.exec(l);
    if (h) return h[1] === "#" ? headingText(h[2]!) || undefined : undefined;
    if (l.trim() && /^ {0,3}=+\s*$/.test(lines[i + 1] ?? "") && !/^\s*([-*+>|]|\d+[.)])\s/.test(l)) return headingText(l) || undefined;
    if (l.trim() && /^ {0,3}-+\s*$/.test(lines[i + 1] ?? "") && i > 0 && !lines[i - 1]!.trim()) return undefined;
  }
  return undefined;
}
