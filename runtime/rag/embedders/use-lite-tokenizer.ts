/**
 * USE-lite's SentencePiece tokenizer (the unigram Viterbi of @energetic-ai/embeddings'
 * Tokenizer), giving the same ids for every input, in linear time. The package's version
 * copies the rest of the text at every position (`symbols.slice(i)`), so a 600-character
 * passage cost ~3.6 ms to tokenize, a fifth of what the ONNX model takes to embed it.
 * Its quirks are kept on purpose (ties go to the later start, an unknown character is its
 * own piece of id 0 and score 0, consecutive unknowns merge, the backtrack steps by the
 * piece's UTF-16 length): any difference would change vectors.
 */

interface Node {
  /** Made on first visit (expand): a process embedding one question visits a few paths of the 8k pieces' trie. */
  children?: Map<string, Node>;
  /** Vocabulary index of the piece ending here, or -1. */
  index: number;
  score: number;
  /** Characters from the root to here. */
  depth: number;
  /** Pieces longer than `depth` under this node, in vocabulary order (until expanded). */
  pending: number[];
}

const SEPARATOR = "\u2581";
const RESERVED = 6;

export class UseLiteTokenizer {
  private readonly root: Node = { index: -1, score: 0, depth: 0, pending: [] };
  /** Each piece's characters (code points), on first need. */
  private readonly chars: Array<string[] | undefined>;

  constructor(private readonly vocabulary: Array<[string, number]>) {
    this.chars = new Array(vocabulary.length);
    // (the package's trie never marks its root: an empty piece is left out)
    for (let i = RESERVED; i < vocabulary.length; i++) if (vocabulary[i]![0]) this.root.pending.push(i);
  }

  /**
   * The child of `node` for `ch`. Children are made from the pending pieces in vocabulary order,
   * so a piece listed twice ends at the later index, as in the package's trie.
   */
  private child(node: Node, ch: string): Node | undefined {
    if (!node.children) {
      const children = new Map<string, Node>();
      for (const i of node.pending) {
        const cs = (this.chars[i] ??= [...this.vocabulary[i]![0]]);
        const c = cs[node.depth]!;
        let next = children.get(c);
        if (!next) children.set(c, (next = { index: -1, score: 0, depth: node.depth + 1, pending: [] }));
        if (cs.length === node.depth + 1) {
          next.index = i;
          next.score = this.vocabulary[i]![1];
        } else next.pending.push(i);
      }
      node.children = children;
      node.pending = [];
    }
    return node.children.get(ch);
  }

  encode(input: string): number[] {
    const normalized = input.normalize("NFKC");
    const symbols = normalized.length ? [...(SEPARATOR + normalized.replace(/ /g, SEPARATOR))] : [];
    const n = symbols.length;
    // pieces ending at each position, in increasing start order (as the package visits them)
    const ending: Array<Array<{ start: number; index: number; score: number }>> = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.child(this.root, symbols[i]!);
      let found = false;
      for (let j = i; j < n && node; j++) {
        if (node.index >= 0) {
          ending[j + 1]!.push({ start: i, index: node.index, score: node.score });
          found = true;
        }
        node = j + 1 < n ? this.child(node, symbols[j + 1]!) : undefined;
      }
      if (!found) ending[i + 1]!.push({ start: i, index: 0, score: 0 });
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      for (const w of ending[end]!) {
        const score = w.score + best[w.start]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          words[end] = w.index;
        }
      }
    }
    const ids: number[] = [];
    for (let at = n; at > 0; at -= this.vocabulary[words[at]!]![0].length) ids.push(words[at]!);
    const merged: number[] = [];
    let prevUnknown = false;
    for (const id of ids) {
      if (!(prevUnknown && id === 0)) merged.push(id);
      prevUnknown = id === 0;
    }
    return merged.reverse();
  }
}
