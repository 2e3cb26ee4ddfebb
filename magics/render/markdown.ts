/**
 * A model's answer as Markdown, rendered safely: markdown-it with raw HTML off (a model's
 * `<img onerror=…>` or `<script>` shows as text), links only to http(s) (a
 * `javascript:`, `data:` or relative link from the model stays plain text), no images, and
 * every element styled from the theme (classic Notebook's black-on-white pre/code/table
 * rules are reset). Citations the model writes (`onboarding.md:7-22`, as text or in
 * backticks) become links to the cited file at those lines when a resolver says where
 * the file is; only our resolver's links bypass the http(s) rule.
 */
import type MarkdownItType from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { createRequire } from "node:module";
import { relative, resolve, sep } from "node:path";
import { isInside } from "../../runtime/paths.js";
import { COLORS, RESET } from "./html.js";

/** Where a cited file opens (an href), or undefined to leave the citation as text. */
export type CitationLinker = (source: string, from: number, to: number) => string | undefined;

/** `docs/onboarding.md:7-22`, `faq.txt:3`: a file name with an extension, then lines. */
const CITATION = /(?<![\w/.@-])((?:[\w.-]+\/)*[\w-][\w.-]*\.[A-Za-z][\w]{0,7}):(\d{1,7})(?:\s?[-–]\s?(\d{1,7}))?(?![\w])/g;

let engine: MarkdownItType | undefined;

/**
 * The configured renderer, built on first use: markdown-it (its CommonJS build, one file)
 * loads when the first answer is rendered, never on a kernel's or CLI's start-up path.
 */
function markdown(): MarkdownItType {
  if (engine) return engine;
  const MarkdownIt = createRequire(import.meta.url)("markdown-it") as typeof MarkdownItType;
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  md.disable(["image"]);
  md.validateLink = (url: string) => /^https?:\/\//i.test(url.trim());

  const STYLE: Record<string, string> = {
    code_inline: `background:${COLORS.bg};padding:0 3px;border-radius:3px;white-space:pre-wrap;${RESET}`,
    pre: `background:${COLORS.bg};padding:6px 8px;border-radius:4px;overflow:auto;white-space:pre-wrap;margin:4px 0;border:0;${RESET}`,
    table_open: `border-collapse:collapse;margin:4px 0;table-layout:auto;background:transparent;${RESET}`,
    cell: `border:1px solid ${COLORS.border};padding:2px 6px;text-align:left;vertical-align:top;white-space:normal;background:transparent;${RESET}`,
    tr_open: "background:transparent",
    blockquote_open: `margin:4px 0;padding:0 8px;border-left:3px solid ${COLORS.border};color:${COLORS.muted}`,
    link_open: `color:${COLORS.accent};text-decoration:underline`,
    paragraph_open: "margin:4px 0",
  };

  for (const name of ["code_inline", "table_open", "tr_open", "blockquote_open", "paragraph_open", "th_open", "td_open", "link_open"]) {
    const prev = md.renderer.rules[name];
    md.renderer.rules[name] = (tokens, idx, options, env, self) => {
      const t = tokens[idx]!;
      t.attrJoin("style", STYLE[name] ?? STYLE.cell!);
      if (name === "link_open") t.attrSet("rel", "noopener"); // not noreferrer: classic Notebook serves /files/ on a GET only with a same-origin Referer
      return prev ? prev(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
    };
  }
  const fence = (tokens: Token[], idx: number) => `<pre style="${STYLE.pre}">${md.utils.escapeHtml(tokens[idx]!.content)}</pre>\n`;
  md.renderer.rules.fence = fence;
  md.renderer.rules.code_block = fence;

  const lineTitle = (src: string, a: string, b?: string) => (b && b !== a ? `${src} lines ${a}–${b}` : `${src} line ${a}`);

  /** Link tokens around `inner` to `href`, marked as a citation. */
  function citeTokens(state: { Token: typeof Token }, href: string, title: string, inner: Token): Token[] {
    const open = new state.Token("link_open", "a", 1);
    open.attrs = [["href", href], ["title", title], ["class", "oc-cite"], ["target", "_blank"]];
    const close = new state.Token("link_close", "a", -1);
    return [open, inner, close];
  }

  // After inline parsing: citations in text and in `code` (outside links) become links.
  md.core.ruler.push("openclaw_citations", (state) => {
    const link = (state.env as { link?: CitationLinker }).link;
    if (!link) return;
    for (const block of state.tokens) {
      if (block.type !== "inline" || !block.children) continue;
      const out: Token[] = [];
      let inLink = 0;
      for (const t of block.children) {
        if (t.type === "link_open") inLink++;
        if (t.type === "link_close") inLink--;
        if (inLink > 0 || (t.type !== "text" && t.type !== "code_inline")) {
          out.push(t);
          continue;
        }
        if (t.type === "code_inline") {
          const m = new RegExp(`^${CITATION.source}$`).exec(t.content.trim());
          const href = m ? link(m[1]!, Number(m[2]), Number(m[3] ?? m[2])) : undefined;
          out.push(...(href ? citeTokens(state, href, lineTitle(m![1]!, m![2]!, m![3]), t) : [t]));
          continue;
        }
        let last = 0;
        for (const m of t.content.matchAll(CITATION)) {
          const href = link(m[1]!, Number(m[2]), Number(m[3] ?? m[2]));
          if (!href) continue;
          if (m.index! > last) out.push(Object.assign(new state.Token("text", "", 0), { content: t.content.slice(last, m.index) }));
          out.push(...citeTokens(state, href, lineTitle(m[1]!, m[2]!, m[3]), Object.assign(new state.Token("text", "", 0), { content: m[0] })));
          last = m.index! + m[0].length;
        }
        if (last === 0) out.push(t);
        else if (last < t.content.length) out.push(Object.assign(new state.Token("text", "", 0), { content: t.content.slice(last) }));
      }
      block.children = out;
    }
  });
  return (engine = md);
}

/** Markdown -> safe, themed HTML (class "oc-md"); citations linked through `link` when given. */
export function renderMarkdown(text: string, link?: CitationLinker): string {
  return `<div class="oc-md" style="${RESET};line-height:1.5">${markdown().render(text, { link })}</div>`;
}

/** The citations `text` makes (source and lines), in order, for tests and the text view. */
export function findCitations(text: string): Array<{ source: string; from: number; to: number }> {
  return [...text.matchAll(CITATION)].map((m) => ({ source: m[1]!, from: Number(m[2]), to: Number(m[3] ?? m[2]) }));
}

/**
 * Citation links for a Jupyter front end: the cited file inside `workspace`, as a path
 * relative to the notebook's folder (`cwd`, where the kernel runs), with `#line=N`.
 * JupyterLab opens a relative link from an output in its editor (and its file editor
 * reads `#line=N`); classic Notebook resolves it under /notebooks/…, which serves a
 * non-notebook file through /files/. A citation that leaves the workspace or names no
 * existing file stays text: a model cannot make us link anywhere else.
 */
export function workspaceLinker(workspace: string, cwd: string, exists: (p: string) => boolean): CitationLinker {
  return (source, from) => {
    const abs = resolve(workspace, source);
    if (!isInside(workspace, abs) || !exists(abs)) return undefined;
    const rel = relative(cwd, abs).split(sep).map(encodeURIComponent).join("/");
    return `${rel}#line=${from}`;
  };
}
