import type { LoadedSnapshot } from "@tollgate/policy";

/**
 * The snapshots a worker serves, one per organization, and which organization each key hash
 * belongs to. Swapping is one Map write: a request takes its snapshot once at the start and
 * decides on it throughout, so a swap never mixes two versions into one decision.
 */
/** The key a worker signs an organization's decision receipts with. */
export interface ReceiptKey {
  keyId: string;
  privateKey: string;
  /** Published (GET /v1/organizations/{id}/receipt-keys) so tools and merchants can verify receipts offline. */
  publicKey: string;
}

export class SnapshotStore {
  private readonly byOrganization = new Map<string, LoadedSnapshot>();
  private readonly receiptKeys = new Map<string, ReceiptKey>();
  private readonly organizationByKeyHash = new Map<string, string>();
  private readonly installListeners = new Set<(snapshot: LoadedSnapshot) => void>();
  /** When the worker last heard from the database (ms since epoch); drives fail-closed staleness. */
  lastContactMs = Number.NEGATIVE_INFINITY;

  /** Installs `snapshot` (and the receipt key that goes with it) if it is newer than the one served. */
  install(snapshot: LoadedSnapshot, receiptKey?: ReceiptKey): boolean {
    const organizationId = snapshot.organization.id;
    const current = this.byOrganization.get(organizationId);
    if (current && current.version >= snapshot.version) return false;
    if (receiptKey) this.receiptKeys.set(organizationId, receiptKey);
    if (current) {
      for (const hash of current.keys.keys()) {
        if (this.organizationByKeyHash.get(hash) === organizationId) this.organizationByKeyHash.delete(hash);
      }
    }
    for (const hash of snapshot.keys.keys()) this.organizationByKeyHash.set(hash, organizationId);
    this.byOrganization.set(organizationId, snapshot);
    for (const listener of this.installListeners) listener(snapshot);
    return true;
  }

  /** Calls `listener` with every snapshot installed from now on; returns the unsubscribe. */
  onInstall(listener: (snapshot: LoadedSnapshot) => void): () => void {
    this.installListeners.add(listener);
    return () => this.installListeners.delete(listener);
  }

  /** The snapshot that knows this key hash, if any organization's does. */
  forKeyHash(keyHash: string): LoadedSnapshot | undefined {
    const organizationId = this.organizationByKeyHash.get(keyHash);
    return organizationId === undefined ? undefined : this.byOrganization.get(organizationId);
  }

  receiptKey(organizationId: string): ReceiptKey | undefined {
    return this.receiptKeys.get(organizationId);
  }

  forOrganization(organizationId: string): LoadedSnapshot | undefined {
    return this.byOrganization.get(organizationId);
  }

  /** `{ organizationId: version }` of everything served, for /healthz and /metrics. */
  versions(): Record<string, number> {
    return Object.fromEntries([...this.byOrganization].map(([id, snapshot]) => [id, snapshot.version]));
  }
}
