export {
  createTollgate,
  TollgateError,
  type ApprovalResult,
  type DecisionRequest,
  type DecisionResult,
  type Reason,
  type Tollgate,
  type TollgateOptions,
} from "./client";
/** For tools and merchants: check a decision receipt offline with the organization's public key. */
export { verifyReceipt, type ReceiptCheck, type ReceiptClaims } from "@tollgate/policy";
