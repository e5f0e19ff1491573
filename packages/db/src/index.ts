export { openDatabase, openSharedDatabase, type Database, type DatabaseConfig, type Db, type Tx } from "./client";
export { migrate, defaultMigrationsFolder } from "./migrate";
export * as schema from "./schema";
export * from "./schema";
export * from "./models";
export {
  announceApproval,
  announceApprovals,
  APPROVAL_CHANNEL,
  SESSION_CHANNEL,
  SNAPSHOT_CHANNEL,
  type ApprovalNotice,
  type SessionNotice,
  type SnapshotNotice,
} from "./channels";
export { recordset, resultRows } from "./recordset";
