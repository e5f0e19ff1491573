import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { lockDataDir } from "./data-dir-lock";

describe("embedded data folder lock", () => {
  it("refuses a second owner while the first process lives, naming its pid", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "tollgate-lock-")), "pglite");
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      writeFileSync(`${dataDir}.lock`, String(other.pid));
      expect(() => lockDataDir(dataDir)).toThrow(`in use by process ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it("takes over a lock left by a process that died", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "tollgate-lock-")), "pglite");
    writeFileSync(`${dataDir}.lock`, "999999999");
    const unlock = lockDataDir(dataDir);
    unlock();
  });

  it("keeps data across a close and reopen of the same folder", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "tollgate-persist-")), "pglite");
    const first = await openDatabase({ dataDir });
    await first.db.execute("create table kept (value text)");
    await first.db.execute("insert into kept values ('still here')");
    await first.close();
    const second = await openDatabase({ dataDir });
    const result = (await second.db.execute("select value from kept")) as unknown as { rows: { value: string }[] };
    expect(result.rows).toEqual([{ value: "still here" }]);
    await second.close();
    // Two cold starts of an embedded PostgreSQL on disk: seconds each, far more on a busy machine.
  }, 90_000);
});
