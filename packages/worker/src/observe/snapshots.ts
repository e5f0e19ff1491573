import type { SnapshotStore } from "../snapshots/store";
import type { ServedSnapshot } from "./metrics";

/** The snapshots `store` serves, as /healthz and the snapshot gauges read them. */
export function servedSnapshots(store: SnapshotStore): ServedSnapshot[] {
  const served: ServedSnapshot[] = [];
  for (const organizationId of Object.keys(store.versions())) {
    const snapshot = store.forOrganization(organizationId);
    if (snapshot) served.push({ organizationId, version: snapshot.version, issuedAt: snapshot.issuedAt });
  }
  return served;
}
