import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./client";
import { organizations } from "./schema";
import { openTestDatabase } from "./testing";

describe("postgres.js with prepared statements", () => {
  let database: Database;
  beforeAll(async () => {
    const migrated = await openTestDatabase("postgres");
    const { url } = migrated.config as { url: string };
    await migrated.close();
    // One connection, so every statement below shares the session whose prepared statements are read.
    database = await openDatabase({ url, maxConnections: 1, prepareStatements: true });
  });
  afterAll(async () => {
    await database?.close();
  });

  const preparedCount = async (text: string) => {
    const rows = (await database.db.execute(sql`select count(*)::int as n from pg_prepared_statements where statement like ${`%${text}%`}`)) as unknown as { n: number }[];
    return rows[0]!.n;
  };

  it("prepares a parameterized query once per connection and reuses it", async () => {
    for (let i = 0; i < 3; i++) {
      const rows = (await database.db.execute(sql`select ${i}::int + 1 as "probeOne"`)) as unknown as { probeOne: number }[];
      expect(rows[0]!.probeOne).toBe(i + 1);
    }
    expect(await preparedCount('"probeOne"')).toBe(1);
  });

  it("prepares inside transactions and savepoints too, which commit and roll back as usual", async () => {
    const slug = `prepared-${Date.now()}`;
    await database.db.transaction(async (tx) => {
      await tx.insert(organizations).values({ slug, name: "kept" });
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`select ${slug}::text as "probeTwo"`);
          throw new Error("roll back the savepoint");
        })
        .catch(() => {});
    });
    const rows = await database.db.select({ name: organizations.name }).from(organizations).where(sql`${organizations.slug} = ${slug}`);
    expect(rows).toEqual([{ name: "kept" }]);
    expect(await preparedCount('"probeTwo"')).toBe(1);
    await database.db.delete(organizations).where(sql`${organizations.slug} = ${slug}`);
  });
});
