/** What a page receives as `searchParams`. */
export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The `page` parameter as a page number; anything else is the first page. */
export function pageParam(params: Record<string, string | string[] | undefined>): number {
  const page = Number(single(params.page));
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

/** A text parameter, trimmed, or undefined when empty. */
export function textParam(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  return single(params[name])?.trim() || undefined;
}

/** A parameter that must be one of `values`, else undefined. */
export function choiceParam<T extends string>(params: Record<string, string | string[] | undefined>, name: string, values: readonly T[]): T | undefined {
  const value = single(params[name]);
  return values.find((candidate) => candidate === value);
}
