// Helpers for this package's tests against a real worker; not part of the public surface.
import { reservations, signingKeys, type Database } from "@tollgate/db";
import { openTestDatabase, type TestDriver } from "@tollgate/db/testing";
import { startTestWorker, type TestWorker } from "@tollgate/worker/testing";
import { createTollgate } from "./client";
import { and, desc, eq } from "drizzle-orm";

/** A test database of `driver`, a real worker on it serving `policy`, and a client with its agent's key. */
export async function startSdkWorker(driver: TestDriver, policy: Record<string, unknown>) {
  const database = await openTestDatabase(driver);
  const worker = await startTestWorker(database, { policy });
  return { database, worker, gate: createTollgate({ url: worker.url, key: worker.key }) };
}

export async function stopSdkWorker(database: Database | undefined, worker: TestWorker | undefined) {
  await worker?.stop();
  await database?.close();
}

export async function reservationOf(database: Database, reservationId: string) {
  const [row] = await database.db.select().from(reservations).where(eq(reservations.id, reservationId));
  return row!;
}

/** The test organization's newest hold. */
export async function latestReservation(database: Database, worker: TestWorker) {
  const [row] = await database.db
    .select()
    .from(reservations)
    .where(eq(reservations.organizationId, worker.organizationId))
    .orderBy(desc(reservations.createdAt))
    .limit(1);
  return row!;
}

/** The organization's receipt public keys, as a tool would be configured with them. */
export async function receiptKeys(database: Database, worker: TestWorker): Promise<Record<string, string>> {
  const keys = await database.db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.organizationId, worker.organizationId), eq(signingKeys.purpose, "receipt")));
  return Object.fromEntries(keys.map((key) => [key.id, key.publicKey]));
}
