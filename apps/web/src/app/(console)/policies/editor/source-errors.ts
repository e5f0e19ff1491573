import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

/** An error as the parser and the compiler name it: `grants[0].actions`, `line 3, column 5` or `(document)`. */
export interface PathError {
  path: string;
  message: string;
}

/** An error placed in the source: characters `from`–`to`, or the document's start when its path is not in the text. */
export interface SourceError extends PathError {
  from: number;
  to: number;
  line: number;
  /** False for errors about something else than this text (another policy, a delegation). */
  located: boolean;
}

/** `policies[0].grants[1].actions` → `["policies", 0, "grants", 1, "actions"]`; null for a path that is not one. */
export function pathSegments(path: string): (string | number)[] | null {
  const segments: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/gy;
  let position = 0;
  while (position < path.length) {
    if (path[position] === "." && position > 0) position += 1;
    pattern.lastIndex = position;
    const match = pattern.exec(path);
    if (!match) return null;
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
    position = pattern.lastIndex;
  }
  return segments.length > 0 ? segments : null;
}

type Range = [number, number];

const rangeOf = (node: Node | null | undefined): Range | null => (node?.range ? [node.range[0], node.range[1]] : null);

/**
 * Where `segments` lead in the YAML: `key: value` for a scalar, the key of a collection, or, for a
 * field that is missing, the key of its nearest ancestor that exists (where it should be added).
 */
function locate(root: Node | null, segments: (string | number)[]): Range | null {
  let node: Node | null = root;
  let found: Range | null = null;
  for (const segment of segments) {
    let next: Node | null = null;
    let key: Range | null = null;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair) {
        key = rangeOf(pair.key as Node);
        next = (pair.value as Node | null) ?? null;
      }
    } else if (isSeq(node) && typeof segment === "number") {
      next = (node.items[segment] as Node | undefined) ?? null;
      key = rangeOf(next);
    }
    if (key === null) return found;
    // A field marks its key through a scalar value; a collection only its key, so the mark stays one line long.
    const value = next !== null && isScalar(next) ? rangeOf(next) : null;
    found = value ? [key[0], Math.max(key[1], value[1])] : key;
    node = next;
  }
  return found;
}

/**
 * Places each error at the text it names, so the editor can underline it. Never throws: text
 * that is not YAML places every path error at the start.
 *
 * @example locateErrors("name: x\nselector: {}\n", [{ path: "selector", message: "must name agents…" }])
 */
export function locateErrors(source: string, errors: readonly PathError[]): SourceError[] {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const lineStart = (line: number) => lines.lineStarts[Math.min(Math.max(line, 1), lines.lineStarts.length) - 1] ?? 0;
  const lineEnd = (from: number) => {
    const end = source.indexOf("\n", from);
    return end === -1 ? source.length : end;
  };
  return errors.map((error) => {
    const at = /^line (\d+), column (\d+)$/.exec(error.path);
    let range: Range | null = null;
    if (at) {
      const from = Math.min(lineStart(Number(at[1])) + Number(at[2]) - 1, source.length);
      range = [from, Math.max(from, lineEnd(from))];
    } else {
      const segments = pathSegments(error.path);
      if (segments !== null) range = locate(document.contents as Node | null, segments);
    }
    const located = range !== null;
    const [from, to] = range ?? [0, lineEnd(0)];
    const clamped: Range = [Math.min(from, source.length), Math.min(Math.max(from, to), source.length)];
    return { ...error, from: clamped[0], to: clamped[1], line: lines.linePos(clamped[0]).line, located };
  });
}
