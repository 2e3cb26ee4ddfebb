/**
 * Secrets never live in openclaw.json. This spots strings that look like a key or
 * token so the loader can refuse them and name the environment variable to use.
 */
const KNOWN_PREFIXES: Array<[RegExp, string]> = [
  [/^sk-[A-Za-z0-9_-]{16,}/, "an OpenAI-style API key (sk-…)"],
  [/^sk_(live|test)_[A-Za-z0-9]{16,}/, "a Stripe-style secret key"],
  [/^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/, "a GitHub token"],
  [/^github_pat_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/^xox[abprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/^AKIA[0-9A-Z]{16}$/, "an AWS access key id"],
  [/^AIza[0-9A-Za-z_-]{30,}/, "a Google API key"],
  [/^hf_[A-Za-z0-9]{20,}/, "a Hugging Face token"],
  [/^glpat-[A-Za-z0-9_-]{16,}/, "a GitLab token"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./, "a JSON Web Token"],
];

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The known prefixes, unanchored: a key inside prose or a URL is still that key. */
const KNOWN_ANYWHERE: Array<[RegExp, string]> = KNOWN_PREFIXES.map(([re, what]) => [new RegExp(`(?<![A-Za-z0-9])(?:${re.source.replace(/^\^/, "").replace(/\$$/, "(?![0-9A-Za-z])")})`), what]);

/** A URL carrying credentials: scheme://user:password@host. */
const URL_USERINFO = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i;
/** A secret-named parameter with a real value: ?api_key=…, &token=…, access_token=… (URLs, query strings, prose). */
const SECRET_PARAM = /(?:^|[?&;#\s])(?:[a-z0-9_-]*[_-])?(?:api[_-]?key|apikey|key|token|access[_-]?token|auth|secret|password|passwd|pwd|sig|signature|credential)s?=(?!\$\{|%24%7B|<|\{\{)[^&#\s'"]{6,}/i;
/** Candidate tokens inside longer text. */
const EMBEDDED = /[A-Za-z0-9+_=-]{32,}/g;

function genericToken(v: string, strict: boolean): boolean {
  if (!(v.length >= 32 && /^[A-Za-z0-9+_=\-]+$/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v))) return false;
  // Inside prose, a bare hex digest (a commit, a sha256 pin) is a content hash, not a key.
  if (strict) return /[a-z]/.test(v) && /[A-Z]/.test(v) && !/^[0-9a-fA-F]+$/.test(v) && entropy(v) >= 4;
  return entropy(v) >= 3.8;
}

/**
 * What kind of secret `value` looks like, or undefined: anywhere in the string, not only
 * at its start (a key pasted into a system prompt, ?api_key= in a URL, user:password@).
 * Paths, URLs without credentials, model refs and prose are not flagged: a generic secret
 * is one long token of mixed letters and digits with high entropy and none of the
 * separators a path or sentence would have.
 */
/**
 * Each list as one alternation, tried first: a config's values almost never match, and one regex
 * compiles and runs once where twenty-two did (~4 ms of every `config validate`).
 */
const oneOf = (list: Array<[RegExp, string]>) => new RegExp(list.map(([re]) => `(?:${re.source})`).join("|"));
const ANY_PREFIX = oneOf(KNOWN_PREFIXES);
const ANY_ANYWHERE = oneOf(KNOWN_ANYWHERE);

export function looksLikeSecret(value: string): string | undefined {
  const v = value.trim();
  if (ANY_PREFIX.test(v)) for (const [re, what] of KNOWN_PREFIXES) if (re.test(v)) return what;
  if (genericToken(v, false)) return "a long high-entropy token";
  if (ANY_ANYWHERE.test(v)) for (const [re, what] of KNOWN_ANYWHERE) if (re.test(v)) return what;
  if (URL_USERINFO.test(v)) return "a URL with a password in it (user:password@)";
  if (SECRET_PARAM.test(v)) return "a secret-named parameter with a value (api_key=, token=, …)";
  for (const m of v.matchAll(EMBEDDED)) if (genericToken(m[0], true)) return "a long high-entropy token";
  return undefined;
}

/** Property names that would hold a secret's value. */
export function isSecretKeyName(key: string): boolean {
  return /(api[-_]?key|secret|password|passwd|token|credential|private[-_]?key)$/i.test(key) && !/Env$/.test(key);
}
