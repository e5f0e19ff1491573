export { createTollgate, type Tollgate, type TollgateOptions } from "./client";
export type { GuardContext, GuardOptions, PendingApproval } from "./guard";
export { TollgateDeniedError, TollgateError, TollgateUnavailableError } from "./errors";
export type { Logger } from "./options";
export type { ApprovalResult, DecisionRequest, DecisionResult, Reason } from "./wire";
/** For tools and merchants: check a decision receipt offline (see also `@tollgate/sdk/receipts`). */
export { verifyReceipt, type ReceiptCheck, type ReceiptClaims } from "@tollgate/policy";
