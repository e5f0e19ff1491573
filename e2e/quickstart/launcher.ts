import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const launcherDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../apps/standalone");

export interface Launcher {
  process: ChildProcess;
  output: () => string;
  /** Resolves when the output contains `text`; rejects if the process exits first. */
  waitFor: (text: string, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<number | null>;
}

/** Runs `npm start`'s product process (apps/standalone) on its own data folder and ports. */
export function launch(env: Record<string, string>): Launcher {
  // The embedded database: whatever PostgreSQL the caller's shell names is not for this process.
  const { DATABASE_URL: _postgres, ...inherited } = process.env;
  // tsx directly rather than through pnpm, so the exit code is the product's own.
  const child = spawn(resolve(launcherDir, "node_modules/.bin/tsx"), ["src/main.ts"], {
    cwd: launcherDir,
    detached: true,
    env: { ...inherited, NEXT_TELEMETRY_DISABLED: "1", ...env },
  });
  let output = "";
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = once(child, "exit");

  return {
    process: child,
    output: () => output,
    waitFor: (text, timeoutMs = 120_000) =>
      new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for "${text}"; output:\n${output}`)), timeoutMs);
        const check = () => output.includes(text) && done();
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolvePromise();
        };
        listeners.add(check);
        void exited.then(() => done(output.includes(text) ? undefined : new Error(`exited before "${text}"; output:\n${output}`)));
        check();
      }),
    async stop() {
      if (child.exitCode === null) process.kill(-child.pid!, "SIGTERM");
      const [code] = await exited;
      return code as number | null;
    },
  };
}
