import type { LoadedSnapshot } from "@tollgate/policy";

/**
 * The snapshots a worker serves, one per organization, and which organization each key hash
 * belongs to. Swapping is one Map write: a request takes its snapshot once at the start and
 * decides on it throughout, so a swap never mixes two versions into one decision.
 */
export class SnapshotStore {
  private readonly byOrganization = new Map<string, LoadedSnapshot>();
  private readonly organizationByKeyHash = new Map<string, string>();
  /** When the worker last heard from the database (ms since epoch); drives fail-closed staleness. */
  lastContactMs = Number.NEGATIVE_INFINITY;

  /** Installs `snapshot` if it is newer than the one served; returns whether it did. */
  install(snapshot: LoadedSnapshot): boolean {
    const organizationId = snapshot.organization.id;
    const current = this.byOrganization.get(organizationId);
    if (current && current.version >= snapshot.version) return false;
    if (current) {
      for (const hash of current.keys.keys()) {
        if (this.organizationByKeyHash.get(hash) === organizationId) this.organizationByKeyHash.delete(hash);
      }
    }
    for (const hash of snapshot.keys.keys()) this.organizationByKeyHash.set(hash, organizationId);
    this.byOrganization.set(organizationId, snapshot);
    return true;
  }

  /** The snapshot that knows this key hash, if any organization's does. */
  forKeyHash(keyHash: string): LoadedSnapshot | undefined {
    const organizationId = this.organizationByKeyHash.get(keyHash);
    return organizationId === undefined ? undefined : this.byOrganization.get(organizationId);
  }

  forOrganization(organizationId: string): LoadedSnapshot | undefined {
    return this.byOrganization.get(organizationId);
  }

  /** `{ organizationId: version }` of everything served, for /healthz and /metrics. */
  versions(): Record<string, number> {
    return Object.fromEntries([...this.byOrganization].map(([id, snapshot]) => [id, snapshot.version]));
  }
}
