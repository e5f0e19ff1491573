/**
 * Wildcard patterns for actions, merchants and categories. `*` stands for any run of characters,
 * dots included, so `stripe.*` matches `stripe.charges.create` and `*.refunds.*` matches
 * `stripe.refunds.create`. There is no other special character: matching never compiles a regex.
 */

const enum Shape {
  Any,
  Exact,
  Prefix,
  Suffix,
  Infix,
}

/** Tests a value against one pattern or a list of them. */
export interface Matcher {
  test(value: string): boolean;
}

/** A pattern compiled once so that testing a value is a comparison or two, never a regex. */
export class Pattern implements Matcher {
  readonly source: string;
  readonly #shape: Shape;
  /** The text around the star for Exact, Prefix and Suffix, kept inline: no array to chase. */
  readonly #literal: string;
  /** Infix only: the literal parts between the stars, in order. */
  readonly #parts: readonly string[];

  constructor(source: string) {
    this.source = source;
    const parts = source.split("*");
    // INVARIANT: parts.length === number of stars + 1.
    if (parts.length === 1) this.#shape = Shape.Exact;
    else if (parts.every((part) => part === "")) this.#shape = Shape.Any;
    else if (parts.length === 2 && parts[1] === "") this.#shape = Shape.Prefix;
    else if (parts.length === 2 && parts[0] === "") this.#shape = Shape.Suffix;
    else this.#shape = Shape.Infix;
    this.#literal = this.#shape === Shape.Suffix ? parts[1]! : parts[0]!;
    this.#parts = this.#shape === Shape.Infix ? parts : [];
  }

  test(value: string): boolean {
    switch (this.#shape) {
      case Shape.Any:
        return true;
      case Shape.Exact:
        return value === this.#literal;
      case Shape.Prefix:
        return value.startsWith(this.#literal);
      case Shape.Suffix:
        return value.endsWith(this.#literal);
      case Shape.Infix:
        return matchesInOrder(this.#parts, value);
    }
  }
}

// Greedy left-to-right placement is exact for `*`-only globs: taking the earliest occurrence of
// each literal part leaves the most room for the parts after it.
function matchesInOrder(parts: readonly string[], value: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let position = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === "") continue;
    const found = value.indexOf(part, position);
    if (found === -1 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}

/** A list of patterns: matches when any of them does. */
class AnyPattern implements Matcher {
  constructor(readonly patterns: readonly Pattern[]) {}

  test(value: string): boolean {
    for (const pattern of this.patterns) if (pattern.test(value)) return true;
    return false;
  }
}

/**
 * Compiles pattern lists into matchers, one per distinct list: rules across a snapshot repeat the
 * same few patterns (`stripe.*`), and sharing them keeps the memory a decision touches small and
 * warm.
 */
export class Matchers {
  readonly #compiled = new Map<string, Matcher>();

  of(patterns: readonly string[]): Matcher {
    // U+0000 cannot occur in a pattern, so the joined list names it unambiguously.
    const key = patterns.join("\u0000");
    let matcher = this.#compiled.get(key);
    if (matcher === undefined) {
      matcher = patterns.length === 1 ? new Pattern(patterns[0]!) : new AnyPattern(patterns.map((source) => this.of([source]) as Pattern));
      this.#compiled.set(key, matcher);
    }
    return matcher;
  }
}

/**
 * True when every value `inner` can match is also matched by `outer` (language inclusion).
 * A `*` in `inner` stands for unknown text, so only a `*` in `outer` may absorb it.
 */
export function patternCovers(outer: string, inner: string): boolean {
  // reachable[j]: outer[0..i) can produce inner[0..j), treating inner's stars as opaque symbols.
  let reachable: boolean[] = [true, ...Array<boolean>(inner.length).fill(false)];
  for (const symbol of outer) {
    const next = Array<boolean>(inner.length + 1).fill(false);
    if (symbol === "*") {
      let seen = false;
      for (let j = 0; j <= inner.length; j++) {
        seen ||= reachable[j]!;
        next[j] = seen;
      }
    } else {
      for (let j = 1; j <= inner.length; j++) {
        next[j] = reachable[j - 1]! && inner[j - 1] === symbol;
      }
    }
    reachable = next;
  }
  return reachable[inner.length]!;
}

/** True when some pattern of `outer` covers every pattern of `inner`, one by one. */
export function patternsCover(outer: readonly string[], inner: readonly string[]): boolean {
  return inner.every((pattern) => outer.some((candidate) => patternCovers(candidate, pattern)));
}
