import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const required = { NEXTAUTH_SECRET: "a-secret-of-sixteen+", NEXTAUTH_URL: "http://127.0.0.1:3000" };
const root = path.resolve(import.meta.dirname, "../../..");

describe("the console's environment", () => {
  it("defaults to the embedded database and the migrations at the repository root, from any folder inside it", () => {
    for (const cwd of [root, path.join(root, "apps/web"), path.join(root, "apps/web/src")]) {
      expect(parseEnv(required, cwd)).toMatchObject({
        databaseUrl: undefined,
        dataDir: path.join(root, ".data/pglite"),
        migrationsDir: path.join(root, "drizzle"),
      });
    }
  });

  it("resolves configured folders to absolute paths, so every part of the process opens the same database", () => {
    const env = parseEnv({ ...required, TOLLGATE_DATA_DIR: "relative/data", TOLLGATE_MIGRATIONS_DIR: "./m" }, "/srv/tollgate");
    expect(env.dataDir).toBe("/srv/tollgate/relative/data");
    expect(env.migrationsDir).toBe("/srv/tollgate/m");
  });

  it("names each missing or malformed variable and what is wrong with it", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", NEXTAUTH_SECRET: "short" }, root)).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL[\s\S]*NEXTAUTH_SECRET: must be at least 16 characters[\s\S]*NEXTAUTH_URL/,
    );
  });

  it("accepts PostgreSQL URLs", () => {
    expect(parseEnv({ ...required, DATABASE_URL: "postgres://postgres@127.0.0.1:5432/tollgate" }, root).databaseUrl).toBe(
      "postgres://postgres@127.0.0.1:5432/tollgate",
    );
  });
});
