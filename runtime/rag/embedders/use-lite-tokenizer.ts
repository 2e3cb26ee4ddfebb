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
  children: Map<string, Node>;
  /** Vocabulary index of the piece ending here, or -1. */
  index: number;
  score: number;
}

const SEPARATOR = "\u2581";
const RESERVED = 6;

export class UseLiteTokenizer {
  private readonly root: Node = { children: new Map(), index: -1, score: 0 };

  constructor(private readonly vocabulary: Array<[string, number]>) {
    for (let i = RESERVED; i < vocabulary.length; i++) {
      if (!vocabulary[i]![0]) continue; // (the package's trie never marks its root)
      let node = this.root;
      for (const ch of vocabulary[i]![0]) {
        let next = node.children.get(ch);
        if (!next) node.children.set(ch, (next = { children: new Map(), index: -1, score: 0 }));
        node = next;
      }
      node.index = i;
      node.score = vocabulary[i]![1];
    }
  }

  encode(input: string): number[] {
    const normalized = input.normalize("NFKC");
    const symbols = normalized.length ? [...(SEPARATOR + normalized.replace(/ /g, SEPARATOR))] : [];
    const n = symbols.length;
    // pieces ending at each position, in increasing start order (as the package visits them)
    const ending: Array<Array<{ start: number; index: number; score: number }>> = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]!);
      let found = false;
      for (let j = i; j < n && node; j++) {
        if (node.index >= 0) {
          ending[j + 1]!.push({ start: i, index: node.index, score: node.score });
          found = true;
        }
        node = j + 1 < n ? node.children.get(symbols[j + 1]!) : undefined;
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
