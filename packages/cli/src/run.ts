import { parseArgs } from "node:util";
import { verifyReceipt } from "@tollgate/policy";
import { createTollgate, TollgateError } from "@tollgate/sdk";
import { createAgent, createKey } from "./admin";
import { consoleRefusal } from "./console-client";
import type { Io } from "./io";
import { apply, exportFile, plan } from "./policy-file";
import { required, UsageError } from "./usage";

export type { Io } from "./io";

const USAGE = `usage:
  tollgate decide --action <action> [--amount <minor units> --currency <ISO 4217>] [--merchant <m>]
                  [--category <c>] [--session <id>] [--request <id>] [--on-behalf-of <delegation>]
                  [--url <worker>] [--key <agent key>]     (or TOLLGATE_URL, TOLLGATE_KEY)
  tollgate receipt verify <receipt> --public-key <key id>=<hex> [--public-key …]

  against the console, as the admin whose API token it is:
  tollgate plan -f tollgate.yaml [--days <n>] [--examples <n>]
  tollgate apply -f tollgate.yaml
  tollgate export [-f tollgate.yaml]
  tollgate agents create --name <name> [--owner <email>] [--tags <a,b>] [--description <text>]
  tollgate keys create --agent <name or id> [--name <name>] [--expires <ISO time>]
      [--console <url>] [--token <API token>]     (or TOLLGATE_CONSOLE_URL, TOLLGATE_TOKEN)

exit codes: 0 allow, valid or done, 1 deny or invalid receipt, 2 pending, 64 usage error,
            65 input refused (each error named by its path), 69 worker or console unreachable or refused,
            77 token refused (unknown, revoked, expired) or role not allowed`;

async function decide(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      action: { type: "string" },
      amount: { type: "string" },
      currency: { type: "string" },
      merchant: { type: "string" },
      category: { type: "string" },
      session: { type: "string" },
      request: { type: "string" },
      "on-behalf-of": { type: "string" },
      url: { type: "string" },
      key: { type: "string" },
    },
  });
  let amount: { amount: number; currency: string } | undefined;
  if (values.amount !== undefined || values.currency !== undefined) {
    const minor = Number(required(values.amount, "--amount"));
    if (!Number.isSafeInteger(minor) || minor < 0) throw new UsageError(`--amount: must be a whole number of minor units (1250 is 12.50), got ${values.amount}`);
    amount = { amount: minor, currency: required(values.currency, "--currency") };
  }
  const gate = usage(() =>
    createTollgate({
      url: required(values.url ?? io.env.TOLLGATE_URL, "--url (or TOLLGATE_URL)"),
      key: required(values.key ?? io.env.TOLLGATE_KEY, "--key (or TOLLGATE_KEY)"),
    }),
  );
  const stamp = io.now().getTime().toString(36);
  const answer = await gate.decide({
    action: required(values.action, "--action"),
    ...(amount ? { amount } : {}),
    ...(values.merchant ? { merchant: values.merchant } : {}),
    ...(values.category ? { category: values.category } : {}),
    ...(values["on-behalf-of"] ? { onBehalfOf: values["on-behalf-of"] } : {}),
    sessionId: values.session ?? `cli-${stamp}`,
    requestId: values.request ?? `cli-${stamp}`,
  });
  io.out(JSON.stringify(answer, null, 2));
  return answer.decision === "allow" ? 0 : answer.decision === "pending" ? 2 : 1;
}

/** The SDK refuses bad options with a TypeError naming the field: on the command line, that is a usage error. */
function usage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}

function verify(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "public-key": { type: "string", multiple: true } } });
  const token = required(positionals[0], "<receipt>");
  const keys = Object.fromEntries(
    (values["public-key"] ?? []).map((pair) => {
      const at = pair.lastIndexOf("=");
      if (at <= 0) throw new UsageError(`--public-key: expected <key id>=<hex public key>, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  if (Object.keys(keys).length === 0) throw new UsageError("--public-key: at least one is required");
  const check = verifyReceipt(token, keys, io.now());
  io.out(JSON.stringify(check, null, 2));
  return check.ok ? 0 : 1;
}

/** Runs one `tollgate` command line; resolves to the process exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "decide") return await decide(rest, io);
    if (command === "receipt" && rest[0] === "verify") return verify(rest.slice(1), io);
    if (command === "plan") return await plan(rest, io);
    if (command === "apply") return await apply(rest, io);
    if (command === "export") return await exportFile(rest, io);
    if (command === "agents" && rest[0] === "create") return await createAgent(rest.slice(1), io);
    if (command === "keys" && rest[0] === "create") return await createKey(rest.slice(1), io);
    io.err(USAGE);
    return 64;
  } catch (error) {
    const refused = consoleRefusal(error);
    if (refused) {
      for (const line of refused.lines) io.err(line);
      return refused.code;
    }
    if (error instanceof TollgateError) {
      io.err(`the worker refused: ${error.message}`);
      return 69;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`${(error as Error).message}\n\n${USAGE}`);
      return 64;
    }
    throw error;
  }
}
