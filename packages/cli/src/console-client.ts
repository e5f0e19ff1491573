import type { AppRouter } from "@tollgate/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { Io } from "./io";
import { required, UsageError } from "./usage";

/** The console's API, typed from the router itself: a renamed field fails to compile here. */
export type ConsoleClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/** The options every console command takes; `--console` and `--token` win over the environment. */
export const consoleOptions = {
  console: { type: "string" },
  token: { type: "string" },
} as const;

/** A client of the console at `--console` (or TOLLGATE_CONSOLE_URL), acting as the admin whose token is `--token` (or TOLLGATE_TOKEN). */
export function connect(values: { console?: string; token?: string }, io: Io): ConsoleClient {
  const base = required(values.console ?? io.env.TOLLGATE_CONSOLE_URL, "--console (or TOLLGATE_CONSOLE_URL)");
  const token = required(values.token ?? io.env.TOLLGATE_TOKEN, "--token (or TOLLGATE_TOKEN)");
  let url: URL;
  try {
    url = new URL("api/trpc", base.endsWith("/") ? base : `${base}/`);
  } catch {
    throw new UsageError(`--console: must be the console's URL, like https://tollgate.example.com, got ${base}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--console: must be an http(s) URL, got ${base}`);
  return createTRPCClient<AppRouter>({
    // Queries are POSTed: a plan carries a whole tollgate.yaml, too long for a URL.
    links: [httpLink({ url: url.toString(), methodOverride: "POST", headers: { authorization: `Bearer ${token}` } })],
  });
}

/** What the console answered, as an exit code and lines for stderr; null for errors that are not the console's. */
export function consoleRefusal(error: unknown): { code: number; lines: string[] } | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = (error.data ?? {}) as { code?: string; fieldErrors?: Record<string, string[]> | null };
  if (data.code === "BAD_REQUEST") {
    const fields = Object.entries(data.fieldErrors ?? {}).flatMap(([path, messages]) => messages.map((message) => `  ${path}: ${message}`));
    // A domain refusal reads "tollgate.yaml is not valid: <each error>"; a malformed input's message is zod's JSON.
    const headline = fields.length === 0 ? error.message : error.message.startsWith("[") ? "the request is not valid" : error.message.split(": ")[0]!;
    return { code: 65, lines: [`refused: ${headline}`, ...fields] };
  }
  if (data.code === "UNAUTHORIZED" || data.code === "FORBIDDEN") return { code: 77, lines: [`the console refused: ${error.message}`] };
  if (data.code === undefined) return { code: 69, lines: [`could not reach the console: ${error.message}`] };
  return { code: 69, lines: [`the console refused: ${error.message}`] };
}
